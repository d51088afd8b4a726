"""The Welsh translation round-trip as a council's translation unit uses it: export a flow to a
spreadsheet or PO file, edit the Welsh, import it back. Only what they edited changes."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import polib
import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.core.translations import (
    TranslationError,
    export_translations,
    import_translations,
    rows,
    system_source,
)
from bot.engine import texts as system_texts
from bot.flowspec.loading import load_flow, load_system_texts
from bot.flowspec.model import Text
from tests.conftest import PRODUCT_FLOWS

HOPES = "energy-data/hopes/text"
THANKS = "energy-data/thanks/text"
YES = "energy-data/view/option/yes"
NEW_HOPES = "Yn eich geiriau eich hun, pa les allai hyn ei wneud i chi neu i'ch teulu?"
NEW_THANKS = "Diolch yn fawr iawn. Bydd staff y Cyngor yn darllen eich atebion."


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(PRODUCT_FLOWS, folder)
    return folder


def _export(runner: CliRunner, flows: Path, fmt: str, output: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "flows",
            "export-translations",
            "--dir",
            str(flows),
            "--format",
            fmt,
            "--output",
            str(output),
            "energy-data",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "await review" in result.output


def _import(runner: CliRunner, flows: Path, path: Path, reviewer: str = "Nia Jones"):
    return runner.invoke(
        cli,
        ["flows", "import-translations", "--dir", str(flows), "--reviewer", reviewer, str(path)],
    )


def _edit_po(path: Path, welsh: dict[str, str], confirm: tuple[str, ...] = ()) -> None:
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgctxt in welsh:
            entry.msgstr = welsh[entry.msgctxt]
        if entry.msgctxt in confirm and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(path))


def _edit_xlsx(
    path: Path,
    welsh: dict[str, str],
    confirm: tuple[str, ...] = (),
    english: dict[str, str] | None = None,
) -> None:
    english = english or {}
    book = openpyxl.load_workbook(path)
    sheet = book["Welsh"]
    for cells in sheet.iter_rows(min_row=2):
        text_id = cells[0].value
        if text_id in welsh:
            cells[3].value = welsh[text_id]
        if text_id in english:
            cells[2].value = english[text_id]
        if text_id in confirm:
            cells[6].value = "yes"
    book.save(path)


def _edit(fmt: str, path: Path, welsh: dict[str, str], confirm: tuple[str, ...] = ()) -> None:
    (_edit_po if fmt == "po" else _edit_xlsx)(path, welsh, confirm)


@pytest.mark.parametrize("fmt", ["xlsx", "po"])
def test_an_edited_file_changes_exactly_the_edited_texts(
    runner: CliRunner, flows: Path, tmp_path: Path, fmt: str
) -> None:
    before_text = (flows / "energy-data.yaml").read_text(encoding="utf-8")
    before = yaml.safe_load(before_text)
    exported = tmp_path / f"energy-data.cy.{fmt}"
    _export(runner, flows, fmt, exported)
    _edit(fmt, exported, {HOPES: NEW_HOPES, THANKS: NEW_THANKS}, confirm=(YES,))

    result = _import(runner, flows, exported)

    assert result.exit_code == 0, result.output
    assert "Wrote 3 text(s), marked reviewed by Nia Jones." in result.output
    after_text = (flows / "energy-data.yaml").read_text(encoding="utf-8")
    flow = load_flow(flows / "energy-data.yaml")
    assert flow.version == before["version"] + 1
    hopes, thanks = flow.step("hopes").text, flow.step("thanks").text  # type: ignore[union-attr]
    assert (hopes.cy, thanks.cy) == (NEW_HOPES, NEW_THANKS)
    yes = flow.step("view").options[0].label  # type: ignore[union-attr]
    for text in (hopes, thanks, yes):
        assert text.reviewed is not None
        assert not text.awaits_review
        assert (text.reviewed.by, text.reviewed.on) == ("Nia Jones", date.today())
    assert flow.step("plan").text.awaits_review  # type: ignore[union-attr]  # untouched
    # Every other line is as it was, comments included.
    old_lines, new_lines = before_text.splitlines(), after_text.splitlines()
    removed = [line for line in old_lines if line not in new_lines]
    added = [line for line in new_lines if line not in old_lines]
    assert len(removed) == 3  # the version and the two Welsh texts
    assert len(added) == 3 + 3  # and a review mark on each of the three texts
    assert all("reviewed:" in line for line in added if "cy:" not in line and "version" not in line)
    assert [line for line in old_lines if line.startswith("#")] == [
        line for line in new_lines if line.startswith("#")
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "po"])
def test_an_unedited_file_writes_nothing(
    runner: CliRunner, flows: Path, tmp_path: Path, fmt: str
) -> None:
    before = (flows / "energy-data.yaml").read_bytes()
    exported = tmp_path / f"energy-data.cy.{fmt}"
    _export(runner, flows, fmt, exported)

    result = _import(runner, flows, exported)

    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.output
    assert (flows / "energy-data.yaml").read_bytes() == before


def test_every_problem_is_listed_and_nothing_is_written(
    runner: CliRunner, flows: Path, tmp_path: Path
) -> None:
    before = (flows / "energy-data.yaml").read_bytes()
    exported = tmp_path / "energy-data.cy.xlsx"
    _export(runner, flows, "xlsx", exported)
    _edit_xlsx(
        exported,
        {
            HOPES: "Pa les? " * 60,  # far over its budget
            THANKS: "",
            "energy-data/plan/text": "Mae'r Cyngor {enw} am ddefnyddio data.",
            YES: NEW_HOPES,
        },
        english={YES: "Yes please"},
    )
    book = openpyxl.load_workbook(exported)
    book["Welsh"].append(["energy-data/no-such-step/text", "", "x", "y", 3, "", ""])
    book.save(exported)

    result = _import(runner, flows, exported)

    assert result.exit_code == 1
    assert "Nothing was written" in result.output
    assert f"{HOPES}: the Welsh is 4 segments; at most 3" in result.output
    assert f"{THANKS}: the Welsh is empty" in result.output
    assert (
        "energy-data/plan/text: the Welsh must keep the English's {placeholders}" in result.output
    )
    assert f"{YES}: the English has changed since this file was exported" in result.output
    assert "energy-data/no-such-step/text: no such text in this flow" in result.output
    assert (flows / "energy-data.yaml").read_bytes() == before


def test_a_review_lapses_when_the_english_changes_afterwards(
    runner: CliRunner, flows: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "energy-data.cy.po"
    _export(runner, flows, "po", exported)
    _edit_po(exported, {HOPES: NEW_HOPES})
    assert _import(runner, flows, exported).exit_code == 0
    path = flows / "energy-data.yaml"
    assert not load_flow(path).step("hopes").text.awaits_review  # type: ignore[union-attr]
    english = "In your own words, what good could this do for you or people you know?"
    path.write_text(
        path.read_text(encoding="utf-8").replace(english, "What good could this do?"),
        encoding="utf-8",
    )

    assert load_flow(path).step("hopes").text.awaits_review  # type: ignore[union-attr]


def test_a_file_for_a_flow_that_is_not_there_is_refused(
    runner: CliRunner, flows: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "energy-data.cy.po"
    _export(runner, flows, "po", exported)
    po = polib.pofile(str(exported))
    po.metadata["X-Sgwrs-Flow"] = "bus-data"
    po.save(str(exported))

    result = _import(runner, flows, exported)

    assert result.exit_code == 1
    assert "it is for flow 'bus-data', which is not in" in result.output


def test_export_names_its_file_after_the_flow_by_default(
    runner: CliRunner, flows: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for fmt in ("xlsx", "po"):
        result = runner.invoke(
            cli,
            ["flows", "export-translations", "--dir", str(flows), "--format", fmt, "energy-data"],
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"energy-data.cy.{fmt}").exists()
    unknown = runner.invoke(cli, ["flows", "export-translations", "--dir", str(flows), "bus"])
    assert unknown.exit_code == 1
    assert "There is no flow 'bus'" in unknown.output


# -- the service's own messages ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "po"])
def test_the_system_texts_go_to_translators_and_back_like_a_flow(
    runner: CliRunner, flows: Path, tmp_path: Path, fmt: str
) -> None:
    exported = tmp_path / f"system.cy.{fmt}"
    result = runner.invoke(
        cli, ["flows", "export-translations", "--format", fmt, "--output", str(exported), "system"]
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {exported}: " in result.output
    assert {row.id for row in rows(system_source())} >= {"system/texts/HELP", "system/texts/THANKS"}
    copy = tmp_path / "texts.yaml"
    shutil.copy(system_texts.SOURCE, copy)
    before_text = copy.read_text(encoding="utf-8")
    _edit(fmt, exported, {"system/texts/THANKS": "Diolch yn fawr."})

    changed = import_translations(exported, flows, "Nia Jones", date.today(), system_path=copy)

    assert changed == ["system/texts/THANKS"]
    after = load_system_texts(copy)
    assert after.version == load_system_texts(system_texts.SOURCE).version + 1
    assert after.texts["THANKS"].cy == "Diolch yn fawr."
    assert not after.texts["THANKS"].awaits_review
    assert after.texts["HELP"] == system_texts.HELP  # untouched
    comments = [line for line in before_text.splitlines() if line.lstrip().startswith("#")]
    assert comments == [
        line for line in copy.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("#")
    ]  # fmt: skip


def test_a_system_text_over_its_budget_is_refused_and_nothing_is_written(
    flows: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "system.cy.po"
    export_translations(system_source(), "po", exported)
    copy = tmp_path / "texts.yaml"
    shutil.copy(system_texts.SOURCE, copy)
    _edit_po(exported, {"system/texts/THANKS": "Diolch yn fawr iawn, ŵr. " * 10})
    with pytest.raises(TranslationError, match=r"system/texts/THANKS: the Welsh is \d+ segments"):
        import_translations(exported, flows, "Nia Jones", date.today(), system_path=copy)
    assert copy.read_bytes() == system_texts.SOURCE.read_bytes()


def test_every_system_text_has_a_name_in_the_code() -> None:
    named = {name for name, value in vars(system_texts).items() if isinstance(value, Text)}
    assert named == set(load_system_texts(system_texts.SOURCE).texts)
