"""The public response, written by officers: for each theme of a flow, in Welsh and English,
what was heard (beside its counts, with up to three residents' answers as quotes), what was
decided and why, and an overall summary; saved as a draft, then published to the public page
(admin/views/public_response.py). Once published, the page drafts the "you said, we did" text
message from it and opens the broadcast form with it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, now, requires, services
from admin.forms import whole_number
from admin.i18n import explain, translate, ui_language
from admin.labels import KIND_LABELS
from admin.once import one_time, spend_form
from admin.views.public_response import public_address
from bot.channels.sms import MOST_SEGMENTS
from bot.core.audit import record_event
from bot.core.form_tokens import Earlier
from bot.core.response_text import TextMessage, draft_text_message
from bot.core.responses import (
    MAX_QUOTES,
    MAX_SUMMARY,
    Problem,
    ResponseError,
    ResponseProblemsError,
    Workbench,
    publish,
    read_workbench,
    save_draft,
)
from bot.store.responses import (
    DRAFT,
    PARTS,
    PUBLISHED,
    Bilingual,
    ThemeWords,
    list_response_stages,
)

bp = Blueprint("responses", __name__)

#: What officers call each part of a response.
PART_LABELS = {
    "summary": "Overall summary",
    "heard": "What we heard",
    "decision": "What we decided",
    "reasoning": "Why we decided it",
    "quotes": "Quotes",
}
#: Each problem a response can have, by kind and language ("" for either).
PROBLEM_MESSAGES = {
    ("missing", "cy"): "{where}: write it in Welsh before publishing",
    ("missing", "en"): "{where}: write it in English before publishing",
    ("too_long", "cy"): "{where} in Welsh has {length} characters: keep it to {limit}",
    ("too_long", "en"): "{where} in English has {length} characters: keep it to {limit}",
    ("too_many", ""): "{where}: pick up to {limit} quotes (you picked {length})",
}


PUBLISHED_MESSAGE = "Published: the public page shows this response."


def field_id(theme_id: int | None, part: str, language: str | None = None) -> str:
    """The form field for one part of the response, e.g. theme-3-heard-cy or summary-en."""
    stem = "summary" if theme_id is None else f"theme-{theme_id}-{part}"
    return f"{stem}-{language}" if language else stem


def _flows() -> list[str]:
    """The flows a response can be written for: each but the welcome, which asks nothing."""
    library = services().library
    return sorted(flow for flow in library.flows if flow != library.welcome_flow)


def _known(flow_id: str) -> str:
    if flow_id not in _flows():
        abort(404)
    return flow_id


def _addresses(flow_id: str) -> dict[str, str]:
    """The public page's full address in each language."""
    return {language: public_address(flow_id, language) for language in ("cy", "en")}


def _typed(bench: Workbench) -> tuple[Bilingual, dict[int, ThemeWords]]:
    """The summary and every listed theme's parts and quotes, as the form sent them."""
    form = request.form

    def words(theme_id: int | None, part: str) -> Bilingual:
        return Bilingual(*(form.get(field_id(theme_id, part, lang), "") for lang in ("cy", "en")))

    themes = {}
    for theme_id in bench.theme_ids:
        picked = (whole_number(value) for value in form.getlist(field_id(theme_id, "quotes")))
        themes[theme_id] = ThemeWords(
            *(words(theme_id, part) for part in PARTS),
            quotes=tuple(answer for answer in picked if answer is not None),
        )
    return words(None, "summary"), themes


def _where(problem: Problem, bench: Workbench) -> str:
    part = translate(PART_LABELS[problem.part])
    if problem.theme_id is None:
        return part
    figure = bench.figures.themes.get(problem.theme_id)
    theme = figure.names.in_(ui_language()) if figure else str(problem.theme_id)
    return translate("{theme}: {part}", theme=theme, part=part)


def _errors(problems: list[Problem], bench: Workbench) -> list[tuple[str, str]]:
    """(field id, message) for each problem, in the officer's language."""
    return [
        (
            field_id(problem.theme_id, problem.part, problem.language),
            translate(
                PROBLEM_MESSAGES[problem.kind, problem.language or ""],
                where=_where(problem, bench),
                length=problem.length,
                limit=problem.limit,
            ),
        )
        for problem in problems
    ]


def _text_message(bench: Workbench) -> TextMessage | str | None:
    """The broadcast drafted from the published summary (None before publishing), or why it
    cannot be drafted."""
    if bench.published is None:
        return None
    try:
        return draft_text_message(bench.published.summary, _addresses(bench.draft.flow_id))
    except ResponseError as problem:
        return explain(problem)


