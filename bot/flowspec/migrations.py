"""Flow files written for an older flow format, brought up to today's before validation.

A council's flows outlive the code that first read them. When the format changes, the change is
written here once, as a step from one `spec_version` to the next, and files on disk keep loading
untouched: nobody has to rewrite a flow because Sgwrs was upgraded.

Version 2 made the Welsh review per text (`reviewed` on each text) instead of one
`welsh_reviewed` flag per flow: a flag saying every text was checked cannot say which text changed
since, so a version 1 file's flag is dropped and each text awaits its own review.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot.flowspec.model import SPEC_VERSION, FlowError

#: A flow file's raw YAML data at one spec_version, rewritten for the next.
Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _review_per_text(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("welsh_reviewed", None)
    return data


#: MIGRATIONS[n] turns a spec_version n flow into a spec_version n + 1 one.
MIGRATIONS: dict[int, Migration] = {1: _review_per_text}


def oldest_readable(current: int, migrations: Mapping[int, Migration]) -> int:
    """The oldest spec_version with an unbroken chain of migrations up to `current`."""
    oldest = current
    while oldest - 1 in migrations:
        oldest -= 1
    return oldest


def migrate(
    raw: object,
    path: Path,
    *,
    current: int = SPEC_VERSION,
    migrations: Mapping[int, Migration] | None = None,
) -> object:
    """`raw`, a flow file's YAML data, rewritten to spec_version `current` and ready to validate.

    Data without a whole-number spec_version is handed on as it is, so validation reports it in
    its usual words. A version this code cannot bring up to date, newer or unknown, is refused
    with a FlowError naming the file and the version rather than a puzzling field error. `raw`
    itself is never changed: each migration works on its own copy.
    """
    steps = MIGRATIONS if migrations is None else migrations
    if not isinstance(raw, dict):
        return raw
    version = raw.get("spec_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return raw
    oldest = oldest_readable(current, steps)
    readable = f"{oldest}" if oldest == current else f"{oldest} to {current}"
    if version > current:
        raise FlowError(
            f"{path.name}: flow: spec_version {version} is newer than this Sgwrs can read "
            f"(spec_version {readable}): upgrade Sgwrs to load this flow"
        )
    if version < oldest:
        raise FlowError(
            f"{path.name}: flow: spec_version {version} is unknown "
            f"(this Sgwrs reads spec_version {readable})"
        )
    data: dict[str, Any] = raw
    while version < current:
        data = {**steps[version](copy.deepcopy(data)), "spec_version": version + 1}
        version += 1
    return data
