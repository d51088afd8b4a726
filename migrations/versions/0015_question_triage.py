"""question triage: officers dismiss a question with a reason, and take questions on

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "dismissed_reason", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("dismissed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
        batch_op.create_index("ix_questions_assigned_to", ["assigned_to"], unique=False)
        batch_op.create_foreign_key(
            "fk_questions_assigned_to_users", "users", ["assigned_to"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_questions_assigned_to_users", type_="foreignkey")
        batch_op.drop_index("ix_questions_assigned_to")
        batch_op.drop_column("assigned_to")
        batch_op.drop_column("dismissed_at")
        batch_op.drop_column("dismissed_reason")
