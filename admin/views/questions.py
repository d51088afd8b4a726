"""The questions inbox: residents' questions awaiting an answer, answered through the outbox;
near-identical ones answered together, overdue ones first, each filterable in the URL.

The answer box counts characters, encoding and segments as the officer types (static/counter.js),
and the server checks the same with bot.channels.sms, so the page works without JavaScript.
Both count the whole text the resident gets: the intro quoting their question (the page gives
the counter every intro bot.core.questions may choose), the answer, and the closing line.
Dismissing and assigning live in admin/views/question_triage.py; saving an answer to the FAQ
in question_faq.py; the export in question_export.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import flow_choices, page_number, partner_choices, whole_number
from admin.i18n import explain, translate, ui_language
from admin.once import form_submission, one_time
from admin.reply_words import due_words
from bot.channels.sms import MAX_BODY_CHARS, normalise, segment_info
from bot.core.audit import record_event
from bot.core.form_tokens import Earlier
from bot.core.question_list import waiting_page
from bot.core.question_triage import DISMISS_REASONS
from bot.core.questions import (
    AnswerError,
    answer_for,
    answer_frame,
    answer_languages,
    answer_text,
    written_in_other_language,
)
from bot.core.reply_times import reply_cutoffs, reply_due_for
from bot.flowspec.model import LANGUAGES
from bot.store.question_filters import STATUSES, QuestionFilter
from bot.store.question_inbox import (
    count_by_status,
    get_question_to_answer,
    list_answered_questions,
    list_dismissed_questions,
)
from bot.store.question_triage import list_assignable_users
from bot.store.search import Search

bp = Blueprint("questions", __name__)

PAGE_SIZE = 20
#: The query string's names for the filters, as the filter form sends them.
FILTER_ARGS = ("flow", "language", "status", "overdue", "assigned", "partner", "q", "separate")


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


def question_filter(args: Mapping[str, str]) -> QuestionFilter:
    """The filters in a query string (or the export form); anything unknown is ignored."""
    library, user = services().library, current_user()
    assigned = args.get("assigned", "")
    officer = whole_number(assigned)
    return QuestionFilter(
        flow_id=args.get("flow") if args.get("flow") in library.flows else None,
        language=args.get("language") if args.get("language") in LANGUAGES else None,
        status=args.get("status") if args.get("status") in STATUSES else None,
        overdue_only=args.get("overdue") == "1",
        assigned_to=user.id if assigned == "me" and user else officer,
        unassigned=assigned == "nobody",
        partner_code=args.get("partner") if args.get("partner") in library.partners else None,
        search=Search.of(services().vault, args.get("q", "")),
    )


def filter_args() -> dict[str, str]:
    """The filters as they are in this page's URL, to carry on every link and form."""
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


def _show_questions(draft: dict[str, Any] | None = None) -> ResponseReturnValue:
    """The inbox for the URL's filters; `draft` keeps an officer's unsent answer and its check."""
    page, answered_page = page_number(request.args), page_number(request.args, "answered_page")
    sgwrs, language = services(), ui_language()
    filters, now = question_filter(request.args), sgwrs.clock()
    status = filters.status
    with sgwrs.db.session() as session:
        waiting = None
        if status in (None, "open"):
            waiting = waiting_page(
                session,
                sgwrs.vault,
                sgwrs.library,
                filters,
                now,
                page=page,
                size=PAGE_SIZE,
                together=request.args.get("separate") != "1",
                language=language,
            )
        answered = dismissed = []
        if status in (None, "answered") and not filters.overdue_only:
            answered = list_answered_questions(
                session,
                sgwrs.vault,
                limit=PAGE_SIZE,
                offset=(answered_page - 1) * PAGE_SIZE,
                language=language,
                filters=filters,
            )
        if status == "dismissed":
            dismissed = list_dismissed_questions(
                session,
                sgwrs.vault,
                filters,
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                language=language,
            )
        totals = count_by_status(session, filters, reply_cutoffs(sgwrs.library, now))
        late = replace(filters, overdue_only=True)
        overdue = count_by_status(session, late, reply_cutoffs(sgwrs.library, now)).get("open", 0)
        officers = list_assignable_users(session)
    groups = waiting.groups if waiting else []
    due = {}
    for question in (question for group in groups for question in group.questions):
        when = reply_due_for(sgwrs.library, question.flow_id, question.created_at, now)
        due[question.id] = (when.overdue, due_words(when))
    return render_template(
        "admin/questions.html",
        waiting=waiting,
        answered=answered,
        dismissed=dismissed,
        totals={status: totals.get(status, 0) for status in STATUSES},
        overdue=overdue,
        due=due,
        listed={question.id for group in groups for question in group.questions},
        listed_groups={group.ids for group in groups},
        filters=filters,
        args=request.args.to_dict(),
        filter_args=filter_args(),
        page=page,
        answered_page=answered_page,
        page_size=PAGE_SIZE,
        draft=draft,
        answer_frame=answer_frame,
        price=sgwrs.settings.price_per_segment,
        max_chars=MAX_BODY_CHARS,
        flows=flow_choices(sgwrs.library),
        partners=partner_choices(sgwrs.library),
        officers=officers,
        officer_names={officer.id: officer.name for officer in officers},
        reasons=DISMISS_REASONS,
    ), 400 if draft and draft.get("error") else 200


