"""What officers call the things flows are made of: titles in the interface language, not ids.

A flow's id (`energy-data`) and a step's (`hopes`) are for the YAML and the URL; every page
names them by their titles, in Welsh or English as the officer chose. The id shows only for a
flow or step that no longer exists (an answer kept from a flow since rewritten).
"""

from __future__ import annotations

from flask import Flask

from admin.auth import services
from admin.i18n import ui_language
from bot.flowspec.model import Step, Text


def in_ui(text: Text | None, fallback: str = "") -> str:
    """`text` in the interface language, or `fallback` when there is none."""
    return text.in_(ui_language()) if text is not None else fallback


def flow_title(flow_id: str | None) -> str:
    """'Data ynni a chartrefi oer' for `energy-data`; the id for a flow the library lacks."""
    flows = services().library.flows
    return in_ui(flows[flow_id].title) if flow_id in flows else flow_id or ""


def _step(flow_id: str | None, step_id: str | None) -> Step | None:
    flows = services().library.flows
    if flow_id not in flows or not step_id:
        return None
    return next((step for step in flows[flow_id].steps if step.id == step_id), None)


def step_title(flow_id: str | None, step_id: str | None) -> str:
    """The step's title in the interface language; its id when the flow no longer has it."""
    step = _step(flow_id, step_id)
    return in_ui(step.title, step.id) if step is not None else step_id or ""


def option_title(flow_id: str | None, step_id: str | None, value: str) -> str:
    """The label of the option a resident chose ("Ie" for `yes`); the value when it has gone."""
    options = getattr(_step(flow_id, step_id), "options", ())
    option = next((option for option in options if option.value == value), None)
    return in_ui(option.label) if option is not None else value


def install_names(app: Flask) -> None:
    app.jinja_env.globals.update(
        in_ui=in_ui, flow_title=flow_title, step_title=step_title, option_title=option_title
    )
