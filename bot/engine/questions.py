"""Residents' questions, wherever they come: answered from the flow's FAQ when it clearly can
(then checked: "Did that answer it?"), otherwise passed to an officer with the promised time.

After a question the resident stays where they were: the step is offered again, except at the
step that invites questions ("Do you have a question?"), which goes on once it is handled.
"""

from __future__ import annotations

from bot.engine import texts as say
from bot.engine.events import QueueQuestion
from bot.engine.faq import best_answer
from bot.engine.matching import read_yes_no
from bot.engine.turn_builder import TurnBuilder, advance
from bot.flowspec.model import ChoiceStep, ConsentStep, OpenStep, Step


def invites_questions(step: Step) -> bool:
    return isinstance(step, OpenStep) and step.answer_kind == "question"


def _at_question_step(turn: TurnBuilder) -> bool:
    return not turn.ended and invites_questions(turn.current)


def _awaits_answer(turn: TurnBuilder) -> bool:
    """A choice or consent question is open: its own answers must stay unambiguous."""
    return not turn.ended and isinstance(turn.current, ChoiceStep | ConsentStep)


def take_question(turn: TurnBuilder, question: str) -> None:
    """Answer from the FAQ and check it helped, or pass to an officer; then carry on."""
    if not question:
        turn.state = turn.state.but(pending="question")
        turn.say(say.ASK_WHAT)
        return
    entry = best_answer(turn.flow.faq, question, turn.state.language)
    if entry is None:
        pass_to_officer(turn, question)
        carry_on(turn)
        return
    if _awaits_answer(turn):
        # "Did that answer it? 1 Yes 2 No" would clash with the step's own replies.
        turn.say(entry.answer)
        turn.offer_again()
        return
    turn.state = turn.state.but(pending="faq_check", pending_question=question)
    turn.say(entry.answer, say.FAQ_CHECK)


def pass_to_officer(turn: TurnBuilder, question: str, *, in_answer: bool = False) -> None:
    turn.do(QueueQuestion(turn.state.flow_id, turn.state.step_id, question, in_answer))
    if not in_answer:
        turn.say(say.QUESTION_PASSED_ON)


def carry_on(turn: TurnBuilder) -> None:
    """The step that invites questions goes on; anywhere else the step is offered again."""
    if _at_question_step(turn):
        advance(turn)
    else:
        turn.offer_again()


def on_faq_check(turn: TurnBuilder, question: str, text: str) -> None:
    """The reply to "Did that answer it? 1 Yes 2 No" (numbers were shown, so they count)."""
    helped = read_yes_no(text, numbered=True)
    if helped is True:
        turn.say(say.THANKS if _at_question_step(turn) else say.FAQ_GLAD)
    else:
        # "No", or a follow-up question: the officer gets both, in the resident's words.
        follow_up = "" if helped is False else f"\n{text}"
        pass_to_officer(turn, question + follow_up)
    carry_on(turn)
