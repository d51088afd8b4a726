"""`sgwrs flows check`: is every flow valid, affordable in both languages, well spelt and plain?

It reports each message as residents receive it (the rendered prompt, options included), so the
figures are the ones Twilio will bill, and the main route a resident takes (bot.core.flow_route)
in each language, and how long each takes to say on a call (bot.core.spoken). The Welsh
Language Standards ask that Welsh is never treated less favourably
than English, so the budget binds both: errors fail the command, warnings ask for a second look
(and fail it too with --strict), notes say what still awaits a person.

Each finding keeps its English wording as a template with values, so the admin's flows page can
show it in Welsh from the catalogue, and the command and the page never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.channels.sms import MOST_SEGMENTS, segment_info, words_outside_gsm7
from bot.core.flow_messages import FlowMessage, flow_messages, system_messages
from bot.core.flow_route import Route, main_route
from bot.core.plain_welsh import plain_welsh
from bot.core.reading_age import reading_age
from bot.core.spelling import DictionaryMissingError, check_many
from bot.core.spoken import MOST_KEYPAD_OPTIONS, WORDS_PER_MINUTE, spoken_seconds, too_many_keys
from bot.core.spoken import unspeakable as unspeakable_parts
from bot.engine import texts as system_texts
from bot.engine.reading import guess_language
from bot.engine.render import compose, step_prompt
from bot.flowspec.loading import load_library
from bot.flowspec.model import LANGUAGES, ConsentStep, Flow, FlowError, FlowLibrary, SayStep, Text

#: The privacy notice and the consent question: at most this many texts of MOST_PRIVACY each.
PRIVACY_TEXTS = 2
MOST_PRIVACY_SEGMENTS = 2
#: One language's main route may cost at most this many times the other's.
MOST_ROUTE_RATIO = 1.5
#: Above this English reading age (bot.core.reading_age) many residents struggle.
HIGHEST_READING_AGE = 11
#: Words every text may use: the product's name. Keywords are accepted by the spell check itself.
PRODUCT_WORDS = ("Sgwrs",)
#: Real words the bot's own texts use that the dictionaries lack.
#: "hash" is the # key, as Welsh phone menus name it too.
SYSTEM_WORDS = (*PRODUCT_WORDS, "ailddechrau", "sori", "cymryd", "ffonio", "ffoniwch", "hash")
_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+")

Level = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Finding:
    """One thing the check found: how serious, where, and what, as an English template."""

    level: Level
    #: The flow it is about ("" for the bot's own texts and the library as a whole).
    flow_id: str
    #: The message it is about, as FlowMessage.name gives it, then the language; "" for the flow.
    subject: str
    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template.format(**self.values)

    @property
    def where(self) -> str:
        return "/".join(part for part in (self.flow_id, self.subject) if part)

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.level}: {where}{self.message}"


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: Each flow's main route per language (the whole conversation under the key "").
    routes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Seconds to say each flow's main route per language, as `routes` (a call's length).
    spoken: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Each flow's longest message to say, per language: its name and seconds.
    longest: dict[str, dict[str, tuple[str, float]]] = field(default_factory=dict)

    def _of(self, level: Level) -> list[str]:
        return [str(finding) for finding in self.findings if finding.level == level]

    @property
    def errors(self) -> list[str]:
        return self._of("error")

    @property
    def warnings(self) -> list[str]:
        return self._of("warning")

    @property
    def notes(self) -> list[str]:
        return self._of("note")

    @property
    def text(self) -> str:
        summary = (
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.notes)} note(s)"
        )
        return "\n".join([*self.lines, *self.notes, *self.warnings, *self.errors, summary])

    def add(self, level: Level, flow_id: str, subject: str, template: str, **values: object):
        self.findings.append(Finding(level, flow_id, subject, template, values))


@dataclass(frozen=True)
class _Sent:
    """One text as sent in one language (or "cy+en" for the first text, in both)."""

    flow_id: str
    name: str
    language: str
    body: str
    accepted: tuple[str, ...]
    #: Said on a call, never sent: no segments to count, and heard rather than read.
    spoken: bool = False

    @property
    def subject(self) -> str:
        return f"{self.name} {self.language}"

    @property
    def where(self) -> str:
        return f"{self.flow_id}/{self.name}" if self.flow_id else self.name


def _sent_texts(library: FlowLibrary) -> Iterator[_Sent]:
    for flow in library.flows.values():
        accepted = (*PRODUCT_WORDS, *flow.accepted_words)
        for position, message in enumerate(flow_messages(flow)):
            if flow.id == library.welcome_flow and position == 0:
                yield _Sent(flow.id, message.name, "cy+en", compose([message.text], None), ())
            for language in LANGUAGES:
                body = message.text.in_(language)
                yield _Sent(flow.id, message.name, language, body, accepted, message.spoken)
    for message in system_messages():
        for language in LANGUAGES:
            body = message.text.in_(language)
            yield _Sent("", message.name, language, body, SYSTEM_WORDS, message.spoken)


def _cost(report: CheckReport, sent: _Sent) -> None:
    if sent.spoken:
        report.lines.append(
            f"  {sent.where:<34} {sent.language:<5} {'said on a call only':<37}"
            f"{spoken_seconds(sent.body):>4.0f} s spoken"
        )
        return
    info = segment_info(sent.body)
    report.lines.append(
        f"  {sent.where:<34} {sent.language:<5} {info.encoding:<6} {info.characters:>4} chars "
        f"{info.segments:>2} segment(s) {spoken_seconds(sent.body):>4.0f} s spoken"
    )
    if info.segments > MOST_SEGMENTS:
        report.add(
            "error",
            sent.flow_id,
            sent.subject,
            "text is {segments} segments; no text may be more than {most}: one idea per text",
            segments=info.segments,
            most=MOST_SEGMENTS,
        )
    if info.encoding == "GSM-7" or sent.language == "cy+en":
        return
    words = words_outside_gsm7(sent.body)
    if sent.language == "en":
        report.add(
            "warning",
            sent.flow_id,
            sent.subject,
            "English text is UCS-2 (costs 2-3x) because of: {words}",
            words=", ".join(words),
        )
        return
    plain = segment_info(_as_if_gsm7(sent.body)).segments
    if plain < info.segments:
        report.add(
            "warning",
            sent.flow_id,
            sent.subject,
            "Welsh text is UCS-2, {segments} segments instead of {plain}, because of: {words}. "
            "Choose another word where Welsh has one; never drop the accent from a real word",
            segments=info.segments,
            plain=plain,
            words=", ".join(words),
        )


def _as_if_gsm7(body: str) -> str:
    """What the text would cost without its non-GSM letters: a figure, never a rewrite."""
    return "".join(ch if segment_info(ch).encoding == "GSM-7" else "w" for ch in body)


def _sentences(sent: _Sent) -> Iterator[tuple[str, str]]:
    """Each sentence with the language to spell it in: the text's own, unless the sentence is
    plainly the other one (a Welsh text that says "For English, reply ENGLISH")."""
    for sentence in _SENTENCE.split(sent.body):
        if sentence.strip():
            yield guess_language(sentence) or sent.language, sentence


def _spelling(report: CheckReport, texts: list[_Sent]) -> None:
    batches: dict[tuple[str, tuple[str, ...]], list[tuple[_Sent, str]]] = {}
    for sent in texts:
        if sent.language in LANGUAGES:
            for language, sentence in _sentences(sent):
                batches.setdefault((language, sent.accepted), []).append((sent, sentence))
    for (language, accepted), group in batches.items():
        try:
            found = check_many([sentence for _, sentence in group], language, accepted)  # type: ignore[arg-type]
        except DictionaryMissingError as missing:
            report.add("error", "", "", "spelling not checked: {problem}", problem=missing)
            return
        for sent, sentence in group:
            for wrong in found.get(sentence, []):
                report.add(
                    "error",
                    sent.flow_id,
                    sent.subject,
                    "unknown word '{word}' (did you mean: {suggestions}?); if it is right, "
                    "add it to the flow's accepted_words",
                    word=wrong.word,
                    suggestions=", ".join(wrong.suggestions) or "no suggestion",
                )


def _plain_language(report: CheckReport, texts: list[_Sent]) -> None:
    """Reading age and common words measure reading, so a text said on a call is not held to
    them (its words are kept few and short by the spoken-length report instead)."""
    for sent in texts:
        if sent.spoken:
            continue
        if sent.language == "cy":
            for reason in plain_welsh(sent.body, sent.accepted).hard:
                report.add(
                    "warning", sent.flow_id, sent.subject, "plain Welsh: {reason}", reason=reason
                )
        elif sent.language == "en":
            age = reading_age(sent.body)
            if age is not None and age > HIGHEST_READING_AGE:
                report.add(
                    "warning",
                    sent.flow_id,
                    sent.subject,
                    "plain English: reading age about {age} (aim for {most} or under)",
                    age=age,
                    most=HIGHEST_READING_AGE,
                )


def _privacy(report: CheckReport, flow: Flow) -> None:
    """The privacy notice (say steps marked `privacy`, and those straight before the consent
    question) and the consent question itself, kept short."""
    consent = [step for step in flow.steps if isinstance(step, ConsentStep)]
    if not consent:
        return
    notice = [step for step in flow.steps if isinstance(step, SayStep) and step.privacy]
    # The say steps straight before the question are the notice too, marked or not.
    for step in reversed(flow.steps[: flow.steps.index(consent[0])]):
        if not isinstance(step, SayStep):
            break
        if step not in notice:
            notice.insert(0, step)
    texts = [step_prompt(flow, step) for step in (*notice, *consent)]
    if len(texts) > PRIVACY_TEXTS:
        report.add(
            "error",
            flow.id,
            "",
            "the privacy notice and consent question are {count} texts; keep them to {most}",
            count=len(texts),
            most=PRIVACY_TEXTS,
        )
    for step, text in zip((*notice, *consent), texts, strict=True):
        for language in LANGUAGES:
            segments = segment_info(text.in_(language)).segments
            if segments > MOST_PRIVACY_SEGMENTS:
                report.add(
                    "error",
                    flow.id,
                    f"{step.id} {language}",
                    "privacy text is {segments} segments; keep each to {most}",
                    segments=segments,
                    most=MOST_PRIVACY_SEGMENTS,
                )


def _review(report: CheckReport, scope: str, texts: list[Text]) -> None:
    waiting = sum(1 for text in texts if text.awaits_review)
    if waiting:
        report.add(
            "note",
            scope,
            "",
            "{waiting} of {total} Welsh texts await review by a fluent speaker",
            waiting=waiting,
            total=len(texts),
        )


def _flow_texts(flow: Flow) -> Iterable[Text]:
    """Every text of the flow a translator reviews: what residents get, and the step titles."""
    seen: set[int] = set()
    for message in flow_messages(flow):
        for text in _parts(flow, message):
            if id(text) not in seen:
                seen.add(id(text))
                yield text


def _parts(flow: Flow, message: FlowMessage) -> Iterable[Text]:
    """The written texts a rendered message is made of (a prompt joins text and options)."""
    if message.kind in {"faq", "system"} or message.variant:
        return [message.text]
    step = flow.step(message.step_id)
    own = [
        getattr(step, name)
        for name in ("text", "read_more", "title")
        if isinstance(getattr(step, name, None), Text)
    ]
    labels = [option.label for option in getattr(step, "options", ())]
    return [*own, *labels]


def _routes(report: CheckReport, library: FlowLibrary) -> dict[str, Route]:
    routes = {language: main_route(library, language) for language in LANGUAGES}
    report.lines.append("main route (a resident who answers every question)")
    for route in routes.values():
        if not route.finished:
            report.add(
                "error",
                "",
                "",
                "the main route in {language} never reaches the end",
                language=route.language,
            )
    scopes = ["", *library.flows]
    for scope in scopes:
        figures = {lang: _segments(route, scope) for lang, route in routes.items()}
        report.routes[scope] = figures
        name = scope or "whole conversation"
        texts = {lang: _texts(route, scope) for lang, route in routes.items()}
        report.lines.append(
            f"  {name:<34} cy {figures['cy']:>3} segment(s) in {texts['cy']:>2} texts, "
            f"en {figures['en']:>3} segment(s) in {texts['en']:>2} texts"
        )
        for language, other in (("cy", "en"), ("en", "cy")):
            if figures[other] and figures[language] > MOST_ROUTE_RATIO * figures[other]:
                report.add(
                    "error",
                    scope,
                    "",
                    "the main route costs {segments} segments in {language} but {other_segments} "
                    "in {other}: keep it within {ratio}x",
                    segments=figures[language],
                    language=language,
                    other_segments=figures[other],
                    other=other,
                    ratio=MOST_ROUTE_RATIO,
                )
    return routes


def _keypad(report: CheckReport, flow: Flow) -> None:
    for step in too_many_keys(flow):
        report.add(
            "error",
            flow.id,
            step.id,
            "the choice has {count} options; a phone keypad can offer at most {most} (keys 1 "
            "to {most}; 0, 9 and * are kept for hearing the options, repeating and changing "
            "language)",
            count=len(step.options),
            most=MOST_KEYPAD_OPTIONS,
        )


def _speakable(report: CheckReport, texts: list[_Sent]) -> None:
    for sent in texts:
        if sent.language in LANGUAGES:
            for part in unspeakable_parts(sent.body):
                values = {"found": part.found} if part.found else {}
                report.add("warning", sent.flow_id, sent.subject, part.template, **values)


def _spoken(report: CheckReport, library: FlowLibrary, texts: list[_Sent]) -> None:
    """Each main route's length on a call (the route a caller takes, as the call says it),
    and each flow's longest message to say."""
    report.lines.append(
        f"spoken on a call at {WORDS_PER_MINUTE} words a minute (main route; longest message)"
    )
    routes = {language: main_route(library, language, "voice") for language in LANGUAGES}
    for scope in ["", *library.flows]:
        seconds = {
            language: sum(
                spoken_seconds(text.body)
                for text in route.texts
                if not scope or text.flow_id == scope
            )
            for language, route in routes.items()
        }
        report.spoken[scope] = seconds
        parts = []
        for language in LANGUAGES:
            part = f"{language} {seconds[language]:>4.0f} s"
            if scope:
                mine = [s for s in texts if s.flow_id == scope and s.language == language]
                if mine:
                    loudest = max(mine, key=lambda sent: spoken_seconds(sent.body))
                    longest = (loudest.name, spoken_seconds(loudest.body))
                    report.longest.setdefault(scope, {})[language] = longest
                    part += f" (longest: {longest[0]} {longest[1]:.0f} s)"
            parts.append(part)
        report.lines.append(f"  {scope or 'whole conversation':<34} {', '.join(parts)}")


