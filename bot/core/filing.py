"""Officers filing what a resident said: an answer, not an answer, or a question for an officer.

The engine files each reply as it hears it, and sometimes hears wrong: "ok thanks" kept as a
fear, or "is my landlord told?" kept as a hope. An officer reading it later can mark it "not an
answer" (it leaves every count and the export, but is kept, as the resident's words), or re-file
it as a question: an open question in the inbox, linked to the answer, so it gets a reply.
Either can be undone, unless the question has been answered by then: the resident has had a
reply to it, so it stays a question. Each change is audit-logged in the same unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.audit import record_event
from bot.runtime.crypto import Vault
from bot.runtime.redaction import has_contact_details
from bot.runtime.refusal import RefusalError
from bot.store.answers import (
    delete_question,
    get_answer,
    get_question_raised_from,
    save_question,
    set_answer_filed_as,
)
from bot.store.db import UnitOfWork
from bot.store.models import Answer
from bot.store.search import indexed_language

#: How an answer may be filed; only "answer" rows are listed as answers, counted and exported.
FILINGS = ("answer", "not_an_answer", "question")
#: The audit log's name for filing an answer each way.
ACTIONS = {
    "answer": "answer_restored",
    "not_an_answer": "answer_marked_not_an_answer",
    "question": "answer_refiled_as_question",
}


class FilingError(RefusalError):
    """The answer cannot be filed that way; the message says why, in an officer's words."""


@dataclass(frozen=True)
class FilingChange:
    answer_id: int
    participant_id: int
    was: str
    filed_as: str
    #: The question opened (filed as a question) or removed (filed back), if any.
    question_id: int | None = None


def file_answer(
    session: UnitOfWork, vault: Vault, answer_id: int, filed_as: str, *, user_id: int | None
) -> FilingChange:
    """File one stored answer as `filed_as`, opening or removing its question on the way.

    Filing an answer the way it already is changes nothing and logs nothing (a form sent twice).
    """
    if filed_as not in FILINGS:
        raise FilingError("Choose how to file the answer.")
    answer = get_answer(session, answer_id)
    if answer is None or answer.kind == "skipped":  # a skip is never shown, so never filed
        raise FilingError("That answer no longer exists (the resident may have erased it).")
    change = _refile(session, vault, answer, filed_as)
    if change.was != filed_as:
        detail = f"was={change.was}" + (
            f"; question={change.question_id}" if change.question_id else ""
        )
        record_event(session, user_id, ACTIONS[filed_as], f"answer:{answer_id}", detail)
    return change


def refile_answers(session: UnitOfWork, vault: Vault, answer_ids: list[int], filed_as: str) -> int:
    """File many answers one way at once (the officer's bulk action, audited once by the
    caller); how many changed. Answers gone, skips, and those that cannot change (a question
    already answered) are left as they are."""
    if filed_as not in FILINGS:
        raise FilingError("Choose how to file the answer.")
    changed = 0
    for answer_id in answer_ids:
        answer = get_answer(session, answer_id)
        if answer is None or answer.kind == "skipped" or answer.filed_as == filed_as:
            continue
        try:
            _refile(session, vault, answer, filed_as)
        except FilingError:
            continue
        changed += 1
    return changed


def _refile(session: UnitOfWork, vault: Vault, answer: Answer, filed_as: str) -> FilingChange:
    """File the answer `filed_as`, opening or removing its question on the way."""
    assert answer.id is not None
    was = answer.filed_as
    if was == filed_as:
        return FilingChange(answer.id, answer.participant_id, was, filed_as)
    question_id = None
    if was == "question":
        question_id = _take_back_question(session, answer)
    if filed_as == "question":
        question_id = _raise_question(session, vault, answer)
    set_answer_filed_as(session, answer, filed_as)
    return FilingChange(answer.id, answer.participant_id, was, filed_as, question_id)


def _raise_question(session: UnitOfWork, vault: Vault, answer: Answer) -> int:
    """An open question with the answer's words, dated when the resident sent them: the inbox
    lists it in turn and shows the conversation up to that moment."""
    assert answer.id is not None
    if get_question_raised_from(session, answer.id) is not None:
        raise FilingError("These words already raised a question, in the questions inbox.")
    text = vault.open(answer.text_encrypted)
    if not text.strip():
        raise FilingError("There are no words to file as a question.")
    question = save_question(
        session,
        vault,
        participant_id=answer.participant_id,
        flow_id=answer.flow_id,
        step_id=answer.step_id,
        text=text,
        now=answer.created_at,
        answer_id=answer.id,
        contact_details=answer.contact_details or has_contact_details(text),
        language=indexed_language(answer.words or ""),
    )
    assert question.id is not None
    return question.id


def _take_back_question(session: UnitOfWork, answer: Answer) -> int | None:
    """Remove the question an officer raised from this answer, while nobody has answered it."""
    assert answer.id is not None
    question = get_question_raised_from(session, answer.id)
    if question is None:
        return None
    if question.status != "open":
        raise FilingError(
            "That question has already been answered, so the answer stays filed as a question."
        )
    delete_question(session, question)
    return question.id
