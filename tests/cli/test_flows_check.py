"""`sgwrs flows check`: the report a flow author reads, and a failing exit on any error."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.core.flow_check import check_flows
from tests.cli.conftest import text_of
from tests.conftest import FIXTURE_FLOWS, PRODUCT_FLOWS


def _shipped(tmp_path: Path) -> Path:
    """A copy of the flows Sgwrs ships, for a test to break one rule in."""
    flows = tmp_path / "flows"
    shutil.copytree(PRODUCT_FLOWS, flows)
    return flows


def _edit(flows: Path, old: str, new: str, name: str = "energy-data.yaml") -> None:
    path = flows / name
    original = path.read_text(encoding="utf-8")
    assert original.count(old) == 1, old
    path.write_text(original.replace(old, new), encoding="utf-8")


def _check(runner: CliRunner, flows: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["flows", "check", "--dir", str(flows), *options])
    return result.exit_code, result.output


def test_flows_check_passes_on_the_shipped_flows_strictly(runner: CliRunner) -> None:
    code, output = _check(runner, PRODUCT_FLOWS, "--strict")

    assert code == 0, output
    lines = output.splitlines()
    assert any("GSM-7" in line and "segment(s)" in line for line in lines)
    assert any("UCS-2" in line and "segment(s)" in line for line in lines)  # siŵr, at no cost
    assert any("energy-data/plan" in line for line in lines)
    assert "Welsh texts await review" in output  # a note: no fluent reviewer has signed yet
    assert "0 error(s), 0 warning(s)" in output


def test_flows_check_says_how_long_each_text_and_each_route_takes_to_say(
    runner: CliRunner,
) -> None:
    """Calls will run on the same flows: each text's spoken seconds, and per flow the main
    route's and the longest message's, in Welsh and English."""
    code, output = _check(runner, PRODUCT_FLOWS, "--strict")

    assert code == 0, output
    lines = output.splitlines()
    plan = next(line for line in lines if line.strip().startswith("energy-data/plan "))
    assert plan.endswith(" s spoken")
    heading = lines.index("spoken on a call at 150 words a minute (main route; longest message)")
    whole, energy = lines[heading + 1], lines[heading + 2]
    assert whole.strip().startswith("whole conversation")
    assert " cy " in whole
    assert " en " in whole
    assert energy.strip().startswith("energy-data")
    assert "(longest: what-we-keep" in energy


def test_a_choice_of_nine_fails_and_a_web_address_warns(runner: CliRunner, tmp_path: Path) -> None:
    flows = _shipped(tmp_path)
    extra = "".join(
        f"      - value: extra-{n}\n        label:\n          cy: Arall {n}\n"
        f"          en: Other {n}\n"
        for n in range(1, 7)
    )
    _edit(flows, "  - id: which-first\n", f"{extra}\n  - id: which-first\n")

    code, output = _check(runner, flows)

    assert code == 1
    assert "error: energy-data/view: the choice has 9 options; a phone keypad" in output

    flows = _shipped(tmp_path / "again")
    _edit(
        flows,
        "en: A smart meter sends your energy use",
        "en: See www.example.gov.uk. A smart meter sends your energy use",
    )

    lenient, output = _check(runner, flows)
    strict, _ = _check(runner, flows, "--strict")

    assert (lenient, strict) == (0, 1)
    assert (
        "warning: energy-data/smart-meters en: a web address (www.example.gov.uk) relies on "
        "reading" in output
    )


def test_the_welsh_main_route_costs_at_most_one_and_a_half_times_the_english() -> None:
    report = check_flows(PRODUCT_FLOWS, "energy-data")

    for scope, figures in report.routes.items():
        assert figures["cy"] <= 1.5 * figures["en"], (scope, figures)
    whole = report.routes[""]
    assert (whole["cy"], whole["en"]) == (21, 19)
    assert any(line.strip().startswith("whole conversation") for line in report.lines)


def test_the_old_flows_fail_the_budget_that_binds_welsh_to_english(runner: CliRunner) -> None:
    """The flows before the rewrite (kept as test fixtures): a 5-segment UCS-2 Welsh consent
    text and a Welsh route 1.7 times the English one."""
    code, output = _check(runner, FIXTURE_FLOWS)

    assert code == 1
    assert "energy-data/consent cy: text is 5 segments; no text may be more than 3" in output
    assert "energy-data/consent cy: privacy text is 5 segments; keep each to 2" in output
    assert "the main route costs 30 segments in cy but 18 in en: keep it within 1.5x" in output
    assert "because of: ôl, â'ch" in output  # the letters that made it UCS-2, by word


def test_a_text_over_three_segments_fails(runner: CliRunner, tmp_path: Path) -> None:
    flows = _shipped(tmp_path)
    long = "Byddai'r Cyngor yn cynnig help. " * 14
    _edit(
        flows,
        "cy: Yna byddai'r Cyngor yn cynnig help, fel grant neu wiriad boeler am ddim.",
        f"cy: {long}",
    )

    code, output = _check(runner, flows)

    assert code == 1
    assert "energy-data/help (simpler) cy: text is 4 segments; no text may be more than 3" in output


def test_a_privacy_notice_of_three_texts_fails(runner: CliRunner, tmp_path: Path) -> None:
    flows = _shipped(tmp_path)
    _edit(
        flows,
        "  - id: rights\n    kind: say\n",
        "  - id: rights\n    kind: say\n    privacy: true\n",
    )

    code, output = _check(runner, flows)

    assert code == 1
    assert (
        "energy-data: the privacy notice and consent question are 3 texts; keep them to 2" in output
    )


def test_a_welsh_route_over_one_and_a_half_times_the_english_fails(
    runner: CliRunner, tmp_path: Path
) -> None:
    flows = _shipped(tmp_path)
    padding = "Mae'r Cyngor yn gwrando ar bawb. " * 8
    openings = (
        "Yn eich geiriau eich hun, pa les",
        "Beth sy'n eich poeni chi am hyn?",
        "Oes unrhyw beth y dylai",
        "Oes gennych chi gwestiwn am hyn? Ysgrifennwch",
        "Hoffech chi neges",
    )
    for step in openings:
        text = (flows / "energy-data.yaml").read_text(encoding="utf-8")
        line = next(line for line in text.splitlines() if line.strip().startswith(f"cy: {step}"))
        _edit(flows, line, line.replace("cy: ", f"cy: {padding}", 1))

    code, output = _check(runner, flows)

    assert code == 1
    assert "energy-data: the main route costs" in output
    assert "keep it within 1.5x" in output


def test_a_welsh_text_made_ucs2_by_one_letter_names_the_word(
    runner: CliRunner, tmp_path: Path
) -> None:
    flows = _shipped(tmp_path)
    _edit(flows, "gallai dyn 80 oed mewn cartref oer", "gallai dyn 80 oed mewn tŷ oer")

    code, output = _check(runner, flows, "--strict")

    assert code == 1
    assert (
        "energy-data/help cy: Welsh text is UCS-2, 3 segments instead of 1, because of: tŷ."
        in output
    )
    assert "never drop the accent from a real word" in output


def test_welsh_and_english_spelling_mistakes_fail_with_suggestions(
    runner: CliRunner, tmp_path: Path
) -> None:
    flows = _shipped(tmp_path)
    _edit(flows, "cy: Mae mesurydd clyfar yn anfon", "cy: Mae mesurydd clyfr yn anfon")
    _edit(
        flows, "en: A smart meter sends your energy use", "en: A smart meter sends your enrgy use"
    )

    code, output = _check(runner, flows)

    assert code == 1
    welsh = next(line for line in output.splitlines() if "unknown word 'clyfr'" in line)
    assert welsh.startswith("error: energy-data/smart-meters cy:")
    assert "clyfar" in welsh  # the first suggestions
    english = next(line for line in output.splitlines() if "unknown word 'enrgy'" in line)
    assert english.startswith("error: energy-data/smart-meters en:")
    assert "energy" in english


def test_a_flows_accepted_words_are_accepted_and_only_there(
    runner: CliRunner, tmp_path: Path
) -> None:
    flows = _shipped(tmp_path)
    assert _check(runner, flows)[0] == 0
    _edit(flows, "boeler, ", "")

    code, output = _check(runner, flows)

    assert code == 1
    assert "energy-data/help cy: unknown word 'boeler'" in output
    assert "energy-data/help (simpler) cy: unknown word 'boeler'" in output


def test_hard_welsh_warns_and_fails_only_when_strict(runner: CliRunner, tmp_path: Path) -> None:
    flows = _shipped(tmp_path)
    formal = (
        "A oes gennych unrhyw bryderon ynghylch y modd y bydd yr awdurdod lleol yn trin "
        "gwybodaeth bersonol at ddibenion gweinyddol ac ystadegol er mwyn sicrhau diogelwch "
        "llawn y data a gedwir ganddo ar ran y cyhoedd?"
    )
    _edit(flows, "      cy: Beth sy'n eich poeni chi am hyn?", f"      cy: {formal}")

    lenient, output = _check(runner, flows)
    strict, _ = _check(runner, flows, "--strict")

    assert (lenient, strict) == (0, 1)
    warning = next(line for line in output.splitlines() if "worries cy: plain Welsh" in line)
    assert "sentences average" in warning


def test_without_the_dictionaries_the_check_says_what_to_install(
    runner: CliRunner, tmp_path: Path, monkeypatch
) -> None:
    from bot.core import spelling

    monkeypatch.setattr(spelling, "_cache", {})
    monkeypatch.setenv("PATH", str(tmp_path))

    code, output = _check(runner, PRODUCT_FLOWS)

    assert code == 1
    assert "spelling not checked: the aspell command is missing: install aspell-" in output


def test_flows_check_fails_on_a_missing_welsh_text(runner: CliRunner, tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FIXTURE_FLOWS, flows)
    path = flows / "energy-data.yaml"
    welsh = f"      cy: {text_of('energy-data', 'view', 'cy')}\n"
    original = path.read_text(encoding="utf-8")
    assert original.count(welsh) == 1
    path.write_text(original.replace(welsh, ""), encoding="utf-8")

    result = runner.invoke(cli, ["flows", "check", "--dir", str(flows)])

    assert result.exit_code == 1
    problem = next(line for line in result.output.splitlines() if "missing Welsh" in line)
    assert "energy-data.yaml" in problem
    assert "'view'" in problem
    assert "missing Welsh translation" in problem


def test_flows_check_fails_on_a_folder_without_the_flows(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["flows", "check", "--dir", str(tmp_path / "empty")])

    assert result.exit_code == 1
    assert "'welcome' is required but missing" in result.output
    assert "1 error(s)" in result.output


def test_an_unmarked_notice_before_consent_still_counts(runner: CliRunner, tmp_path: Path) -> None:
    """The flows before the rewrite had three notice texts and no privacy marks."""
    flows = tmp_path / "flows"
    flows.mkdir()
    for name in ("energy-data", "welcome", "partners"):
        shutil.copy(PRODUCT_FLOWS / f"{name}.yaml", flows)
    _edit(flows, "    privacy: true\n", "")
    _edit(
        flows,
        "  - id: consent\n",
        (
            "  - id: also-private\n    kind: say\n    text:\n"
            "      cy: Mae hyn yn breifat. Atebwch NESAF\n"
            "      en: This is private. Reply NEXT for more\n\n  - id: consent\n"
        ),
    )

    code, output = _check(runner, flows)

    assert code == 1
    assert (
        "energy-data: the privacy notice and consent question are 3 texts; keep them to 2" in output
    )
