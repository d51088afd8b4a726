"""The issue's figure: one confirmed broadcast form posted twice at the same moment.

Two tabs of one officer send the same rendered "Send" form (the same one-time token) at once,
both past the check for a spent token before either has written anything, so only the
database's unique key can stop the second. With real Redis, the fake Twilio over HTTP and
the worker draining the queues: one broadcast, one outbox row and one text per resident, one
audit entry, and both tabs told something sensible (started; already sent, here it is).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import func, select

from admin import once
from bot.channels.fake_twilio import FakeTwilio
from bot.runtime.container import Container
from bot.store.models import AuditEvent, Broadcast, OutboxMessage
from tests.admin.conftest import add_accounts, form_fields, post_form
from tests.delivery.support import (  # noqa: F401  (fixtures)
    FLOW_ID,
    Harness,
    Resident,
    drama_number,
    fake,
    insert_residents,
    make_harness,
    redis_db,
)

pytestmark = pytest.mark.redis

RESIDENTS = 60
SEND = "/admin/broadcasts/send"


@pytest.fixture
def harness(database_url: str, make_harness: Callable[..., Harness]) -> Harness:  # noqa: F811
    return make_harness(database_url)


@pytest.fixture
def admin_services(harness: Harness) -> Container:
    """The admin's services are the harness's: Redis queues and the fake Twilio."""
    add_accounts(harness.services)
    return harness.services


def rows(services: Container, model: type, **where: object) -> int:
    with services.db.session() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return session.exec(statement).one()


def same_browser(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another tab of the browser `client` is: a client with its session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    tab = app.test_client()
    tab.set_cookie(name, cookie.value)
    return tab


def test_the_same_confirmed_broadcast_posted_twice_at_once_texts_each_resident_once(
    harness: Harness,
    admin_app: Flask,
    sign_in: Callable[[str], FlaskClient],
    fake: FakeTwilio,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    numbers = [drama_number(300 + index) for index in range(RESIDENTS)]
    insert_residents(harness.services, [Resident(number, "en") for number in numbers])
    officer = sign_in("officer")
    preview = post_form(
        officer,
        "/admin/broadcasts/preview",
        {"flow": FLOW_ID, "body_cy": "Diolch: dyma beth wnaethon ni.", "body_en": "Thank you."},
        token_from="/admin/broadcasts",
    )
    form = form_fields(preview.get_data(as_text=True), SEND)
    assert form["confirm_recipients"] == str(RESIDENTS)
    tabs = [officer, same_browser(admin_app, officer)]

    # Both submissions look for a spent token before either has spent it.
    both_looked = threading.Barrier(2, timeout=20)
    look = once.find_earlier

    def look_together(*args: object) -> object:
        found = look(*args)  # type: ignore[arg-type]
        both_looked.wait()
        return found

    monkeypatch.setattr(once, "find_earlier", look_together)
    responses: dict[int, object] = {}

    def click(index: int) -> None:
        responses[index] = tabs[index].post(SEND, data=form)

    threads = [threading.Thread(target=click, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    harness.run_worker()

    assert [responses[index].status_code for index in range(2)] == [302, 302]  # type: ignore[attr-defined]
    told = sorted(
        tabs[index].get(responses[index].location).get_data(as_text=True)  # type: ignore[attr-defined]
        for index in range(2)
    )
    assert sum("Broadcast started" in page for page in told) == 1
    assert sum("This was already sent: here is the broadcast." in page for page in told) == 1
    services = harness.services
    assert rows(services, Broadcast) == 1
    assert rows(services, OutboxMessage, purpose="broadcast") == RESIDENTS
    assert Counter(message.to for message in fake.messages) == Counter(numbers)
    assert rows(services, AuditEvent, action="broadcast_sent") == 1
