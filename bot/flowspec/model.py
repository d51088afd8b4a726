"""The flow format: conversation scripts as bilingual YAML, validated into typed models.

A flow file is data, not code. Loading it either gives a `Flow` whose every text exists in Welsh
and English and whose every step reference resolves, or raises `FlowError` naming the file, the
step and the problem, so a flow author can fix it without reading Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

LANGUAGES = ("cy", "en")
Language = Literal["cy", "en"]
SPEC_VERSION = 1
STEP_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class FlowError(ValueError):
    """A flow or partner file is unusable; the message names the file, the step and the problem."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """One message in both languages. Both are required: Welsh is never an afterthought."""

    cy: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def in_(self, language: Language) -> str:
        return self.cy if language == "cy" else self.en


class Option(_Model):
    """One numbered answer to a choice; `aliases` are extra words that pick it, in any language."""

    value: str = Field(pattern=STEP_ID.pattern)
    label: Text
    aliases: tuple[str, ...] = ()
    next: str | None = None


class _Step(_Model):
    id: str = Field(pattern=STEP_ID.pattern)
    next: str | None = None


class SayStep(_Step):
    """A short explanation; any reply (or NEXT/NESAF) goes on, SIMPLER/SYMLACH re-words it."""

    kind: Literal["say"]
    text: Text
    simpler: Text | None = None


class ExpectationsStep(_Step):
    """Says what answers can change and when the council reports back (from the flow's fields)."""

    kind: Literal["expectations"]


class ChoiceStep(_Step):
    """Numbered options with forgiving matching; `records` stores the answer on the resident too."""

    kind: Literal["choice"]
    text: Text
    options: tuple[Option, ...] = Field(min_length=2)
    records: Literal["language", "hear_back"] | None = None
    show_options: bool = True


class OpenStep(_Step):
    """A question answered in the resident's own words; `answer_kind` tags what it gathers.

    `question` steps invite residents' own questions: answered from the FAQ or sent to an
    officer, like ASK/GOFYN; a plain "no" goes on.
    """

    kind: Literal["open"]
    text: Text
    answer_kind: Literal["hope", "fear", "feedback", "experience", "other", "question"]


class ConsentStep(_Step):
    """Yes/no to keeping answers, after a short privacy notice; `declined` ends the flow kindly."""

    kind: Literal["consent"]
    text: Text
    read_more: Text
    declined: Text


class BranchStep(_Step):
    """Goes to a step chosen by an earlier choice's answer; sends nothing itself."""

    kind: Literal["branch"]
    on: str
    cases: dict[str, str]
    default: str


class EndStep(_Step):
    """The last message; `next_flow` hands the resident straight on to another flow."""

    kind: Literal["end"]
    text: Text
    next_flow: str | None = None


Step = Annotated[
    SayStep | ExpectationsStep | ChoiceStep | OpenStep | ConsentStep | BranchStep | EndStep,
    Field(discriminator="kind"),
]
ASKING_KINDS = ("choice", "open", "consent")


class FaqEntry(_Model):
    """A question residents often ask, answered at once; `also` lists other ways to ask it."""

    id: str = Field(pattern=STEP_ID.pattern)
    question: Text
    answer: Text
    also: tuple[str, ...] = ()


class Expectations(_Model):
    """What the answers can change, and when and how residents will hear back."""

    changes: Text
    report_back: Text


class Flow(_Model):
    """A validated flow. Steps run in file order unless a step names its `next`."""

    spec_version: Literal[1]
    id: str = Field(pattern=STEP_ID.pattern)
    version: int = Field(ge=1)
    title: Text
    languages: tuple[Language, ...]
    welsh_reviewed: bool = False
    expectations: Expectations | None = None
    steps: tuple[Step, ...] = Field(min_length=1)
    faq: tuple[FaqEntry, ...] = ()

    @field_validator("languages")
    @classmethod
    def _both_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if set(value) != set(LANGUAGES):
            raise ValueError("a flow must offer both cy and en")
        return value

    def has_step(self, step_id: str) -> bool:
        return step_id in self._index()

    def step(self, step_id: str) -> Step:
        return self._index()[step_id]

    def first_step(self) -> Step:
        return self.steps[0]

    def following(self, step: Step) -> Step | None:
        """The step after `step`: its `next`, else the next one in the file."""
        if step.next:
            return self.step(step.next)
        position = self.steps.index(step)
        return self.steps[position + 1] if position + 1 < len(self.steps) else None

    def _index(self) -> dict[str, Step]:
        index = self.__dict__.get("_step_index")
        if index is None:
            index = {step.id: step for step in self.steps}
            self.__dict__["_step_index"] = index
        return index


@dataclass(frozen=True)
class Partner:
    """An outreach partner whose code on a poster attributes residents who text it first."""

    code: str
    name: str
    flow: str | None = None


@dataclass(frozen=True)
class FlowLibrary:
    """Every flow and partner the engine may use; `welcome` runs first for a new resident."""

    flows: dict[str, Flow]
    partners: dict[str, Partner]
    default_flow: str
    welcome_flow: str = "welcome"

    def flow(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    def partner_for(self, text: str) -> Partner | None:
        return self.partners.get(text.strip().upper())


class _FlowYamlLoader(yaml.SafeLoader):
    """YAML 1.2 booleans only: `no`, `yes`, `on` and `off` stay words (Welsh and English ones)."""


_FlowYamlLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FlowYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_FlowYamlLoader)
    except yaml.YAMLError as error:
        raise FlowError(f"{path.name}: not valid YAML: {error}") from error


def _describe(path: Path, raw: object, error: ValidationError) -> str:
    problems = []
    steps = raw.get("steps") if isinstance(raw, dict) else None
    for item in error.errors():
        loc = list(item["loc"])
        where = "flow"
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            index = loc[1]
            step_id = None
            if isinstance(steps, list) and index < len(steps) and isinstance(steps[index], dict):
                step_id = steps[index].get("id")
            where = f"step {step_id!r} (#{index + 1})" if step_id else f"step #{index + 1}"
            loc = loc[2:]
            if loc and loc[0] in {"say", "expectations", "choice", "open"} | {
                "consent",
                "branch",
                "end",
            }:
                loc = loc[1:]
        field = ".".join(str(part) for part in loc) or "(whole)"
        message = item["msg"]
        if item["type"] == "missing" and loc and loc[-1] in LANGUAGES:
            message = f"missing {'Welsh' if loc[-1] == 'cy' else 'English'} translation"
        problems.append(f"{path.name}: {where}: {field}: {message}")
    return "\n".join(problems)


def _check_references(path: Path, flow: Flow) -> None:
    seen: dict[str, int] = {}
    for position, step in enumerate(flow.steps):
        if step.id in seen:
            raise FlowError(f"{path.name}: step {step.id!r} (#{position + 1}): id used twice")
        seen[step.id] = position

    def need(step: Step, target: str, what: str) -> None:
        if target not in seen:
            raise FlowError(f"{path.name}: step {step.id!r}: {what} names unknown step {target!r}")

    for step in flow.steps:
        if step.next:
            need(step, step.next, "next")
        if isinstance(step, ChoiceStep):
            for option in step.options:
                if option.next:
                    need(step, option.next, f"option {option.value!r} next")
        if isinstance(step, BranchStep):
            need(step, step.on, "on")
            source = flow.step(step.on)
            if not isinstance(source, ChoiceStep) or seen[step.on] > seen[step.id]:
                raise FlowError(f"{path.name}: step {step.id!r}: on must name an earlier choice")
            values = {option.value for option in source.options}
            for value, target in step.cases.items():
                if value not in values:
                    raise FlowError(
                        f"{path.name}: step {step.id!r}: case {value!r} is not an option of "
                        f"{step.on!r}"
                    )
                need(step, target, f"case {value!r}")
            need(step, step.default, "default")
    last = flow.steps[-1]
    if not isinstance(last, EndStep) and not last.next:
        raise FlowError(f"{path.name}: step {last.id!r}: the last step must be an end step")


def _check_engagement_order(path: Path, flow: Flow) -> None:
    """An engagement flow sets expectations and asks consent before it asks anything else."""
    kinds = [step.kind for step in flow.steps]
    if "open" not in kinds:
        return
    if flow.expectations is None:
        raise FlowError(
            f"{path.name}: flow: expectations (changes, report_back) are required before "
            "residents are asked for their views"
        )
    first_question = next(i for i, s in enumerate(flow.steps) if s.kind in {"choice", "open"})
    if "consent" not in kinds or kinds.index("consent") > first_question:
        raise FlowError(f"{path.name}: flow: a consent step must come before the first question")
    if "expectations" not in kinds or kinds.index("expectations") > kinds.index("consent"):
        raise FlowError(
            f"{path.name}: flow: an expectations step must come before consent, so residents "
            "know what their answers can change and when they will hear back"
        )


def load_flow(path: Path) -> Flow:
    """Read and validate one flow file."""
    raw = _read_yaml(path)
    try:
        flow = Flow.model_validate(raw)
    except ValidationError as error:
        raise FlowError(_describe(path, raw, error)) from error
    if flow.id != path.stem:
        raise FlowError(f"{path.name}: flow: id {flow.id!r} must match the file name")
    _check_references(path, flow)
    _check_engagement_order(path, flow)
    return flow


def load_partners(path: Path, flows: dict[str, Flow]) -> dict[str, Partner]:
    """Read partners.yaml: a list of {code, name, flow?}; codes are matched case-insensitively."""
    if not path.exists():
        return {}
    raw = _read_yaml(path) or {}
    entries = raw.get("partners", []) if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise FlowError(f"{path.name}: partners must be a list")
    partners: dict[str, Partner] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("code") or not entry.get("name"):
            raise FlowError(f"{path.name}: partner #{number}: needs a code and a name")
        code = str(entry["code"]).strip().upper()
        if not re.fullmatch(r"[A-Z][A-Z0-9]{1,11}", code):
            raise FlowError(f"{path.name}: partner {code!r}: code must be 2-12 letters and digits")
        if code in partners:
            raise FlowError(f"{path.name}: partner {code!r}: code used twice")
        flow = entry.get("flow")
        if flow is not None and flow not in flows:
            raise FlowError(f"{path.name}: partner {code!r}: unknown flow {flow!r}")
        partners[code] = Partner(code=code, name=str(entry["name"]), flow=flow)
    return partners


def load_library(flows_dir: Path, default_flow: str) -> FlowLibrary:
    """Load every flow in `flows_dir` plus partners.yaml, checking cross-file references."""
    flows: dict[str, Flow] = {}
    for path in sorted(flows_dir.glob("*.yaml")):
        if path.name == "partners.yaml":
            continue
        flows[path.stem] = load_flow(path)
    library = FlowLibrary(
        flows=flows,
        partners=load_partners(flows_dir / "partners.yaml", flows),
        default_flow=default_flow,
    )
    for required in (library.welcome_flow, default_flow):
        if required not in flows:
            raise FlowError(f"{flows_dir}: flow {required!r} is required but missing")
    for flow in flows.values():
        for step in flow.steps:
            if isinstance(step, EndStep) and step.next_flow and step.next_flow not in flows:
                raise FlowError(
                    f"{flow.id}.yaml: step {step.id!r}: next_flow {step.next_flow!r} is unknown"
                )
    return library
