"""Officers answering residents' questions: the answer goes out through the outbox.

The admin page (and the tests) call this; the text goes in the resident's language and channel,
introduced so a resident on a basic phone knows what it answers.
"""

from __future__ import annotations

import logging
from typing import cast

from bot.channels.sms import MAX_BODY_CHARS, normalise
from bot.engine import texts as system_texts
from bot.engine.render import compose
from bot.flowspec.model import LANGUAGES, Language
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault
from bot.runtime.queue import JobQueue
from bot.store.answers import get_question, mark_question_answered
from bot.store.db import Database
from bot.store.outbox import OutboxTicket, add_outbox_message
from bot.store.participants import get_participant
from bot.store.question_inbox import InboxQuestion, list_open_questions

log = logging.getLogger(__name__)


class AnswerError(ValueError):
    """The answer cannot be sent; the message says why, in words an officer understands."""


def answer_text(language: str | None, answer: str) -> str:
    """The text a resident receives: the council's intro in their language, then the answer."""
    known = cast(Language, language) if language in LANGUAGES else None
    return compose([system_texts.ANSWER_INTRO], known) + "\n" + answer


class QuestionDesk:
    def __init__(
        self, *, db: Database, vault: Vault, queue: JobQueue, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.vault = vault
        self.queue = queue
        self.clock = clock

    def open_questions(self) -> list[InboxQuestion]:
        """Every question awaiting an answer, oldest first."""
        with self.db.session() as session:
            return list_open_questions(session, self.vault)

    def answer(self, question_id: int, text: str) -> OutboxTicket:
        """Record the officer's answer and queue it to the resident, once."""
        answer = normalise(text)
        if not answer:
            raise AnswerError("The answer is empty.")
        now = self.clock()
        with self.db.session() as session:
            question = get_question(session, question_id)
            if question is None:
                raise AnswerError(
                    "That question no longer exists (the resident may have erased it)."
                )
            if question.status != "open":
                raise AnswerError("That question has already been answered.")
            participant = get_participant(session, question.participant_id)
            if participant is None or participant.opted_out:
                raise AnswerError(
                    "The resident has opted out of texts, so the answer cannot be sent."
                )
            body = answer_text(participant.language, answer)
            if len(body) > MAX_BODY_CHARS:
                raise AnswerError(
                    f"The answer is too long: keep it under {MAX_BODY_CHARS - 60} characters."
                )
            row = add_outbox_message(
                session,
                self.vault,
                participant_id=participant.id or 0,
                body=body,
                purpose="answer",
                priority="urgent",
                now=now,
                dedupe_key=f"answer:{question_id}",
            )
            if row is None:
                raise AnswerError("That question has already been answered.")
            mark_question_answered(session, question, self.vault.seal(answer), now)
            ticket = OutboxTicket.of(row)
        self.queue.enqueue([ticket])
        log.info("question_answered question=%s outbox=%s", question_id, ticket.id)
        return ticket
