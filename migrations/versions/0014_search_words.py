"""search words: each sealed answer, question and resident's text gets the keyed hashes of
its words (bot/store/search.py), so officers can search without the database reading them

Rows written before this migration have none until `sgwrs search reindex` is run once.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("answers", "questions", "messages")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("words", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("words")
