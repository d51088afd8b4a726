"""Reading flow and partner files into the models of bot.flowspec.model, or saying why not.

Validation happens in three passes, so each error can name the file, the step and the problem in
a flow author's words: the YAML is parsed (keeping yes/no as words), migrated to today's flow
format (bot.flowspec.migrations) and checked field by field by pydantic; then the references
between steps and the order of an engagement flow are checked; then, for the whole library, the
references between files.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.flowspec.migrations import migrate
from bot.flowspec.model import (
    LANGUAGES,
    BranchStep,
    ChoiceStep,
    EndStep,
    Flow,
    FlowError,
    FlowLibrary,
    Partner,
    Step,
    SystemTexts,
    Text,
)


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
    """Read one flow file, bring it up to today's flow format and validate it."""
    raw = migrate(_read_yaml(path), path)
    try:
        flow = Flow.model_validate(raw)
    except ValidationError as error:
        raise FlowError(_describe(path, raw, error)) from error
    if flow.id != path.stem:
        raise FlowError(f"{path.name}: flow: id {flow.id!r} must match the file name")
    _check_references(path, flow)
    _check_engagement_order(path, flow)
    return flow


def load_system_texts(path: Path) -> SystemTexts:
    """Read the product's own messages; the same YAML rules as a flow file."""
    raw = _read_yaml(path)
    try:
        return SystemTexts.model_validate(raw)
    except ValidationError as error:
        raise FlowError(f"{path.name}: {error}") from error


def load_partners(path: Path, flows: dict[str, Flow]) -> dict[str, Partner]:
    """Read partners.yaml: a list of {code, name: {cy, en}, flow?}; codes are matched
    case-insensitively."""
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
        partners[code] = Partner(
            code=code, name=_partner_name(path, code, entry["name"]), flow=flow
        )
    return partners


def _partner_name(path: Path, code: str, raw: object) -> Text:
    """{cy, en}, or one name for both when the place has one ("Hwb", a shop's own name)."""
    if isinstance(raw, dict):
        if set(raw) != {"cy", "en"} or not all(str(raw[key]).strip() for key in raw):
            raise FlowError(f"{path.name}: partner {code!r}: name needs cy and en, nothing else")
        return Text(cy=str(raw["cy"]).strip(), en=str(raw["en"]).strip())
    return Text(cy=str(raw).strip(), en=str(raw).strip())


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