def _segments(route: Route, scope: str) -> int:
    return route.segments_in(scope) if scope else route.segments


def _texts(route: Route, scope: str) -> int:
    return sum(1 for text in route.texts if not scope or text.flow_id == scope)


def check_flows(flows_dir: Path, default_flow: str) -> CheckReport:
    """Validate all flows in `flows_dir` and describe every message they (and the bot) send."""
    report = CheckReport()
    try:
        library = load_library(flows_dir, default_flow)
    except FlowError as error:
        for line in str(error).splitlines():
            report.add("error", "", "", "{problem}", problem=line)
        return report
    texts = list(_sent_texts(library))
    for flow in library.flows.values():
        report.lines.append(f"{flow.id} v{flow.version}: {flow.title.en} / {flow.title.cy}")
        for sent in texts:
            if sent.flow_id == flow.id:
                _cost(report, sent)
        _privacy(report, flow)
        _keypad(report, flow)
        _review(report, flow.id, list(_flow_texts(flow)))
    report.lines.append("system texts (bot/engine/texts.yaml)")
    _review(report, "system", list(system_texts.ALL.values()))
    for sent in texts:
        if not sent.flow_id:
            _cost(report, sent)
    _routes(report, library)
    _spoken(report, library, texts)
    _speakable(report, texts)
    _spelling(report, texts)
    _plain_language(report, texts)
    report.lines.append(f"partners: {', '.join(sorted(library.partners)) or 'none'}")
    return report
