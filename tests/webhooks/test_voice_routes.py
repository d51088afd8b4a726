"""The HTTP contract of every voice route, on SQLite and PostgreSQL: POST /twilio/voice,
/twilio/voice/gather?turn=N&misses=M, /twilio/voice/record?turn=N and /twilio/voice/status.

Each is signed like every Twilio route: unsigned, badly signed, signed with another token, or
signed for other fields or another URL gets 403, and nothing changes anywhere in the database
(every row of every table is compared, with a caller part-way through a call, so the same
request signed would have changed something). What is malformed gets 400 with a plain
message, and nothing changes either (checked on SQLite: the fields are read before anything is
stored). The status callback records a call's end once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlmodel import select
from werkzeug.test import TestResponse

from bot.runtime.container import Container
from bot.store.models import Call
from tests.conftest import TEST_AUTH_TOKEN, make_container
from tests.helpers import new_sid, sign, signed_post
from tests.webhooks.support import all_rows, row_counts
from tests.webhooks.voice_caller import Caller
from wsgi import create_app

#: Language, the explanations and consent, then "should the council do this: yes": hopes.
TO_RECORDING = ["2", *["1"] * 9]
ROUTES = ["voice", "gather", "record", "status"]


@dataclass
class Request:
    path: str
    params: dict[str, str]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def caller_at(client: FlaskClient, route: str) -> Caller:
    """A caller part-way through a call, where the route's next request does something: at
    an explanation (a key), or at an own-words question (a recording)."""
    caller = Caller(client)
    caller.ring()
    for key in TO_RECORDING if route == "record" else ["2"]:
        caller.press(key)
    return caller


def request_to(route: str, caller: Caller) -> Request:
    """The request Twilio would make next on `route` for this caller's call."""
    assert caller.last is not None
    in_progress = {"CallStatus": "in-progress"}
    if route == "voice":  # the same number calling again: a new call, welcomed back
        return Request("/twilio/voice", caller._params({"CallSid": new_sid("CA")}))
    if route == "gather":
        return Request(_path(caller.last.action), caller._params({**in_progress, "Digits": "1"}))
    if route == "record":
        fields = {
            **in_progress,
            "RecordingSid": new_sid("RE"),
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Recordings/RE",
            "RecordingDuration": "12",
            "Digits": "#",
        }
        return Request(_path(caller.last.action), caller._params(fields))
    fields = {"CallStatus": "completed", "CallDuration": "185"}
    return Request("/twilio/voice/status", caller._params(fields))


Start = Callable[[str], tuple[Caller, Request]]


def _starter(client: FlaskClient) -> Start:
    def start(route: str) -> tuple[Caller, Request]:
        caller = caller_at(client, route)
        return caller, request_to(route, caller)

    return start


@pytest.fixture
def started(client: FlaskClient) -> Start:
    """A call part-way through on `route`, on SQLite and PostgreSQL."""
    return _starter(client)


@dataclass
class OnSqlite:
    client: FlaskClient
    services: Container
    start: Start


@pytest.fixture
def on_sqlite(sqlite_url: str) -> Iterator[OnSqlite]:
    """The same on SQLite alone, for what is refused before anything is read or stored."""
    services = make_container(sqlite_url)
    client = create_app(services=services).test_client()
    yield OnSqlite(client, services, _starter(client))
    services.db.engine.dispose()


def _bad_request(response: TestResponse, field: str) -> None:
    assert response.status_code == 400, response.data
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert body.startswith("Bad request: "), body
    assert field in body, body
    assert "<" not in body  # a plain sentence, not a page or a traceback


# --- Signatures -----------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_the_same_request_signed_changes_something(
    route: str, client: FlaskClient, services: Container, started: Start
) -> None:
    """What makes the refusals below mean something: signed, each request is taken."""
    _caller, request = started(route)
    before = all_rows(services)
    response = signed_post(client, request.path, request.params)
    assert response.status_code in {200, 204}
    assert all_rows(services) != before


