"""The overview's figures, shaped from a few aggregate queries into plain dataclasses.

What each conversation said to keeping answers splits Started four ways, so the four add up:
consented (yes), declined (no), not yet asked (never reached the question, or no answer yet)
and withdrew (yes, then STOP). The store attributes a resident's consent answer to the run it
was given in; a run holding none of it counts as consented if it finished (the flow goes on
only after a yes), declined if it ended there, and not yet asked otherwise.

How far a conversation got (the funnel) is worked out from what is stored, since steps that only
explain rarely leave an answer behind. A conversation's *furthest point* is the furthest, in
flow file order, of: the step of the last answer it saved (answers are saved as residents move
on); the step the resident is on now, or stopped at when it expired or the phone was handed on;
the consent step when they declined; the end when they finished.

- The funnel lists every step that waits for the resident: explanations, choices, own words,
  consent (branches and the end send nothing to wait on).
- A step every route through the flow passes ("main route") was reached by every conversation
  whose furthest point is that step or later; the drop between one such step and the next is
  where people stopped.
- A step only some routes pass (after a branch) was reached by the conversations that answered
  or skipped it, plus those on it now or stopped there.
- Explanations show how many reactions residents left there, own-words steps how many skipped.

Rows an officer filed as not an answer, or as a question, count nowhere here.

Callers are residents like any other: a voice participant's conversation counts in every figure
and in the funnel as a text conversation does, under its channel, "voice". What only a call has
(how many, how long, the recordings left) is counted per flow by language and partner, and
costed per started minute of each call at PRICE_PER_VOICE_MINUTE (bot.store.counts). Spoken
turns are not texts: the texts and their cost leave them out.

Residents erased at the end of the retention period still count: what they added to every
figure but the chart by day was kept as totals (bot.store.retention), and is added to the live
counts here, so the figures are the same after the purge as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from bot.flowspec.model import (
    BranchStep,
    ChoiceStep,
    ConsentStep,
    EndStep,
    Flow,
    FlowLibrary,
    Step,
    Text,
)
from bot.store.counts import (
    CallCount,
    ConversationCount,
    MessageCount,
    StepAnswerCount,
    count_started_by_day,
    count_tally,
)
from bot.store.db import UnitOfWork
from bot.store.retention import get_retained_totals

#: Days shown in the chart of conversations started, today included.
CHART_DAYS = 30
#: A phone call's channel: its conversation counts as any other, its words are no texts.
VOICE = "voice"
CHANNELS = ("sms", "whatsapp", VOICE)
#: Channels that carry texts, the ones the texts and their cost are counted on.
TEXT_CHANNELS = ("sms", "whatsapp")
LANGUAGES = ("cy", "en", "unknown")
#: Steps that wait for the resident, so a conversation can stop at them: the funnel's rows.
WAITING_KINDS = ("say", "expectations", "choice", "open", "consent")
#: Where a resident's words are heard as a reaction (explanations) or may be skipped (own words).
REACTING_KINDS = ("say", "expectations")
#: A run holding none of the resident's consent answer: what its ending tells of it.
CONSENT_BY_STATUS = {"completed": "yes", "declined": "no"}


@dataclass(frozen=True)
class Figures:
    started: int = 0
    #: Said yes to keeping their answers (and did not withdraw).
    consented: int = 0
    declined: int = 0
    #: Never reached the consent question, or gave no answer to it yet.
    not_asked: int = 0
    #: Said yes, then sent STOP.
    withdrew: int = 0
    completed: int = 0
    opted_out: int = 0
    expired: int = 0

    def plus(self, row: ConversationCount) -> Figures:
        consent = row.consent or CONSENT_BY_STATUS.get(row.status)
        n = row.count
        return replace(
            self,
            started=self.started + n,
            consented=self.consented + (n if consent == "yes" else 0),
            declined=self.declined + (n if consent == "no" else 0),
            not_asked=self.not_asked + (n if consent is None else 0),
            withdrew=self.withdrew + (n if consent == "withdrew" else 0),
            completed=self.completed + (n if row.status == "completed" else 0),
            opted_out=self.opted_out + (n if row.opted_out else 0),
            expired=self.expired + (n if row.status == "expired" else 0),
        )


@dataclass(frozen=True)
class FunnelStep:
    step_id: str
    kind: str
    #: The step's short name from the flow file; None when it has none (show the id).
    title: Text | None
    prompt: Text | None
    reached: int
    #: Share of the flow's started conversations, in whole percent.
    percent: int
    #: Reached this main-route step but not the next one (None off the main route).
    lost: int | None
    main_route: bool
    #: Reactions left at an explanation; None for other kinds of step.
    reactions: int | None = None
    #: Residents who skipped an own-words step; None for other kinds of step.
    skips: int | None = None


@dataclass(frozen=True)
class CallTotals:
    """Phone calls, the minutes they are billed for, the recordings left, and their cost."""

    price_per_minute: float
    calls: int = 0
    #: Each call's minutes, every minute it started counted whole.
    minutes: int = 0
    recordings: int = 0

    @property
    def cost(self) -> float:
        return self.minutes * self.price_per_minute

    def plus(self, row: CallCount) -> CallTotals:
        return replace(
            self,
            calls=self.calls + row.calls,
            minutes=self.minutes + row.minutes,
            recordings=self.recordings + row.recordings,
        )


@dataclass(frozen=True)
class FlowOverview:
    flow_id: str
    title: Text | None
    has_consent: bool
    totals: Figures
    #: (dimension, [(key, figures)]): dimension is channel, language or partner.
    breakdowns: list[tuple[str, list[tuple[str, Figures]]]]
    funnel: list[FunnelStep]
    days: list[tuple[date, int]]
    calls: CallTotals
    #: (dimension, [(key, calls)]): dimension is language or partner, as for conversations.
    call_breakdowns: list[tuple[str, list[tuple[str, CallTotals]]]]


@dataclass(frozen=True)
class MessageTotals:
    price_per_segment: float
    received: int = 0
    sent: int = 0
    #: Segments sent: what the carrier bills for.
    segments: int = 0

    @property
    def cost(self) -> float:
        return self.segments * self.price_per_segment

    def plus(self, row: MessageCount) -> MessageTotals:
        if row.direction == "in":
            return replace(self, received=self.received + row.count)
        return replace(self, sent=self.sent + row.count, segments=self.segments + row.segments)


@dataclass(frozen=True)
class Overview:
    flows: list[FlowOverview]
    messages: MessageTotals
    by_channel: list[tuple[str, MessageTotals]]
    #: Every call, in all flows.
    calls: CallTotals
    #: (flow_id, calls) in the order of `flows`, then calls made before any flow (None) if any.
    calls_by_flow: list[tuple[str | None, CallTotals]]
    partner_names: dict[str, Text] = field(default_factory=dict)
    #: Residents erased after the retention period whose figures are kept as totals.
    erased_residents: int = 0


def build_overview(
    session: UnitOfWork,
    library: FlowLibrary,
    *,
    price_per_segment: float,
    price_per_voice_minute: float,
    today: date,
    partner_code: str | None = None,
) -> Overview:
    """Every figure on the overview page, in six queries (five live, one of retained totals)."""
    first_day = today - timedelta(days=CHART_DAYS - 1)
    since = datetime.combine(first_day, time.min, tzinfo=UTC)
    retained = get_retained_totals(session, partner_code=partner_code)
    tally = count_tally(session, partner_code=partner_code).plus(retained.tally)
    counts, answers, messages = tally.conversations, tally.answers, tally.messages
    calls, minute = tally.calls, price_per_voice_minute
    routes = {flow.id: main_route(flow) for flow in library.flows.values()}
    started = count_started_by_day(session, since, partner_code=partner_code)

    partners = [partner_code] if partner_code else [*sorted(library.partners), ""]
    flow_ids = sorted(
        set(library.flows)
        | {row.flow_id for row in counts}
        | {row.flow_id for row in calls if row.flow_id is not None},
        key=lambda flow_id: (flow_id == library.welcome_flow, flow_id != library.default_flow),
    )
    flows = []
    for flow_id in flow_ids:
        rows = [row for row in counts if row.flow_id == flow_id]
        flow_calls = [row for row in calls if row.flow_id == flow_id]
        flow = library.flows.get(flow_id)
        totals = _sum(rows)
        flows.append(
            FlowOverview(
                flow_id=flow_id,
                title=flow.title if flow else None,
                has_consent=flow is not None and any(s.kind == "consent" for s in flow.steps),
                totals=totals,
                breakdowns=_breakdowns(rows, partners),
                funnel=_funnel(flow, routes[flow.id], rows, answers) if flow else [],
                days=day_series({d: n for f, d, n in started if f == flow_id}, first_day),
                calls=_call_sum(flow_calls, minute),
                call_breakdowns=_call_breakdowns(flow_calls, partners, minute),
            )
        )
    total, channels = _message_totals(messages, price_per_segment)
    names = {code: partner.name for code, partner in library.partners.items()}
    by_flow: list[tuple[str | None, CallTotals]] = [(f.flow_id, f.calls) for f in flows]
    outside = [row for row in calls if row.flow_id is None]
    if outside:
        by_flow.append((None, _call_sum(outside, minute)))
    all_calls = _call_sum(calls, minute)
    return Overview(flows, total, channels, all_calls, by_flow, names, retained.residents)


def _call_sum(rows: Iterable[CallCount], price: float) -> CallTotals:
    totals = CallTotals(price)
    for row in rows:
        totals = totals.plus(row)
    return totals


def _call_breakdowns(
    rows: list[CallCount], partners: list[str], price: float
) -> list[tuple[str, list[tuple[str, CallTotals]]]]:
    """A flow's calls by language and by partner ("" = no partner), each listing the same
    languages and partners as the flow's conversations do."""
    keys = {
        "language": lambda row: row.language or "unknown",
        "partner": lambda row: row.partner_code or "",
    }
    fixed = {"language": list(LANGUAGES), "partner": partners}
    result = []
    for dimension, key in keys.items():
        split = {value: CallTotals(price) for value in fixed[dimension]}
        for row in rows:
            split[key(row)] = split.get(key(row), CallTotals(price)).plus(row)
        result.append((dimension, list(split.items())))
    return result


