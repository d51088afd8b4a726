"""Retention a council's DPIA can rely on: residents silent for RETENTION_DAYS are erased by the
daily sweep, row by row in every table; opt-outs stay; the overview reads the same after.

Residents text through the real service while a clock the test moves stands in for the months
between them; the sweep is the one the worker and the embedded pump run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import Column, Table, func, or_, select
from sqlmodel import SQLModel, col

from bot.channels.addresses import parse_address
from bot.core import retention
from bot.core.reports import Overview, build_overview
from bot.runtime.config import load_settings
from bot.runtime.container import Container, build_container
from bot.runtime.queue import outbox_job_id
from bot.store.models import (
    Answer,
    AnswerTheme,
    AuditEvent,
    OptOut,
    Participant,
    Receipt,
    RetainedTotal,
    Theme,
    Timer,
)
from tests.admin import test_overview_truth as truth
from tests.admin.conftest import TO_HOPES, add_accounts, post_form, sign_in_as, talk
from tests.conftest import settings_for
from tests.delivery.support import Harness, MovableClock
from wsgi import create_app

START = datetime(2026, 1, 5, 12, tzinfo=UTC)
RETENTION = timedelta(days=365)
EARLY = "+447700900201"  # LIB1's, texts in January 2026
LATER = "whatsapp:+447700900202"  # Welsh on WhatsApp, 40 days on: February
RECENT = "+447700900203"  # FOOD1's, 300 days on
COMPLETE = ("Warm homes", "Being watched", "More help", "no", "1")
#: The sweep that takes EARLY: half a day before LATER's time is up.
FIRST_SWEEP = START + timedelta(days=40) + RETENTION - timedelta(hours=12)


def container_on(database_url: str, clock: MovableClock, **settings: object) -> Container:
    """The services as a worker builds them, on this database, at the test's clock."""
    values = settings_for(database_url, **settings)
    return build_container(load_settings(values, environ={}), clock=clock)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START)


@pytest.fixture
def sgwrs(database_url: str, clock: MovableClock) -> Iterator[Container]:
    built = container_on(database_url, clock)
    yield built
    built.db.engine.dispose()


# -- what the database holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """The ids of every row about some residents, table by table, and their numbers' hashes."""

    ids: dict[str, set[int]]
    hashes: set[str]


def held_about(services: Container, number: str) -> Held:
    """Every participant who used the number, and each row of theirs in a table that has a
    participant_id (read from SQLModel.metadata, so a new table is covered as it is added)."""
    tables = SQLModel.metadata.tables
    address = parse_address(number)
    with services.db.session() as session:
        participants = session.execute(
            select(Participant.id, Participant.number_hash).where(
                Participant.number_hash == services.vault.hash_number(address.number)
            )
        ).all()
        pids = {pid for pid, _ in participants}
        ids = {"participants": pids}
        for table in tables.values():
            if "participant_id" in table.c:
                rows = select(_key(table)).where(table.c.participant_id.in_(pids))
                ids[table.name] = set(session.execute(rows).scalars())
    return Held(ids, {number_hash for _, number_hash in participants})


def _key(table: Table) -> Column[Any]:
    """The table's key: its id, or participant_id where a row is one per resident."""
    return table.c.id if "id" in table.c else table.c.participant_id


def rows_pointing_at(services: Container, held: Held) -> dict[str, int]:
    """Rows in any table that are one of `held`, point at one by a foreign key, or carry one of
    its number hashes (opt_outs aside: the test checks it is kept)."""
    found = {}
    with services.db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            matches = []
            if table.name in held.ids:
                matches.append(_key(table).in_(held.ids[table.name]))
            for column in table.c:
                for key in column.foreign_keys:
                    if key.column.table.name in held.ids:
                        matches.append(column.in_(held.ids[key.column.table.name]))
            if "number_hash" in table.c and table.name != OptOut.__tablename__:
                matches.append(table.c.number_hash.in_(held.hashes))
            if matches:
                statement = select(func.count()).select_from(table).where(or_(*matches))
                if count := session.execute(statement).scalar_one():
                    found[table.name] = count
    return found


