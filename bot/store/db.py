"""Database engines, sessions and migrations, the same on SQLite and PostgreSQL.

The schema is owned by Alembic (migrations/); `upgrade` brings any database to head, so the
embedded run, the tests and the Procfile's release step all build tables the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, CursorResult, Engine, Executable, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert
from sqlmodel import Session, SQLModel

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

#: One unit of work (a transaction) as core holds it: core passes it to store functions and
#: never queries it itself, so every query stays in this package.
UnitOfWork = Session


def run_plain(
    session: Session,
    statement: Executable,
    parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> CursorResult[Any]:
    """Run a Core statement on the unit of work's connection with no ORM work around it: no
    autoflush, no identity map, no session synchronisation. For the writes and reads on every
    text's path that never touch an object the session holds (changes to those still go out
    at the commit, or at the next ORM query)."""
    return session.connection().execute(statement, parameters)


def insert_new(session: Session, model: type[SQLModel]) -> Insert:
    """An INSERT that skips each row whose unique key is already there (ON CONFLICT DO
    NOTHING), on either database: writing the same thing twice is then harmless, and a
    RETURNING clause gives back only what was new."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing()


def make_engine(url: str) -> Engine:
    """An engine with the settings each database needs for correct concurrent use."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            _private_file(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # No server-side prepared statements: behind PgBouncer in transaction mode the next
    # transaction may run on another server connection, which has never heard of them.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"prepare_threshold": None},
    )


def _private_file(path: Path) -> None:
    """The SQLite file holds residents' data: readable by this service's user only (SQLite
    gives its -wal and -shm files the same mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.cursor()
    # Freed pages can be given back (only takes on a new file); deleted rows are overwritten
    # with zeros, so an erased resident cannot be read back out of the file.
    cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """Owns the engine; `session()` is one unit of work that commits or rolls back whole."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def session(self) -> Iterator[UnitOfWork]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def scrub(self) -> None:
        """After an erasure: SQLite gives back the freed pages and empties its write-ahead log,
        which still holds old copies of the erased rows. PostgreSQL's deleted rows wait for
        (auto)VACUUM; docs/dpia-notes.md says what that and backups mean."""
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA incremental_vacuum")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.commit()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def upgrade(self) -> None:
        """Apply every migration not yet applied."""
        with migrating(self.engine) as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for migrations. On SQLite, foreign keys are off while tables are rebuilt
    (they cannot be switched inside a transaction) and every row is checked before the commit."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration left rows pointing at nothing")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config