@pytest.mark.parametrize("signature", ["none", "empty", "garbage", "another token"])
@pytest.mark.parametrize("route", ROUTES)
def test_an_unsigned_or_badly_signed_request_is_refused_and_nothing_changes(
    route: str, signature: str, client: FlaskClient, services: Container, started: Start
) -> None:
    _caller, request = started(route)
    headers = {
        "none": {},
        "empty": {"X-Twilio-Signature": ""},
        "garbage": {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        "another token": {
            "X-Twilio-Signature": sign(request.path, request.params, "another-token")
        },
    }[signature]
    before = all_rows(services)
    response = client.post(request.path, data=request.params, headers=headers)
    assert response.status_code == 403
    assert all_rows(services) == before


#: For each route, a field Twilio signed that someone changed afterwards.
CHANGED_FIELD = {
    "voice": ("From", "+447700900456"),
    "gather": ("Digits", "2"),
    "record": ("RecordingSid", "RE" + "f" * 32),
    "status": ("CallDuration", "1"),
}


@pytest.mark.parametrize("route", ROUTES)
def test_a_signature_for_other_fields_is_refused(
    route: str, client: FlaskClient, services: Container, started: Start
) -> None:
    _caller, request = started(route)
    signature = sign(request.path, request.params, TEST_AUTH_TOKEN)
    name, value = CHANGED_FIELD[route]
    before = all_rows(services)
    response = client.post(
        request.path,
        data={**request.params, name: value},
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    assert all_rows(services) == before


@pytest.mark.parametrize("route", ["gather", "record"])
def test_a_signature_for_another_turn_is_refused(
    route: str, client: FlaskClient, services: Container, started: Start
) -> None:
    """The turn is in the URL, and the URL is signed: a replay cannot move the call on."""
    _caller, request = started(route)
    signature = sign(request.path, request.params, TEST_AUTH_TOKEN)
    later = request.path.replace("turn=", "turn=9", 1)
    before = all_rows(services)
    response = client.post(later, data=request.params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert all_rows(services) == before


# --- Malformed requests ---------------------------------------------------------------------

BAD_CALL_SIDS = ["", "SM" + "0" * 32, "CA" + "0" * 31, "CA" + "g" * 32, "CA" + "0" * 33]


@pytest.mark.parametrize("call_sid", BAD_CALL_SIDS)
@pytest.mark.parametrize("route", ROUTES)
def test_a_malformed_call_sid_is_a_bad_request(
    route: str, call_sid: str, on_sqlite: OnSqlite
) -> None:
    _caller, request = on_sqlite.start(route)
    before = all_rows(on_sqlite.services)
    response = signed_post(on_sqlite.client, request.path, {**request.params, "CallSid": call_sid})
    _bad_request(response, "CallSid")
    assert all_rows(on_sqlite.services) == before


#: Turns and misses that are not a whole number in range, in ASCII digits.
#: Python's isdigit() takes "²" (which int() then refuses) and "٢" (which it reads as 2), and
#: int() refuses 5,000 digits: each must be a 400, never a crash or a turn.
BAD_NUMBERS = ["", "x", "-1", "1.5", " 2", "2 ", "0x2", "²", "٢", "1" * 5000]


@pytest.mark.parametrize("turn", [*BAD_NUMBERS, "0", "1001", None])
@pytest.mark.parametrize("route", ["gather", "record"])
def test_a_malformed_turn_is_a_bad_request(
    route: str, turn: str | None, on_sqlite: OnSqlite
) -> None:
    _caller, request = on_sqlite.start(route)
    path, _, _ = request.path.partition("?")
    query = {"gather": "misses=0", "record": ""}[route]
    if turn is not None:
        query = "&".join(part for part in (f"turn={turn}", query) if part)
    before = all_rows(on_sqlite.services)
    response = signed_post(on_sqlite.client, f"{path}?{query}" if query else path, request.params)
    _bad_request(response, "turn")
    assert all_rows(on_sqlite.services) == before


@pytest.mark.parametrize("misses", [*BAD_NUMBERS, "3", None])
def test_a_malformed_misses_is_a_bad_request(misses: str | None, on_sqlite: OnSqlite) -> None:
    _caller, request = on_sqlite.start("gather")
    path, _, query = request.path.partition("?")
    turn = query.split("&")[0]
    url = f"{path}?{turn}" + (f"&misses={misses}" if misses is not None else "")
    before = all_rows(on_sqlite.services)
    response = signed_post(on_sqlite.client, url, request.params)
    _bad_request(response, "misses")
    assert all_rows(on_sqlite.services) == before


@pytest.mark.parametrize("digits", ["12", "a", "１", "##", " ", "1 ", "hangup"])
def test_digits_that_are_not_one_key_are_a_bad_request(digits: str, on_sqlite: OnSqlite) -> None:
    _caller, request = on_sqlite.start("gather")
    before = all_rows(on_sqlite.services)
    response = signed_post(on_sqlite.client, request.path, {**request.params, "Digits": digits})
    _bad_request(response, "Digits")
    assert all_rows(on_sqlite.services) == before


@pytest.mark.parametrize(
    "recording_sid",
    [None, "", "RE123", "SM" + "0" * 32, "RE" + "z" * 32, "RE" + "0" * 33, "re" + "0" * 32],
)
def test_a_malformed_recording_sid_is_a_bad_request(
    recording_sid: str | None, on_sqlite: OnSqlite
) -> None:
    _caller, request = on_sqlite.start("record")
    params = dict(request.params)
    if recording_sid is None:
        del params["RecordingSid"]
    else:
        params["RecordingSid"] = recording_sid
    before = all_rows(on_sqlite.services)
    response = signed_post(on_sqlite.client, request.path, params)
    _bad_request(response, "RecordingSid")
    assert all_rows(on_sqlite.services) == before


#: The last: more seconds than PostgreSQL's integer column holds (or any call lasts).
BAD_DURATIONS = ["abc", "-5", "1.5", "12 ", " 12", "1e3", "²", "٣", "9" * 5000, "9" * 12]


@pytest.mark.parametrize("duration", BAD_DURATIONS)
def test_a_call_duration_that_is_not_a_number_is_a_bad_request(
    duration: str, client: FlaskClient, services: Container, started: Start
) -> None:
    _caller, request = started("status")
    before = all_rows(services)
    response = signed_post(client, request.path, {**request.params, "CallDuration": duration})
    _bad_request(response, "CallDuration")
    assert all_rows(services) == before


# --- The status callback --------------------------------------------------------------------


def _call(services: Container, call_sid: str) -> Call:
    with services.db.session() as session:
        call = session.exec(select(Call).where(Call.call_sid == call_sid)).one()
    return call


@pytest.mark.parametrize("status", ["", "queued", "initiated", "ringing", "in-progress"])
def test_a_call_status_that_is_not_final_changes_nothing(
    status: str, client: FlaskClient, services: Container, started: Start
) -> None:
    caller, request = started("status")
    before = all_rows(services)
    response = signed_post(client, request.path, {**request.params, "CallStatus": status})
    assert response.status_code == 204
    assert all_rows(services) == before
    call = _call(services, caller.sid)
    assert (call.status, call.duration_seconds, call.ended_at) == ("in-progress", None, None)


def test_the_status_callback_twice_keeps_the_call_and_its_duration_once(
    client: FlaskClient, services: Container, started: Start
) -> None:
    caller, _request = started("status")
    assert caller.hang_up(185) == 204
    first = _call(services, caller.sid)
    after_first = all_rows(services)
    assert caller.hang_up(185) == 204  # Twilio retrying the same callback
    assert all_rows(services) == after_first
    assert caller.hang_up(250) == 204  # a late, different word changes nothing either
    again = _call(services, caller.sid)
    assert (again.status, again.duration_seconds) == ("completed", 185)
    assert again.ended_at == first.ended_at
    assert row_counts(services)["calls"] == 1


def test_a_status_without_a_duration_is_filled_in_by_the_one_that_has_it(
    client: FlaskClient, services: Container, started: Start
) -> None:
    caller, request = started("status")
    params = {key: value for key, value in request.params.items() if key != "CallDuration"}
    assert signed_post(client, request.path, params).status_code == 204
    assert _call(services, caller.sid).duration_seconds is None
    assert caller.hang_up(61) == 204
    assert _call(services, caller.sid).duration_seconds == 61


@pytest.mark.parametrize("status", ["completed", "busy", "no-answer", "failed", "canceled"])
def test_a_status_for_an_unknown_call_is_taken_and_nothing_is_stored(
    status: str, client: FlaskClient, services: Container
) -> None:
    params = {
        "CallSid": new_sid("CA"),
        "AccountSid": "AC" + "0" * 32,
        "From": "+447700900321",
        "To": "+447700900999",
        "CallStatus": status,
        "CallDuration": "12",
    }
    response = signed_post(client, "/twilio/voice/status", params)
    assert response.status_code == 204
    counts = row_counts(services)
    assert counts == dict.fromkeys(counts, 0)