def kept_rows(services: Container, held: Held) -> dict[str, int]:
    """rows_pointing_at, with timers counted only while pending: finished timers go after a
    week for everyone, not only for residents past retention."""
    rows = rows_pointing_at(services, held)
    pending = select(func.count()).where(
        col(Timer.participant_id).in_(held.ids["participants"]), Timer.status == "pending"
    )
    with services.db.session() as session:
        rows["timers"] = session.execute(pending).scalar_one()
    return rows


def overview(services: Container, partner_code: str | None = None) -> Overview:
    with services.db.session() as session:
        return build_overview(
            session,
            services.library,
            price_per_segment=services.settings.price_per_segment,
            price_per_voice_minute=services.settings.price_per_voice_minute,
            today=services.clock().date(),
            partner_code=partner_code,
        )


def same_figures(before: Overview, after: Overview) -> None:
    """Every figure the page shows, per flow and in all, exactly as it was."""
    assert after.flows == before.flows
    assert after.messages == before.messages
    assert after.by_channel == before.by_channel


def views(services: Container) -> dict[str | None, Overview]:
    """The overview as an officer sees it, and as each partner does."""
    return {code: overview(services, code) for code in (None, "LIB1", "FOOD1", "HWB1")}


def count(services: Container, model: type[SQLModel]) -> int:
    with services.db.session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def receipts_holding_anything(services: Container) -> int:
    """Receipts are kept for ever as a SID digest; what they hold besides must go."""
    holding = (col(Receipt.reply).is_not(None)) | (col(Receipt.inbound_encrypted).is_not(None))
    with services.db.session() as session:
        statement = select(func.count()).select_from(Receipt).where(holding)
        return session.execute(statement).scalar_one()


def retained_residents(services: Container) -> dict[tuple[str, str], int]:
    with services.db.session() as session:
        rows = session.execute(
            select(RetainedTotal.period, RetainedTotal.partner_code, RetainedTotal.count).where(
                RetainedTotal.figure == "residents"
            )
        ).all()
    return {(period, partner): n for period, partner, n in rows}


# -- residents -----------------------------------------------------------------------------------


def residents_over_a_year(sgwrs: Container, clock: MovableClock) -> None:
    """EARLY finishes the flow, asks a question an officer answers, has a hope tagged and said
    STOP at the end; LATER stops half-way in Welsh with a question; RECENT finishes."""
    talk(sgwrs, EARLY, "LIB1", *TO_HOPES[1:], *COMPLETE, "ASK will my landlord be told?")
    [question] = sgwrs.questions.open_questions()
    sgwrs.questions.answer(question.id, "No, never.")
    tag_a_hope(sgwrs, EARLY)
    opt_out(sgwrs, EARLY)
    clock.advance(days=40)
    talk(sgwrs, LATER, "hi", "1", "nesaf", "nesaf", "GOFYN a fydd fy landlord yn cael gwybod?")
    clock.advance(days=260)
    talk(sgwrs, RECENT, "FOOD1", *TO_HOPES[1:], *COMPLETE)


def tag_a_hope(services: Container, number: str) -> None:
    [pid] = held_about(services, number).ids["participants"]
    with services.db.session() as session:
        hope = session.execute(
            select(Answer.id).where(Answer.participant_id == pid, Answer.kind == "hope")
        ).scalar_one()
        theme = Theme(name="Warmth", created_at=START)
        session.add(theme)
        session.flush()
        session.add(AnswerTheme(answer_id=hope, theme_id=theme.id or 0))


def opt_out(services: Container, number: str) -> None:
    """The number on the opt-out list, as STOP leaves it."""
    address = parse_address(number)
    with services.db.session() as session:
        session.add(
            OptOut(
                number_hash=services.vault.hash_number(address.number),
                number_encrypted=services.vault.seal(address.number),
                source="resident",
                opted_out_at=START,
            )
        )


def audit_reason(services: Container, at: datetime, target: str) -> int:
    """An officer revealed a number, typing why: the kind of entry that keeps their words."""
    with services.db.session() as session:
        event = AuditEvent(
            at=at,
            action="number_revealed",
            target=target,
            reason_encrypted=services.vault.seal("Mrs Evans asked me to ring her"),
        )
        session.add(event)
        session.flush()
        return event.id or 0


