"""The channel rules exist once: WhatsApp's 24-hour window and the normalised instant reply."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.channels import whatsapp
from bot.channels.sms import segment_info
from bot.channels.twiml import message_reply
from bot.runtime.config import PROJECT_ROOT
from tests.conftest import make_container
from tests.helpers import inbound_params, signed_post
from tests.webhooks.support import twiml_messages
from wsgi import create_app

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("silent_for", "open_"),
    [
        (timedelta(hours=23, minutes=59, seconds=59), True),
        (timedelta(hours=24), False),  # the two old copies disagreed exactly here
        (timedelta(hours=24, seconds=1), False),
    ],
)
def test_the_whatsapp_window_closes_at_24_hours(silent_for: timedelta, open_: bool) -> None:
    assert whatsapp.window_open(NOW - silent_for, NOW) is open_


def test_a_resident_who_never_wrote_has_no_window() -> None:
    assert whatsapp.window_open(None, NOW) is False


def test_the_template_follows_the_language_and_welsh_comes_first() -> None:
    templates = {"cy": "HXcy", "en": "HXen"}
    assert whatsapp.template_for("en", templates) == "HXen"
    assert whatsapp.template_for(None, templates) == "HXcy"
    assert whatsapp.template_for("en", {"cy": "HXcy", "en": ""}) is None


def test_the_twiml_reply_is_normalised_like_an_outbox_send() -> None:
    xml = message_reply("It\u2019s \u201cfine\u201d \u2013 really\u2026")
    assert twiml_messages(xml.encode()) == ['It\'s "fine" - really...']


def test_silence_is_an_empty_response() -> None:
    assert twiml_messages(message_reply(None).encode()) == []
    assert "<Message" not in message_reply("   ")


def test_a_curly_quote_in_a_flow_does_not_make_the_instant_reply_ucs2(
    tmp_path: Path, sqlite_url: str
) -> None:
    """Signed inbound text, real flow files with a pasted curly apostrophe in the welcome."""
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    welcome = flows / "welcome.yaml"
    text = welcome.read_text(encoding="utf-8")
    assert "Reply 2 for English." in text
    welcome.write_text(text.replace("Reply 2 for English.", "Reply 2 \u2018English\u2019."))
    container = make_container(sqlite_url, flows_dir=str(flows))
    client = create_app(services=container).test_client()
    response = signed_post(client, "/twilio/messages", inbound_params("+447700900123", "hi"))
    assert response.status_code == 200
    [reply] = twiml_messages(response.data)
    assert "Reply 2 'English'." in reply
    assert segment_info(reply).encoding == "GSM-7"
    container.db.engine.dispose()
