"""The flow engine: one pure function from (flows, state, event, now) to (new state, outputs).

It reads no clock, database or network, so every behaviour can be replayed from a transcript.
Order of precedence for a message: opted-out silence, first contact, keywords, a pending
follow-up (a question's text or a yes/no to erasing), the end of the conversation, a long
silence, and finally the answer to the current step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import system_texts as say
from bot.faq import best_answer
from bot.flow_model import (
    BranchStep,
    ChoiceStep,
    ConsentStep,
    EndStep,
    Flow,
    FlowLibrary,
    OpenStep,
    SayStep,
    Step,
    Text,
)
from bot.matching import (
    Keyword,
    detect_keyword,
    is_shouted,
    match_option,
    question_after_keyword,
    read_yes_no,
)
from bot.render import compose, options_text, step_prompt
from bot.state import SessionState
from bot.turn import (
    EraseParticipant,
    Event,
    FlowEnded,
    FlowResumed,
    FlowStarted,
    NewParticipant,
    OptIn,
    OptOut,
    Output,
    QueueQuestion,
    RecordConsent,
    SaveAnswer,
    SendText,
    SetHearBack,
    SetLanguage,
    SetPartner,
    Timeout,
    Turn,
)

DEFAULT_RESUME_AFTER = timedelta(hours=12)
#: After a long silence, words at an open question count as its answer from this many words;
#: a shorter "hello?" gets "Welcome back" and the question again.
MIN_WORDS_AFTER_SILENCE = 3
#: Steps a single turn may pass through (branches, ends, hand-ons) before the flow is called broken.
_MAX_HOPS = 100


class _Reply:
    """Collects one turn: the state as it changes, the outputs, and the pieces of the SMS."""

    def __init__(self, library: FlowLibrary, state: SessionState) -> None:
        self.library = library
        self.state = state
        self.outputs: list[Output] = []
        self.parts: list[Text] = []

    @property
    def flow(self) -> Flow:
        return self.library.flow(self.state.flow_id)

    @property
    def current(self) -> Step:
        return self.flow.step(self.state.step_id)

    def say(self, *texts: Text) -> None:
        self.parts.extend(texts)

    def do(self, *outputs: Output) -> None:
        self.outputs.extend(outputs)

    def prompt_again(self) -> None:
        if self.state.status in {"completed", "expired"}:
            self.say(say.ENDED)
        else:
            self.say(step_prompt(self.flow, self.current))

    def finish(self) -> Turn:
        outputs = list(self.outputs)
        if self.parts:
            outputs.append(SendText(compose(self.parts, self.state.language)))
        return Turn(self.state, tuple(outputs))


def step(
    library: FlowLibrary,
    state: SessionState | None,
    event: Event,
    *,
    now: datetime,
    resume_after: timedelta = DEFAULT_RESUME_AFTER,
) -> Turn:
    """Handle one event for one resident. `state` is None for someone who never texted before."""
    if isinstance(event, Timeout):
        if state is None:
            raise ValueError("a timer cannot fire for a resident with no conversation")
        return _on_timeout(library, state, event)
    text = event.text.strip()
    if state is None:
        return _first_contact(library, text, now)
    keyword = _keyword_here(library, state, text)
    if state.opted_out:
        return _while_opted_out(library, state, keyword, now)
    silent_for = now - state.last_inbound_at if state.last_inbound_at else timedelta(0)
    reply = _Reply(library, state.but(last_inbound_at=now))
    if keyword is not None:
        _on_keyword(reply, keyword, text, now)
    elif state.pending is not None:
        _on_pending(reply, text)
    elif state.status in {"completed", "expired"}:
        _after_end(reply, text)
    elif silent_for > resume_after and not state.reminded and not _clear_answer(reply, text):
        reply.say(say.WELCOME_BACK)
        reply.prompt_again()
    else:
        _answer(reply, text)
    reply.state = reply.state.but(reminded=False)
    return reply.finish()


def _keyword_here(library: FlowLibrary, state: SessionState, text: str) -> Keyword | None:
    """The keyword `text` is, where it stands. While answering in their own words, a reply that
    merely starts with "Ask ..." is an answer; ASK/GOFYN in capitals is still a question."""
    keyword = detect_keyword(text)
    if keyword is Keyword.ASK and question_after_keyword(text) and not is_shouted(text):
        step = library.flow(state.flow_id).step(state.step_id)
        if state.status == "active" and isinstance(step, OpenStep):
            return None
    return keyword


def _first_contact(library: FlowLibrary, text: str, now: datetime) -> Turn:
    partner = library.partner_for(text)
    welcome = library.flow(library.welcome_flow)
    state = SessionState(
        flow_id=welcome.id,
        step_id=welcome.first_step().id,
        target_flow=partner.flow if partner and partner.flow else library.default_flow,
        partner=partner.code if partner else None,
        last_inbound_at=now,
    )
    reply = _Reply(library, state)
    if partner:
        reply.do(SetPartner(partner.code))
    reply.do(FlowStarted(welcome.id))
    keyword = None if partner else detect_keyword(text)
    if keyword is not None:
        _on_keyword(reply, keyword, text, now)
    elif not partner and _clear_answer(reply, text):
        _answer(reply, text)
    else:
        _enter(reply, welcome.first_step())
    return reply.finish()


def _while_opted_out(
    library: FlowLibrary, state: SessionState, keyword: Keyword | None, now: datetime
) -> Turn:
    """Silence after STOP, until START/DECHRAU."""
    if keyword is not Keyword.START:
        return Turn(state, ())
    reply = _Reply(library, state.but(opted_out=False, last_inbound_at=now, pending=None))
    reply.do(OptIn())
    reply.say(say.OPTED_IN)
    reply.prompt_again()
    return reply.finish()


def _on_keyword(reply: _Reply, keyword: Keyword, text: str, now: datetime) -> None:
    state = reply.state.but(pending=None, pending_question=None)
    reply.state = state
    if keyword is Keyword.STOP:
        reply.state = state.but(opted_out=True)
        reply.do(OptOut())
        reply.say(say.OPTED_OUT)
    elif keyword is Keyword.START:
        if state.status in {"completed", "expired"}:
            _restart(reply)
        else:
            reply.prompt_again()
    elif keyword is Keyword.HELP:
        reply.say(say.HELP)
    elif keyword is Keyword.REPEAT:
        reply.prompt_again()
    elif keyword is Keyword.LANGUAGE:
        _switch_language(reply)
    elif keyword is Keyword.ASK:
        question = question_after_keyword(text)
        if question:
            _queue_question(reply, question)
        else:
            reply.state = state.but(pending="question")
            reply.say(say.ASK_WHAT)
    elif keyword is Keyword.DELETE:
        reply.state = state.but(pending="erase")
        reply.say(say.ERASE_CONFIRM)
    elif keyword is Keyword.NEW:
        _hand_on(reply, now)
    elif keyword is Keyword.NEXT:
        _go_on(reply)
    elif keyword is Keyword.SIMPLER:
        _simpler(reply)


def _on_pending(reply: _Reply, text: str) -> None:
    state = reply.state
    reply.state = state.but(pending=None, pending_question=None)
    in_flow = state.status == "active" and _asks_questions(reply.current)
    if state.pending == "question":
        _queue_question(reply, text, in_flow=in_flow)
    elif state.pending == "faq_check":
        helped = read_yes_no(text)
        if helped is True:
            reply.say(say.THANKS if in_flow else say.FAQ_GLAD)
        else:
            # "No", or a follow-up question: the officer gets both, in the resident's words.
            question = state.pending_question or ""
            follow_up = "" if helped is False else f"\n{text}"
            _pass_to_officer(reply, question + follow_up, in_flow=in_flow)
        if in_flow:
            _advance(reply)
    elif read_yes_no(text) is True:
        reply.state = reply.state.but(status="erased")
        reply.do(EraseParticipant())
        reply.say(say.ERASED)
    else:
        reply.say(say.ERASE_CANCELLED)
        reply.prompt_again()


def _queue_question(reply: _Reply, question: str, *, in_flow: bool = False) -> None:
    """Answer from the flow's FAQ when it clearly can (and check it helped), else an officer."""
    if not question:
        reply.say(say.ASK_WHAT)
        reply.state = reply.state.but(pending="question")
        return
    entry = best_answer(reply.flow.faq, question, reply.state.language)
    if entry is None:
        _pass_to_officer(reply, question, in_flow=in_flow)
        if in_flow:
            _advance(reply)
        return
    reply.state = reply.state.but(pending="faq_check", pending_question=question)
    reply.say(entry.answer, say.FAQ_CHECK)


