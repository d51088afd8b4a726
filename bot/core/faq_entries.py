"""Saving an officer's answer to a question as an FAQ entry of its flow, so the bot answers
the same question at once next time.

The entry goes where every FAQ entry lives: the flow's YAML file, written in ruamel.yaml's
round-trip mode (bot.flowspec.editing: comments and order kept, `version` raised, the result
loaded by the ordinary loader before it replaces the file). Its Welsh carries no review mark,
so it awaits review like any text the translators have not checked (README "Reviewing the
Welsh": the next `sgwrs flows export-translations` lists it, and the flows page tags it). The
resident's own words are added as another way of asking (`also`) unless they hold contact
details, which never go into a flow file. Then this process's library takes the new flow, so
the engine answers from it at once; other processes read it when they next start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.channels.sms import normalise, segment_info
from bot.core.translations import BUDGET
from bot.engine.matching import fold
from bot.flowspec.editing import add_faq_entry
from bot.flowspec.loading import load_flow
from bot.flowspec.model import FlowError, FlowLibrary
from bot.runtime.redaction import has_contact_details
from bot.runtime.refusal import RefusalError

#: The longest id made from an entry's English question.
ID_CHARS = 40


class FaqError(RefusalError):
    """The entry cannot be saved; the message says why, in an officer's words."""


@dataclass(frozen=True)
class FaqDraft:
    """What an officer wrote: the question and its answer, in Welsh and in English."""

    question_cy: str
    question_en: str
    answer_cy: str
    answer_en: str

    def cleaned(self) -> FaqDraft:
        return FaqDraft(*(normalise(text) for text in self.__dict__.values()))


@dataclass(frozen=True)
class SavedEntry:
    flow_id: str
    entry_id: str
    version: int


def entry_id(english: str, taken: set[str]) -> str:
    """'When will it start?' -> 'when-will-it-start', made unique among `taken`."""
    words = re.findall(r"[a-z0-9]+", fold(english))
    base = "-".join(words)[:ID_CHARS].strip("-") or "question"
    if not base[0].isalpha():
        base = f"q-{base}"
    found, number = base, 2
    while found in taken:
        found, number = f"{base}-{number}", number + 1
    return found


def check_draft(draft: FaqDraft) -> None:
    """Every text given, and each within a text's budget of segments."""
    for text in draft.__dict__.values():
        if not text:
            raise FaqError("Enter the question and the answer in Welsh and in English.")
        segments = segment_info(text).segments
        if segments > BUDGET:
            raise FaqError(
                "Each text must fit in {budget} segments: one is {segments}.",
                budget=BUDGET,
                segments=segments,
            )


def save_as_faq(
    library: FlowLibrary, flows_dir: Path, flow_id: str, draft: FaqDraft, asked: str
) -> SavedEntry:
    """Add the entry to the flow's file and to this process's library; `asked` is the
    resident's question as they wrote it."""
    draft = draft.cleaned()
    check_draft(draft)
    path = flows_dir / f"{flow_id}.yaml"
    if flow_id not in library.flows or not path.exists():
        raise FaqError("That flow is not in the flows folder, so its FAQ cannot be changed.")
    flow = library.flows[flow_id]
    new_id = entry_id(draft.question_en, {entry.id for entry in flow.faq})
    also = [] if has_contact_details(asked) else [fold(asked)]
    also = [
        words
        for words in also
        if words and words not in (fold(draft.question_en), fold(draft.question_cy))
    ]
    entry: dict[str, object] = {
        "id": new_id,
        "question": {"cy": draft.question_cy, "en": draft.question_en},
        "answer": {"cy": draft.answer_cy, "en": draft.answer_en},
    }
    if also:
        entry["also"] = also
    try:
        add_faq_entry(path, entry)
    except FlowError as problem:
        raise FaqError(
            "The flow would not be valid with this entry: {problem}", problem=str(problem)
        ) from problem
    updated = load_flow(path)
    library.flows[flow_id] = updated
    return SavedEntry(flow_id, new_id, updated.version)