def reason_of(services: Container, event_id: int) -> str | None:
    with services.db.session() as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None, "the audit event itself must stay"
        return event.reason_encrypted


# -- the tests -----------------------------------------------------------------------------------


def test_the_daily_sweep_erases_every_row_of_residents_past_retention_and_no_one_else(
    sgwrs: Container, clock: MovableClock, database_url: str
) -> None:
    residents_over_a_year(sgwrs, clock)
    early, later, recent = (held_about(sgwrs, n) for n in (EARLY, LATER, RECENT))
    for table in ("participants", "conversations", "messages", "answers", "questions", "outbox"):
        assert early.ids[table], f"the set-up left EARLY nothing in {table}"
    assert rows_pointing_at(sgwrs, early)["answer_themes"] == 1
    later_rows, recent_rows = kept_rows(sgwrs, later), kept_rows(sgwrs, recent)
    old_reason = audit_reason(sgwrs, START, f"participant:{min(recent.ids['participants'])}")
    clock.set(FIRST_SWEEP)
    new_reason = audit_reason(sgwrs, clock() - timedelta(days=1), "export")
    assert receipts_holding_anything(sgwrs) > 0
    before = views(sgwrs)

    swept = sgwrs.sweep.run()

    assert swept["purged"] == 1
    assert rows_pointing_at(sgwrs, early) == {}
    assert kept_rows(sgwrs, later) == later_rows
    assert kept_rows(sgwrs, recent) == recent_rows
    assert receipts_holding_anything(sgwrs) == 0  # a week old at most, never past retention
    assert count(sgwrs, OptOut) == 1  # what stops us texting EARLY again
    assert reason_of(sgwrs, old_reason) is None
    assert reason_of(sgwrs, new_reason) is not None
    for code, view in views(sgwrs).items():
        same_figures(before[code], view)
    assert overview(sgwrs).erased_residents == 1
    assert overview(sgwrs, "LIB1").erased_residents == 1
    assert overview(sgwrs, "FOOD1").erased_residents == 0
    assert retained_residents(sgwrs) == {("2026-01", "LIB1"): 1}

    # LATER's time is up half a day later; a restarted worker sweeps the same day: not yet.
    clock.advance(hours=13)
    restarted = container_on(database_url, clock)
    try:
        assert restarted.sweep.run()["purged"] == 0
        assert kept_rows(restarted, later) == later_rows

        # A day after the last run, the purge runs again and takes LATER.
        clock.set(FIRST_SWEEP + timedelta(days=1))
        before = views(restarted)
        assert restarted.sweep.run()["purged"] == 1
    finally:
        restarted.db.engine.dispose()
    assert rows_pointing_at(sgwrs, later) == {}
    assert kept_rows(sgwrs, recent) == recent_rows
    for code, view in views(sgwrs).items():
        same_figures(before[code], view)
    assert overview(sgwrs).erased_residents == 2
    assert retained_residents(sgwrs) == {("2026-01", "LIB1"): 1, ("2026-02", ""): 1}


def test_every_figure_is_the_same_after_the_purge(database_url: str, clock: MovableClock) -> None:
    """The overview's seeded truth (consent four ways, partners, channels, languages, the
    funnel with reactions and skips, texts and cost) survives the purge of everyone in it."""
    sgwrs = container_on(database_url, clock)
    try:
        truth.seed(sgwrs, truth.RESIDENTS)
        clock.set(truth.NOON + RETENTION + timedelta(days=1))
        before = views(sgwrs)
        assert before[None].flows[0].totals.started == 10

        assert sgwrs.sweep.run()["purged"] == len(truth.RESIDENTS)

        assert count(sgwrs, Participant) == 0
        after = views(sgwrs)
        for code, view in after.items():
            same_figures(before[code], view)
        assert after[None].erased_residents == 10  # the test resident counts nowhere
        assert after["LIB1"].erased_residents == 3
    finally:
        sgwrs.db.engine.dispose()


