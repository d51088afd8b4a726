"""Callers' recordings, for officers and admins only (partners never get audio): playing one
on the transcript or the answers page with a plain `<audio>` control, and typing a summary or
transcript of it, which becomes the answer's text. Each listen and each summary is
audit-logged by bot/core/recordings.py, never with the words.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import whole_number
from admin.i18n import explain, translate
from admin.once import form_submission, one_time
from admin.views.answers import _show_answers
from admin.views.conversations import FormProblem, show_transcript
from bot.core.form_tokens import Earlier
from bot.core.recordings import RecordingError

bp = Blueprint("recordings", __name__)

SAVED = "Summary saved as the answer's text"


def _officer_id() -> int:
    user = current_user()
    assert user is not None
    assert user.id is not None
    return user.id


def _starts_a_listen() -> bool:
    """Whether this request begins playing: no Range, or one from the first byte. A browser
    asks again for later parts as it plays or seeks, and those are the same listen."""
    asked = request.range
    if asked is None:
        return True
    return bool(asked.ranges) and asked.ranges[0][0] == 0


@bp.get("/recordings/<int:recording_id>/audio")
@requires("admin", "officer")
def audio(recording_id: int) -> ResponseReturnValue:
    """The recording's audio, decrypted, never cached; `?download=1` saves it as a file.

    The one GET that writes: each listen goes in the audit log, as revealing a number does."""
    played = services().recordings.play(
        recording_id, user_id=_officer_id(), count_listen=_starts_a_listen()
    )
    if played is None:
        abort(404)
    extension = ".mp3" if played.content_type == "audio/mpeg" else ""
    disposition = "attachment" if request.args.get("download") == "1" else "inline"
    response = Response(played.audio, mimetype=played.content_type)
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="recording-{recording_id}{extension}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response.make_conditional(request, accept_ranges=True, complete_length=len(played.audio))


def _typed() -> str:
    return request.form.get("summary", "")


def _back(recording_id: int) -> ResponseReturnValue:
    """To the transcript (the form sends `transcript`, the resident's id) or the answers page
    as it was filtered, at the recording."""
    resident = whole_number(request.form.get("transcript"))
    anchor = f"#recording-{recording_id}"
    if resident is not None:
        url = url_for("admin.conversations.transcript", participant_id=resident)
        return redirect(url + anchor)
    return redirect(url_for("admin.answers.index", **request.args.to_dict()) + anchor)


def _saved_already(_earlier: Earlier, recording_id: int) -> ResponseReturnValue:
    flash(translate(SAVED), "success")
    return _back(recording_id)


def _summary_refused(message: str, recording_id: int) -> ResponseReturnValue:
    """The page the form was on again, with the words as typed and what is wrong."""
    field = f"summary-{recording_id}"
    resident = whole_number(request.form.get("transcript"))
    if resident is not None:
        return show_transcript(resident, problem=FormProblem(field, message, _typed()))
    problem = {
        "answer_id": field,
        "field": field,
        "href": f"#{field}",
        "text": message,
        "message": message,
        "typed": _typed(),
    }
    return _show_answers(problem)


@bp.post("/recordings/<int:recording_id>/summary")
@requires("admin", "officer")
@one_time(_saved_already, _summary_refused)
def summary(recording_id: int) -> ResponseReturnValue:
    """An officer's summary or transcript of the recording: from now on the answer's text."""
    try:
        services().recordings.summarise(
            recording_id, _typed(), user_id=_officer_id(), once=form_submission()
        )
    except RecordingError as problem:
        return _summary_refused(explain(problem), recording_id)
    flash(translate(SAVED), "success")
    return _back(recording_id)