def _message_totals(
    rows: list[MessageCount], price: float
) -> tuple[MessageTotals, list[tuple[str, MessageTotals]]]:
    """All texts in and out, and the same by channel (SMS and WhatsApp always listed). What a
    call said and heard is no text: calls are counted and costed by the minute instead."""
    total = MessageTotals(price)
    split = {channel: MessageTotals(price) for channel in TEXT_CHANNELS}
    for row in rows:
        if row.channel == VOICE:
            continue
        split[row.channel] = split.get(row.channel, MessageTotals(price)).plus(row)
        total = total.plus(row)
    return total, list(split.items())


def _sum(rows: Iterable[ConversationCount]) -> Figures:
    figures = Figures()
    for row in rows:
        figures = figures.plus(row)
    return figures


def _breakdowns(
    rows: list[ConversationCount], partners: list[str]
) -> list[tuple[str, list[tuple[str, Figures]]]]:
    """The flow's figures split by channel, by language and by partner ("" = no partner)."""
    keys = {
        "channel": lambda row: row.channel,
        "language": lambda row: row.language or "unknown",
        "partner": lambda row: row.partner_code or "",
    }
    fixed = {"channel": list(CHANNELS), "language": list(LANGUAGES), "partner": partners}
    result = []
    for dimension, key in keys.items():
        split: dict[str, Figures] = {value: Figures() for value in fixed[dimension]}
        for row in rows:
            split[key(row)] = split.get(key(row), Figures()).plus(row)
        result.append((dimension, list(split.items())))
    return result


