"""What a text answers at the current step: explanations, choices, own words and consent.

Each step kind first hears what the resident means (a question, a go-on, a reaction, a skip,
no words at all) and only then files an answer, so a question is never lost as an answer and a
non-answer is never kept as one.
"""

from __future__ import annotations

from bot.engine import texts as say
from bot.engine.events import (
    FlowEnded,
    FlowResumed,
    RecordConsent,
    SaveAnswer,
    SetHearBack,
    SetLanguage,
)
from bot.engine.matching import match_option, read_yes_no
from bot.engine.questions import invites_questions, pass_to_officer, take_question
from bot.engine.reading import (
    guess_language,
    has_words,
    is_go_on,
    is_question,
    is_skip,
    language_named,
    question_text,
)
from bot.engine.render import options_text
from bot.engine.turn_builder import TurnBuilder, advance
from bot.flowspec.model import ChoiceStep, ConsentStep, ExpectationsStep, OpenStep, SayStep

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


def answer(turn: TurnBuilder, text: str, media: int = 0, recording: str | None = None) -> None:
    current = turn.current
    if isinstance(current, ChoiceStep):
        _answer_choice(turn, current, text, media)
    elif isinstance(current, OpenStep) and recording is not None:
        _answer_spoken(turn, current, recording)
    elif isinstance(current, OpenStep):
        _answer_open(turn, current, text, media)
    elif isinstance(current, ConsentStep):
        _answer_consent(turn, text, media)
    else:
        _answer_explanation(turn, current, text, media)


def _save(turn: TurnBuilder, answer: SaveAnswer) -> None:
    """Answers are kept only once the resident has agreed."""
    if turn.state.consent:
        turn.do(answer)


def _no_words(turn: TurnBuilder, text: str, media: int) -> bool:
    """A picture or voice note, or a text with no words: say so, and the step stands."""
    if has_words(text):
        return False
    turn.say(say.MEDIA_NOT_READ if media and not text else say.NO_WORDS)
    turn.prompt_again()
    return True


def _answer_explanation(
    turn: TurnBuilder, current: SayStep | ExpectationsStep, text: str, media: int
) -> None:
    """Go on only on a go-on; a question is taken, and anything else is heard as a reaction."""
    if is_go_on(text):
        advance(turn)
    elif not has_words(text):
        turn.say(say.MEDIA_NOT_READ if media and not text else say.GO_ON_WHEN_READY)
    elif is_question(text):
        take_question(turn, question_text(text))
    else:
        heard = turn.state.reactions.get(current.id)
        said = f"{heard}\n{text}" if heard else text
        turn.state = turn.state.but(reactions={**turn.state.reactions, current.id: said})
        turn.say(say.REACTION_HEARD)


def _answer_choice(turn: TurnBuilder, current: ChoiceStep, text: str, media: int) -> None:
    state = turn.state
    option = match_option(current.options, text)
    if option is None and current.records == "language":
        _choose_language_for_them(turn, current, text)
        return
    if option is None and _no_words(turn, text, media):
        return
    if option is None and is_question(text):
        take_question(turn, question_text(text))
        return
    if option is None and state.retries == 0:
        turn.state = state.but(retries=1)
        if current.show_options:
            turn.say(say.REASK_CHOICE, options_text(current))
        else:
            turn.say(current.text)
        return
    if option is None:
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


def _choose_language_for_them(turn: TurnBuilder, current: ChoiceStep, text: str) -> None:
    """An unclear reply to the language question: go on in the language they wrote in (Welsh
    when it cannot tell), say how to change it, and never send both languages again."""
    language = language_named(text) or guess_language(text) or "cy"
    chosen = next(option for option in current.options if option.value == language)
    turn.state = turn.state.but(
        language=language, choices={**turn.state.choices, current.id: language}
    )
    turn.do(SetLanguage(language))
    turn.say(say.LANGUAGE_CHOSEN)
    if is_question(text):
        pass_to_officer(turn, question_text(text))
    advance(turn, chosen.next)


