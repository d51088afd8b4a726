"""Theme suggestions: themes offered for untagged answers, and groups that may be new themes.

Worked out on this machine each time the page is opened (bot/core/theme_suggestions.py says
how); nothing is tagged until an officer accepts. Officers and admins only: partners never tag.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import whole_number
from admin.i18n import explain, translate, ui_language
from admin.once import already_done, one_time, spend_form
from bot.core.bulk import act_on_answers
from bot.core.theme_suggestions import accept_theme, decline_theme_suggestion, suggest_for_flow
from bot.runtime.redaction import redact
from bot.runtime.refusal import RefusalError
from bot.store.themes import clean_theme_name, find_or_add_theme, list_themes

bp = Blueprint("suggestions", __name__)

#: Answers with suggestions shown at once; the next ones come as these are tagged.
SHOWN = 40


def _flow() -> str | None:
    flow_id = request.values.get("flow")
    return flow_id if flow_id in services().library.flows else None


def _show(error: dict[str, object] | None = None) -> ResponseReturnValue:
    """The page; `error` keeps a group's typed name beside the group it was for."""
    sgwrs, language = services(), ui_language()
    with sgwrs.db.session() as session:
        found = suggest_for_flow(session, sgwrs.vault, _flow())
        themes = {theme.id: theme.names.in_(language) for theme in list_themes(session)}
    offered = [answer for answer in found.answers if answer.guesses]
    shown = [
        *(item.answer.id for item in offered[:SHOWN]),
        *(guess.example_id for item in offered[:SHOWN] for guess in item.guesses),
        *(answer_id for group in found.groups for answer_id in group.answer_ids[:3]),
    ]
    texts = {key: redact(found.texts[key], language).text for key in shown}
    return render_template(
        "admin/suggestions.html",
        offered=offered[:SHOWN],
        more=max(0, len(offered) - SHOWN),
        untagged=len(found.answers),
        groups=found.groups,
        texts=texts,
        themes=themes,
        flow=_flow(),
        flows=sorted(sgwrs.library.flows),
        error=error,
    ), 400 if error else 200


@bp.get("/answers/suggestions")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Suggested themes for the newest untagged answers, and possible new themes."""
    return _show()


def _back() -> ResponseReturnValue:
    return redirect(url_for("admin.suggestions.index", flow=_flow()))


@bp.post("/answers/<int:answer_id>/suggestion")
@requires("admin", "officer")
@one_time(already_done("admin.suggestions.index"))
def decide(answer_id: int) -> ResponseReturnValue:
    """Accept a suggested theme for one answer, or say it is not about that theme."""
    theme_id = whole_number(request.form.get("theme"))
    accepted = request.form.get("decision") == "accept"
    user = current_user()
    try:
        with services().db.session() as session:
            spend_form(session)
            if theme_id is None:
                raise RefusalError("Choose the theme to add or take off.")
            decide_theme = accept_theme if accepted else decline_theme_suggestion
            decide_theme(session, answer_id, theme_id, user_id=user.id if user else None)
    except RefusalError as problem:
        flash(explain(problem), "error")
        return _back()
    message = "Theme added" if accepted else "That theme will not be suggested again"
    flash(translate(message), "success")
    return _back()


def _group_refused(message: str) -> ResponseReturnValue:
    return _show({"group": request.form.get("group", ""), "text": message, "typed": _name()})


def _name() -> str:
    return request.form.get("new_theme", "")


@bp.post("/answers/suggestions/group")
@requires("admin", "officer")
@one_time(already_done("admin.suggestions.index"), _group_refused)
def group() -> ResponseReturnValue:
    """Make a proposed group a theme: add it to the codebook and tag its answers, at once."""
    chosen = [n for n in map(whole_number, request.form.getlist("answer")) if n is not None]
    user = current_user()
    if not clean_theme_name(_name()):
        return _group_refused(translate("Give the new theme a name."))
    try:
        with services().db.session() as session:
            spend_form(session)
            theme = find_or_add_theme(session, _name())
            result = act_on_answers(
                session,
                services().vault,
                chosen,
                "tag",
                theme_id=theme.id,
                user_id=user.id if user else None,
            )
    except RefusalError as problem:
        return _group_refused(explain(problem))
    flash(translate("{changed} answers tagged.", changed=result.changed), "success")
    return _back()
