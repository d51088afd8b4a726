"""Writing Welsh (or a new FAQ entry) into a flow file without disturbing anything else in it.

A flow file is written by people: its comments tell the next author why a text says what it
says, and its order follows the conversation. A translation import must change the Welsh it was
given and nothing more, so the file is read and written in ruamel.yaml's round-trip mode (which
keeps comments, order and quoting), never re-dumped from the model. Each text is addressed by
the same id the translators' spreadsheet uses (bot.core.translations), and the result is checked
by the ordinary loader before it replaces the file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bot.flowspec.loading import load_flow
from bot.flowspec.model import FlowError


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quotes survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long text onto new lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    # One review date shared by many texts must be written out each time, not as an alias.
    yaml.representer.ignore_aliases = lambda *_: True
    return yaml


def _find(items: list[Any], key: str, value: str) -> CommentedMap:
    for item in items or ():
        if str(item.get(key)) == value:
            return item
    raise FlowError(f"no {key} {value!r}")


def text_node(data: CommentedMap, text_id: str) -> CommentedMap:
    """The mapping holding `cy` and `en` for one id (without the flow id in front):
    "title", "expectations/changes", "STEP/text", "STEP/option/VALUE", "faq/ID/answer", and
    in the system texts "texts/NAME"."""
    parts = text_id.split("/")
    if parts[0] == "texts" and len(parts) == 2 and "steps" not in data:
        return data["texts"][parts[1]]
    if parts == ["title"]:
        return data["title"]
    if parts[0] == "expectations" and len(parts) == 2:
        return data["expectations"][parts[1]]
    if parts[0] == "faq" and len(parts) == 3:
        return _find(data.get("faq"), "id", parts[1])[parts[2]]
    step = _find(data.get("steps"), "id", parts[0])
    if len(parts) == 3 and parts[1] == "option":
        return _find(step.get("options"), "value", parts[2])["label"]
    if len(parts) == 2:
        return step[parts[1]]
    raise FlowError(f"no text {text_id!r}")


def write_welsh(
    path: Path,
    changes: Mapping[str, tuple[str, Mapping[str, object] | None]],
    load: Callable[[Path], object] = load_flow,
) -> None:
    """Set the Welsh (and its review mark) of each id in `changes`, raise `version` by one, and
    replace the file only if the result still loads (`load`: as a valid flow by default)."""
    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    for text_id, (welsh, review) in changes.items():
        node = text_node(data, text_id)
        node["cy"] = welsh
        if review is not None:
            mark = CommentedMap(review)
            mark.fa.set_flow_style()
            node["reviewed"] = mark
    _replace_checked(path, yaml, data, load)


def add_faq_entry(
    path: Path, entry: Mapping[str, object], load: Callable[[Path], object] = load_flow
) -> None:
    """Append an FAQ entry (id, question, answer, also) to a flow file, raise `version` by
    one, and replace the file only if the result still loads."""
    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    node = CommentedMap()
    for key, value in entry.items():
        node[key] = CommentedMap(value) if isinstance(value, Mapping) else value
    if not data.get("faq"):
        data["faq"] = []
    data["faq"].append(node)
    _replace_checked(path, yaml, data, load)


def _replace_checked(
    path: Path, yaml: YAML, data: CommentedMap, load: Callable[[Path], object]
) -> None:
    data["version"] = int(data["version"]) + 1
    # Beside the file (so the rename is atomic) and under the same name (the loader checks it).
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".import-") as folder:
        temporary = Path(folder) / path.name
        with temporary.open("w", encoding="utf-8") as out:
            yaml.dump(data, out)
        load(temporary)
        os.replace(temporary, path)


def review_mark(by: str, on: date, source: str) -> dict[str, object]:
    return {"by": by, "on": on, "source": source}