@bp.get("/questions")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Questions awaiting an answer, overdue and oldest first, then the answered ones."""
    return _show_questions()


#: Said when an answer seems written in the language the resident does not read; one sentence
#: per pair, so each reads naturally in Welsh (the language names mutate) and in English.
OTHER_LANGUAGE = {
    "en": "This answer looks like English, but this resident reads Welsh. "
    "Write it in Welsh, or choose “Send as written”.",
    "cy": "This answer looks like Welsh, but this resident reads English. "
    "Write it in English, or choose “Send as written”.",
}
#: The same, for one of a group's answers, written for residents who read `language`.
OTHER_LANGUAGE_IN_GROUP = {
    "en": "The Welsh answer looks like English. Write it in Welsh, or choose “Send as written”.",
    "cy": "The English answer looks like Welsh. Write it in English, or choose “Send as written”.",
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


def _back() -> ResponseReturnValue:
    return redirect(url_for("admin.questions.index", **request.args.to_dict()))


def _answered_already(_earlier: Earlier, **_ids: Any) -> ResponseReturnValue:
    """The same answer sent again: it went once, and the page says so."""
    flash(translate("This answer was already sent. Its delivery status shows below."), "success")
    return _back()


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
    return _back()


def _group_ids() -> tuple[int, ...]:
    ids = (whole_number(value) for value in request.form.getlist("question"))
    return tuple(dict.fromkeys(question_id for question_id in ids if question_id is not None))


def _group_draft() -> dict[str, Any]:
    """A group's answers as typed, each with the dearest text it makes for one of the group's
    residents, and a warning for any that reads as the other language."""
    ids = _group_ids()
    vault = services().vault
    with services().db.session() as session:
        found = [get_question_to_answer(session, vault, question_id) for question_id in ids]
    members = [question for question in found if question is not None]
    languages = answer_languages(question.language for question in members) if members else ("",)
    texts = {language: request.form.get(_field(language), "") for language in languages}
    checks: dict[str, SmsCheck] = {}
    for question in members:
        words = answer_for(question.language, texts)
        check = check_answer(words, question.language, question.text)
        box = question.language if question.language in texts else next(iter(texts))
        if box not in checks or check.characters > checks[box].characters:
            checks[box] = check
    written = {
        language: other
        for language in languages
        if language and (other := written_in_other_language(texts[language], language))
    }
    warnings = [translate(OTHER_LANGUAGE_IN_GROUP[other]) for other in written.values()]
    return {
        "group": ids,
        "texts": texts,
        "checks": checks,
        "written": written,
        "warning": " ".join(warnings) or None,
    }


OPTED_OUT_IN_GROUP = (
    "{count} resident(s) had opted out of texts and were not sent it: "
    "their questions are still waiting."
)


def _field(language: str) -> str:
    """The answer box's name for one language ("answer" when there is one box for all)."""
    return f"answer_{language}" if language else "answer"


def _group_refused(message: str) -> ResponseReturnValue:
    return _show_questions({**_group_draft(), "error": message})


@bp.post("/questions/together/answer")
@requires("admin", "officer")
@one_time(_answered_already, _group_refused)
def answer_together() -> ResponseReturnValue:
    """One answer to near-identical questions: checked, held if in the wrong language, or sent
    to each resident in their own language."""
    draft, action = _group_draft(), request.form.get("action")
    texts: dict[str, str] = draft["texts"]
    try:
        if not all(normalise(text) for text in texts.values()):
            raise AnswerError("Enter your answer.")
        if any(check.too_long for check in draft["checks"].values()):
            raise AnswerError(
                "The answer is too long: Twilio accepts texts up to 1,600 characters."
            )
        if action == "check":
            return _show_questions(draft)
        if draft["written"] and action != "send_as_written":
            raise AnswerError(draft["warning"])
        user = current_user()
        result = services().questions.answer_group(
            draft["group"], texts, user_id=user.id if user else None, once=form_submission()
        )
    except AnswerError as problem:
        return _show_questions({**draft, "error": explain(problem)})
    sent = translate(
        "Answer sent to {count} residents, each in their own language.", count=result.sent
    )
    flash(sent, "success")
    if result.opted_out:
        left = translate(OPTED_OUT_IN_GROUP, count=len(result.opted_out))
        flash(left, "important")
    return _back()
