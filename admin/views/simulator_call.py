"""The phone simulator's voice mode: ring the bot as a caller would, through the same code as a
real call (bot/core/call_simulator.py, which `sgwrs call` plays too), from the officer's own
pretend phone (admin/views/flows.py), as a test caller left out of every figure.

The page shows what the call says, with its language; each key is a form of its own, and where
the call records a caller's own words a textarea stands in for the recording. The call's place
(its CallSid, turn and misses) travels in each form, and each move is handled once per CallSid
and turn, as Twilio's callbacks are: a form sent again (a double click, the back button) is
answered with the step the call is at and changes nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.i18n import explain, translate
from admin.labels import LANGUAGE_LABELS
from admin.once import one_time, spend_form
from admin.views.flows import simulator_number
from bot.core.call_simulator import (
    KEYPAD,
    MOST_TYPED,
    CallSimulator,
    Played,
    SimulatedCall,
    SimulatorError,
    new_call_sid,
)
from bot.core.form_tokens import Earlier
from bot.runtime.crypto import mask_number

bp = Blueprint("simulator_call", __name__)

PAGE = "admin/simulator_call.html"
CALL_SID = re.compile(r"CA[0-9a-f]{32}")
#: What each form asks of the call.
MOVES = ("ring", "key", "silence", "answer", "skip", "hang-up")
#: What the page says the officer just did, by move.
DONE = {
    "silence": "You said nothing.",
    "answer": "Your words were kept in place of a recording.",
    "skip": "You skipped the question (pressed 1).",
    "hang-up": "You hung up.",
}
#: A call longer than this many turns is not one anyone is trying out.
MOST_TURNS = 1000


class _MalformedError(Exception):
    pass


@dataclass(frozen=True)
class _Move:
    name: str
    call_sid: str
    at: Played
    key: str = ""
    words: str = ""


def _played_again(_earlier: Earlier) -> ResponseReturnValue:
    """The same form sent again: the move is played again, and the call, having handled that
    turn already, answers with where it is and changes nothing."""
    try:
        move = _move_sent()
    except _MalformedError:  # never spent: a malformed form is refused before its code is
        return _page(), 400
    return _play(move, spend=False)


def _refused(message: str) -> ResponseReturnValue:
    """A form without a good one-time code: nothing was played; the call can be rung again."""
    return _page(error=message)


@bp.route("/flows/simulator/call", methods=["GET", "POST"])
@requires("admin", "officer")
@one_time(_played_again, _refused)
def call() -> ResponseReturnValue:
    """The voice mode: a GET offers to ring; each POST is one move of the call."""
    if request.method == "GET":
        return _page()
    try:
        move = _move_sent()
    except _MalformedError:
        return _page(error=translate("Ring again: that call could not be followed.")), 400
    if move.name == "answer" and not move.words.strip():
        error = translate("Type what you would say, or choose Say nothing")
        return _page(move.call_sid, move.at, error=error), 400
    return _play(move, spend=True)


def _play(move: _Move, *, spend: bool) -> ResponseReturnValue:
    """Play `move` (again, for a form sent twice: the call handles each turn once)."""
    app = services()
    if spend:
        with app.db.session() as session:
            spend_form(session)
    phone = SimulatedCall(move.call_sid, _number(), app.settings.twilio_from_sms)
    simulator = CallSimulator(app.calls)
    try:
        if move.name == "ring":
            played = simulator.ring(phone)
        elif move.name == "hang-up":
            simulator.hang_up(phone)
            played = Played((), "nothing", move.at.turn)
        elif move.at.listen == "key":
            played = simulator.press(phone, move.at, move.key if move.name == "key" else "")
        else:
            words = {"skip": "1", "silence": ""}.get(move.name, move.words)
            played = simulator.answer(phone, move.at, words)
    except SimulatorError as problem:
        if move.name == "ring":
            return _page(error=explain(problem)), 400
        return _page(move.call_sid, move.at, error=explain(problem), typed=move.words), 400
    done = translate("You pressed {key}.", key=move.key) if move.name == "key" else None
    done = done or (translate(DONE[move.name]) if move.name in DONE else None)
    return _page(move.call_sid, played, done=done)


def _move_sent() -> _Move:
    """The move the form asks for, and where the call is: _MalformedError for a form this page
    never draws (nothing is played)."""
    form = request.form
    name, call_sid = form.get("move", ""), form.get("call", "")
    if name not in MOVES or not CALL_SID.fullmatch(call_sid):
        raise _MalformedError
    if name == "ring":
        return _Move(name, call_sid, Played((), "key"))
    listen = form.get("listen", "")
    turn, misses = form.get("turn", ""), form.get("misses", "")
    if listen not in ("key", "recording") or not turn.isdigit() or not misses.isdigit():
        raise _MalformedError
    if not 1 <= int(turn) <= MOST_TURNS or int(misses) > MOST_TURNS:
        raise _MalformedError
    key = form.get("key", "")
    if name == "key" and (listen != "key" or key not in KEYPAD):
        raise _MalformedError
    at = Played((), listen, int(turn), int(misses))  # type: ignore[arg-type]
    return _Move(name, call_sid, at, key, form.get("words", ""))


def _number() -> str:
    user = current_user()
    assert user is not None  # requires() saw to it
    assert user.id is not None
    return simulator_number(user.id)


def _page(
    call_sid: str | None = None,
    played: Played | None = None,
    *,
    done: str | None = None,
    error: str | None = None,
    typed: str = "",
) -> str:
    return render_template(
        PAGE,
        title=translate("Phone simulator"),
        number=mask_number(_number()),
        call_sid=call_sid,
        new_call_sid=new_call_sid(),
        played=played,
        done=done,
        error=error,
        typed=typed,
        keypad=KEYPAD,
        languages=LANGUAGE_LABELS,
        most_typed=MOST_TYPED,
    )
