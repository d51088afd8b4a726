"""recording fetches and deletions: when a recording was last tried, and the recordings still
to be deleted at Twilio (a copy stored here, or a caller erased first)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fetch_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("last_tried_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "recording_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_sid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_tried_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("recording_sid"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("recording_deletions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recording_deletions_last_tried_at"), ["last_tried_at"])


def downgrade() -> None:
    op.drop_table("recording_deletions")
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_column("last_tried_at")
        batch_op.drop_column("fetch_attempts")
