"""The flow engine: one pure function from (flows, state, event, now) to (new state, outputs).

It reads no clock, database or network, so every behaviour can be replayed from a transcript.
Order of precedence for a message: opted-out silence, first contact, keywords, a pending
follow-up (a question's text or a yes/no to erasing), the end of the conversation, a long
silence, and finally the answer to the current step.

Here live its events and outputs (events.py), the session state (state.py), the turn under
construction (turn_builder.py), keywords, answers, forgiving matching, rendering, the FAQ and
the system texts. It imports only itself, bot.flowspec, the standard library and rapidfuzz.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.engine import texts as say
from bot.engine.answers import answer, clear_answer, consent_after_decline
from bot.engine.events import (
    EraseParticipant,
    Event,
    FlowEnded,
    FlowResumed,
    FlowStarted,
    Medium,
    OptIn,
    SaveAnswer,
    SetLanguage,
    SetPartner,
    Timeout,
    Turn,
)
from bot.engine.keywords import on_keyword, on_pending, switch_language
from bot.engine.matching import (
    Keyword,
    detect_keyword,
    is_erase_request,
    is_lift_word,
    is_shouted,
    question_after_keyword,
)
from bot.engine.questions import pass_to_officer, take_question
from bot.engine.reading import (
    guess_language,
    has_words,
    is_greeting,
    is_question,
    is_skip,
    is_thanks,
    language_named,
    question_text,
)
from bot.engine.state import SessionState
from bot.engine.turn_builder import TurnBuilder, enter
from bot.flowspec.model import ChoiceStep, FlowLibrary, Language, OpenStep

DEFAULT_RESUME_AFTER = timedelta(hours=12)
#: What Twilio's opt-out handling recognised outranks our reading of the words.
_SIGNALLED = {"stop": Keyword.STOP, "start": Keyword.START, "help": Keyword.HELP}


def step(
    library: FlowLibrary,
    state: SessionState | None,
    event: Event,
    *,
    now: datetime,
    resume_after: timedelta = DEFAULT_RESUME_AFTER,
) -> Turn:
    """Handle one event for one resident. `state` is None for someone who never texted before."""
    if state is not None:
        state = _in_current_flows(library, state)
    if isinstance(event, Timeout):
        if state is None:
            raise ValueError("a timer cannot fire for a resident with no conversation")
        return _on_timeout(library, state, event)
    text = event.text.strip()
    signalled = _SIGNALLED.get(event.opt_out_type) if event.opt_out_type else None
    if state is None:
        return _first_contact(library, text, now, signalled, event.medium)
    keyword = signalled or _keyword_here(library, state, text)
    if state.opted_out:
        return _while_opted_out(library, state, keyword, text, now)
    silent_for = now - state.last_inbound_at if state.last_inbound_at else timedelta(0)
    turn = TurnBuilder(library, state.but(last_inbound_at=now), event.medium)
    named = language_named(text)
    answers_language = keyword is None and state.pending is None and _at_language_question(turn)
    if state.language is None and not answers_language:
        # Only the first text goes in both languages: what they write now decides (a
        # keyword's own language, or their words); the language question decides itself.
        _settle_language(turn, named or guess_language(text) or "cy")
    if keyword is not None:
        on_keyword(turn, keyword, text, now)
    elif named is not None and not _at_language_question(turn):
        switch_language(turn, named)
    elif state.pending is not None:
        on_pending(turn, text)
    elif state.status in {"completed", "expired"}:
        _after_end(turn, text, event.media)
    elif silent_for > resume_after and not state.reminded and not clear_answer(turn, text):
        turn.say(say.WELCOME_BACK)
        turn.prompt_again()
    else:
        answer(turn, text, event.media, event.recording)
    turn.state = turn.state.but(reminded=False)
    return turn.finish()


def _in_current_flows(library: FlowLibrary, state: SessionState) -> SessionState:
    """A state saved before a flow file changed: a step (or flow) that is gone restarts the flow,
    keeping language, partner, consent and opt-out, rather than failing on every message."""
    flow_id = state.flow_id if state.flow_id in library.flows else library.default_flow
    flow = library.flow(flow_id)
    if flow_id == state.flow_id and flow.has_step(state.step_id):
        return state
    return state.but(flow_id=flow_id, step_id=flow.first_step().id, choices={}, retries=0)


def _at_language_question(turn: TurnBuilder) -> bool:
    current = turn.current
    return not turn.ended and isinstance(current, ChoiceStep) and current.records == "language"


def _settle_language(turn: TurnBuilder, language: Language) -> None:
    turn.state = turn.state.but(language=language)
    turn.do(SetLanguage(language))


def _keyword_here(library: FlowLibrary, state: SessionState, text: str) -> Keyword | None:
    """The keyword `text` is, where it stands. While answering in their own words, a reply that
    merely starts with "Ask ..." is an answer; ASK/GOFYN in capitals is still a question."""
    keyword = detect_keyword(text)
    if keyword is Keyword.ASK and question_after_keyword(text) and not is_shouted(text):
        step = library.flow(state.flow_id).step(state.step_id)
        if state.status == "active" and isinstance(step, OpenStep):
            return None
    return keyword


def start_state(library: FlowLibrary, text: str, now: datetime) -> SessionState:
    """Where someone new begins: the welcome flow, bound for their partner's flow if the first
    text was a partner's code. Core also uses it for a new participant on a number that is
    already opted out, who is then silent like anyone opted out."""
    partner = library.partner_for(text)
    welcome = library.flow(library.welcome_flow)
    return SessionState(
        flow_id=welcome.id,
        step_id=welcome.first_step().id,
        target_flow=partner.flow if partner and partner.flow else library.default_flow,
        partner=partner.code if partner else None,
        last_inbound_at=now,
    )


def _first_contact(
    library: FlowLibrary, text: str, now: datetime, signalled: Keyword | None, medium: Medium
) -> Turn:
    state = start_state(library, text, now)
    partner = library.partners.get(state.partner) if state.partner else None
    turn = TurnBuilder(library, state, medium)
    if partner:
        turn.do(SetPartner(partner.code))
    turn.do(FlowStarted(state.flow_id))
    keyword = signalled or (None if partner else detect_keyword(text))
    if keyword is not None:
        on_keyword(turn, keyword, text, now)
    elif not partner and clear_answer(turn, text):
        answer(turn, text)
    else:
        if not partner and is_question(text):
            pass_to_officer(turn, question_text(text))
        enter(turn, turn.flow.first_step())
    return turn.finish()


def _while_opted_out(
    library: FlowLibrary, state: SessionState, keyword: Keyword | None, text: str, now: datetime
) -> Turn:
    """Silence after STOP, until START/DECHRAU/UNSTOP or YES (whose language is theirs, if still
    unknown). A request to erase is carried out at once, with one confirmation: asking them to
    confirm would be a text they told us not to send."""
    if keyword is Keyword.DELETE or (keyword is None and is_erase_request(text)):
        turn = TurnBuilder(library, state.but(status="erased", pending=None))
        if state.language is None:
            _settle_language(turn, guess_language(text) or "cy")
        turn.do(EraseParticipant())
        turn.say(say.ERASED_OPTED_OUT)
        return turn.finish()
    if keyword is not Keyword.START and not (keyword is None and is_lift_word(text)):
        return Turn(state, ())
    turn = TurnBuilder(library, state.but(opted_out=False, last_inbound_at=now, pending=None))
    if state.language is None:
        _settle_language(turn, guess_language(text) or "cy")
    turn.do(OptIn())
    turn.say(say.OPTED_IN)
    turn.prompt_again()
    return turn.finish()


def _after_end(turn: TurnBuilder, text: str, media: int) -> None:
    """After expiry we resume. After the end a question is taken, thanks are acknowledged,
    a change of mind about consent is welcome, and other words are kept (with consent)."""
    state = turn.state
    if state.status == "expired":
        turn.state = state.but(status="active")
        turn.do(FlowResumed(state.flow_id))
        turn.say(say.WELCOME_BACK)
        turn.prompt_again()
    elif consent_after_decline(turn, text):
        return
    elif is_question(text):
        take_question(turn, question_text(text))
    elif is_thanks(text):
        turn.say(say.THANKS_AFTER_END)
    elif state.consent and has_words(text) and not (is_greeting(text) or is_skip(text)):
        turn.do(SaveAnswer(state.flow_id, state.step_id, "other", text))
        turn.say(say.NOTED_AFTER_END)
    else:
        turn.say(say.MEDIA_NOT_READ if media and not text else say.ENDED)


def _on_timeout(library: FlowLibrary, state: SessionState, event: Timeout) -> Turn:
    """A timer for a step the resident has left, or a finished chat, does nothing."""
    if state.status != "active" or state.opted_out or state.step_id != event.step_id:
        return Turn(state, ())
    turn = TurnBuilder(library, state)
    if event.kind == "reminder":
        if state.reminded:
            return Turn(state, ())
        turn.state = state.but(reminded=True)
        turn.say(say.REMINDER)
        turn.prompt_again()
    else:
        turn.state = state.but(status="expired")
        turn.do(FlowEnded(state.flow_id, "expired"))
    return turn.finish()