def _pass_to_officer(reply: _Reply, question: str, *, in_flow: bool = False) -> None:
    """Queue for an officer; inside a flow the next step follows, so no "REPEAT" hint."""
    reply.do(QueueQuestion(reply.state.flow_id, reply.state.step_id, question))
    reply.say(say.QUESTION_PASSED_ON if in_flow else say.QUESTION_QUEUED)


def _asks_questions(step: Step) -> bool:
    return isinstance(step, OpenStep) and step.answer_kind == "question"


def _switch_language(reply: _Reply) -> None:
    if reply.state.language is None:
        reply.prompt_again()
        return
    language = "en" if reply.state.language == "cy" else "cy"
    reply.state = reply.state.but(language=language)
    reply.do(SetLanguage(language))
    reply.say(say.LANGUAGE_SWITCHED)
    reply.prompt_again()


def _hand_on(reply: _Reply, now: datetime) -> None:
    """NEW on a shared phone: this person's answers are closed off; the next person starts."""
    old = reply.state
    if old.status == "active":
        reply.do(FlowEnded(old.flow_id, "handed_on"))
    welcome = reply.library.flow(reply.library.welcome_flow)
    target = old.target_flow if old.flow_id == welcome.id else old.flow_id
    reply.state = SessionState(
        flow_id=welcome.id,
        step_id=welcome.first_step().id,
        target_flow=target,
        partner=old.partner,
        last_inbound_at=now,
    )
    reply.do(NewParticipant())
    if old.partner:
        reply.do(SetPartner(old.partner))
    reply.do(FlowStarted(welcome.id))
    reply.say(say.HANDED_ON)
    _enter(reply, welcome.first_step())


