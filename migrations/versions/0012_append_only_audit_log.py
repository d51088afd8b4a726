"""append only audit log: on PostgreSQL a trigger refuses DELETE, and any UPDATE but of the
officer's words (reason_encrypted), which erasure and retention drop and key rotation re-seals

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 15:00:00

SQLite has no trigger here: a batch migration rebuilds a table and would silently drop it, and
production runs on PostgreSQL (bot/store/audit.py names the only writes the app makes). TRUNCATE
is left to the table's owner, as the tests' clean-up needs it.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_log is append-only: an entry cannot be deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.id, NEW.at, NEW.user_id, NEW.action, NEW.target, NEW.detail)
        IS DISTINCT FROM (OLD.id, OLD.at, OLD.user_id, OLD.action, OLD.target, OLD.detail) THEN
        RAISE EXCEPTION 'audit_log is append-only: only reason_encrypted may change'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.reason_encrypted IS NULL AND NEW.reason_encrypted IS NOT NULL THEN
        RAISE EXCEPTION 'audit_log is append-only: a reason cannot be added afterwards'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$
"""
TRIGGER = """
CREATE TRIGGER audit_log_append_only
BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