def test_a_resident_who_asks_to_be_erased_leaves_no_totals_behind(
    sgwrs: Container, clock: MovableClock
) -> None:
    talk(sgwrs, EARLY, "LIB1", *TO_HOPES[1:], *COMPLETE)
    talk(sgwrs, RECENT, *TO_HOPES, *COMPLETE)
    started = overview(sgwrs).flows[0].totals.started

    talk(sgwrs, EARLY, "DELETE", "YES")
    clock.advance(days=1)
    sgwrs.sweep.run()

    assert count(sgwrs, RetainedTotal) == 0
    assert overview(sgwrs).erased_residents == 0
    assert overview(sgwrs).flows[0].totals.started == started - 1


def test_no_receipt_outlives_retention_whatever_the_housekeeping_period(
    database_url: str, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "HOUSEKEEPING_AFTER", timedelta(days=3650))
    sgwrs = container_on(database_url, clock, RETENTION_DAYS=2)
    try:
        talk(sgwrs, EARLY, "hi")
        clock.advance(days=1)
        talk(sgwrs, RECENT, "hi")
        clock.advance(days=1, minutes=1)

        sgwrs.sweep.run()

        assert receipts_holding_anything(sgwrs) == 1  # RECENT's, a day old
        assert held_about(sgwrs, EARLY).ids["participants"] == set()
    finally:
        sgwrs.db.engine.dispose()


def test_the_dry_run_says_what_would_go_and_changes_nothing(
    sgwrs: Container, clock: MovableClock
) -> None:
    residents_over_a_year(sgwrs, clock)
    clock.set(FIRST_SWEEP)
    early = held_about(sgwrs, EARLY)
    held = rows_pointing_at(sgwrs, early)
    before = views(sgwrs)

    preview = retention.preview_purge(sgwrs.db, RETENTION, clock)

    assert preview.residents == 1
    assert preview.rows["messages"] == len(early.ids["messages"])
    assert preview.rows["answer_themes"] == 1
    assert preview.receipts > 0
    assert rows_pointing_at(sgwrs, early) == held
    assert count(sgwrs, RetainedTotal) == 0
    assert views(sgwrs) == before
    assert sgwrs.sweep.run()["purged"] == 1  # the dry run did not count as today's run


def test_the_overview_says_its_figures_include_erased_residents_in_both_languages(
    sgwrs: Container, clock: MovableClock
) -> None:
    add_accounts(sgwrs)
    app = create_app(services=sgwrs)
    officer = sign_in_as(app, sgwrs, "officer")
    talk(sgwrs, EARLY, *TO_HOPES, *COMPLETE)
    talk(sgwrs, RECENT, *TO_HOPES)
    assert 'id="retained-totals"' not in officer.get(truth.PAGE).get_data(as_text=True)
    clock.advance(days=365, minutes=1)
    talk(sgwrs, RECENT, "next")

    sgwrs.sweep.run()

    officer = sign_in_as(app, sgwrs, "officer")  # a year on, the session has long ended
    page = officer.get(truth.PAGE).get_data(as_text=True)
    assert (
        "These figures include 1 resident whose data was erased after the retention period:"
        " only their counts are kept." in page
    )
    assert "counts only residents whose data is still held" in page
    post_form(
        officer, "/admin/language", {"language": "cy", "next": truth.PAGE}, token_from=truth.PAGE
    )
    page = officer.get(truth.PAGE).get_data(as_text=True)
    assert "Mae'r ffigurau hyn yn cynnwys 1 preswylydd" in page.replace("&#39;", "'")


@pytest.mark.redis
def test_the_purge_takes_their_queued_jobs_off_redis(
    database_url: str, make_harness: Callable[..., Harness], clock: MovableClock, redis_db: Redis
) -> None:
    harness = make_harness(database_url, clock=clock)
    question_id = harness.ask(EARLY, "when will you decide?")
    job = f"rq:job:{outbox_job_id(harness.services.questions.answer(question_id, 'In March.'))}"
    assert redis_db.exists(job)
    clock.advance(days=366)

    assert harness.sweep()["purged"] == 1

    assert not redis_db.exists(job)
    harness.run_worker()
    assert harness.fake.sent_to(EARLY) == []
