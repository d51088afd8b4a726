"""Queries for key rotation: every sealed value and number hash moved onto the current DATA_KEY.

What to rewrite is read from the models, not listed here: by models.py's convention every
column named `*_encrypted` holds a Vault token, and a table with both `number_hash` and
`number_encrypted` is found by the number's hash, which changes with the key, and a table with a
`words` column keeps one sealed text's words as keyed hashes (bot/store/search.py), which are
hashed again with that text. A new table that follows the convention is rotated with no
change here.

The service keeps running meanwhile, so each write is guarded by the value it replaces: a row
that changed between reading and writing (a resident's next text, an erasure) is read again
rather than overwritten with what it held before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Column, ColumnElement, Row, Table, delete, select, update
from sqlmodel import Session, SQLModel

import bot.store.models  # noqa: F401 - registers every table in SQLModel.metadata
from bot.runtime.crypto import Vault
from bot.store.search import SEARCHED_TEXT, index_words, indexed_language

#: JSON columns that may carry a token under STATE_TOKEN: participants.state holds the
#: resident's own words that way (see bot.store.participants.save_participant).
SEALED_IN_JSON = {("participants", "state")}
STATE_TOKEN = "sealed"
#: A row that changed between read and write is read again, but not for ever: a row that
#: never stays still for one read (or a guard that can never match) stops the rotation.
READS_PER_ROW = 5


@dataclass(frozen=True)
class SealedTable:
    """One table's columns that rotation rewrites, and the key it is walked by."""

    table: Table
    key: Column[Any]
    sealed: tuple[Column[Any], ...]
    sealed_in_json: tuple[Column[Any], ...]
    #: number_hash is recomputed from number_encrypted.
    hashed: bool
    #: The sealed column whose words `words` holds, hashed again when it is re-sealed.
    indexed: Column[Any] | None = None

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def columns(self) -> list[Column[Any]]:
        """What a row is read as: its key, its tokens and, when hashed, its hash (once each)."""
        hashed = [self.table.c.number_hash] if self.hashed else []
        indexed = [self.table.c.words] if self.indexed is not None else []
        every = [self.key, *self.sealed, *self.sealed_in_json, *hashed, *indexed]
        return list(dict.fromkeys(every))


@dataclass
class RekeyCounts:
    """Rows of one table by what rotation did to them (a row can be re-sealed and re-hashed)."""

    resealed: int = 0
    rehashed: int = 0
    #: Rows dropped because the same number was already stored under its new hash, where the
    #: number itself is the key (opt_outs: a STOP sent during the rotation window).
    merged: int = 0
    #: Rows already wholly under the current key: nothing written.
    current: int = 0

    def add(self, other: RekeyCounts) -> None:
        self.resealed += other.resealed
        self.rehashed += other.rehashed
        self.merged += other.merged
        self.current += other.current


def list_sealed_tables() -> list[SealedTable]:
    """Every table holding a token or a number hash, found from the models."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        sealed = tuple(column for column in table.columns if column.name.endswith("_encrypted"))
        in_json = tuple(
            column
            for column in table.columns
            if (table.name, column.name) in SEALED_IN_JSON and isinstance(column.type, JSON)
        )
        if not sealed and not in_json:
            continue
        keys = list(table.primary_key.columns)
        if len(keys) != 1:
            raise TypeError(f"{table.name}: key rotation walks tables by a one-column key")
        hashed = {"number_hash", "number_encrypted"} <= set(table.columns.keys())
        searched = SEARCHED_TEXT.get(table.name)
        indexed = table.c[searched] if searched else None
        found.append(SealedTable(table, keys[0], sealed, in_json, hashed, indexed))
    return found


def list_row_keys(session: Session, spec: SealedTable) -> list[Any]:
    """Every row's key, taken once before rotating the table. Taken up front, not paged as it
    goes, because a key can be the number's hash itself, which the rotation changes."""
    return list(session.scalars(select(spec.key).order_by(spec.key)))


def rekey_rows(
    session: Session, vault: Vault, spec: SealedTable, keys: Sequence[Any]
) -> RekeyCounts:
    """Re-seal and re-hash the rows with these keys; rows erased meanwhile are simply gone.
    Rows are written in key order, so two rotations at once wait for each other, not deadlock."""
    counts = RekeyCounts()
    pending = list(keys)
    for _attempt in range(READS_PER_ROW):
        statement = select(*spec.columns).where(spec.key.in_(pending)).order_by(spec.key)
        rows = session.execute(statement).all()
        pending = [row[0] for row in rows if not _rekey_row(session, vault, spec, row, counts)]
        if not pending:
            return counts
    raise RuntimeError(f"{spec.name}: {len(pending)} row(s) changed on every read; run it again")


@dataclass
class _Plan:
    """What one row needs: new values, and the old values they may only replace."""

    values: dict[str, Any] = field(default_factory=dict)
    guards: list[ColumnElement[bool]] = field(default_factory=list)

    def replace(self, column: Column[Any], guard: ColumnElement[bool], value: Any) -> None:
        self.values[column.name] = value
        self.guards.append(guard)


def _plan(vault: Vault, spec: SealedTable, row: Row[Any]) -> _Plan:
    values = row._mapping
    plan = _Plan()
    for column in spec.sealed:
        token = values[column]
        if token and not vault.is_current(token):
            plan.replace(column, column == token, vault.reseal(token))
            if column is spec.indexed and values[spec.table.c.words] is not None:
                words = spec.table.c.words
                guard = words == values[words]
                read_as = indexed_language(values[words])
                plan.replace(words, guard, index_words(vault, vault.open(token), read_as))
    for column in spec.sealed_in_json:
        document = values[column]
        token = document.get(STATE_TOKEN) if isinstance(document, dict) else None
        if token and not vault.is_current(token):
            resealed = {**document, STATE_TOKEN: vault.reseal(token)}
            plan.replace(column, column[STATE_TOKEN].as_string() == token, resealed)
    if spec.hashed:
        column = spec.table.c.number_hash
        stored = spec.table.c.number_encrypted
        number_hash = vault.hash_number(vault.open(values[stored]))
        if number_hash != values[column]:
            plan.replace(column, column == values[column], number_hash)
    return plan


def _rekey_row(
    session: Session, vault: Vault, spec: SealedTable, row: Row[Any], counts: RekeyCounts
) -> bool:
    """Write what the row needs; False if it changed since it was read (read it again)."""
    plan = _plan(vault, spec, row)
    if not plan.values:
        counts.current += 1
        return True
    where = (spec.key == row[0], *plan.guards)
    new_hash = plan.values.get("number_hash")
    if spec.key.name == "number_hash" and new_hash and _has_key(session, spec, new_hash):
        if session.execute(delete(spec.table).where(*where)).rowcount != 1:
            return False
        counts.merged += 1
        return True
    if session.execute(update(spec.table).where(*where).values(plan.values)).rowcount != 1:
        return False
    counts.resealed += any(name != "number_hash" for name in plan.values)
    counts.rehashed += new_hash is not None
    return True


def _has_key(session: Session, spec: SealedTable, key: Any) -> bool:
    return session.execute(select(spec.key).where(spec.key == key)).first() is not None
