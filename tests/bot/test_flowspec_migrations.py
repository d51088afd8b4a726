"""Flow format migrations: today's files pass through, older ones are brought up to date in
order, and a file from a newer (or unknown) format is refused by name rather than misread."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.flowspec import migrations
from bot.flowspec.loading import load_flow, load_library
from bot.flowspec.migrations import MIGRATIONS, migrate, oldest_readable
from bot.flowspec.model import SPEC_VERSION, FlowError, Review, Text, fingerprint
from bot.runtime.config import PROJECT_ROOT

WELCOME = PROJECT_ROOT / "flows" / "welcome.yaml"


def welcome_with(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """A copy of the real welcome flow with each `old` (occurring once) replaced by `new`."""
    text = WELCOME.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    path = tmp_path / "welcome.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_migration_leads_up_to_the_current_version() -> None:
    """No gaps and nothing beyond today: each registered version can reach SPEC_VERSION."""
    oldest = oldest_readable(SPEC_VERSION, MIGRATIONS)
    assert set(MIGRATIONS) == set(range(oldest, SPEC_VERSION))


def test_the_current_version_passes_through_unchanged() -> None:
    raw = {"spec_version": SPEC_VERSION, "id": "welcome", "steps": []}
    assert migrate(raw, WELCOME) is raw


@pytest.mark.parametrize("raw", [None, [], "text", {"id": "welcome"}, {"spec_version": "1"}])
def test_data_without_a_whole_number_version_is_left_for_validation(raw: object) -> None:
    assert migrate(raw, WELCOME) is raw


def test_without_a_version_validation_names_the_missing_field(tmp_path: Path) -> None:
    path = welcome_with(tmp_path, (f"spec_version: {SPEC_VERSION}\n", ""))
    with pytest.raises(FlowError, match=r"^welcome\.yaml: flow: spec_version: Field required$"):
        load_flow(path)


def test_a_future_version_is_refused_naming_the_file_and_the_version(tmp_path: Path) -> None:
    path = welcome_with(
        tmp_path, (f"spec_version: {SPEC_VERSION}\n", f"spec_version: {SPEC_VERSION + 1}\n")
    )
    with pytest.raises(FlowError) as error:
        load_flow(path)
    oldest = oldest_readable(SPEC_VERSION, MIGRATIONS)
    assert str(error.value) == (
        f"welcome.yaml: flow: spec_version {SPEC_VERSION + 1} is newer than this Sgwrs can read "
        f"(spec_version {oldest} to {SPEC_VERSION}): upgrade Sgwrs to load this flow"
    )


def test_the_library_refuses_a_future_version_too(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    for source in WELCOME.parent.glob("*.yaml"):
        (flows / source.name).write_bytes(source.read_bytes())
    welcome_with(flows, (f"spec_version: {SPEC_VERSION}\n", "spec_version: 7\n"))
    with pytest.raises(FlowError, match=r"^welcome\.yaml: flow: spec_version 7 is newer"):
        load_library(flows, "energy-data")


def test_a_version_older_than_any_migration_is_unknown(tmp_path: Path) -> None:
    oldest = oldest_readable(SPEC_VERSION, MIGRATIONS)
    readable = f"{oldest}" if oldest == SPEC_VERSION else f"{oldest} to {SPEC_VERSION}"
    path = welcome_with(
        tmp_path, (f"spec_version: {SPEC_VERSION}\n", f"spec_version: {oldest - 1}\n")
    )
    with pytest.raises(FlowError) as error:
        load_flow(path)
    assert str(error.value) == (
        f"welcome.yaml: flow: spec_version {oldest - 1} is unknown "
        f"(this Sgwrs reads spec_version {readable})"
    )


def test_migrations_are_applied_in_order_each_to_its_own_copy() -> None:
    def step(label: str) -> migrations.Migration:
        def apply(data: dict[str, Any]) -> dict[str, Any]:
            data["trail"].append(label)
            return data

        return apply

    chain = {3: step("3 to 4"), 1: step("1 to 2"), 2: step("2 to 3")}
    raw = {"spec_version": 1, "trail": []}
    migrated = migrate(raw, WELCOME, current=4, migrations=chain)
    assert migrated == {"spec_version": 4, "trail": ["1 to 2", "2 to 3", "3 to 4"]}
    assert raw == {"spec_version": 1, "trail": []}  # the file's own data is untouched
    halfway = migrate({"spec_version": 3, "trail": []}, WELCOME, current=4, migrations=chain)
    assert halfway == {"spec_version": 4, "trail": ["3 to 4"]}


def test_a_gap_in_the_chain_makes_older_versions_unknown() -> None:
    chain = {1: lambda data: data, 3: lambda data: data}  # nothing from 2 to 3
    with pytest.raises(FlowError, match=r"spec_version 1 is unknown .*reads spec_version 3 to 4"):
        migrate({"spec_version": 1}, WELCOME, current=4, migrations=chain)


def test_the_loader_migrates_an_old_file_before_validating_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pretend version 0 called the title `name`; its migration renames it."""

    def rename_name_to_title(data: dict[str, Any]) -> dict[str, Any]:
        data["title"] = data.pop("name")
        return data

    monkeypatch.setitem(MIGRATIONS, SPEC_VERSION - 1, rename_name_to_title)
    path = welcome_with(
        tmp_path,
        (f"spec_version: {SPEC_VERSION}\n", f"spec_version: {SPEC_VERSION - 1}\n"),
        ("\ntitle:\n", "\nname:\n"),
    )
    flow = load_flow(path)
    assert flow.spec_version == SPEC_VERSION
    assert flow.title == load_flow(WELCOME).title


def test_a_version_1_file_loses_its_one_review_flag_and_each_text_awaits_review(
    tmp_path: Path,
) -> None:
    """Version 1 had one `welsh_reviewed` for the whole flow, which cannot say which text
    changed since; version 2 reviews each text, so the old flag must not vouch for any."""
    path = welcome_with(
        tmp_path,
        (f"spec_version: {SPEC_VERSION}\n", "spec_version: 1\nwelsh_reviewed: true\n"),
    )
    flow = load_flow(path)

    assert flow.spec_version == 2
    assert not hasattr(flow, "welsh_reviewed")
    assert all(step.title is None or step.title.awaits_review for step in flow.steps)
    assert flow.steps[0].text.awaits_review  # type: ignore[union-attr]


def test_a_reviewed_text_awaits_review_again_once_its_english_changes() -> None:
    reviewed = Review(by="Nia", on=date(2026, 12, 2), source=fingerprint("Reply YES or NO"))

    assert not Text(cy="Atebwch IE neu NA", en="Reply YES or NO", reviewed=reviewed).awaits_review
    assert Text(cy="Atebwch IE neu NA", en="Reply YES, or NO", reviewed=reviewed).awaits_review
    assert Text(cy="Atebwch IE neu NA", en="Reply YES or NO").awaits_review
