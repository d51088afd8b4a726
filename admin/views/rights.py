"""Residents' rights an officer carries out for them: opting their number out of every text,
and (admins) erasing everything about it. A reason is chosen from a list, never typed, and the
officer confirms; both are audit-logged by bot/core/rights.py.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.i18n import explain, translate
from admin.once import form_submission, one_time
from bot.core.form_tokens import Earlier
from bot.core.rights import RightsError

bp = Blueprint("rights", __name__)


def _confirmed(participant_id: int) -> tuple[str, int] | ResponseReturnValue:
    """The chosen reason and the officer's id, or back to the transcript saying what is missing."""
    if request.form.get("confirm") != "yes":
        flash(translate("Tick the box to confirm"), "error")
        return redirect(url_for("admin.conversations.transcript", participant_id=participant_id))
    user = current_user()
    assert user is not None
    assert user.id is not None
    return request.form.get("reason", ""), user.id


def _opted_out_already(_earlier: Earlier, participant_id: int) -> ResponseReturnValue:
    flash(translate("The number is opted out: it will get no more texts."), "success")
    return redirect(url_for("admin.conversations.transcript", participant_id=participant_id))


def _erased_already(_earlier: Earlier, participant_id: int) -> ResponseReturnValue:
    flash(translate("This number was already erased."), "success")
    return redirect(url_for("admin.conversations.index"))


@bp.post("/conversations/<int:participant_id>/opt-out")
@requires("admin", "officer")
@one_time(_opted_out_already)
def opt_out(participant_id: int) -> ResponseReturnValue:
    """No more texts to this number, on any channel, for anyone who uses it."""
    confirmed = _confirmed(participant_id)
    if not isinstance(confirmed, tuple):
        return confirmed
    reason, user_id = confirmed
    try:
        services().rights.opt_out(
            participant_id, user_id=user_id, reason=reason, once=form_submission()
        )
    except RightsError as problem:
        flash(explain(problem), "error")
    else:
        flash(translate("The number is opted out: it will get no more texts."), "success")
    return redirect(url_for("admin.conversations.transcript", participant_id=participant_id))


@bp.post("/conversations/<int:participant_id>/erase")
@requires("admin")
@one_time(_erased_already)
def erase(participant_id: int) -> ResponseReturnValue:
    """Erase everything about this number, for everyone who used it; it stays opted out only
    if it already was."""
    confirmed = _confirmed(participant_id)
    if not isinstance(confirmed, tuple):
        return confirmed
    reason, user_id = confirmed
    try:
        erased = services().rights.erase_participant(
            participant_id, user_id=user_id, reason=reason, once=form_submission()
        )
    except RightsError as problem:
        flash(explain(problem), "error")
        return redirect(url_for("admin.conversations.transcript", participant_id=participant_id))
    count = erased.participants
    message = translate("Erased: {count} conversation(s) on that number.", count=count)
    flash(message, "success")
    return redirect(url_for("admin.conversations.index"))
