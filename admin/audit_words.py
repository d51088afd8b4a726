"""The audit log in words: what each entry was about and its details, in the officer's language.

The log stores the service's own short forms (`user:3`, `role=officer; by=ip`), which stay the
same whatever language an officer reads in and are easy to search. This module turns them into
a label and a value for each part: keys and known values come from fixed lists translated by
the catalogue; what was typed (a theme's name) and numbers show as they are. What an entry was
about reads as the row it names ("Resident 7", an account's name), linked to where it can be
opened while it is still held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from markupsafe import Markup

from admin.dates import short_date
from admin.forms import whole_number
from admin.i18n import as_is, translate, ui_language
from admin.labels import (
    AUDIENCE_LABELS,
    BULK_ACTION_LABELS,
    KIND_LABELS,
    LANGUAGE_LABELS,
    ROLE_LABELS,
)
from bot.core.question_triage import DISMISS_REASONS
from bot.core.rights import REASONS
from bot.flowspec.model import FlowLibrary
from bot.store.audit_targets import TargetRows

#: What an entry's target names, by the kind before the colon: "{id}" is the row's number.
TARGET_LABELS = {
    "user": "Account {id}",
    "answer": "Answer {id}",
    "question": "Question {id}",
    "broadcast": "Broadcast {id}",
    "participant": "Resident {id}",
    "theme": "Theme {id}",
    "response": "A public response",
    "answers": "Answers",
    "questions": "Questions",
    "flow": "Flow {id}",
    "number": "A phone number",
}
#: The parts of a detail, by key.
DETAIL_LABELS = {
    "role": "Role",
    "by": "Refused because of",
    "reason": "Reason",
    "participants": "Conversations",
    "second_factor": "Second step",
    "was": "Filed before as",
    "question": "Question",
    "outbox": "Text in the outbox",
    "recipients": "Residents",
    "segments": "Segments",
    "sends": "Texts written",
    "added": "Added",
    "removed": "Removed",
    "name": "Name",
    "welsh": "Welsh name",
    "from": "From",
    "to": "To",
    "before": "Before",
    "flow": "Flow",
    "kinds": "Kinds",
    "rows": "Rows",
    "themes": "Themes",
    "quotes": "Quotes",
    "residents": "Residents who took part",
    "why": "Reason",
    "officer": "Officer",
    "questions": "Questions answered",
    "ids": "Question numbers",
    "faq": "FAQ entry",
    "version": "Flow version",
    "status": "Status",
    "format": "Format",
    "phone": "Phone",
    "audience": "Audience",
    "partner": "Partner",
    "language": "Language",
    "action": "Action",
    "theme": "Theme",
    "chosen": "Answers chosen",
    "changed": "Answers changed",
    "recording": "Recording",
}
#: Known values, by key; a value not listed (a number, a name) shows as it is.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "role": ROLE_LABELS,
    "by": {"account": "too many tries on the account", "ip": "too many tries from one address"},
    "reason": REASONS,
    "second_factor": {
        "totp": "a code from the app",
        "recovery": "a recovery code",
        "set_up": "set up at this sign-in",
    },
    "was": {"answer": "an answer", "not_an_answer": "not an answer", "question": "a question"},
    "kinds": KIND_LABELS,
    "why": DISMISS_REASONS,
    "status": {"open": "Waiting", "answered": "Answered", "dismissed": "Dismissed"},
    "format": {"csv": "CSV", "xlsx": "Spreadsheet (XLSX)"},
    "audience": AUDIENCE_LABELS,
    "language": LANGUAGE_LABELS,
    "action": BULK_ACTION_LABELS,
}
#: Words any key may have for "no value".
EMPTY = {"any": "Any", "none": "None", "": "None"}


@dataclass(frozen=True)
class DetailPart:
    label: str
    value: str


def target_words(target: str) -> str:
    """'Cyfrif 3' for `user:3`; a target of a kind not listed shows as it is."""
    kind, _, row = target.partition(":")
    label = TARGET_LABELS.get(kind)
    return translate(label, id=row) if label else target


@dataclass(frozen=True)
class TargetLabel:
    """What an entry was about, in words, and where to open it (None: nothing left to open)."""

    text: str
    href: str | None = None


def person_words(name: str, email: str) -> Markup:
    """An account as the log shows it: the name, and the email under it to tell two apart."""
    return Markup(
        '<span translate="no">{}</span><span class="sgwrs-meta" translate="no">{}</span>'
    ).format(name, email)


def describe_target(target: str, rows: TargetRows) -> TargetLabel:
    """`participant:7` as "Resident 7" linked to their transcript, an answer or question linked
    to its place there, an account by its name, a theme by its name; anything else (or a row
    that has gone) as target_words says it."""
    kind, _, row = target.partition(":")
    number, words = whole_number(row), target_words(target)
    if kind == "participant" and number in rows.residents:
        return TargetLabel(words, _transcript(number))
    if kind == "answer" and number in rows.answers:
        return TargetLabel(words, _transcript(rows.answers[number], f"answer-{number}"))
    if kind == "question" and number in rows.questions:
        return TargetLabel(words, _transcript(rows.questions[number]))
    if kind == "user" and number in rows.users:
        return TargetLabel(person_words(*rows.users[number]))
    if kind == "theme" and number in rows.themes:
        name = as_is(rows.themes[number].in_(ui_language()))
        return TargetLabel(translate("Theme “{name}”", name=name))
    return TargetLabel(words)


def _transcript(participant_id: int | None, anchor: str = "") -> str:
    url = url_for("admin.conversations.transcript", participant_id=participant_id)
    return f"{url}#{anchor}" if anchor else url


def detail_words(detail: str, library: FlowLibrary) -> list[DetailPart]:
    """Each `key=value` part of a detail with its label and its value in words."""
    parts: list[DetailPart] = []
    for key, value in _pairs(detail):
        label = DETAIL_LABELS.get(key)
        if label is None:
            parts.append(DetailPart("", f"{key}={value}" if value else key))
            continue
        parts.append(DetailPart(translate(label), _value(key, value, library)))
    return parts


def _pairs(detail: str) -> list[tuple[str, str]]:
    """`a=1; b=x, y` as [(a, 1), (b, "x, y")]; a part without a known key belongs to the one
    before (a theme named "cost; trust")."""
    pairs: list[tuple[str, str]] = []
    for part in detail.split("; ") if detail else []:
        key, equals, value = part.partition("=")
        if not pairs or (equals and key in DETAIL_LABELS):
            pairs.append((key, value))
        else:
            previous_key, previous = pairs[-1]
            pairs[-1] = (previous_key, f"{previous}; {part}")
    return pairs


def _value(key: str, value: str, library: FlowLibrary) -> str:
    if value in EMPTY:
        return translate(EMPTY[value])
    known = VALUE_LABELS.get(key)
    if known is not None:
        return ", ".join(translate(known.get(item, item)) for item in value.split(","))
    if key == "flow" and value in library.flows:
        return library.flow(value).title.in_(ui_language())
    if key in ("from", "before") and _is_date(value):
        day = date.fromisoformat(value)
        return f"{short_date(day)} {day.year}"
    return value


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
