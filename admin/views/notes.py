"""What officers keep on a resident's conversation, from the transcript: short notes for
colleagues, and a "call back requested" flag with when suits the resident, cleared once the
call is made. Each is audit-logged by bot/core (never the words); partners see none of it.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.i18n import explain, translate
from admin.once import one_time, spend_form
from admin.views.conversations import FormProblem, show_transcript
from bot.core.call_backs import CallBackError, clear_call_back, request_call_back
from bot.core.form_tokens import Earlier
from bot.core.notes import NoteError, write_note

bp = Blueprint("notes", __name__)


def _officer_id() -> int:
    user = current_user()
    assert user is not None
    assert user.id is not None
    return user.id


def _back(participant_id: int, message: str, section: str) -> ResponseReturnValue:
    """To the transcript's section the form was in, saying what happened."""
    flash(translate(message), "success")
    url = url_for("admin.conversations.transcript", participant_id=participant_id)
    return redirect(f"{url}#{section}")


def _typed(field: str) -> str:
    return request.form.get(field, "")


def _note_added_already(_earlier: Earlier, participant_id: int) -> ResponseReturnValue:
    return _back(participant_id, "Note added", "notes")


def _note_refused(message: str, participant_id: int) -> ResponseReturnValue:
    return show_transcript(participant_id, problem=FormProblem("note", message, _typed("note")))


@bp.post("/conversations/<int:participant_id>/notes")
@requires("admin", "officer")
@one_time(_note_added_already, _note_refused)
def add_note(participant_id: int) -> ResponseReturnValue:
    """Add a note to the resident's conversation, with the officer's name and the time."""
    sgwrs = services()
    try:
        with sgwrs.db.session() as session:
            spend_form(session)
            write_note(
                session,
                sgwrs.vault,
                sgwrs.clock,
                participant_id,
                _typed("note"),
                user_id=_officer_id(),
            )
    except NoteError as problem:
        return _note_refused(explain(problem), participant_id)
    return _back(participant_id, "Note added", "notes")


def _marked_already(_earlier: Earlier, participant_id: int) -> ResponseReturnValue:
    return _back(participant_id, "Call back requested", "call-back")


def _mark_refused(message: str, participant_id: int) -> ResponseReturnValue:
    return show_transcript(
        participant_id, problem=FormProblem("call-back-when", message, _typed("when"))
    )


@bp.post("/conversations/<int:participant_id>/call-back")
@requires("admin", "officer")
@one_time(_marked_already, _mark_refused)
def mark_call_back(participant_id: int) -> ResponseReturnValue:
    """The resident asked to be phoned back: they show as waiting until an officer clears it."""
    sgwrs = services()
    try:
        with sgwrs.db.session() as session:
            spend_form(session)
            marked = request_call_back(
                session,
                sgwrs.vault,
                sgwrs.clock,
                participant_id,
                _typed("when"),
                user_id=_officer_id(),
            )
    except CallBackError as problem:
        return _mark_refused(explain(problem), participant_id)
    message = "Call back requested" if marked else "A call back was already requested."
    return _back(participant_id, message, "call-back")


def _cleared_already(_earlier: Earlier, participant_id: int) -> ResponseReturnValue:
    return _back(participant_id, "Call back marked as done", "call-back")


@bp.post("/conversations/<int:participant_id>/call-back/clear")
@requires("admin", "officer")
@one_time(_cleared_already)
def clear(participant_id: int) -> ResponseReturnValue:
    """The call was made: the resident no longer shows as waiting for one."""
    with services().db.session() as session:
        spend_form(session)
        cleared = clear_call_back(session, participant_id, user_id=_officer_id())
    message = "Call back marked as done" if cleared else "No call back was waiting."
    return _back(participant_id, message, "call-back")
