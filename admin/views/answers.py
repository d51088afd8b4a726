"""Hopes, fears and feedback: residents' open answers; officers tag them, flag significant ones
and file them: "not an answer", or a question for the inbox, and back.

Partners see only their own residents' answers, without any link back to the resident, and
cannot change anything (the POST routes below do not allow their role).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, partner_scope, requires, services
from admin.forms import page_number, parse_date_range, partner_choices, whole_number
from admin.i18n import explain, translate, ui_language
from admin.labels import BULK_ACTION_LABELS, FILED_LABELS, KIND_LABELS, LANGUAGE_LABELS
from admin.once import one_time, spend_form
from bot.core.audit import record_event
from bot.core.bulk import MOST_AT_ONCE, act_on_answers
from bot.core.filing import FilingError, file_answer
from bot.core.form_tokens import Earlier
from bot.runtime.refusal import RefusalError
from bot.store.answer_list import (
    OPEN_KINDS,
    AnswerFilter,
    count_answer_themes,
    list_matching_answer_ids,
    list_open_answers,
)
from bot.store.recordings import recordings_by_answer
from bot.store.search import Search
from bot.store.themes import (
    ThemeError,
    clean_theme_name,
    find_or_add_theme,
    list_themes,
    set_answer_significant,
    set_answer_themes,
)

bp = Blueprint("answers", __name__)

PAGE_SIZE = 50
#: The kinds this page lists, in its filter's order, with their labels.
OPEN_KIND_LABELS = {kind: KIND_LABELS[kind] for kind in OPEN_KINDS}


def _filters() -> tuple[AnswerFilter, dict[str, str]]:
    """The page's GET filters and any problem with their dates; a partner is always held to
    their own partner code, and never sees who said what."""
    user = current_user()
    if user is not None and user.role == "partner" and not user.partner_code:
        abort(403)
    args, library = request.args, services().library
    flow_id = args.get("flow") if args.get("flow") in library.flows else None
    steps = {step.id for step in library.flows[flow_id].steps} if flow_id else set()
    partners = {code for code, _ in partner_choices(library)}
    filed = args.get("filed", "")
    since, until, errors = parse_date_range(args)
    scope = partner_scope()
    return AnswerFilter(
        kind=args.get("kind") if args.get("kind") in OPEN_KINDS else None,
        flow_id=flow_id,
        step_id=args.get("step") if args.get("step") in steps else None,
        theme_id=whole_number(args.get("theme")),
        significant_only=args.get("significant") == "1",
        partner_code=scope or (args.get("partner") if args.get("partner") in partners else None),
        anonymised=scope is not None,
        filed_as=filed if filed in FILED_LABELS and scope is None else "answer",
        search=Search.of(services().vault, args.get("q", "")),
        language=args.get("language") if args.get("language") in LANGUAGE_LABELS else None,
        since=since,
        until=until,
        with_question=args.get("question") == "1",
        with_contact_details=args.get("contact") == "1",
    ), errors


def _show_answers(error: dict[str, object] | None = None) -> ResponseReturnValue:
    """Render the page for the current filters; `error` keeps what an officer typed."""
    (filters, date_errors), page = _filters(), page_number(request.args)
    vault = services().vault
    with services().db.session() as session:
        listed = list_open_answers(
            session,
            vault,
            filters,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            language=ui_language(),
        )
        counts = count_answer_themes(session, filters)
        themes = list_themes(session)
        # Partners never get audio: their page has no recordings to play.
        heard = [answer.id for answer in listed.answers] if partner_scope() is None else []
        recordings = recordings_by_answer(session, heard)
    library = services().library
    return render_template(
        "admin/answers.html",
        listed=listed,
        counts=counts,
        themes=themes,
        filters=filters,
        date_errors=date_errors,
        page=page,
        page_size=PAGE_SIZE,
        kinds=OPEN_KIND_LABELS,
        filings=FILED_LABELS,
        languages=LANGUAGE_LABELS,
        partners=partner_choices(library),
        steps=[step.id for step in library.flows[filters.flow_id].steps] if filters.flow_id else [],
        bulk_actions=BULK_ACTION_LABELS,
        most_at_once=MOST_AT_ONCE,
        flows=sorted(library.flows),
        can_edit=partner_scope() is None,
        recordings=recordings,
        error=error,
    ), 400 if error else 200


@bp.get("/answers")
@requires("admin", "officer", "partner")
def index() -> ResponseReturnValue:
    """List open answers: searched for words, and filtered by anything an officer knows."""
    return _show_answers()


def _bulk_done_already(_earlier: Earlier) -> ResponseReturnValue:
    flash(translate("These answers were already changed."), "success")
    return redirect(url_for("admin.answers.index", **request.args.to_dict()))


def _bulk_refused(message: str) -> ResponseReturnValue:
    return _show_answers({"answer_id": "bulk", "text": message, "typed": _new_theme()})


@bp.post("/answers/bulk")
@requires("admin", "officer")
@one_time(_bulk_done_already, _bulk_refused)
def bulk() -> ResponseReturnValue:
    """One action on the ticked answers, or on every answer the page's filters list."""
    form, user = request.form, current_user()
    action = form.get("action", "")
    try:
        with services().db.session() as session:
            spend_form(session)
            if form.get("scope") == "matching":
                filters, _errors = _filters()
                limit = MOST_AT_ONCE + 1  # one more, so too many is refused, never cut short
                chosen = list_matching_answer_ids(session, filters, limit=limit)
            else:
                chosen = [n for n in map(whole_number, form.getlist("answer")) if n is not None]
            theme_id = whole_number(form.get("theme"))
            if action == "tag" and clean_theme_name(_new_theme()):
                theme_id = find_or_add_theme(session, _new_theme()).id
            result = act_on_answers(
                session,
                services().vault,
                chosen,
                action,
                theme_id=theme_id,
                user_id=user.id if user else None,
            )
    except RefusalError as problem:
        return _bulk_refused(explain(problem))
    flash(
        translate(
            "{changed} of {chosen} answers changed.", changed=result.changed, chosen=result.chosen
        ),
        "success",
    )
    return redirect(url_for("admin.answers.index", **request.args.to_dict()))