def _restart(reply: _Reply) -> None:
    state = reply.state
    flow_id = state.target_flow if state.flow_id == reply.library.welcome_flow else state.flow_id
    flow = reply.library.flow(flow_id or reply.library.default_flow)
    reply.state = state.but(flow_id=flow.id, status="active", choices={}, consent=None)
    reply.do(FlowStarted(flow.id))
    _enter(reply, flow.first_step())


def _go_on(reply: _Reply) -> None:
    """NEXT: go on from an explanation, or skip a question without answering it."""
    current = reply.current
    if reply.state.status != "active":
        reply.prompt_again()
    elif isinstance(current, ConsentStep):
        reply.say(say.REASK_YES_NO)
    else:
        _advance(reply)


def _simpler(reply: _Reply) -> None:
    current = reply.current
    if reply.state.status == "active" and isinstance(current, SayStep) and current.simpler:
        reply.say(step_prompt(reply.flow, current, simpler=True))
    else:
        reply.say(say.NO_SIMPLER)
        reply.prompt_again()


def _after_end(reply: _Reply, text: str) -> None:
    """A message after the end is kept (with consent) and answered; after expiry, we resume."""
    state = reply.state
    if state.status == "expired":
        reply.state = state.but(status="active")
        reply.do(FlowResumed(state.flow_id))
        reply.say(say.WELCOME_BACK)
        reply.prompt_again()
    elif state.consent and text:
        reply.do(SaveAnswer(state.flow_id, state.step_id, "other", text))
        reply.say(say.NOTED_AFTER_END)
    else:
        reply.say(say.ENDED)


def _clear_answer(reply: _Reply, text: str) -> bool:
    """Whether `text` plainly answers the current question (used after a long silence)."""
    current = reply.current
    if isinstance(current, ChoiceStep):
        return match_option(current.options, text) is not None
    if isinstance(current, ConsentStep):
        return read_yes_no(text) is not None
    if isinstance(current, OpenStep):
        return len(text.split()) >= MIN_WORDS_AFTER_SILENCE
    return False


def _answer(reply: _Reply, text: str) -> None:
    current = reply.current
    if isinstance(current, ChoiceStep):
        _answer_choice(reply, current, text)
    elif isinstance(current, OpenStep):
        _answer_open(reply, current, text)
    elif isinstance(current, ConsentStep):
        _answer_consent(reply, current, text)
    else:
        _advance(reply)


def _save(reply: _Reply, answer: SaveAnswer) -> None:
    """Answers are kept only once the resident has agreed."""
    if reply.state.consent:
        reply.do(answer)


