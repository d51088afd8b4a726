"""Delivery statuses are never lost and never move backwards, however Twilio's callbacks come:
reordered, repeated, or before the sender has saved the SID they are about."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.channels.addresses import parse_address
from bot.channels.sender import SendResult
from bot.core.inbound import InboundMessage
from bot.core.status import record_status
from bot.runtime.container import Container
from bot.store.messages import get_message_by_sid
from bot.store.models import EarlyStatus, Question
from tests.conftest import make_container
from tests.helpers import new_sid
from tests.webhooks.support import make_outbound

#: A resident of the real-send test (every generated case saves a text to a resident of its own).
ASKER = "+447700900456"
_sids = count(1)

#: How a text can really go at Twilio, from the status the send call returns to its last.
ENDINGS = st.sampled_from(
    [
        ["delivered"],
        ["delivered", "read"],
        ["partially_delivered"],
        ["partially_delivered", "read"],
        ["undelivered"],
        ["failed"],
        ["read"],  # WhatsApp: "read" can be the only report after "sent"
    ]
)


@st.composite
def lifecycles(draw: st.DrawFn) -> list[str]:
    """A status path Twilio could take: queued, perhaps sending, sent, then an outcome; or
    failed straight from the queue; or a scheduled text cancelled."""
    shape = draw(st.sampled_from(["sent", "failed_early", "cancelled", "still_sending"]))
    if shape == "failed_early":
        return ["queued", "failed"]
    if shape == "cancelled":
        return ["accepted", "scheduled", "canceled"]
    path = ["queued", *draw(st.sampled_from([[], ["sending"]])), "sent"]
    return path if shape == "still_sending" else path + draw(ENDINGS)


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[str], list[str], int]:
    """A lifecycle; the callbacks Twilio posts for it, some missing, some repeated, in any
    order, always including its last status; and how many come before the SID is saved."""
    path = draw(lifecycles())
    extra = draw(st.lists(st.sampled_from(path), max_size=6))
    callbacks = draw(st.permutations([path[-1], *extra]))
    early = draw(st.integers(min_value=0, max_value=len(callbacks)))
    return path, callbacks, early


@pytest.fixture(scope="module")
def sgwrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """One SQLite database for every generated case (each has a SID of its own), in memory-
    backed storage where the machine has it: a thousand cases are ten thousand commits."""
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("s")
    path = folder / "sgwrs.db"
    services = make_container(f"sqlite:///{path}")
    services.db.upgrade()
    yield services
    services.db.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def final_status(services: Container, sid: str) -> str:
    with services.db.session() as session:
        message = get_message_by_sid(session, sid)
        assert message is not None
        return message.status


def kept_early(services: Container, sid: str) -> int:
    with services.db.session() as session:
        return len(session.exec(select(EarlyStatus).where(EarlyStatus.twilio_sid == sid)).all())


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=deliveries())
def test_every_sequence_of_callbacks_ends_on_the_status_the_text_really_reached(
    sgwrs: Container, case: tuple[list[str], list[str], int]
) -> None:
    path, callbacks, early = case
    sid = f"SMfeed{next(_sids):028x}"
    for status in callbacks[:early]:
        assert record_status(sgwrs.db, sgwrs.vault, sid, status, None) is False
    make_outbound(sgwrs, sid, path[0])  # the sender saving the SID Twilio returned
    for status in callbacks[early:]:
        record_status(sgwrs.db, sgwrs.vault, sid, status, None)

    assert final_status(sgwrs, sid) == path[-1]
    assert kept_early(sgwrs, sid) == 0, "every early report was used once the SID landed"


def test_a_callback_before_the_sid_is_saved_is_applied_through_a_real_send(
    sgwrs: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twilio reports "delivered" while the sender is still between its HTTP call and saving
    the SID: the report is kept and the saved text ends "delivered", not "queued" for ever."""
    delivery = sgwrs.delivery
    sid = f"SMfeed{next(_sids):028x}"

    class FastTwilio:
        def send(self, *_args: object, **_kwargs: object) -> SendResult:
            record_status(sgwrs.db, sgwrs.vault, sid, "sent", None)
            record_status(sgwrs.db, sgwrs.vault, sid, "delivered", None)
            return SendResult(sid, "queued")

    monkeypatch.setattr(delivery, "sender", FastTwilio())
    for body in ("hi", "2", "ask when will you decide?"):
        sgwrs.inbound.receive(InboundMessage(new_sid(), parse_address(ASKER), body))
    with sgwrs.db.session() as session:
        (question_id,) = session.exec(select(Question.id)).all()
    assert question_id is not None
    ticket = sgwrs.questions.answer(question_id, "In March.")

    assert delivery.deliver(ticket.id) == "sent"
    assert final_status(sgwrs, sid) == "delivered"
    assert kept_early(sgwrs, sid) == 0
