"""public responses: per flow, what was heard, decided and why, drafted and published

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 12:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: The key every table of a response shares: the flow, and which of its two versions.
KEY = ("flow_id", "stage")


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("flow_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "public_responses",
        *_key_columns(),
        sa.Column("summary_cy", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"]),
        sa.PrimaryKeyConstraint(*KEY),
    )
    op.create_table(
        "public_response_themes",
        *_key_columns(),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        *(
            sa.Column(f"{part}_{language}", sa.Text(), nullable=False)
            for part in ("heard", "decision", "reasoning")
            for language in ("cy", "en")
        ),
        sa.PrimaryKeyConstraint(*KEY, "theme_id"),
    )
    op.create_table(
        "public_response_quotes",
        *_key_columns(),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"]),
        sa.PrimaryKeyConstraint(*KEY, "theme_id", "answer_id"),
    )
    with op.batch_alter_table("public_response_quotes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_response_quotes_answer_id"), ["answer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("public_response_quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_response_quotes_answer_id"))
    op.drop_table("public_response_quotes")
    op.drop_table("public_response_themes")
    op.drop_table("public_responses")
