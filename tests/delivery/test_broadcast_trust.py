"""Broadcasts people can trust: held for quiet hours and saying until when, a test on the
officer's own phone first (now, and counted nowhere), targeting that reaches exactly whom the
preview counted, and the way to stop at the end of every text, within the segment budget."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.channels.fake_twilio import FakeTwilio
from bot.channels.sms import segment_info
from bot.core.broadcast_text import characters_over
from bot.core.broadcasts import HeldBroadcast, Targeting
from bot.store.counts import count_messages
from tests.delivery.support import (
    FLOW_ID,
    Harness,
    MovableClock,
    Resident,
    drama_number,
    insert_residents,
)

pytestmark = pytest.mark.redis

LONDON = ZoneInfo("Europe/London")
QUIET = {"QUIET_HOURS_START": "21:00", "QUIET_HOURS_END": "08:00"}
BODY_CY = "Diolch. Byddwn yn cysylltu eto yn y gwanwyn."
BODY_EN = "Thank you. We will be in touch again in the spring."
SENT_CY = f"{BODY_CY}\nAnfonwch STOPIO i orffen."
SENT_EN = f"{BODY_EN}\nSend STOP to stop."
OFFICER = "+447700900450"


def started(harness: Harness, targeting: Targeting | None = None) -> int:
    broadcasts = harness.services.broadcasts
    broadcast_id = broadcasts.create(
        FLOW_ID, BODY_CY, BODY_EN, "officer@example.test", targeting or Targeting()
    )
    broadcasts.start(broadcast_id)
    return broadcast_id


# -- held for quiet hours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "evening",
    [
        datetime(2027, 1, 13, 21, 34, tzinfo=LONDON),  # GMT
        datetime(2027, 7, 14, 21, 34, tzinfo=LONDON),  # BST: 20:34 UTC, still quiet hours
    ],
)
def test_a_broadcast_sent_at_night_says_it_is_held_until_quiet_hours_end_then_goes(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio, evening: datetime
) -> None:
    clock = MovableClock(evening.astimezone(UTC))
    harness = make_harness(sqlite_url, clock=clock, **QUIET)
    insert_residents(harness.services, [Resident(drama_number(1), "en"), Resident(drama_number(2))])
    broadcasts = harness.services.broadcasts
    broadcast_id = started(harness)
    harness.run_worker()

    assert fake.messages == []
    progress = broadcasts.progress(broadcast_id)
    eight = (evening + timedelta(days=1)).replace(hour=8, minute=0)  # 08:00 local, next day
    assert (progress.status, progress.counts) == ("sending", {"pending": 2})
    assert progress.held_until == eight
    assert f"{progress.held_until:%H:%M}" == "08:00"  # local time, in GMT and in BST
    assert broadcasts.held_broadcasts() == [HeldBroadcast(broadcast_id, FLOW_ID, 2, eight)]

    clock.set(eight)
    harness.run_worker()

    assert len(fake.messages) == 2
    assert broadcasts.held_broadcasts() == []
    progress = broadcasts.progress(broadcast_id)
    assert (progress.status, progress.held_until) == ("done", None)


def test_outside_quiet_hours_nothing_is_held(
    sqlite_url: str, make_harness: Callable[..., Harness]
) -> None:
    clock = MovableClock(datetime(2027, 1, 13, 12, 0, tzinfo=UTC))
    harness = make_harness(sqlite_url, clock=clock, **QUIET)
    insert_residents(harness.services, [Resident(drama_number(1))])
    broadcast_id = started(harness)

    assert harness.services.broadcasts.progress(broadcast_id).held_until is None
    assert harness.services.broadcasts.held_broadcasts() == []


# -- a test on the officer's own phone ----------------------------------------------------------


def test_a_test_reaches_the_officer_now_even_at_night_and_is_counted_nowhere(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    clock = MovableClock(datetime(2027, 1, 13, 21, 34, tzinfo=UTC))
    harness = make_harness(sqlite_url, clock=clock, **QUIET)
    insert_residents(harness.services, [Resident(drama_number(1))])
    with harness.services.db.session() as session:
        before = count_messages(session)

    sent = harness.services.broadcasts.send_test("07700 900450", BODY_CY, BODY_EN, user_id=None)
    harness.run_worker()

    assert (sent.masked_number, sent.sends) == ("07••• ••• 450", 2)
    assert [(m.to, m.body) for m in fake.messages] == [(OFFICER, SENT_CY), (OFFICER, SENT_EN)]
    with harness.services.db.session() as session:
        assert count_messages(session) == before  # no resident reached, in any figure
    assert harness.statuses(purpose="broadcast_test") == {"sent": 2}
    assert harness.services.broadcasts.held_broadcasts() == []


# -- targeting ----------------------------------------------------------------------------------

RESIDENTS = {
    "welsh_library": Resident(drama_number(10), "cy", partner_code="LIB1"),
    "english_library": Resident(drama_number(11), "en", partner_code="LIB1"),
    "food_bank_not_asking": Resident(drama_number(12), "en", hear_back=False, partner_code="FOOD1"),
    "declined": Resident(drama_number(13), "en", hear_back=False, consent=False),
    "never_chose": Resident(drama_number(14), None, hear_back=False),
    "opted_out": Resident(drama_number(15), "en", opted_out=True, partner_code="LIB1"),
    "test_data": Resident(drama_number(16), "en", is_test=True),
}


@pytest.mark.parametrize(
    ("targeting", "reached"),
    [
        (Targeting(), {"welsh_library", "english_library"}),
        (
            Targeting("took_part"),
            {"welsh_library", "english_library", "food_bank_not_asking", "never_chose"},
        ),
        (Targeting("took_part", language="en"), {"english_library", "food_bank_not_asking"}),
        (Targeting("took_part", partner_code="LIB1"), {"welsh_library", "english_library"}),
        (Targeting(partner_code="LIB1", language="cy"), {"welsh_library"}),
        (Targeting(partner_code="FOOD1"), set()),
    ],
)
def test_the_preview_counts_exactly_whom_the_send_writes_to(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    targeting: Targeting,
    reached: set[str],
) -> None:
    harness = make_harness(sqlite_url)
    ids = insert_residents(harness.services, RESIDENTS.values())
    preview = harness.services.broadcasts.preview(FLOW_ID, BODY_CY, BODY_EN, targeting)

    started(harness, targeting)

    texted = {row.participant_id for row in harness.outbox(purpose="broadcast")}
    assert texted == {ids[RESIDENTS[name].number] for name in reached}
    assert sum(preview.recipients.values()) == len(reached)


# -- how many characters to cut -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "a" * 500,  # GSM-7
        "€" * 300,  # GSM-7 extension characters: two septets each
        "ŵ" * 250,  # UCS-2
        "Helo 👋 " * 60,  # UCS-2 with characters of two units
    ],
)
def test_the_characters_to_cut_are_the_fewest_that_fit(body: str) -> None:
    cut = characters_over(body, 3)
    assert segment_info(body[: len(body) - cut]).segments <= 3
    assert segment_info(body[: len(body) - cut + 1]).segments > 3
