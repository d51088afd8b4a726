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
from bot.engine.turn_builder import TurnBuilder, advance
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


def clear_answer(turn: TurnBuilder, text: str) -> bool:
    """Whether `text` plainly answers the current question (used after a long silence)."""
    current = turn.current
    if isinstance(current, ChoiceStep):
        return match_option(current.options, text) is not None
    if isinstance(current, ConsentStep):
        return read_yes_no(text) is not None
    if isinstance(current, OpenStep):
        return len(text.split()) >= MIN_WORDS_AFTER_SILENCE
    return False


def answer(turn: TurnBuilder, text: str) -> None:
    current = turn.current
    if isinstance(current, ChoiceStep):
        _answer_choice(turn, current, text)
    elif isinstance(current, OpenStep):
        _answer_open(turn, current, text)
    elif isinstance(current, ConsentStep):
        _answer_consent(turn, current, text)
    else:
        advance(turn)


def _save(turn: TurnBuilder, answer: SaveAnswer) -> None:
    """Answers are kept only once the resident has agreed."""
    if turn.state.consent:
        turn.do(answer)


def _answer_choice(turn: TurnBuilder, current: ChoiceStep, text: str) -> None:
    state = turn.state
    option = match_option(current.options, text)
    if option is None and state.retries == 0:
        turn.state = state.but(retries=1)
        if current.show_options:
            turn.say(say.REASK_CHOICE, options_text(current))
        else:
            turn.say(current.text)
        return
    if option is None:
        if text:
            _save(turn, SaveAnswer(state.flow_id, current.id, "unexpected", text))
        advance(turn)
        return
    if current.records == "language":
        turn.state = state.but(language=option.value)
        turn.do(SetLanguage(option.value))
    else:
        _save(turn, SaveAnswer(state.flow_id, current.id, "choice", text, option.value))
    if current.records == "hear_back":
        turn.do(SetHearBack(option.value == "yes"))
    turn.state = turn.state.but(choices={**turn.state.choices, current.id: option.value})
    advance(turn, option.next)


def _answer_open(turn: TurnBuilder, current: OpenStep, text: str) -> None:
    if not text:
        turn.say(say.REASK_WORDS)
        return
    if current.answer_kind == "question":
        # Only a short reply can be a plain yes or no; a sentence is the question itself.
        wants_to_ask = read_yes_no(text) if len(text.split()) <= SHORT_REPLY_WORDS else None
        if wants_to_ask is False:
            advance(turn)
        elif wants_to_ask is True:  # "Yes" / "Oes": they have a question; ask what it is
            turn.state = turn.state.but(pending="question")
            turn.say(say.ASK_WHAT)
        else:
            queue_question(turn, text, in_flow=True)
        return
    _save(turn, SaveAnswer(turn.state.flow_id, current.id, current.answer_kind, text))
    turn.say(say.THANKS)
    advance(turn)


def _answer_consent(turn: TurnBuilder, current: ConsentStep, text: str) -> None:
    given = read_yes_no(text)
    if given is None and turn.state.retries == 0:
        turn.state = turn.state.but(retries=1)
        turn.say(say.REASK_YES_NO)
        return
    if given:
        turn.state = turn.state.but(consent=True)
        turn.do(RecordConsent(True))
        advance(turn)
        return
    turn.state = turn.state.but(consent=False, status="completed")
    turn.do(RecordConsent(False), FlowEnded(turn.state.flow_id, "declined"))
    turn.say(current.declined)
