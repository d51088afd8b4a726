"""The themes codebook officers tag answers with: add, rename and merge themes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import whole_number
from admin.i18n import explain, translate, ui_language
from admin.once import already_done, one_time, spend_form
from bot.core.audit import record_event
from bot.store import themes as codebook
from bot.store.answer_list import AnswerFilter, count_answer_themes
from bot.store.db import UnitOfWork

bp = Blueprint("themes", __name__)

#: (audit action, audit target, audit detail, success message)
Change = tuple[str, str, str, str]


def _show_themes(error: dict[str, Any] | None = None) -> ResponseReturnValue:
    """The codebook with each theme's counts; `error` keeps what the officer typed."""
    with services().db.session() as session:
        counts = count_answer_themes(session, AnswerFilter())
    return render_template("admin/themes.html", counts=counts, error=error), 400 if error else 200


def _change(
    act: Callable[[UnitOfWork], Change], field: str, form: dict[str, str]
) -> ResponseReturnValue:
    """Run one codebook change with its audit entry; re-show the page with the error if refused."""
    user = current_user()
    try:
        with services().db.session() as session:
            spend_form(session)
            action, target, detail, message = act(session)
            record_event(session, user.id if user else None, action, target, detail)
    except codebook.ThemeError as problem:
        return _show_themes({"field": field, "text": explain(problem), "form": form})
    flash(message, "success")
    return redirect(url_for("admin.themes.index"))


def _refused(field: str, *names: str) -> Callable[..., ResponseReturnValue]:
    """The codebook with the form's fields `names` as typed, and why it was not sent."""

    def refused(message: str, **ids: int) -> ResponseReturnValue:
        form = {name: request.form.get(name, "") for name in names}
        return _show_themes({"field": field.format(**ids), "text": message, "form": form})

    return refused


def _id(name: str) -> int:
    """A theme id from the form; 0, which the codebook refuses as "not chosen", if not a number."""
    return whole_number(request.form.get(name)) or 0


@bp.get("/themes")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Show the codebook."""
    return _show_themes()


@bp.post("/themes")
@requires("admin", "officer")
@one_time(already_done("admin.themes.index"), _refused("name", "name", "name_cy"))
def add() -> ResponseReturnValue:
    """Add a theme to the codebook, named in English and (if the officer can) in Welsh."""
    name, name_cy = request.form.get("name", ""), request.form.get("name_cy", "")

    def act(session: UnitOfWork) -> Change:
        theme = codebook.add_theme(session, name, name_cy)
        message = translate("Theme “{name}” added", name=theme.names.in_(ui_language()))
        detail = f"name={theme.name}" + (f"; welsh={theme.name_cy}" if theme.name_cy else "")
        return "theme_added", f"theme:{theme.id}", detail, message

    return _change(act, "name", {"name": name, "name_cy": name_cy})


@bp.post("/themes/<int:theme_id>/rename")
@requires("admin", "officer")
@one_time(
    already_done("admin.themes.index"),
    _refused("rename-{theme_id}", "name", "name_cy", "theme_id"),
)
def rename(theme_id: int) -> ResponseReturnValue:
    """Rename a theme in either language; its tags stay on their answers."""
    name, name_cy = request.form.get("name", ""), request.form.get("name_cy", "")

    def act(session: UnitOfWork) -> Change:
        renamed, language = codebook.rename_theme(session, theme_id, name, name_cy), ui_language()
        message = translate(
            "Theme “{old}” renamed to “{new}”",
            old=renamed.old.in_(language),
            new=renamed.new.in_(language),
        )
        new = renamed.new
        detail = f"from={renamed.old.name}; to={new.name}; welsh={new.name_cy or 'none'}"
        return "theme_renamed", f"theme:{theme_id}", detail, message

    form = {"name": name, "name_cy": name_cy, "theme_id": str(theme_id)}
    return _change(act, f"rename-{theme_id}", form)


@bp.post("/themes/merge")
@requires("admin", "officer")
@one_time(already_done("admin.themes.index"), _refused("source", "source", "target"))
def merge() -> ResponseReturnValue:
    """Merge one theme into another: every tag moves, the first theme goes."""
    source, target = _id("source"), _id("target")

    def act(session: UnitOfWork) -> Change:
        merged, language = codebook.merge_themes(session, source, target), ui_language()
        message = translate(
            "“{old}” merged into “{new}”: {count} more answers tagged “{new}”",
            old=merged.source.in_(language),
            new=merged.target.in_(language),
            count=merged.moved,
        )
        detail = f"from={merged.source.name}; to={merged.target.name}"
        return "themes_merged", f"theme:{target}", detail, message

    return _change(act, "source", {"source": str(source), "target": str(target)})
