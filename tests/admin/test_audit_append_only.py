"""The audit log is append-only: no path in the app rewrites or deletes an entry, and on
PostgreSQL the database itself refuses to, while erasure, the retention purge and key rotation
still take the officer's words out (or re-seal them), the one change they need.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.core.accounts import create_user
from bot.core.audit import record_event
from bot.runtime.container import Container
from bot.store.audit import clear_old_audit_reasons, drop_audit_reasons_about
from bot.store.models import AuditEvent
from tests.admin.conftest import PASSWORD, talk
from tests.conftest import make_container

ROOT = Path(__file__).resolve().parents[2]
#: The one module that changes audit rows once made (key rotation re-seals every `*_encrypted`
#: column of every table alike, bot/store/rekey.py, without naming the audit log).
WRITERS = {"bot/store/audit.py"}


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Container]:
    """Services on this worker's PostgreSQL database, the audit log emptied the owner's way."""
    services = make_container(postgres_url)
    with services.db.engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_log, users RESTART IDENTITY CASCADE"))
    yield services
    services.db.engine.dispose()


def _entry(services: Container, *, reason: str | None = "Mrs Evans asked me to ring") -> int:
    with services.db.session() as session:
        event = AuditEvent(
            at=datetime(2026, 1, 5, tzinfo=UTC),
            action="number_revealed",
            target="participant:7",
            reason_encrypted=services.vault.seal(reason) if reason else None,
        )
        session.add(event)
        session.flush()
        return event.id or 0


def _run(services: Container, statement: str, **values: object) -> None:
    with services.db.engine.begin() as connection:
        connection.execute(text(statement), values)


def _row(services: Container, event_id: int) -> AuditEvent | None:
    with services.db.session() as session:
        return session.get(AuditEvent, event_id)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'nothing_happened' WHERE id = :id",
        "UPDATE audit_log SET at = at + interval '1 day' WHERE id = :id",
        "UPDATE audit_log SET target = 'participant:8', reason_encrypted = NULL WHERE id = :id",
        "UPDATE audit_log SET user_id = NULL, detail = 'edited' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
    ],
)
def test_postgresql_refuses_to_rewrite_or_delete_an_entry(
    postgres: Container, statement: str
) -> None:
    event_id = _entry(postgres)
    before = _row(postgres, event_id)
    with pytest.raises(DBAPIError, match="append-only"):
        _run(postgres, statement, id=event_id)
    assert _row(postgres, event_id) == before


def test_postgresql_refuses_adding_words_to_an_entry_afterwards(postgres: Container) -> None:
    event_id = _entry(postgres, reason=None)
    with pytest.raises(DBAPIError, match="append-only"):
        _run(postgres, "UPDATE audit_log SET reason_encrypted = 'x' WHERE id = :id", id=event_id)


def test_the_retention_purge_drops_old_words_under_the_trigger(postgres: Container) -> None:
    old = _entry(postgres)
    _run(postgres, "INSERT INTO audit_log (at, action, target, detail) VALUES (now(), 'x', '', '')")
    with postgres.db.session() as session:
        assert clear_old_audit_reasons(session, datetime(2026, 1, 6, tzinfo=UTC)) == 1
    row = _row(postgres, old)
    assert row is not None
    assert (row.action, row.target, row.reason_encrypted) == (
        "number_revealed",
        "participant:7",
        None,
    )


def test_drop_audit_reasons_about_touches_only_those_targets(postgres: Container) -> None:
    about, other = _entry(postgres), _entry(postgres)
    _run(postgres, "UPDATE audit_log SET reason_encrypted = NULL WHERE id = :id", id=other)
    with postgres.db.session() as session:
        assert drop_audit_reasons_about(session, ["participant:7", "answer:3"]) == 1
    assert _row(postgres, about).reason_encrypted is None  # type: ignore[union-attr]


def test_an_admin_s_erasure_works_under_the_trigger(postgres: Container) -> None:
    """The whole erasure, as an admin does it, on PostgreSQL: the entry about the resident
    stays, without the words the officer typed, and the erasure is logged too."""
    talk(postgres, "+447700900321", "hi")
    with postgres.db.session() as session:
        admin = create_user(
            session, email="a@council.example", name="A", role="admin", password=PASSWORD
        )
        record_event(
            session, admin.id, "number_revealed", "participant:1", sealed_reason="typed words"
        )
    postgres.rights.erase_participant(1, user_id=admin.id, reason="asked_by_phone")
    with postgres.db.session() as session:
        entries = {event.action: event for event in session.exec(select(AuditEvent))}
    assert entries["number_revealed"].reason_encrypted is None
    assert entries["number_revealed"].target == "participant:1"
    assert "resident_erased" in entries


def _calls_that_rewrite_audit_rows(path: Path) -> list[str]:
    """update(AuditEvent)/delete(AuditEvent) calls, and SQL text naming audit_log with UPDATE or
    DELETE, in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("update", "delete")
            and any(isinstance(arg, ast.Name) and arg.id == "AuditEvent" for arg in node.args)
        ):
            found.append(f"{node.func.id}(AuditEvent) at line {node.lineno}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.upper()
            if "AUDIT_LOG" in words and ("UPDATE" in words or "DELETE" in words):
                found.append(f"SQL text at line {node.lineno}")
    return found


def test_only_the_audit_store_rewrites_audit_rows() -> None:
    modules = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("admin/**/*.py"), *ROOT.glob("webhooks/*.py")]
    found = {
        str(path.relative_to(ROOT)): calls
        for path in modules
        if (calls := _calls_that_rewrite_audit_rows(path))
    }
    assert set(found) == WRITERS, found
    assert not any("delete" in call for call in found["bot/store/audit.py"])