def _answer_choice(reply: _Reply, current: ChoiceStep, text: str) -> None:
    state = reply.state
    option = match_option(current.options, text)
    if option is None and state.retries == 0:
        reply.state = state.but(retries=1)
        if current.show_options:
            reply.say(say.REASK_CHOICE, options_text(current))
        else:
            reply.say(current.text)
        return
    if option is None:
        if text:
            _save(reply, SaveAnswer(state.flow_id, current.id, "unexpected", text))
        _advance(reply)
        return
    if current.records == "language":
        reply.state = state.but(language=option.value)
        reply.do(SetLanguage(option.value))
    else:
        _save(reply, SaveAnswer(state.flow_id, current.id, "choice", text, option.value))
    if current.records == "hear_back":
        reply.do(SetHearBack(option.value == "yes"))
    reply.state = reply.state.but(choices={**reply.state.choices, current.id: option.value})
    _advance(reply, option.next)


def _answer_open(reply: _Reply, current: OpenStep, text: str) -> None:
    if not text:
        reply.say(say.REASK_WORDS)
        return
    if current.answer_kind == "question":
        wants_to_ask = read_yes_no(text)
        if wants_to_ask is False:
            _advance(reply)
        elif wants_to_ask is True:  # "Yes" / "Oes": they have a question; ask what it is
            reply.state = reply.state.but(pending="question")
            reply.say(say.ASK_WHAT)
        else:
            _queue_question(reply, text, in_flow=True)
        return
    _save(reply, SaveAnswer(reply.state.flow_id, current.id, current.answer_kind, text))
    reply.say(say.THANKS)
    _advance(reply)


def _answer_consent(reply: _Reply, current: ConsentStep, text: str) -> None:
    given = read_yes_no(text)
    if given is None and reply.state.retries == 0:
        reply.state = reply.state.but(retries=1)
        reply.say(say.REASK_YES_NO)
        return
    if given:
        reply.state = reply.state.but(consent=True)
        reply.do(RecordConsent(True))
        _advance(reply)
        return
    reply.state = reply.state.but(consent=False, status="completed")
    reply.do(RecordConsent(False), FlowEnded(reply.state.flow_id, "declined"))
    reply.say(current.declined)


def _advance(reply: _Reply, next_id: str | None = None) -> None:
    flow = reply.flow
    following = flow.step(next_id) if next_id else flow.following(reply.current)
    if following is None:
        raise ValueError(f"flow {flow.id!r}: nothing follows step {reply.current.id!r}")
    _enter(reply, following)


def _enter(reply: _Reply, arriving: Step) -> None:
    """Arrive at a step: decide branches, say ends and hand on, and stop at the next prompt."""
    target = arriving
    for _ in range(_MAX_HOPS):
        flow = reply.flow
        if isinstance(target, BranchStep):
            chosen = reply.state.choices.get(target.on)
            target = flow.step(target.cases.get(chosen or "", target.default))
            continue
        if isinstance(target, EndStep):
            reply.say(target.text)
            reply.do(FlowEnded(flow.id, "completed"))
            next_flow = target.next_flow or (
                reply.state.target_flow if flow.id == reply.library.welcome_flow else None
            )
            if next_flow is None:
                reply.state = reply.state.but(step_id=target.id, status="completed", retries=0)
                return
            following = reply.library.flow(next_flow)
            reply.do(FlowStarted(following.id))
            reply.state = reply.state.but(flow_id=following.id, choices={})
            target = following.first_step()
            continue
        reply.state = reply.state.but(step_id=target.id, status="active", retries=0)
        reply.say(step_prompt(flow, target))
        return
    raise ValueError(f"flow {reply.state.flow_id!r} loops without asking anything")


def _on_timeout(library: FlowLibrary, state: SessionState, event: Timeout) -> Turn:
    """A timer for a step the resident has left, or a finished chat, does nothing."""
    if state.status != "active" or state.opted_out or state.step_id != event.step_id:
        return Turn(state, ())
    reply = _Reply(library, state)
    if event.kind == "reminder":
        if state.reminded:
            return Turn(state, ())
        reply.state = state.but(reminded=True)
        reply.say(say.REMINDER)
        reply.prompt_again()
    else:
        reply.state = state.but(status="expired")
        reply.do(FlowEnded(state.flow_id, "expired"))
    return reply.finish()
