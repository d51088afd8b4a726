"""Officers answering residents' questions: the answer goes out through the outbox.

The admin page (and the tests) call this; the text goes in the resident's language and channel.
An answer may come days later, on a basic phone that keeps no thread, so it opens with a short
quote of the question it answers and ends with how to ask another.

The quote never costs money: it is cut at a word (with "...", which stays GSM-7), shortened
further or left out, so the whole text is billed as no more segments than it would be without
it. The officer's live counter (admin/static/counter.js) makes the same choice from the same
intros (AnswerFrame), so it counts exactly what is sent.

A question holding contact details is not quoted: the number or address would be texted and
stored again, and the inbox, which shows the question redacted, would have to give it to the
counter in full.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from bot.channels.sms import MAX_BODY_CHARS, normalise, segment_info
from bot.core.audit import record_event
from bot.core.form_tokens import Submission, spend
from bot.core.opt_out import is_opted_out
from bot.engine import texts as system_texts
from bot.engine.reading import guess_language
from bot.engine.render import compose
from bot.flowspec.model import LANGUAGES, Language, Text
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault
from bot.runtime.queue import JobQueue
from bot.runtime.redaction import has_contact_details
from bot.runtime.refusal import RefusalError
from bot.store.answers import get_question, mark_question_answered
from bot.store.db import Database, UnitOfWork
from bot.store.models import Participant, Question
from bot.store.outbox import OutboxTicket, add_outbox_message
from bot.store.participants import get_participant
from bot.store.question_inbox import InboxQuestion, list_open_questions

log = logging.getLogger(__name__)


class AnswerError(RefusalError):
    """The answer cannot be sent; the message says why, in words an officer understands."""


#: The longest quote of a question, "..." included: enough to recognise it on a small screen.
QUOTE_CHARS = 40
CUT = "..."


def quotes_of(question: str) -> list[str]:
    """Quotes of the question, longest first: whole if it fits QUOTE_CHARS, then cut at each
    word boundary down to two words (one says too little), each cut ending "..." with no
    punctuation before it."""
    words = normalise(question).split()
    whole = " ".join(words)
    quotes = [whole] if whole and len(whole) <= QUOTE_CHARS else []
    for count in range(len(words) - 1, 1, -1):
        cut = " ".join(words[:count]).rstrip(",;:.-!?") + CUT
        if len(cut) <= QUOTE_CHARS and cut not in quotes:
            quotes.append(cut)
    return quotes


@dataclass(frozen=True)
class AnswerFrame:
    """What goes around an officer's words, in the resident's language: the possible intros,
    from the longest quote of the question down to none, and the closing line."""

    intros: tuple[str, ...]
    outro: str

    def around(self, intro: str, answer: str) -> str:
        return f"{intro}\n{answer}\n{self.outro}"

    def text(self, answer: str) -> str:
        """The longest quote that costs no segment more than none, and fits Twilio's limit."""
        plain = self.around(self.intros[-1], answer)
        budget = segment_info(plain).segments
        for intro in self.intros[:-1]:
            body = self.around(intro, answer)
            if segment_info(body).segments <= budget and len(body) <= MAX_BODY_CHARS:
                return body
        return plain


def answer_frame(language: str | None, question: str) -> AnswerFrame:
    """The intros quote the question unless it holds contact details (then none does)."""
    known = cast(Language, language) if language in LANGUAGES else None
    quotes = [] if has_contact_details(question) else quotes_of(question)
    quoted = [
        Text.model_construct(
            cy=system_texts.ANSWER_INTRO_QUOTING.cy.format(quote=quote),
            en=system_texts.ANSWER_INTRO_QUOTING.en.format(quote=quote),
        )
        for quote in quotes
    ]
    intros = [compose([intro], known) for intro in [*quoted, system_texts.ANSWER_INTRO]]
    return AnswerFrame(tuple(intros), compose([system_texts.ASK_AGAIN], known))


def answer_text(language: str | None, answer: str, question: str) -> str:
    """The text a resident receives: the intro quoting their question, the answer, how to ask
    more; in their language, or Welsh then English when it is not known."""
    return answer_frame(language, question).text(answer)


