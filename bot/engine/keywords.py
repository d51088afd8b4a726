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
    QueueQuestion,
    SetLanguage,
    SetPartner,
)
from bot.engine.faq import best_answer
from bot.engine.matching import (
    Keyword,
    question_after_keyword,
    read_yes_no,
)
from bot.engine.render import step_prompt
from bot.engine.state import SessionState
from bot.engine.turn_builder import Reply, advance, enter
from bot.flowspec.model import (
    ConsentStep,
    OpenStep,
    SayStep,
    Step,
)


def on_keyword(reply: Reply, keyword: Keyword, text: str, now: datetime) -> None:
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
            queue_question(reply, question)
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


def on_pending(reply: Reply, text: str) -> None:
    state = reply.state
    reply.state = state.but(pending=None, pending_question=None)
    in_flow = state.status == "active" and asks_questions(reply.current)
    if state.pending == "question":
        queue_question(reply, text, in_flow=in_flow)
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
            advance(reply)
    elif read_yes_no(text) is True:
        reply.state = reply.state.but(status="erased")
        reply.do(EraseParticipant())
        reply.say(say.ERASED)
    else:
        reply.say(say.ERASE_CANCELLED)
        reply.prompt_again()


def queue_question(reply: Reply, question: str, *, in_flow: bool = False) -> None:
    """Answer from the flow's FAQ when it clearly can (and check it helped), else an officer."""
    if not question:
        reply.say(say.ASK_WHAT)
        reply.state = reply.state.but(pending="question")
        return
    entry = best_answer(reply.flow.faq, question, reply.state.language)
    if entry is None:
        _pass_to_officer(reply, question, in_flow=in_flow)
        if in_flow:
            advance(reply)
        return
    reply.state = reply.state.but(pending="faq_check", pending_question=question)
    reply.say(entry.answer, say.FAQ_CHECK)


def _pass_to_officer(reply: Reply, question: str, *, in_flow: bool = False) -> None:
    """Queue for an officer; inside a flow the next step follows, so no "REPEAT" hint."""
    reply.do(QueueQuestion(reply.state.flow_id, reply.state.step_id, question))
    reply.say(say.QUESTION_PASSED_ON if in_flow else say.QUESTION_QUEUED)


def asks_questions(step: Step) -> bool:
    return isinstance(step, OpenStep) and step.answer_kind == "question"


def _switch_language(reply: Reply) -> None:
    if reply.state.language is None:
        reply.prompt_again()
        return
    language = "en" if reply.state.language == "cy" else "cy"
    reply.state = reply.state.but(language=language)
    reply.do(SetLanguage(language))
    reply.say(say.LANGUAGE_SWITCHED)
    reply.prompt_again()


def _hand_on(reply: Reply, now: datetime) -> None:
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
    enter(reply, welcome.first_step())


def _restart(reply: Reply) -> None:
    state = reply.state
    flow_id = state.target_flow if state.flow_id == reply.library.welcome_flow else state.flow_id
    flow = reply.library.flow(flow_id or reply.library.default_flow)
    reply.state = state.but(flow_id=flow.id, status="active", choices={}, consent=None)
    reply.do(FlowStarted(flow.id))
    enter(reply, flow.first_step())


def _go_on(reply: Reply) -> None:
    """NEXT: go on from an explanation, or skip a question without answering it."""
    current = reply.current
    if reply.state.status != "active":
        reply.prompt_again()
    elif isinstance(current, ConsentStep):
        reply.say(say.REASK_YES_NO)
    else:
        advance(reply)


def _simpler(reply: Reply) -> None:
    current = reply.current
    if reply.state.status == "active" and isinstance(current, SayStep) and current.simpler:
        reply.say(step_prompt(reply.flow, current, simpler=True))
    else:
        reply.say(say.NO_SIMPLER)
        reply.prompt_again()
