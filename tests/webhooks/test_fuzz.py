"""Property tests: no form body, signed or not, makes the Twilio webhooks answer 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_container
from tests.helpers import signed_post
from tests.webhooks.support import load_payload
from wsgi import create_app

ALLOWED = {200, 204, 400, 403, 413, 503}
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

#: Characters that tend to break parsers, encoders and databases.
NASTY = st.sampled_from(
    ["\x00", "\r", "\n", "\t", "\x1b", "\u200f", "\u202e", "\u200b", "\ufeff", "😀", "ŵ", "²", "٣"]
)
#: Any character a form can carry (UTF-8 cannot encode lone surrogates, so neither can Twilio).
ANY_CHARACTER = st.characters(exclude_categories=["Cs"])
TEXT = st.one_of(
    st.text(alphabet=ANY_CHARACTER, max_size=40),
    st.text(alphabet=st.one_of(ANY_CHARACTER, NASTY), max_size=200),
    # Long texts (up to 5,000 characters) as a repeated run: as nasty, far cheaper to generate.
    st.builds(
        lambda run, times: (run * times)[:5000],
        st.text(alphabet=st.one_of(ANY_CHARACTER, NASTY), min_size=1, max_size=12),
        st.integers(min_value=100, max_value=5000),
    ),
    st.text(alphabet="0123456789", min_size=1, max_size=20),
    st.sampled_from(["9" * 4301, "1" * 5000]),  # past Python's int() digit limit
)
SIDS = st.one_of(
    st.from_regex(r"\A(SM|MM|sm|SN)[0-9a-f]{32}\Z"),
    st.just("SM" + "f" * 32 + "\n"),
    TEXT,
)
NUMBERS = st.one_of(
    st.sampled_from(
        ["+447700900123", "whatsapp:+447700900456", "07700900123", "whatsapp:", "+", "447700900"]
    ),
    st.from_regex(r"\A(whatsapp:)?\+?[0-9]{1,20}\Z"),
    TEXT,
)
COUNTS = st.one_of(st.from_regex(r"\A-?[0-9]{1,3}\Z"), st.sampled_from(["²", "٣", "1e3"]), TEXT)
STATUSES = st.one_of(
    st.sampled_from(["queued", "sent", "delivered", "failed", "read", "undelivered", "bogus_x"]),
    TEXT,
)
REAL_FIELDS = {
    "MessageSid": SIDS,
    "SmsMessageSid": SIDS,
    "AccountSid": SIDS,
    "From": NUMBERS,
    "To": NUMBERS,
    "Body": TEXT,
    "NumMedia": COUNTS,
    "NumSegments": COUNTS,
    "MediaUrl0": TEXT,
    "MediaContentType0": TEXT,
    "WaId": TEXT,
    "ProfileName": TEXT,
    "FromCity": TEXT,
    "MessageStatus": STATUSES,
    "ErrorCode": COUNTS,
}


#: Well-formed SIDs, so that most mutated payloads get past the first check.
FRESH_SIDS = st.from_regex(r"\A(SM|MM)[0-9a-f]{32}\Z")
RECORDED = [
    "inbound_sms",
    "inbound_whatsapp",
    "inbound_mms",
    "status_delivered",
    "status_failed",
]


@st.composite
def mutated_payloads(draw: st.DrawFn) -> dict[str, str]:
    """A recorded payload with a fresh SID and a few fields replaced, dropped or added."""
    form = load_payload(draw(st.sampled_from(RECORDED)))
    form["MessageSid"] = form["SmsSid"] = form["SmsMessageSid"] = draw(FRESH_SIDS)
    for name in draw(st.lists(st.sampled_from(sorted(REAL_FIELDS)), max_size=3, unique=True)):
        if draw(st.booleans()):
            form[name] = draw(REAL_FIELDS[name])
        else:
            form.pop(name, None)
    form.update(draw(st.dictionaries(TEXT, TEXT, max_size=2)))
    return form


@st.composite
def arbitrary_forms(draw: st.DrawFn) -> dict[str, str]:
    """Any of the real fields (each left out a quarter of the time) with any values, and more."""
    form = {
        name: draw(values)
        for name, values in REAL_FIELDS.items()
        if draw(st.integers(min_value=0, max_value=3))
    }
    form.update(draw(st.dictionaries(TEXT, TEXT, max_size=4)))
    return form


@pytest.fixture
def fuzz_app(sqlite_url: str) -> Iterator[Flask]:
    services = make_container(sqlite_url)
    yield create_app(services=services)
    services.db.engine.dispose()


@pytest.fixture
def fuzz_client(fuzz_app: Flask) -> FlaskClient:
    return fuzz_app.test_client()


@FUZZ
@given(
    form=st.one_of(mutated_payloads(), arbitrary_forms()),
    path=st.sampled_from(["/twilio/messages", "/twilio/status"]),
)
def test_signed_form_bodies_never_cause_a_server_error(
    fuzz_client: FlaskClient, form: dict[str, str], path: str
) -> None:
    response = signed_post(fuzz_client, path, form)

    assert response.status_code in ALLOWED, (response.status_code, response.data[:500])
    if response.status_code == 200 and path == "/twilio/messages":
        assert response.mimetype == "text/xml"


@FUZZ
@given(
    body=st.binary(max_size=5000),
    content_type=st.one_of(
        st.sampled_from(
            [
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=latin-1",
                "multipart/form-data",
                "multipart/form-data; boundary=xyz",
                "application/json",
                "text/plain",
                "application/octet-stream",
            ]
        ),
        # Any header value a client can send: Latin-1, no line breaks.
        st.text(alphabet=st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=80),
    ),
    path=st.sampled_from(["/twilio/messages", "/twilio/status"]),
)
def test_unsigned_raw_bodies_never_cause_a_server_error(
    fuzz_client: FlaskClient, body: bytes, content_type: str, path: str
) -> None:
    response = fuzz_client.post(path, data=body, headers={"Content-Type": content_type})

    assert response.status_code in ALLOWED, (response.status_code, response.data[:500])
    assert response.status_code != 200
