"""Flow files: the real ones load, and a broken one is reported by file, step and problem.

Each broken case copies the real flows into tmp_path and changes exactly one thing, so the
error a flow author would see is the one the change causes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.core.flow_check import check_flows
from bot.core.flow_messages import flow_messages, system_messages
from bot.engine.render import step_prompt
from bot.flowspec.loading import load_flow, load_library, load_partners
from bot.flowspec.model import BranchStep, ChoiceStep, FlowError, FlowLibrary, Partner, Text
from bot.runtime.config import PROJECT_ROOT

FLOWS = PROJECT_ROOT / "flows"
DEFAULT_FLOW = "energy-data"


def copy_flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    target.mkdir()
    for path in FLOWS.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


def change(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old`: a mutation that silently missed would prove nothing."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def drop_line(path: Path, starting: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.lstrip().startswith(starting)]
    assert len(kept) == len(lines) - 1, f"{starting!r} must start exactly one line"
    path.write_text("".join(kept), encoding="utf-8")


def load_error(path: Path) -> str:
    """The error loading one flow file gives (the library reports the same, see below)."""
    with pytest.raises(FlowError) as error:
        load_flow(path)
    return str(error.value)


def library_error(flows: Path) -> str:
    with pytest.raises(FlowError) as error:
        load_library(flows, DEFAULT_FLOW)
    return str(error.value)


def texts(model: object) -> Iterator[Text]:
    """Every bilingual text inside a flow model, however deeply nested."""
    if isinstance(model, Text):
        yield model
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from texts(getattr(model, name))
    elif isinstance(model, tuple | list):
        for item in model:
            yield from texts(item)
    elif isinstance(model, dict):
        for item in model.values():
            yield from texts(item)


@pytest.fixture(scope="module")
def library() -> FlowLibrary:
    return load_library(FLOWS, DEFAULT_FLOW)


# --- The real flows -------------------------------------------------------------------------


def test_real_flows_load(library: FlowLibrary) -> None:
    assert set(library.flows) == {"welcome", "energy-data"}
    assert library.flow("welcome").first_step().id == "language"
    assert {"LIB1", "FOOD1", "HWB1"} <= set(library.partners)


def test_every_real_text_exists_in_welsh_and_english(library: FlowLibrary) -> None:
    for flow in library.flows.values():
        found = list(texts(flow))
        assert len(found) > len(flow.steps), flow.id  # the walk really reached the steps
        for text in found:
            assert text.cy.strip(), f"{flow.id}: empty Welsh beside {text.en!r}"
            assert text.en.strip(), f"{flow.id}: empty English beside {text.cy!r}"


def test_yes_and_no_in_flow_files_stay_words(library: FlowLibrary) -> None:
    """YAML 1.1 would read yes/no/on as booleans: Welsh and English answers must stay text."""
    view = library.flow("energy-data").step("view")
    assert isinstance(view, ChoiceStep)
    assert [option.value for option in view.options] == ["yes", "no", "not-sure"]
    assert {"yes", "no"} <= set(view.options[0].aliases + view.options[1].aliases)
    branch = library.flow("energy-data").step("which-first")
    assert isinstance(branch, BranchStep)
    assert (branch.on, branch.cases) == ("view", {"no": "worries-first"})


def test_unquoted_yes_no_and_on_stay_words(tmp_path: Path) -> None:
    flows = copy_flows(tmp_path)
    path = flows / "energy-data.yaml"
    change(path, '"on": view', "on: view")
    change(path, '"no": worries-first', "no: worries-first")
    change(
        path,
        "aliases: [yes, y, yeah, yep, aye, ie, ia, do,",
        "aliases: [Yes, on, off, y, ie, ia, do,",
    )
    flow = load_flow(path)
    branch = flow.step("which-first")
    assert isinstance(branch, BranchStep)
    assert (branch.on, branch.cases) == ("view", {"no": "worries-first"})
    view = flow.step("view")
    assert isinstance(view, ChoiceStep)
    assert view.options[0].aliases[:3] == ("Yes", "on", "off")


# --- Broken flows ---------------------------------------------------------------------------


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    return copy_flows(tmp_path)


def test_missing_welsh_names_file_step_and_problem(flows: Path) -> None:
    drop_line(flows / "energy-data.yaml", 'cy: "Gallai fynd o chwith:')
    message = library_error(flows)
    assert "energy-data.yaml" in message
    assert "'risks'" in message
    assert "missing Welsh translation" in message


def test_step_titles_are_optional_and_bilingual(flows: Path, library: FlowLibrary) -> None:
    energy = library.flow("energy-data")
    assert all(step.title is not None for step in energy.steps)
    assert energy.step("plan").title == Text(cy="Y cynllun", en="The plan")
    welcome = library.flow("welcome")
    assert welcome.step("language").title == Text(cy="Dewis iaith", en="Choosing a language")
    untitled = (flows / "welcome.yaml").read_text(encoding="utf-8")
    title = "    title:\n      cy: Dewis iaith\n      en: Choosing a language\n"
    untitled = untitled.replace(title, "")
    (flows / "welcome.yaml").write_text(untitled, encoding="utf-8")
    older = load_library(flows, "energy-data").flow("welcome")
    assert older.step("language").title is None  # files without titles still load
    drop_line(flows / "energy-data.yaml", "en: The risks")
    message = load_error(flows / "energy-data.yaml")
    assert "'risks'" in message
    assert "title.en: missing English translation" in message


def test_missing_english_names_file_step_and_problem(flows: Path) -> None:
    drop_line(flows / "welcome.yaml", "en: Thanks. Send HELP for help")
    message = load_error(flows / "welcome.yaml")
    assert "welcome.yaml" in message
    assert "'keywords'" in message
    assert "missing English translation" in message


def test_unknown_next(flows: Path) -> None:
    change(flows / "energy-data.yaml", "next: feedback", "next: feedbak")
    message = load_error(flows / "energy-data.yaml")
    assert "energy-data.yaml" in message
    assert "'worries'" in message
    assert "unknown step 'feedbak'" in message


def test_unknown_option_next(flows: Path) -> None:
    aliases = "aliases: [cymraeg, welsh, cy, c, un, one]"
    change(flows / "welcome.yaml", aliases, f"{aliases}\n        next: nowhere")
    message = load_error(flows / "welcome.yaml")
    assert "welcome.yaml" in message
    assert "'language'" in message
    assert "unknown step 'nowhere'" in message


def test_branch_on_a_step_that_is_not_a_choice(flows: Path) -> None:
    change(flows / "energy-data.yaml", '"on": view', '"on": consent')
    message = load_error(flows / "energy-data.yaml")
    assert "energy-data.yaml" in message
    assert "'which-first'" in message
    assert "on must name an earlier choice" in message


def test_branch_case_that_is_not_an_option(flows: Path) -> None:
    change(flows / "energy-data.yaml", '"no": worries-first', '"nah": worries-first')
    message = load_error(flows / "energy-data.yaml")
    assert "'which-first'" in message
    assert "case 'nah' is not an option of 'view'" in message


def test_no_end_step(flows: Path) -> None:
    path = flows / "energy-data.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: thanks")], encoding="utf-8")
    message = load_error(path)
    assert "energy-data.yaml" in message
    assert "'hear-back'" in message
    assert "the last step must be an end step" in message


def test_engagement_flow_without_expectations(flows: Path) -> None:
    path = flows / "energy-data.yaml"
    without, count = re.subn(r"(?m)^expectations:\n(?:  .*\n)+", "", path.read_text("utf-8"))
    assert count == 1
    path.write_text(without, encoding="utf-8")
    message = load_error(path)
    assert "energy-data.yaml" in message
    assert "expectations (changes, report_back) are required" in message


def test_engagement_flow_asking_before_consent(flows: Path) -> None:
    early_question = (
        "  - id: early\n"
        "    kind: choice\n"
        "    text:\n"
        "      cy: Ydych chi'n byw yma?\n"
        "      en: Do you live here?\n"
        "    options:\n"
        "      - {value: 'yes', label: {cy: Ydw, en: 'Yes'}}\n"
        "      - {value: 'no', label: {cy: Nac ydw, en: 'No'}}\n\n"
    )
    expectations = "  - id: expectations\n"
    change(flows / "energy-data.yaml", expectations, early_question + expectations)
    message = load_error(flows / "energy-data.yaml")
    assert "energy-data.yaml" in message
    assert "a consent step must come before the first question" in message


def test_engagement_flow_setting_expectations_after_consent(flows: Path) -> None:
    path = flows / "energy-data.yaml"
    step = (
        "  - id: expectations\n    kind: expectations\n"
        "    title:\n      cy: Beth all newid\n      en: What can change\n"
    )
    change(path, step, "")
    change(path, "  # --- Part 3", f"{step}\n  # --- Part 3")
    message = load_error(path)
    assert "energy-data.yaml" in message
    assert "an expectations step must come before consent" in message


def test_duplicate_step_id(flows: Path) -> None:
    change(flows / "energy-data.yaml", "  - id: hopes-after\n", "  - id: hopes\n")
    message = load_error(flows / "energy-data.yaml")
    assert "energy-data.yaml" in message
    assert "'hopes'" in message
    assert "id used twice" in message


def test_bad_yaml(flows: Path) -> None:
    change(flows / "welcome.yaml", "languages: [cy, en]", "languages: [cy, en")
    assert library_error(flows).startswith("welcome.yaml: not valid YAML")


def test_flow_id_must_match_file_name(flows: Path) -> None:
    change(flows / "welcome.yaml", "id: welcome", "id: hello")
    message = load_error(flows / "welcome.yaml")
    assert "welcome.yaml" in message
    assert "id 'hello' must match the file name" in message


def test_unknown_next_flow(flows: Path) -> None:
    end = "  - id: keywords\n    kind: end\n"
    change(flows / "welcome.yaml", end, f"{end}    next_flow: nothing-here\n")
    message = library_error(flows)
    assert "welcome.yaml" in message
    assert "'keywords'" in message
    assert "next_flow 'nothing-here' is unknown" in message


def test_the_default_flow_must_exist() -> None:
    with pytest.raises(FlowError, match="flow 'missing' is required but missing"):
        load_library(FLOWS, "missing")


# --- partners.yaml --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("code: LIB1", "code: L", "partner 'L': code must be 2-12 letters and digits"),
        ("code: LIB1", "code: 1LIB", "partner '1LIB': code must be 2-12 letters and digits"),
        ("code: FOOD1", "code: lib1", "partner 'LIB1': code used twice"),
        (
            "      en: Central Library\n",
            "      en: Central Library\n    flow: no-such-flow\n",
            "partner 'LIB1': unknown flow 'no-such-flow'",
        ),
        (
            "    name:\n      cy: Banc Bwyd y Dref\n      en: Town Food Bank\n",
            "",
            "partner #2: needs a code and a name",
        ),
        (
            "      en: Town Food Bank\n",
            "",
            "partner 'FOOD1': name needs cy and en, nothing else",
        ),
        (
            "      en: Town Food Bank\n",
            "      en: Town Food Bank\n      fr: Banque\n",
            "partner 'FOOD1': name needs cy and en, nothing else",
        ),
    ],
)
def test_partner_errors(
    tmp_path: Path, library: FlowLibrary, old: str, new: str, problem: str
) -> None:
    path = tmp_path / "partners.yaml"
    shutil.copy(FLOWS / "partners.yaml", path)
    change(path, old, new)
    with pytest.raises(FlowError) as error:
        load_partners(path, library.flows)
    assert str(error.value) == f"partners.yaml: {problem}"


def test_a_partner_with_one_name_has_it_in_both_languages(
    tmp_path: Path, library: FlowLibrary
) -> None:
    path = tmp_path / "partners.yaml"
    path.write_text("partners:\n  - code: HWB2\n    name: Hwb\n", encoding="utf-8")
    name = load_partners(path, library.flows)["HWB2"].name
    assert (name.cy, name.en) == ("Hwb", "Hwb")


def test_partners_must_be_a_list(tmp_path: Path, library: FlowLibrary) -> None:
    path = tmp_path / "partners.yaml"
    path.write_text("partners: LIB1\n", encoding="utf-8")
    with pytest.raises(FlowError) as error:
        load_partners(path, library.flows)
    assert str(error.value) == "partners.yaml: partners must be a list"


def test_partner_flow_and_missing_file(tmp_path: Path, library: FlowLibrary) -> None:
    path = tmp_path / "partners.yaml"
    path.write_text("partners:\n  - {code: hub2, name: Hub, flow: energy-data}\n", "utf-8")
    partners = load_partners(path, library.flows)
    assert list(partners.values()) == [
        Partner(code="HUB2", name=Text(cy="Hub", en="Hub"), flow="energy-data")
    ]
    assert load_partners(tmp_path / "absent.yaml", library.flows) == {}


def test_partner_codes_are_matched_case_insensitively(library: FlowLibrary) -> None:
    partner = library.partner_for(" lib1 ")
    assert partner is not None
    assert partner.code == "LIB1"
    assert library.partner_for("LIB 1") is None


# --- Every message of a flow ----------------------------------------------------------------


def test_a_flows_messages_are_its_prompts_variants_and_faq_answers(library: FlowLibrary) -> None:
    flow = library.flow("energy-data")
    messages = {(m.step_id, m.variant): m for m in flow_messages(flow)}
    assert messages[("plan", "simpler")].name == "plan (simpler)"
    assert messages[("consent", "declined")].name == "consent (declined)"
    assert messages[("who-sees", "faq")].name == "faq who-sees"
    assert ("which-first", "") not in messages  # a branch sends nothing
    view = flow.step("view")
    assert isinstance(view, ChoiceStep)
    assert messages[("view", "")].text == step_prompt(flow, view)  # options included
    assert {m.kind for m in system_messages()} == {"system"}


def test_the_check_costs_exactly_the_listed_messages(library: FlowLibrary) -> None:
    """`sgwrs flows check` describes each listed message, once per language, in list order."""
    report = check_flows(FLOWS, DEFAULT_FLOW)
    described = [
        match[1]
        for line in report.lines
        if (
            match := re.match(
                r"^  (\S.*?) +(?:cy\+en|cy|en) +(?:GSM-7|UCS-2|said on a call only) ", line
            )
        )
    ]
    listed = [
        *(f"{flow.id}/{m.name}" for flow in library.flows.values() for m in flow_messages(flow)),
        *(m.name for m in system_messages()),
    ]
    assert list(dict.fromkeys(described)) == listed