def _workbench(flow_id: str) -> Workbench:
    with services().db.session() as session:
        return read_workbench(session, services().vault, flow_id, ui_language())


def _show(
    flow_id: str,
    bench: Workbench | None = None,
    *,
    typed: tuple[Bilingual, dict[int, ThemeWords]] | None = None,
    errors: list[tuple[str, str]] | None = None,
) -> ResponseReturnValue:
    """The response page; `typed` keeps what the officer wrote when it could not be taken."""
    bench = bench or _workbench(flow_id)
    summary, themes = typed or (bench.draft.summary, bench.draft.themes)
    return render_template(
        "admin/response_edit.html",
        flow_id=flow_id,
        bench=bench,
        summary=summary,
        themes=themes,
        empty=ThemeWords(),
        parts=PARTS,
        part_labels=PART_LABELS,
        field_id=field_id,
        errors=errors or [],
        text_message=_text_message(bench),
        addresses=_addresses(flow_id),
        max_quotes=MAX_QUOTES,
        max_summary=MAX_SUMMARY,
        most_segments=MOST_SEGMENTS,
        kind_labels=KIND_LABELS,
    ), 400 if errors else 200


@bp.get("/responses")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Each flow's public response: not started, a draft, published, or changed since."""
    with services().db.session() as session:
        stages = list_response_stages(session)
    return render_template(
        "admin/responses.html", flows=_flows(), stages=stages, draft=DRAFT, published=PUBLISHED
    )


@bp.get("/responses/<flow_id>")
@requires("admin", "officer")
def edit(flow_id: str) -> ResponseReturnValue:
    """Write the flow's response: what was heard, decided and why, theme by theme."""
    return _show(_known(flow_id))


def _saved_again(_earlier: Earlier, flow_id: str) -> ResponseReturnValue:
    """The same form sent again: answered as the first was, nothing saved or published twice."""
    published = request.form.get("publish") == "1"
    flash(translate(PUBLISHED_MESSAGE if published else "Draft saved"), "success")
    return redirect(url_for("admin.responses.edit", flow_id=flow_id))


def _refused(message: str, flow_id: str) -> ResponseReturnValue:
    """The page with what was written kept, and why it was not taken (an expired form...)."""
    bench = _workbench(_known(flow_id))
    return _show(flow_id, bench, typed=_typed(bench), errors=[("summary-cy", message)])


@bp.post("/responses/<flow_id>")
@requires("admin", "officer")
@one_time(_saved_again, _refused)
def save(flow_id: str) -> ResponseReturnValue:
    """Save the draft, and publish it when the officer asked to ("Save and publish"): until
    then nothing changes on the public page."""
    bench = _workbench(_known(flow_id))
    summary, themes = _typed(bench)
    user_id = _user_id()
    try:
        with services().db.session() as session:
            spend_form(session)
            draft = save_draft(session, flow_id, summary, themes, user_id=user_id, now=now())
            quotes = sum(len(theme.quotes) for theme in draft.themes.values())
            detail = f"flow={flow_id}; themes={len(draft.themes)}; quotes={quotes}"
            record_event(session, user_id, "response_saved", f"response:{flow_id}", detail)
    except ResponseProblemsError as refused:
        errors = _errors(refused.problems, bench)
        return _show(flow_id, bench, typed=(summary, themes), errors=errors)
    if request.form.get("publish") == "1":
        return _publish(flow_id)
    flash(translate("Draft saved"), "success")
    return redirect(url_for("admin.responses.edit", flow_id=flow_id))


def _user_id() -> int | None:
    user = current_user()
    return user.id if user else None


def _publish(flow_id: str) -> ResponseReturnValue:
    """Publish the draft just saved; what is missing is shown beside its field (the draft
    stays saved)."""
    user_id = _user_id()
    try:
        with services().db.session() as session:
            published = publish(session, flow_id, user_id=user_id, now=now())
            took_part = sum(published.figures["residents"].values())
            detail = f"flow={flow_id}; themes={len(published.themes)}; residents={took_part}"
            record_event(session, user_id, "response_published", f"response:{flow_id}", detail)
    except ResponseProblemsError as refused:
        bench = _workbench(flow_id)
        flash(translate("Draft saved, but not published: write what is marked first."), "error")
        return _show(flow_id, bench, errors=_errors(refused.problems, bench))
    flash(translate(PUBLISHED_MESSAGE), "success")
    return redirect(url_for("admin.responses.edit", flow_id=flow_id))
