"""TwilioSender against FakeTwilio over real HTTP (sending and listing), plus InMemorySender.

Sending through the official client to the fake checks both sides at once: the fields the client
puts on the wire, the fake's Twilio-shaped answers, and how SendError classifies Twilio's errors.
"""

from __future__ import annotations

import base64
import contextlib
import json
import queue
import re
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode
from urllib.request import ProxyHandler, Request, build_opener

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.fake_twilio import FakeMessage, FakeTwilio
from bot.channels.sender import InMemorySender, OutboundSms, SendError, TwilioSender

ACCOUNT_SID = "AC" + "0" * 32
TOKEN = "test-auth-token"
SERVICE_SID = "MG" + "1" * 32
CONTENT_SID = "HX" + "2" * 32
FROM = "+447700900000"
TO = "+447700900123"
OTHER = "+447700900456"
SID_PATTERN = re.compile(r"^SM[0-9a-f]{32}$")

Captured = tuple[str, dict[str, str]]  # (X-Twilio-Signature, form fields)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(TOKEN) as running:
        yield running


@pytest.fixture
def sender(fake: FakeTwilio) -> TwilioSender:
    return TwilioSender(ACCOUNT_SID, TOKEN, api_url=fake.base_url)


class _CaptureHandler(BaseHTTPRequestHandler):
    """Stands in for the webhooks app: keeps each POST and answers 204 like /twilio/status."""

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.captured.put((self.headers["X-Twilio-Signature"], form))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet test output."""


@pytest.fixture
def callback_app() -> Iterator[tuple[str, queue.Queue[Captured]]]:
    """A tiny status-callback receiver: yields its base URL and the queue of captured POSTs."""
    server = HTTPServer(("127.0.0.1", 0), _CaptureHandler)
    captured: queue.Queue[Captured] = queue.Queue()
    server.captured = captured  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", captured
    server.shutdown()
    server.server_close()


def _call(url: str, form: dict[str, str] | None = None, *, auth: bool = True) -> tuple[int, Any]:
    """Raw HTTP to the fake (GET without a form), for what the official client would not send."""
    request = Request(url, data=urlencode(form).encode() if form is not None else None)
    if auth:
        credentials = base64.b64encode(f"{ACCOUNT_SID}:{TOKEN}".encode()).decode()
        request.add_header("Authorization", f"Basic {credentials}")
    try:
        with build_opener(ProxyHandler({})).open(request, timeout=5) as response:
            return response.status, json.load(response)
    except HTTPError as exc:
        return exc.code, json.load(exc)


def _messages_url(fake: FakeTwilio, sid: str | None = None) -> str:
    resource = "Messages.json" if sid is None else f"Messages/{sid}.json"
    return f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/{resource}"


def _sms(to: str = TO, **fields: Any) -> OutboundSms:
    return OutboundSms(to=to, **({"from_": FROM, "body": "Helo / Hello"} | fields))


# -- sending -----------------------------------------------------------------------------------


def test_send_returns_sid_and_fake_records_fields_exactly(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    callback = "https://sgwrs.example/twilio/status?outbox=17"
    result = sender.send(_sms(body="Shwmae? ŵ ŷ", status_callback=callback))

    assert SID_PATTERN.match(result.sid)
    assert result.status == "queued"
    assert fake.messages == [
        FakeMessage(
            sid=result.sid,
            to=TO,
            from_=FROM,
            body="Shwmae? ŵ ŷ",
            status_callback=callback,
            content_sid=None,
            content_variables=None,
            messaging_service_sid=None,
        )
    ]


def test_send_through_messaging_service(fake: FakeTwilio, sender: TwilioSender) -> None:
    sender.send(OutboundSms(to=TO, body="Helo", messaging_service_sid=SERVICE_SID))

    [message] = fake.sent_to(TO)
    assert message.messaging_service_sid == SERVICE_SID
    assert message.from_ is None


def test_send_content_template_without_body(fake: FakeTwilio, sender: TwilioSender) -> None:
    whatsapp = "whatsapp:" + TO
    sender.send(
        OutboundSms(
            to=whatsapp,
            from_="whatsapp:" + FROM,
            content_sid=CONTENT_SID,
            content_variables={"1": "Siân", "2": "dydd Llun"},
        )
    )

    [message] = fake.sent_to(whatsapp)
    assert message.body is None
    assert message.content_sid == CONTENT_SID
    assert json.loads(message.content_variables or "") == {"1": "Siân", "2": "dydd Llun"}


def test_fetch_returns_twilio_shaped_message(fake: FakeTwilio, sender: TwilioSender) -> None:
    welsh = "ŵ" * 71  # one character past a single UCS-2 segment
    sid = sender.send(_sms(body=welsh)).sid

    status, payload = _call(_messages_url(fake, sid))

    assert status == 200
    assert payload["sid"] == sid
    assert payload["account_sid"] == ACCOUNT_SID
    assert (payload["to"], payload["from"], payload["body"]) == (TO, FROM, welsh)
    assert payload["num_segments"] == "2"
    assert payload["direction"] == "outbound-api"
    assert payload["price"] is None
    assert payload["error_code"] is None
    assert payload["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"


def test_fetch_unknown_message_is_404(fake: FakeTwilio) -> None:
    status, payload = _call(_messages_url(fake, "SM" + "f" * 32))

    assert status == 404
    assert payload["code"] == 20404


# -- errors ------------------------------------------------------------------------------------


def _invalid_number(fake: FakeTwilio) -> None:
    message = f"The 'To' number {TO} is not a valid phone number."
    fake.fail_next(1, status=400, code=21211, message=message)


@pytest.mark.parametrize(
    ("inject", "status", "code", "retryable", "reason"),
    [
        pytest.param(FakeTwilio.fail_next_rate_limited, 429, 20429, True, None, id="429"),
        pytest.param(FakeTwilio.fail_next_server_error, 500, None, True, None, id="500"),
        pytest.param(FakeTwilio.fail_next_opted_out, 400, 21610, False, "opted_out", id="21610"),
        pytest.param(
            FakeTwilio.fail_next_outside_window, 400, 63016, False, "outside_window", id="63016"
        ),
        pytest.param(_invalid_number, 400, 21211, False, "invalid_number", id="21211"),
    ],
)
def test_twilio_errors_are_classified(
    fake: FakeTwilio,
    sender: TwilioSender,
    inject: Callable[[FakeTwilio], None],
    status: int,
    code: int | None,
    retryable: bool,
    reason: str | None,
) -> None:
    inject(fake)

    with pytest.raises(SendError) as caught:
        sender.send(_sms())

    error = caught.value
    assert (error.status, error.code) == (status, code)
    assert error.retryable is retryable
    assert error.permanent_reason == reason
    assert TO not in str(error)
    assert fake.messages == []


def test_send_succeeds_once_injected_failures_are_used_up(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    fake.fail_next(1, status=429, code=20429, message="Too Many Requests")

    with pytest.raises(SendError):
        sender.send(_sms())
    result = sender.send(_sms())

    assert [m.sid for m in fake.messages] == [result.sid]


def test_fail_for_fails_only_that_number_every_time(fake: FakeTwilio, sender: TwilioSender) -> None:
    fake.fail_for(TO, 400, 21610, "Attempt to send to unsubscribed recipient")

    for _ in range(2):
        with pytest.raises(SendError) as caught:
            sender.send(_sms(TO))
        assert caught.value.permanent_reason == "opted_out"
    sender.send(_sms(OTHER))

    assert fake.sent_to(TO) == []
    assert len(fake.sent_to(OTHER)) == 1


def test_unreachable_twilio_is_retryable() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = TwilioSender(ACCOUNT_SID, TOKEN, api_url=f"http://127.0.0.1:{port}", timeout=2)

    with pytest.raises(SendError) as caught:
        sender.send(_sms())

    assert caught.value.retryable is True
    assert caught.value.status is None


def test_request_without_auth_is_401(fake: FakeTwilio) -> None:
    status, payload = _call(_messages_url(fake), {"To": TO, "From": FROM, "Body": "x"}, auth=False)

    assert status == 401
    assert payload["code"] == 20003
    assert fake.messages == []


def test_missing_to_is_21604(fake: FakeTwilio) -> None:
    status, payload = _call(_messages_url(fake), {"From": FROM, "Body": "x"})

    assert (status, payload["code"]) == (400, 21604)
    assert payload["more_info"] == "https://www.twilio.com/docs/errors/21604"


def test_body_of_1600_characters_is_accepted(fake: FakeTwilio, sender: TwilioSender) -> None:
    sender.send(_sms(body="a" * 1600))

    assert len(fake.messages) == 1


def test_body_over_1600_characters_is_21617(fake: FakeTwilio, sender: TwilioSender) -> None:
    with pytest.raises(SendError) as caught:
        sender.send(_sms(body="a" * 1601))

    assert (caught.value.status, caught.value.code, caught.value.retryable) == (400, 21617, False)
    assert fake.messages == []


# -- status callbacks --------------------------------------------------------------------------


def test_deliver_posts_a_correctly_signed_callback(
    fake: FakeTwilio,
    sender: TwilioSender,
    callback_app: tuple[str, queue.Queue[Captured]],
) -> None:
    base_url, captured = callback_app
    url = f"{base_url}/twilio/status?outbox=17"
    sid = sender.send(_sms(status_callback=url)).sid

    answer = fake.deliver(sid, "undelivered", error_code=30003)
    signature, params = captured.get(timeout=2)

    assert answer == 204
    assert RequestValidator(TOKEN).validate(url, params, signature) is True
    assert RequestValidator("another-token").validate(url, params, signature) is False
    assert params == {
        "MessageSid": sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
        "AccountSid": ACCOUNT_SID,
        "From": FROM,
        "To": TO,
        "ApiVersion": "2010-04-01",
    }
    assert _call(_messages_url(fake, sid))[1]["status"] == "undelivered"


def test_deliver_without_status_callback_is_refused(fake: FakeTwilio, sender: TwilioSender) -> None:
    sid = sender.send(_sms()).sid

    with pytest.raises(ValueError, match="no StatusCallback"):
        fake.deliver(sid)


def test_auto_callbacks_post_sent_then_delivered(
    callback_app: tuple[str, queue.Queue[Captured]],
) -> None:
    base_url, captured = callback_app
    with FakeTwilio(TOKEN, auto_callbacks=True) as fake:
        sender = TwilioSender(ACCOUNT_SID, TOKEN, api_url=fake.base_url)
        sid = sender.send(_sms(status_callback=f"{base_url}/twilio/status")).sid
        received = [captured.get(timeout=2)[1] for _ in range(2)]

    assert [(p["MessageSid"], p["MessageStatus"]) for p in received] == [
        (sid, "sent"),
        (sid, "delivered"),
    ]


# -- in memory ---------------------------------------------------------------------------------


def test_in_memory_sender_records_and_fails_on_demand() -> None:
    sender = InMemorySender()
    refusal = SendError.from_twilio(400, 21610)
    sender.fail_next(refusal)

    with pytest.raises(SendError) as caught:
        sender.send(_sms(TO))
    first = sender.send(_sms(TO))
    second = sender.send(_sms(OTHER))

    assert caught.value is refusal
    assert refusal.permanent_reason == "opted_out"
    assert [m.to for m in sender.messages] == [TO, OTHER]
    assert SID_PATTERN.match(first.sid)
    assert first.sid != second.sid


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"body": "Helo"}, id="no sender"),
        pytest.param({"from_": FROM}, id="no content"),
    ],
)
def test_outbound_sms_refuses_what_twilio_would_reject(fields: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="needs"):
        OutboundSms(to=TO, **fields)


# -- listing messages, to settle a send whose outcome was lost ------------------------------------

#: The paging fields around every Twilio list (api/v2010's Messages.json), besides `messages`.
LIST_FIELDS = {
    "end",
    "first_page_uri",
    "next_page_uri",
    "page",
    "page_size",
    "previous_page_uri",
    "start",
    "uri",
}


def _list(fake: FakeTwilio, **query: str) -> tuple[int, Any]:
    return _call(f"{_messages_url(fake)}?{urlencode(query)}")


def _hand_on(fake: FakeTwilio, sid: str) -> None:
    """Twilio passes the message to the carrier: it is `sent`, and has a date_sent."""
    with contextlib.suppress(OSError):  # nobody listens at the callback URL: moved on anyway
        fake.deliver(sid, "sent")


def test_list_is_twilio_shaped_newest_first_and_pages_by_token(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    sids = [sender.send(_sms(body=f"text {n}")).sid for n in range(5)]
    sender.send(_sms(OTHER))

    status, first = _list(fake, To=TO, PageSize="2")
    pages = [first]
    while pages[-1]["next_page_uri"]:
        status, page = _call(fake.base_url + pages[-1]["next_page_uri"])
        assert status == 200
        pages.append(page)

    assert status == 200
    assert set(first) == LIST_FIELDS | {"messages"}
    assert (first["page"], first["page_size"], first["start"], first["end"]) == (0, 2, 0, 1)
    assert first["previous_page_uri"] is None
    assert [m["sid"] for page in pages for m in page["messages"]] == sids[::-1]
    assert [len(page["messages"]) for page in pages] == [2, 2, 1]
    assert pages[1]["previous_page_uri"] is not None
    assert pages[-1]["next_page_uri"] is None


def test_list_filters_by_to_from_and_date_sent_as_twilio_does(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    handed_on = sender.send(_sms(status_callback="http://127.0.0.1:9/status")).sid
    still_queued = sender.send(_sms()).sid
    sender.send(_sms(OTHER))
    sender.send(_sms(from_="+447700900001"))
    _hand_on(fake, handed_on)
    today = datetime.now(UTC)

    def sids(**query: str) -> list[str]:
        status, payload = _list(fake, **query)
        assert status == 200, payload
        return [m["sid"] for m in payload["messages"]]

    assert sids(To=TO, From=FROM) == [still_queued, handed_on]
    assert sids(To=TO, From=FROM, **{"DateSent>": f"{today:%Y-%m-%d}"}) == [handed_on]
    assert sids(To=TO, **{"DateSent>": f"{today + timedelta(minutes=1):%Y-%m-%dT%H:%M:%SZ}"}) == []
    assert sids(To=TO, DateSent=f"{today:%Y-%m-%d}") == [handed_on]
    assert sids(To=TO, **{"DateSent<": f"{today - timedelta(days=1):%Y-%m-%d}"}) == []
    status, payload = _list(fake, To=TO, **{"DateSent>": "yesterday"})
    assert (status, payload["code"]) == (400, 20001)


def test_find_sent_finds_this_send_queued_or_sent_and_nothing_else(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=2)
    message = _sms(body="Diolch  ", status_callback="http://127.0.0.1:9/status")
    sent = sender.send(message).sid
    queued = sender.send(message).sid
    sender.send(_sms(body="Something else"))
    sender.send(_sms(OTHER, body="Diolch"))
    _hand_on(fake, sent)

    found = sender.find_sent(_sms(body="Diolch"), since)  # as normalised when it was sent

    assert sorted(result.sid for result in found) == sorted([sent, queued])
    assert {result.sid: result.status for result in found} == {sent: "sent", queued: "queued"}
    assert sender.find_sent(message, datetime.now(UTC) + timedelta(minutes=1)) == []


def test_find_sent_reads_every_page_of_what_twilio_sent(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    """More copies than fit on one page (50), every one handed on: all are found."""
    since = datetime.now(UTC) - timedelta(seconds=2)
    message = _sms(status_callback="http://127.0.0.1:9/status")
    sids = [sender.send(message).sid for _ in range(60)]
    for sid in sids:
        _hand_on(fake, sid)

    assert sorted(result.sid for result in sender.find_sent(message, since)) == sorted(sids)


def test_find_sent_through_a_messaging_service_matches_the_service(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=2)
    through_service = OutboundSms(to=TO, body="Helo", messaging_service_sid=SERVICE_SID)
    sid = sender.send(through_service).sid
    sender.send(_sms(body="Helo"))  # the same words from a plain number: another send

    assert [result.sid for result in sender.find_sent(through_service, since)] == [sid]


def test_find_sent_when_twilio_cannot_list_is_a_retryable_error(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    sender.send(_sms())
    fake.fail_next_listing(1)

    with pytest.raises(SendError) as caught:
        sender.find_sent(_sms(), datetime.now(UTC) - timedelta(minutes=1))

    assert caught.value.retryable
    assert TO not in str(caught.value)


def test_in_memory_sender_finds_what_it_recorded() -> None:
    sender = InMemorySender()
    since = datetime.now(UTC) - timedelta(seconds=1)
    first = sender.send(_sms(TO))
    sender.send(_sms(OTHER))

    assert sender.find_sent(_sms(TO), since) == [first]
    assert sender.find_sent(_sms(TO, body="Other words"), since) == []
