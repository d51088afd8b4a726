"""declined theme suggestions: the themes an officer said an answer is not about, so they are
not suggested for it again (bot/core/theme_suggestions.py)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declined_themes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("declined_themes")
