"""broadcast targeting: a broadcast may go to everyone who took part (not only those who asked
to hear back), and only to one partner's or one language's residents

Broadcasts made before this went to those who asked to hear back, so that is their audience.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "audience",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="hear_back",
            )
        )
        batch_op.add_column(
            sa.Column("partner_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True)
        )
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("partner_code")
        batch_op.drop_column("audience")
