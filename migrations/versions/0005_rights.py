"""residents' rights: opt-out per number, contact-details flags, sealed audit reasons, ids
that are never reused

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:05:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Every table with an integer id: on SQLite they are rebuilt with AUTOINCREMENT, parents first.
ID_TABLES = (
    "participants",
    "users",
    "broadcasts",
    "themes",
    "conversations",
    "messages",
    "answers",
    "questions",
    "outbox",
    "timers",
    "audit_log",
)


def upgrade() -> None:
    op.create_table(
        "opt_outs",
        sa.Column("number_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("number_encrypted", sa.Text(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("opted_out_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number_hash"),
    )
    # Residents who opted out before this revision: the list is now what every send checks.
    op.execute(
        "INSERT INTO opt_outs (number_hash, number_encrypted, source, opted_out_at)"
        " SELECT number_hash, MIN(number_encrypted), 'resident',"
        " MIN(COALESCE(opted_out_at, created_at)) FROM participants WHERE opted_out"
        " GROUP BY number_hash"
    )
    for table in ("answers", "questions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "contact_details", sa.Boolean(), nullable=False, server_default=sa.false()
                )
            )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_encrypted", sa.Text(), nullable=True))
    _seal_typed_reasons()
    if op.get_bind().dialect.name == "sqlite":
        _never_reuse_ids()


def _seal_typed_reasons() -> None:
    """Reasons officers typed before this revision move, sealed, out of the clear `detail`."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, detail FROM audit_log WHERE action = 'number_revealed'")
    ).all()
    if not rows:
        return
    from bot.runtime.config import load_settings
    from bot.runtime.container import with_local_secrets
    from bot.runtime.crypto import Vault

    vault = Vault(with_local_secrets(load_settings()).data_key)
    for row_id, detail in rows:
        bind.execute(
            sa.text("UPDATE audit_log SET detail = '', reason_encrypted = :sealed WHERE id = :id"),
            {"sealed": vault.seal(detail or ""), "id": row_id},
        )


def _never_reuse_ids() -> None:
    """SQLite reuses the highest id after a delete unless the table says AUTOINCREMENT.

    Tables are rebuilt with foreign keys off (bot.store.db.migrating checks them all again
    before the commit), as SQLite's own procedure for changing a table asks.
    """
    for table in ID_TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("reason_encrypted")
    for table in ("questions", "answers"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("contact_details")
    op.drop_table("opt_outs")