def _next_ids(flow: Flow, step: Step) -> list[str]:
    if isinstance(step, EndStep):
        return []
    if isinstance(step, BranchStep):
        return [*step.cases.values(), step.default]
    following = flow.following(step)
    after = [following.id] if following else []
    if isinstance(step, ChoiceStep):
        chosen = [option.next for option in step.options if option.next]
        return chosen + (after if len(chosen) < len(step.options) else [])
    return after


def main_route(flow: Flow) -> set[str]:
    """Steps every route from the first step to an end passes through."""

    def ends_reached(without: str) -> bool:
        seen: set[str] = set()
        todo = [flow.steps[0].id]
        while todo:
            step_id = todo.pop()
            if step_id == without or step_id in seen:
                continue
            seen.add(step_id)
            step = flow.step(step_id)
            if isinstance(step, EndStep):
                return True
            todo.extend(_next_ids(flow, step))
        return False

    return {step.id for step in flow.steps if not ends_reached(step.id)}


def _funnel(
    flow: Flow,
    on_route: set[str],
    rows: list[ConversationCount],
    answers: list[StepAnswerCount],
) -> list[FunnelStep]:
    """How many conversations reached each waiting step (see the module docstring)."""
    index = {step.id: position for position, step in enumerate(flow.steps)}
    consent = next((index[s.id] for s in flow.steps if isinstance(s, ConsentStep)), 0)
    furthest: dict[int, int] = defaultdict(int)
    waiting: dict[str, int] = defaultdict(int)
    for row in rows:
        point = max(index.get(row.last_answer or "", 0), index.get(row.at_step or "", 0))
        if row.status == "completed":
            point = len(flow.steps)
        elif row.status == "declined":
            point = max(point, consent)
        else:
            waiting[row.at_step or ""] += row.count
        furthest[point] += row.count
    # One answer per step and conversation, so conversations add up across kinds.
    replied: dict[str, int] = defaultdict(int)
    of_kind: dict[tuple[str, str], int] = defaultdict(int)
    for count in answers:
        if count.flow_id == flow.id:
            replied[count.step_id] += count.conversations
            of_kind[count.step_id, count.kind] += count.answers
    steps: list[FunnelStep] = []
    for position, step in enumerate(flow.steps):
        if step.kind not in WAITING_KINDS:
            continue
        main = step.id in on_route
        if main:
            reached = sum(n for point, n in furthest.items() if point >= position)
        else:
            reached = replied[step.id] + waiting[step.id]
        steps.append(
            FunnelStep(
                step_id=step.id,
                kind=step.kind,
                title=step.title,
                prompt=getattr(step, "text", None),
                reached=reached,
                percent=_percent(reached, sum(row.count for row in rows)),
                lost=None,
                main_route=main,
                reactions=of_kind[step.id, "reaction"] if step.kind in REACTING_KINDS else None,
                skips=of_kind[step.id, "skipped"] if step.kind == "open" else None,
            )
        )
    main_steps = [s for s in steps if s.main_route]
    finished = furthest.get(len(flow.steps), 0)
    after = [*(s.reached for s in main_steps[1:]), finished]
    lost = {
        s.step_id: s.reached - next_reached
        for s, next_reached in zip(main_steps, after, strict=True)
    }
    return [replace(s, lost=lost.get(s.step_id)) for s in steps]


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def day_series(by_day: Mapping[date, int], first_day: date) -> list[tuple[date, int]]:
    """CHART_DAYS days from `first_day`, each with its count (0 for a day with none): what a
    chart over time draws, a bar a day."""
    days = (first_day + timedelta(days=offset) for offset in range(CHART_DAYS))
    return [(day, by_day.get(day, 0)) for day in days]
