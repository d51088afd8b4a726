"""Rotating DATA_KEY: every stored token re-sealed, and every number re-hashed, under the new key.

Run after every process has the new DATA_KEY and the old one in DATA_KEY_PREVIOUS, while the
service keeps working: each batch is its own short transaction, so a big database is never
held in one, and a stopped rotation simply resumes (rows already under the new key are only
checked). Once it has finished, DATA_KEY_PREVIOUS can go; the old key is then needed only
to restore backups made before the rotation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.runtime.crypto import Vault, VaultError
from bot.store.db import Database
from bot.store.rekey import RekeyCounts, SealedTable, list_row_keys, list_sealed_tables, rekey_rows

log = logging.getLogger(__name__)

#: Rows per transaction: short enough that a resident's text never waits long for a row.
BATCH_SIZE = 500


@dataclass(frozen=True)
class RotationReport:
    """What the rotation did, per table (counts only)."""

    tables: dict[str, RekeyCounts] = field(default_factory=dict)

    @property
    def resealed(self) -> int:
        """Rows re-sealed in every table: 0 when nothing was left under an old key."""
        return sum(counts.resealed for counts in self.tables.values())


def rotate_keys(db: Database, vault: Vault, *, batch_size: int = BATCH_SIZE) -> RotationReport:
    """Move every table's tokens and number hashes onto the vault's current key."""
    report = RotationReport()
    for spec in list_sealed_tables():
        report.tables[spec.name] = _rotate_table(db, vault, spec, batch_size)
    return report


def _rotate_table(db: Database, vault: Vault, spec: SealedTable, batch_size: int) -> RekeyCounts:
    with db.session() as session:
        keys = list_row_keys(session, spec)
    counts = RekeyCounts()
    try:
        for start in range(0, len(keys), batch_size):
            with db.session() as session:
                counts.add(rekey_rows(session, vault, spec, keys[start : start + batch_size]))
    except VaultError as error:
        log.error("keys_rotation_stopped table=%s resealed=%s", spec.name, counts.resealed)
        raise VaultError(f"{spec.name}: {error}") from error
    log.info(
        "keys_rotated table=%s resealed=%s rehashed=%s merged=%s current=%s",
        spec.name,
        counts.resealed,
        counts.rehashed,
        counts.merged,
        counts.current,
    )
    return counts