def _back_to_list(answer_id: int) -> ResponseReturnValue:
    """The list as it was filtered when the form was sent (the filters ride on the URL)."""
    return redirect(
        url_for("admin.answers.index", **request.args.to_dict()) + f"#answer-{answer_id}"
    )


def _saved_already(message: str) -> Callable[..., ResponseReturnValue]:
    """A form of this page sent again: told as the first was (`message`), nothing redone."""

    def replayed(_earlier: Earlier, answer_id: int) -> ResponseReturnValue:
        flash(translate(message), "success")
        return _back_to_list(answer_id)

    return replayed


def _tag_refused(message: str, answer_id: int) -> ResponseReturnValue:
    """The list with the new theme's name as typed, beside the answer."""
    return _show_answers({"answer_id": answer_id, "text": message, "typed": _new_theme()})


def _new_theme() -> str:
    return request.form.get("new_theme", "")


@bp.post("/answers/<int:answer_id>/themes")
@requires("admin", "officer")
@one_time(_saved_already("Themes saved"), _tag_refused)
def tag(answer_id: int) -> ResponseReturnValue:
    """Set an answer's themes from the codebook, optionally adding a new theme on the way."""
    chosen = (whole_number(value) for value in request.form.getlist("theme"))
    theme_ids = [theme_id for theme_id in chosen if theme_id is not None]
    new_theme = _new_theme()
    user = current_user()
    try:
        with services().db.session() as session:
            spend_form(session)
            if clean_theme_name(new_theme):
                theme_ids.append(find_or_add_theme(session, new_theme).id or 0)
            change = set_answer_themes(session, answer_id, theme_ids)
            detail = f"added={', '.join(change.added)}; removed={', '.join(change.removed)}"
            record_event(
                session, user.id if user else None, "answer_tagged", f"answer:{answer_id}", detail
            )
    except ThemeError as problem:
        error = {"answer_id": answer_id, "text": explain(problem), "typed": new_theme}
        return _show_answers(error)
    flash(translate("Themes saved"), "success")
    return _back_to_list(answer_id)


def _flagged_already(_earlier: Earlier, answer_id: int) -> ResponseReturnValue:
    return _saved_already(_flag_message())(_earlier, answer_id)


def _flag_message() -> str:
    significant = request.form.get("significant") == "1"
    return "Flagged as significant" if significant else "Significant flag removed"


@bp.post("/answers/<int:answer_id>/significant")
@requires("admin", "officer")
@one_time(_flagged_already)
def flag(answer_id: int) -> ResponseReturnValue:
    """Flag an answer as significant, or remove the flag."""
    significant = request.form.get("significant") == "1"
    user = current_user()
    with services().db.session() as session:
        spend_form(session)
        if not set_answer_significant(session, answer_id, significant):
            abort(404)
        action = "answer_flagged" if significant else "answer_unflagged"
        record_event(session, user.id if user else None, action, f"answer:{answer_id}")
    flash(translate(_flag_message()), "success")
    return _back_to_list(answer_id)


#: What an officer is told once an answer is filed each way.
FILED_MESSAGES = {
    "answer": "Restored as an answer",
    "not_an_answer": "Marked as not an answer",
    "question": "Filed as a question: it is in the questions inbox.",
}


def _after_filing(answer_id: int) -> ResponseReturnValue:
    """The transcript's forms send `transcript` (the resident's id) to come back there rather
    than to the list."""
    resident = whole_number(request.form.get("transcript"))
    if resident is not None:
        return redirect(
            url_for("admin.conversations.transcript", participant_id=resident)
            + f"#answer-{answer_id}"
        )
    return _back_to_list(answer_id)


def _filed_already(_earlier: Earlier, answer_id: int) -> ResponseReturnValue:
    # The same fields as a first submission that committed, so `filed_as` is a good one.
    flash(translate(FILED_MESSAGES[request.form.get("filed_as", "")]), "success")
    return _after_filing(answer_id)


@bp.post("/answers/<int:answer_id>/filing")
@requires("admin", "officer")
@one_time(_filed_already)
def filing(answer_id: int) -> ResponseReturnValue:
    """File an answer as an answer, not an answer, or a question."""
    filed_as = request.form.get("filed_as", "")
    user = current_user()
    try:
        with services().db.session() as session:
            spend_form(session)
            file_answer(
                session, services().vault, answer_id, filed_as, user_id=user.id if user else None
            )
    except FilingError as problem:
        flash(explain(problem), "error")
    else:
        flash(translate(FILED_MESSAGES[filed_as]), "success")
    return _after_filing(answer_id)