def written_in_other_language(answer: str, language: str | None) -> Language | None:
    """The language an answer seems written in when it is not the resident's, else None.

    The same word-list reading that tells which language a resident writes in (the engine's):
    it guesses only on clear evidence, so a short or mixed answer is never held. A resident who
    never chose a language gets the frame in both, and any answer is theirs to read.
    """
    if language not in LANGUAGES:
        return None
    written = guess_language(answer)
    return written if written is not None and written != language else None


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

    def answer(
        self, question_id: int, text: str, *, once: Submission | None = None
    ) -> OutboxTicket:
        """Record the officer's answer and queue it to the resident, once; the officer's form
        token (`once`) is spent with it (bot.core.form_tokens)."""
        answer = normalise(text)
        if not answer:
            raise AnswerError("The answer is empty.")
        now = self.clock()
        with self.db.session() as session:
            spend(session, once, now)
            question, participant = _answerable(session, self.vault, question_id)
            ticket = self._queue(session, question, participant, answer, now)
        self.queue.enqueue([ticket])
        log.info("question_answered question=%s outbox=%s", question_id, ticket.id)
        return ticket

    def answer_group(
        self,
        question_ids: Sequence[int],
        texts: Mapping[str, str],
        *,
        user_id: int | None,
        once: Submission | None = None,
    ) -> GroupAnswer:
        """One answer to several near-identical questions: each resident gets their own text,
        in their language (`texts` by language, as `answer_languages` asks for them), through
        the outbox; each question is marked answered, and the audit log has one entry with the
        count. A question answered meanwhile, or a resident who opted out, is left out and
        said so; an answer too long for any one resident sends nothing."""
        answers = {language: normalise(text) for language, text in texts.items()}
        if not answers or not all(answers.values()):
            raise AnswerError("Enter your answer.")
        now = self.clock()
        tickets: list[OutboxTicket] = []
        answered: list[str] = []
        left_out: dict[str, list[int]] = {}
        with self.db.session() as session:
            spend(session, once, now)
            for question_id in dict.fromkeys(question_ids):
                try:
                    question, participant = _answerable(session, self.vault, question_id)
                except AnswerError as refused:
                    left_out.setdefault(refused.template, []).append(question_id)
                    continue
                words = answer_for(participant.language, answers)
                tickets.append(self._queue(session, question, participant, words, now))
                answered.append(str(question_id))
            if not tickets:
                raise AnswerError(next(iter(left_out), ALREADY))
            detail = f"questions={len(tickets)}; ids={','.join(answered)}"
            target = f"question:{answered[0]}"
            record_event(session, user_id, "question_group_answered", target, detail)
        self.queue.enqueue(tickets)
        log.info("question_group_answered questions=%s", len(tickets))
        return GroupAnswer(len(tickets), left_out.get(OPTED_OUT, []), left_out.get(ALREADY, []))

    def _queue(
        self,
        session: UnitOfWork,
        question: Question,
        participant: Participant,
        answer: str,
        now: datetime,
    ) -> OutboxTicket:
        """The resident's text in the outbox, and the question marked answered."""
        question_id = question.id or 0
        frame = answer_frame(participant.language, self.vault.open(question.text_encrypted))
        body = frame.text(answer)
        if len(body) > MAX_BODY_CHARS:
            room = MAX_BODY_CHARS - len(frame.around(frame.intros[-1], ""))
            raise AnswerError("The answer is too long: keep it under {room} characters.", room=room)
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
            raise AnswerError(ALREADY)
        mark_question_answered(session, question, self.vault.seal(answer), now)
        return OutboxTicket.of(row)


GONE = "That question no longer exists (the resident may have erased it)."
ALREADY = "That question has already been answered."
OPTED_OUT = "The resident has opted out of texts, so the answer cannot be sent."


def _answerable(
    session: UnitOfWork, vault: Vault, question_id: int
) -> tuple[Question, Participant]:
    """The question and its resident, if an answer can go to them now."""
    question = get_question(session, question_id)
    if question is None:
        raise AnswerError(GONE)
    if question.status != "open":
        raise AnswerError(ALREADY)
    participant = get_participant(session, question.participant_id)
    if participant is None or is_opted_out(session, vault, participant):
        raise AnswerError(OPTED_OUT)
    return question, participant


@dataclass(frozen=True)
class GroupAnswer:
    """How many residents were sent the answer, and which questions were left out and why."""

    sent: int
    opted_out: list[int]
    answered_already: list[int]


def answer_languages(languages: Iterable[str | None]) -> tuple[str, ...]:
    """The answers an officer writes for residents in these languages: one in Welsh, or one in
    English, when all read it; one as written ("") when none chose; else one in each."""
    found = set(languages)
    if len(found) == 1:
        (only,) = found
        return (only or "",)
    return LANGUAGES


def answer_for(language: str | None, answers: Mapping[str, str]) -> str:
    """The officer's words for one resident: in their language, else the one answer given,
    else (a resident who never chose, among others who did) Welsh then English."""
    if language is not None and language in answers:
        return answers[language]
    if len(answers) == 1:
        return next(iter(answers.values()))
    return "\n\n".join(answers[known] for known in LANGUAGES if known in answers)