def _answer_open(turn: TurnBuilder, current: OpenStep, text: str, media: int) -> None:
    if is_go_on(text) and not has_words(text):
        text = "skip"  # a thumbs-up to "what do you fear?" says "nothing to add"
    if _no_words(turn, text, media):
        return
    if invites_questions(current):
        _answer_question_step(turn, text)
        return
    flow_id = turn.state.flow_id
    if is_skip(text):
        _save(turn, SaveAnswer(flow_id, current.id, "skipped", ""))
        turn.say(say.SKIPPED)
        advance(turn)
        return
    _save(turn, SaveAnswer(flow_id, current.id, current.answer_kind, text))
    if is_question(text):
        pass_to_officer(turn, question_text(text), in_answer=True)
        turn.say(say.ANSWER_AND_QUESTION_NOTED)
    else:
        turn.say(say.THANKS)
    advance(turn)


def _answer_spoken(turn: TurnBuilder, current: OpenStep, recording: str) -> None:
    """An own-words answer said on a call: kept as the recording, its words typed later by an
    officer. A question step's recording is kept the same way, as a question to call back on."""
    kind = current.answer_kind
    _save(turn, SaveAnswer(turn.state.flow_id, current.id, kind, "", recording=recording))
    turn.say(say.THANKS)
    advance(turn)


def _answer_question_step(turn: TurnBuilder, text: str) -> None:
    """'Do you have a question?': a plain no goes on, yes asks what, a sentence is the question."""
    short = len(text.split()) <= SHORT_REPLY_WORDS
    wants_to_ask = read_yes_no(text) if short else None
    if wants_to_ask is False or is_skip(text):
        advance(turn)
    elif wants_to_ask is True:  # "Yes" / "Oes": they have a question; ask what it is
        turn.state = turn.state.but(pending="question")
        turn.say(say.ASK_WHAT)
    else:
        take_question(turn, question_text(text))


def _answer_consent(turn: TurnBuilder, text: str, media: int) -> None:
    """Only a clear yes or no is consent; anything else is asked again, never guessed."""
    given = read_yes_no(text)
    if given is True:
        give_consent(turn)
        advance(turn)
    elif given is False:
        _decline(turn)
    elif is_question(text):
        take_question(turn, question_text(text))
    elif media and not text:
        turn.say(say.MEDIA_NOT_READ, say.CONSENT_AGAIN)
    else:
        turn.say(say.CONSENT_AGAIN)


def give_consent(turn: TurnBuilder) -> None:
    """Consent given: what they said at the explanations before it is kept now too."""
    state = turn.state
    turn.state = state.but(consent=True, reactions={})
    turn.do(RecordConsent(True))
    for step_id, said in state.reactions.items():
        turn.do(SaveAnswer(state.flow_id, step_id, "reaction", said))


def _decline(turn: TurnBuilder) -> None:
    current = turn.current
    assert isinstance(current, ConsentStep)
    turn.state = turn.state.but(consent=False, status="completed", reactions={})
    turn.do(RecordConsent(False), FlowEnded(turn.state.flow_id, "declined"))
    if turn.medium == "voice":  # the call's own goodbye says it all; `declined` is for reading
        turn.say(say.DECLINE_CONFIRMED)
    else:
        turn.say(current.declined, say.DECLINE_CONFIRMED)


def consent_after_decline(turn: TurnBuilder, text: str) -> bool:
    """ "Reply YES if you change your mind": a yes after declining gives consent and goes on."""
    state = turn.state
    if state.consent is not False or not isinstance(turn.current, ConsentStep):
        return False
    if read_yes_no(text) is not True:
        return False
    turn.state = state.but(status="active")
    turn.do(FlowResumed(state.flow_id))
    give_consent(turn)
    turn.say(say.CONSENT_GIVEN_LATER)
    advance(turn)
    return True
