""" "You said, we did": one text per resident who asked to hear back, in their language, once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from redis import Redis

from bot.channels.fake_twilio import FakeTwilio
from bot.runtime.queue import QUEUE_ORDER
from bot.store.participants import erase_participant
from tests.delivery.support import (
    FLOW_ID,
    SMS_FROM,
    Harness,
    MovableClock,
    Resident,
    count_outbox,
    drama_number,
    insert_residents,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.redis

BODY_CY = "Diolch am eich atebion. Bydd y Cyngor yn gwirio cartrefi oer cyn yr ŵyl."
BODY_EN = "Thank you for your answers. The council will check cold homes first."
# As sent, each ends with how to stop. 98 characters with ŵ (outside GSM-7): UCS-2, 2 segments
# of 67; 87 plain characters: GSM-7, 1 segment.
SENT_CY = f"{BODY_CY}\nAnfonwch STOPIO i orffen."
SENT_EN = f"{BODY_EN}\nSend STOP to stop."
BOTH = f"{SENT_CY}\n\n{SENT_EN}"  # language unknown: Welsh first, then English


def residents() -> dict[str, list[Resident]]:
    """30 residents of the flow, by what a broadcast should do with them."""
    numbers = iter(drama_number(i) for i in range(100, 130))
    return {
        "cy": [Resident(next(numbers), "cy") for _ in range(10)],
        "en": [Resident(next(numbers), "en") for _ in range(9)],
        "unknown": [Resident(next(numbers), None) for _ in range(5)],
        "skipped": [
            Resident(next(numbers), "en", opted_out=True),
            Resident(next(numbers), "cy", opted_out=True),
            Resident(next(numbers), "en", hear_back=False),
            Resident(next(numbers), "en", is_test=True),
        ],
        "erased": [Resident(next(numbers), "cy")],
        # A WhatsApp resident inside the 24 h window is sent to as any other.
        "whatsapp": [Resident(next(numbers), "en", channel="whatsapp")],
    }


def populate(harness: Harness) -> dict[str, list[Resident]]:
    groups = residents()
    ids = insert_residents(harness.services, [r for group in groups.values() for r in group])
    with harness.services.db.session() as session:
        erase_participant(session, ids[groups["erased"][0].number])
    return groups


def expected_texts(groups: dict[str, list[Resident]]) -> dict[str, str]:
    """Twilio's To -> the one body that resident should get."""
    bodies = {"cy": SENT_CY, "en": SENT_EN, "unknown": BOTH, "whatsapp": SENT_EN}
    return {
        (f"whatsapp:{r.number}" if r.channel == "whatsapp" else r.number): bodies[group]
        for group, members in groups.items()
        if group in bodies
        for r in members
    }


def test_preview_counts_recipients_segments_and_cost(
    sqlite_url: str, make_harness: Callable[..., Harness]
) -> None:
    harness = make_harness(sqlite_url, PRICE_PER_SEGMENT=0.05)
    populate(harness)

    preview = harness.services.broadcasts.preview(FLOW_ID, BODY_CY, BODY_EN)

    assert preview.recipients == {"cy": 10, "en": 10, "both": 5}
    assert preview.encodings == {"cy": "UCS-2", "en": "GSM-7", "both": "UCS-2"}
    assert (len(SENT_CY), len(SENT_EN), len(BOTH)) == (98, 87, 187)
    # 98 and 187 UCS-2 characters: 2 and 3 parts of 67; 87 GSM-7 characters: one text.
    assert preview.segments_each == {"cy": 2, "en": 1, "both": 3}
    assert preview.total_segments == 10 * 2 + 10 * 1 + 5 * 3
    assert preview.estimated_cost == pytest.approx(45 * 0.05)
    assert count_outbox(harness.services) == 0  # a preview sends nothing


def test_each_resident_gets_it_once_in_their_language(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url)
    groups = populate(harness)
    broadcasts = harness.services.broadcasts
    broadcast_id = broadcasts.create(FLOW_ID, BODY_CY, BODY_EN, created_by="officer@example.test")

    assert broadcasts.start(broadcast_id) == 25
    assert broadcasts.start(broadcast_id) == 0  # a second click writes nothing new
    harness.run_worker()
    assert broadcasts.start(broadcast_id) == 0  # nor does one after sending
    harness.run_worker()

    expected = expected_texts(groups)
    assert Counter(m.to for m in fake.messages) == Counter(list(expected))
    assert {m.to: m.body for m in fake.messages} == expected
    assert {m.from_ for m in fake.messages if not m.to.startswith("whatsapp:")} == {SMS_FROM}
    progress = broadcasts.progress(broadcast_id)
    assert (progress.status, progress.counts) == ("done", {"sent": 25})
    assert count_outbox(harness.services) == 25


def test_pause_holds_the_rest_and_resume_sends_them(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url, clock=clock)
    groups = populate(harness)
    broadcasts = harness.services.broadcasts
    broadcast_id = broadcasts.create(FLOW_ID, BODY_CY, BODY_EN, created_by="officer@example.test")
    broadcasts.start(broadcast_id)

    harness.run_worker(max_jobs=10)
    assert len(fake.messages) == 10
    clock.advance(seconds=20)
    broadcasts.pause(broadcast_id)
    harness.run_worker()  # the worker reaches the rest while paused

    assert len(fake.messages) == 10
    progress = broadcasts.progress(broadcast_id)
    assert (progress.status, progress.counts) == ("paused", {"sent": 10, "pending": 15})

    clock.advance(minutes=5)
    broadcasts.resume(broadcast_id)
    harness.run_worker()

    assert Counter(m.to for m in fake.messages) == Counter(list(expected_texts(groups)))
    progress = broadcasts.progress(broadcast_id)
    assert (progress.status, progress.counts) == ("done", {"sent": 25})


def test_resume_sends_the_rest_even_when_paused_straight_after_starting(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    """An officer who spots a typo pauses within the second; the clock does not tick here."""
    harness = make_harness(sqlite_url, clock=clock)
    groups = populate(harness)
    broadcasts = harness.services.broadcasts
    broadcast_id = broadcasts.create(FLOW_ID, BODY_CY, BODY_EN, created_by="officer@example.test")
    broadcasts.start(broadcast_id)
    broadcasts.pause(broadcast_id)
    harness.run_worker()
    assert fake.messages == []

    broadcasts.resume(broadcast_id)
    harness.run_worker()

    assert Counter(m.to for m in fake.messages) == Counter(list(expected_texts(groups)))


def test_a_large_broadcast_is_written_and_queued_in_bulk(
    database_url: str, make_harness: Callable[..., Harness], redis_db: Redis
) -> None:
    """Ten thousand residents must not mean ten thousand round trips: the rows go in one
    statement per batch, and the jobs to Redis in one pipeline per batch."""
    harness = make_harness(database_url)
    insert_residents(harness.services, [Resident(drama_number(i), "en") for i in range(1200)])
    broadcasts = harness.services.broadcasts
    broadcast_id = broadcasts.create(FLOW_ID, BODY_CY, BODY_EN, created_by="officer@example.test")

    with count_queries(harness.services) as statements:
        assert broadcasts.start(broadcast_id) == 1200
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO OUTBOX")]
    assert len(inserts) == 3  # batches of 500
    assert count_outbox(harness.services) == 1200
    queued = sum(redis_db.llen(f"rq:queue:{name}") for name in QUEUE_ORDER)
    assert queued == 1200
    assert broadcasts.start(broadcast_id) == 0  # still once each
