"""Keywords that work anywhere, in both languages, and the follow-ups some of them need
(the text of a question, yes/no to erasing, whether an FAQ answer helped)."""

from __future__ import annotations

from datetime import datetime

from bot.engine import texts as say
from bot.engine.events import (
    EraseParticipant,
    FlowEnded,
    FlowStarted,
    NewParticipant,
    OptOut,
    SetLanguage,
    SetPartner,
)
from bot.engine.matching import (
    Keyword,
    question_after_keyword,
    read_yes_no,
)
from bot.engine.questions import on_faq_check, take_question
from bot.engine.state import SessionState
from bot.engine.turn_builder import TurnBuilder, advance, enter
from bot.flowspec.model import (
    ConsentStep,
    Language,
    SayStep,
)


def on_keyword(turn: TurnBuilder, keyword: Keyword, text: str, now: datetime) -> None:
    state = turn.state.but(pending=None, pending_question=None)
    turn.state = state
    if keyword is Keyword.STOP:
        turn.state = state.but(opted_out=True)
        turn.do(OptOut())
        turn.say(say.OPTED_OUT)
    elif keyword is Keyword.START:
        if state.status in {"completed", "expired"}:
            _restart(turn)
        else:
            turn.prompt_again()
    elif keyword is Keyword.HELP:
        turn.say(say.HELP_ENDED if turn.ended else say.HELP)
    elif keyword is Keyword.REPEAT:
        turn.prompt_again()
    elif keyword is Keyword.LANGUAGE:
        switch_language(turn)
    elif keyword is Keyword.ASK:
        take_question(turn, question_after_keyword(text))
    elif keyword is Keyword.DELETE:
        turn.state = state.but(pending="erase")
        turn.say(say.ERASE_CONFIRM)
    elif keyword is Keyword.NEW:
        _hand_on(turn, now)
    elif keyword is Keyword.NEXT:
        _go_on(turn)
    elif keyword is Keyword.SIMPLER:
        _simpler(turn)


def on_pending(turn: TurnBuilder, text: str) -> None:
    """The reply the last text asked for: a question's words, did the FAQ help, or erase?"""
    state = turn.state
    turn.state = state.but(pending=None, pending_question=None)
    if state.pending == "question":
        take_question(turn, text)
    elif state.pending == "faq_check":
        on_faq_check(turn, state.pending_question or "", text)
    elif read_yes_no(text) is True:
        turn.state = turn.state.but(status="erased")
        turn.do(EraseParticipant())
        turn.say(say.ERASED)
    else:
        turn.say(say.ERASE_CANCELLED)
        turn.prompt_again()


def switch_language(turn: TurnBuilder, language: Language | None = None) -> None:
    """LANGUAGE/IAITH swaps; "English", "Cymraeg"… choose. The step is said again in it."""
    if language is None and turn.state.language is None:
        turn.prompt_again()
        return
    if language is None:
        language = "en" if turn.state.language == "cy" else "cy"
    turn.state = turn.state.but(language=language)
    turn.do(SetLanguage(language))
    turn.say(say.LANGUAGE_SWITCHED)
    turn.prompt_again()


def _hand_on(turn: TurnBuilder, now: datetime) -> None:
    """NEW on a shared phone: this person's answers are closed off; the next person starts."""
    old = turn.state
    if old.status == "active":
        turn.do(FlowEnded(old.flow_id, "handed_on"))
    welcome = turn.library.flow(turn.library.welcome_flow)
    target = old.target_flow if old.flow_id == welcome.id else old.flow_id
    turn.state = SessionState(
        flow_id=welcome.id,
        step_id=welcome.first_step().id,
        target_flow=target,
        partner=old.partner,
        last_inbound_at=now,
    )
    turn.do(NewParticipant())
    if old.partner:
        turn.do(SetPartner(old.partner))
    turn.do(FlowStarted(welcome.id))
    turn.say(say.HANDED_ON)
    enter(turn, welcome.first_step())


def _restart(turn: TurnBuilder) -> None:
    state = turn.state
    flow_id = state.target_flow if state.flow_id == turn.library.welcome_flow else state.flow_id
    flow = turn.library.flow(flow_id or turn.library.default_flow)
    turn.state = state.but(flow_id=flow.id, status="active", choices={}, consent=None)
    turn.do(FlowStarted(flow.id))
    enter(turn, flow.first_step())


def _go_on(turn: TurnBuilder) -> None:
    """NEXT: go on from an explanation, or skip a question without answering it."""
    current = turn.current
    if turn.state.status != "active":
        turn.prompt_again()
    elif isinstance(current, ConsentStep):
        turn.say(say.REASK_YES_NO)
    else:
        advance(turn)


def _simpler(turn: TurnBuilder) -> None:
    current = turn.current
    if turn.state.status == "active" and isinstance(current, SayStep) and current.simpler:
        turn.prompt(current, simpler=True)
    else:
        turn.say(say.NO_SIMPLER)
        turn.prompt_again()
