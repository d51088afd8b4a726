"""answer filing

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:12:30.514207
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "filed_as",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="answer",
            )
        )
        batch_op.create_index(batch_op.f("ix_answers_filed_as"), ["filed_as"], unique=False)

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_questions_answer_id"), ["answer_id"], unique=False)
        # Named, because SQLite's batch mode cannot add a nameless constraint.
        batch_op.create_foreign_key(
            "fk_questions_answer_id_answers", "answers", ["answer_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_questions_answer_id_answers", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_questions_answer_id"))
        batch_op.drop_column("answer_id")

    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answers_filed_as"))
        batch_op.drop_column("filed_as")
