"""Conditions that more than one list's filters share.

The admin reads a "from ... to ..." date filter as UTC bounds with an exclusive upper end (the
start of the day after the last day asked for, admin/forms.py); every list applies it alike here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement


def within(
    column: Any, start: datetime | None, before: datetime | None
) -> list[ColumnElement[bool]]:
    """`start <= column < before`, as conditions for whichever bounds are given (None is open)."""
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(column >= start)
    if before is not None:
        conditions.append(column < before)
    return conditions
