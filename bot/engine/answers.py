"""Answers to the current step: choices (forgiving, one re-ask), words, consent."""

from __future__ import annotations

from bot.engine import texts as say
from bot.engine.events import (
    FlowEnded,
    RecordConsent,
    SaveAnswer,
    SetHearBack,
    SetLanguage,
)
from bot.engine.keywords import queue_question
from bot.engine.matching import (
    match_option,
    read_yes_no,
)
from bot.engine.render import options_text
from bot.engine.turn_builder import Reply, advance
from bot.flowspec.model import (
    ChoiceStep,
    ConsentStep,
    OpenStep,
)

#: After a long silence, words at an open question count as its answer from this many words;
#: a shorter "hello?" gets "Welcome back" and the question again.
MIN_WORDS_AFTER_SILENCE = 3
#: At "Do you have a question?", replies up to this many words may be a plain yes or no.
SHORT_REPLY_WORDS = 3


def clear_answer(reply: Reply, text: str) -> bool:
    """Whether `text` plainly answers the current question (used after a long silence)."""
    current = reply.current
    if isinstance(current, ChoiceStep):
        return match_option(current.options, text) is not None
    if isinstance(current, ConsentStep):
        return read_yes_no(text) is not None
    if isinstance(current, OpenStep):
        return len(text.split()) >= MIN_WORDS_AFTER_SILENCE
    return False


def answer(reply: Reply, text: str) -> None:
    current = reply.current
    if isinstance(current, ChoiceStep):
        _answer_choice(reply, current, text)
    elif isinstance(current, OpenStep):
        _answer_open(reply, current, text)
    elif isinstance(current, ConsentStep):
        _answer_consent(reply, current, text)
    else:
        advance(reply)


def _save(reply: Reply, answer: SaveAnswer) -> None:
    """Answers are kept only once the resident has agreed."""
    if reply.state.consent:
        reply.do(answer)


def _answer_choice(reply: Reply, current: ChoiceStep, text: str) -> None:
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
        advance(reply)
        return
    if current.records == "language":
        reply.state = state.but(language=option.value)
        reply.do(SetLanguage(option.value))
    else:
        _save(reply, SaveAnswer(state.flow_id, current.id, "choice", text, option.value))
    if current.records == "hear_back":
        reply.do(SetHearBack(option.value == "yes"))
    reply.state = reply.state.but(choices={**reply.state.choices, current.id: option.value})
    advance(reply, option.next)


def _answer_open(reply: Reply, current: OpenStep, text: str) -> None:
    if not text:
        reply.say(say.REASK_WORDS)
        return
    if current.answer_kind == "question":
        # Only a short reply can be a plain yes or no; a sentence is the question itself.
        wants_to_ask = read_yes_no(text) if len(text.split()) <= SHORT_REPLY_WORDS else None
        if wants_to_ask is False:
            advance(reply)
        elif wants_to_ask is True:  # "Yes" / "Oes": they have a question; ask what it is
            reply.state = reply.state.but(pending="question")
            reply.say(say.ASK_WHAT)
        else:
            queue_question(reply, text, in_flow=True)
        return
    _save(reply, SaveAnswer(reply.state.flow_id, current.id, current.answer_kind, text))
    reply.say(say.THANKS)
    advance(reply)


def _answer_consent(reply: Reply, current: ConsentStep, text: str) -> None:
    given = read_yes_no(text)
    if given is None and reply.state.retries == 0:
        reply.state = reply.state.but(retries=1)
        reply.say(say.REASK_YES_NO)
        return
    if given:
        reply.state = reply.state.but(consent=True)
        reply.do(RecordConsent(True))
        advance(reply)
        return
    reply.state = reply.state.but(consent=False, status="completed")
    reply.do(RecordConsent(False), FlowEnded(reply.state.flow_id, "declined"))
    reply.say(current.declined)
