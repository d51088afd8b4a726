"""The questions inbox: residents' questions awaiting an answer, answered through the outbox.

The answer box counts characters, encoding and segments as the officer types (static/counter.js),
and the server checks the same with bot.channels.sms, so the page works without JavaScript.
Both count the whole text the resident gets: the intro quoting their question (the page gives
the counter every intro bot.core.questions may choose), the answer, and the closing line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import page_number
from admin.i18n import explain, translate, ui_language
from admin.once import form_submission, one_time
from bot.channels.sms import MAX_BODY_CHARS, normalise, segment_info
from bot.core.audit import record_event
from bot.core.form_tokens import Earlier
from bot.core.questions import (
    AnswerError,
    answer_frame,
    answer_text,
    written_in_other_language,
)
from bot.store.question_inbox import (
    count_questions,
    get_question_to_answer,
    list_answered_questions,
    list_open_questions,
)

bp = Blueprint("questions", __name__)

PAGE_SIZE = 20


@dataclass(frozen=True)
class SmsCheck:
    """What the resident's text (the introduction, then the answer) will cost."""

    characters: int
    encoding: str
    segments: int
    per_segment: int
    cost: float
    too_long: bool


def check_answer(text: str, language: str | None, question: str) -> SmsCheck:
    body = answer_text(language, normalise(text), question)
    info = segment_info(body)
    price = services().settings.price_per_segment
    too_long = len(body) > MAX_BODY_CHARS
    return SmsCheck(
        info.characters,
        info.encoding,
        info.segments,
        info.per_segment,
        info.segments * price,
        too_long,
    )


def _show_questions(draft: dict[str, Any] | None = None) -> ResponseReturnValue:
    """The inbox and the answered list; `draft` keeps an officer's unsent answer and its check."""
    page, answered_page = page_number(request.args), page_number(request.args, "answered_page")
    vault, language = services().vault, ui_language()
    with services().db.session() as session:
        waiting = list_open_questions(
            session, vault, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, language=language
        )
        answered = list_answered_questions(
            session,
            vault,
            limit=PAGE_SIZE,
            offset=(answered_page - 1) * PAGE_SIZE,
            language=language,
        )
        totals = {status: count_questions(session, status) for status in ("open", "answered")}
    return render_template(
        "admin/questions.html",
        waiting=waiting,
        answered=answered,
        totals=totals,
        page=page,
        answered_page=answered_page,
        page_size=PAGE_SIZE,
        draft=draft,
        answer_frame=answer_frame,
        price=services().settings.price_per_segment,
        max_chars=MAX_BODY_CHARS,
    ), 400 if draft and draft.get("error") else 200


@bp.get("/questions")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Questions awaiting an answer, oldest first, then the answered ones."""
    return _show_questions()


#: Said when an answer seems written in the language the resident does not read; one sentence
#: per pair, so each reads naturally in Welsh (the language names mutate) and in English.
OTHER_LANGUAGE = {
    "en": "This answer looks like English, but this resident reads Welsh. "
    "Write it in Welsh, or choose “Send as written”.",
    "cy": "This answer looks like Welsh, but this resident reads English. "
    "Write it in English, or choose “Send as written”.",
}


def _draft(question_id: int, text: str) -> dict[str, Any]:
    """The officer's answer as typed, with its length and cost and, when it seems written in
    the other language, which, to show in its box."""
    with services().db.session() as session:
        found = get_question_to_answer(session, services().vault, question_id)
    language = found.language if found else None
    check = check_answer(text, language, found.text if found else "")
    written = written_in_other_language(text, language)
    warning = translate(OTHER_LANGUAGE[written]) if written else None
    return {
        "question_id": question_id,
        "text": text,
        "check": check,
        "written": written,
        "warning": warning,
    }


def _answered_already(_earlier: Earlier, question_id: int) -> ResponseReturnValue:
    """The same answer sent again: it went once, and the page says so."""
    flash(translate("This answer was already sent. Its delivery status shows below."), "success")
    return redirect(url_for("admin.questions.index", **request.args.to_dict()))


def _answer_refused(message: str, question_id: int) -> ResponseReturnValue:
    """The answer kept in its box, with why it was not sent."""
    return _show_questions(
        {**_draft(question_id, request.form.get("answer", "")), "error": message}
    )


@bp.post("/questions/<int:question_id>/answer")
@requires("admin", "officer")
@one_time(_answered_already, _answer_refused)
def answer(question_id: int) -> ResponseReturnValue:
    """Check an answer's length and cost, or send it; a refused answer stays in the box. An
    answer in the other language is held, with a warning, until the officer sends it as
    written."""
    text, action = request.form.get("answer", ""), request.form.get("action")
    draft = _draft(question_id, text)
    check: SmsCheck = draft["check"]
    written: str | None = draft["written"]
    try:
        if not normalise(text):
            raise AnswerError("Enter your answer.")
        if check.too_long:
            raise AnswerError(
                "The answer is too long: Twilio accepts texts up to 1,600 characters."
            )
        if action == "check":
            return _show_questions(draft)
        if written and action != "send_as_written":
            raise AnswerError(OTHER_LANGUAGE[written])
        ticket = services().questions.answer(question_id, text, once=form_submission())
    except AnswerError as problem:
        return _show_questions({**draft, "error": explain(problem)})
    user = current_user()
    with services().db.session() as session:
        target, detail = f"question:{question_id}", f"outbox={ticket.id}"
        detail += f"; written={written}" if written else ""
        record_event(session, user.id if user else None, "question_answered", target, detail)
    flash(translate("Answer sent to the outbox. Its delivery status shows below."), "success")
    return redirect(url_for("admin.questions.index", **request.args.to_dict()))
