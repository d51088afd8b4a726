"""Sorting the questions inbox: dismiss a question with a reason, restore it, or give it to an
officer. Each form comes back to the inbox as it was filtered (the filters ride on the URL)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import whole_number
from admin.i18n import explain, translate
from admin.once import one_time, spend_form
from bot.core.form_tokens import Earlier
from bot.core.question_triage import TriageError, assign, dismiss, restore
from bot.store.db import UnitOfWork

bp = Blueprint("question_triage", __name__)


def _back(question_id: int | None = None) -> ResponseReturnValue:
    anchor = f"#question-{question_id}" if question_id else ""
    return redirect(url_for("admin.questions.index", **request.args.to_dict()) + anchor)


def _done(message: str) -> Callable[..., ResponseReturnValue]:
    """A form of these sent again: told as the first was (`message`), nothing redone."""

    def replayed(_earlier: Earlier, question_id: int) -> ResponseReturnValue:
        flash(translate(message), "success")
        return _back(question_id)

    return replayed


def _change(
    question_id: int, message: str, change: Callable[[UnitOfWork, int], object]
) -> ResponseReturnValue:
    """Spend the form's token and make the change in one unit of work; say how it went."""
    try:
        with services().db.session() as session:
            spend_form(session)
            change(session, question_id)
    except TriageError as problem:
        flash(explain(problem), "important")
        return _back()
    flash(translate(message), "success")
    return _back(question_id)


def _user_id() -> int | None:
    user = current_user()
    return user.id if user else None


DISMISSED = "Question dismissed. It is listed under Dismissed, where you can restore it."


@bp.post("/questions/<int:question_id>/dismiss")
@requires("admin", "officer")
@one_time(_done(DISMISSED))
def dismiss_view(question_id: int) -> ResponseReturnValue:
    """Set a question aside, for a reason chosen from the list."""
    reason, now = request.form.get("reason", ""), services().clock()
    return _change(
        question_id,
        DISMISSED,
        lambda session, qid: dismiss(session, qid, reason, user_id=_user_id(), now=now),
    )


RESTORED = "Question restored: it is waiting for an answer again."


@bp.post("/questions/<int:question_id>/restore")
@requires("admin", "officer")
@one_time(_done(RESTORED))
def restore_view(question_id: int) -> ResponseReturnValue:
    """A dismissed question back in the inbox."""
    return _change(
        question_id, RESTORED, lambda session, qid: restore(session, qid, user_id=_user_id())
    )


ASSIGNED = "Question assigned."


@bp.post("/questions/<int:question_id>/assign")
@requires("admin", "officer")
@one_time(_done(ASSIGNED))
def assign_view(question_id: int) -> ResponseReturnValue:
    """Give a question to an officer, or to nobody."""
    officer = whole_number(request.form.get("officer"))
    return _change(
        question_id,
        ASSIGNED,
        lambda session, qid: assign(session, qid, officer, user_id=_user_id()),
    )
