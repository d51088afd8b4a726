"""receipts kept by SID hash and committed before a text is handled; early delivery statuses;
the loop guard's counts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:00:00
"""

import hashlib

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    receipts = op.create_table(
        "receipts_new",
        sa.Column("sid_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("number_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("inbound_encrypted", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("handled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("sid_hash"),
    )
    connection = op.get_bind()
    old = connection.execute(sa.text("SELECT message_sid, reply, created_at FROM receipts"))
    rows = [
        {
            "sid_hash": hashlib.sha256(sid.encode("ascii")).hexdigest(),
            "status": "handled",
            "number_hash": None,
            "inbound_encrypted": None,
            "attempts": 1,
            "reply": reply,
            "created_at": created_at,
            "handled_at": created_at,
        }
        for sid, reply, created_at in old
    ]
    if rows:
        op.bulk_insert(receipts, rows)
    op.drop_index("ix_receipts_created_at", table_name="receipts")
    op.drop_table("receipts")
    op.rename_table("receipts_new", "receipts")
    op.create_index("ix_receipts_created_at", "receipts", ["created_at"])
    op.create_index("ix_receipts_number_hash", "receipts", ["number_hash"])
    op.create_index("ix_receipts_pending", "receipts", ["status", "created_at"])
    op.create_table(
        "early_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("twilio_sid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_early_statuses_twilio_sid", "early_statuses", ["twilio_sid"])
    op.create_index("ix_early_statuses_received_at", "early_statuses", ["received_at"])
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("repeat_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("repeat_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("repeat_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("flagged", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("flagged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    op.drop_table("early_statuses")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        for column in ("flagged_at", "flagged", "repeat_since", "repeat_count", "repeat_digest"):
            batch_op.drop_column(column)
    op.drop_index("ix_receipts_pending", table_name="receipts")
    op.drop_index("ix_receipts_number_hash", table_name="receipts")
    op.drop_index("ix_receipts_created_at", table_name="receipts")
    op.drop_table("receipts")
    op.create_table(
        "receipts",
        sa.Column("message_sid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("message_sid"),
    )
    op.create_index("ix_receipts_created_at", "receipts", ["created_at"])
