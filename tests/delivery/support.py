"""Fixtures for the delivery tests: real Redis, a fake Twilio over HTTP, a clock the test moves.

A `Harness` is one process's services (built exactly as the worker builds them) plus what a
test needs to play the other parts: a resident texting in, an RQ worker draining the queues,
and RQ's scheduler. RQ's scheduler runs on wall-clock time, which a test cannot move; so
`release_scheduled` does what it does (move jobs whose whole-second score has come from the
scheduled registry to their queue), but as of the services' clock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import create_engine, func, inspect, text
from sqlmodel import select
from werkzeug.serving import make_server

from bot.channels.addresses import parse_address
from bot.channels.fake_twilio import FakeTwilio
from bot.core.inbound import InboundMessage
from bot.engine.state import SessionState
from bot.runtime import jobs
from bot.runtime.clock import Clock, utc_now
from bot.runtime.config import PROJECT_ROOT, load_settings
from bot.runtime.container import Container, build_container
from bot.runtime.queue import QUEUE_ORDER
from bot.store.models import Conversation, Message, OutboxMessage, Participant, Question
from tests.conftest import TEST_AUTH_TOKEN, settings_for, worker_redis_url
from tests.helpers import new_sid
from wsgi import create_app

#: TWILIO_FROM_SMS as tests.conftest.settings_for sets it.
SMS_FROM = "+447700900999"
WHATSAPP_FROM = "whatsapp:+447700900998"
FLOW_ID = "energy-data"

#: What every delivery test runs with unless it is about these: no quiet hours, no pacing.
DEFAULTS: dict[str, Any] = {
    "SEND_RATE_PER_SECOND": 500,
    "QUIET_HOURS_START": "00:00",
    "QUIET_HOURS_END": "00:00",
    "TWILIO_FROM_WHATSAPP": WHATSAPP_FROM,
}


def drama_number(index: int) -> str:
    """The index-th number from Ofcom's ranges for drama (never a real resident's)."""
    ranges = ("+447700900", "+441134960", "+442079460", "+441632960", "+441144960")
    block, offset = divmod(index, 1000)
    return f"{ranges[block]}{offset:03d}"


# -- time ----------------------------------------------------------------------------------------


class MovableClock:
    """A clock that stands still until the test moves it (whole seconds, so job ids are stable)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = (start or utc_now()).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        if moment < self.now:
            raise ValueError("the clock only moves forwards")
        self.now = moment.astimezone(UTC)
        return self.now


class InProcessWorker(SimpleWorker):
    """RQ's SimpleWorker without its pub/sub listener for `rq` commands (nobody sends any in a
    test), whose shutdown costs a second per burst."""

    def subscribe(self) -> None:
        pass

    def unsubscribe(self) -> None:
        pass


# -- services ------------------------------------------------------------------------------------


@dataclass
class Harness:
    services: Container
    fake: FakeTwilio
    redis: Redis
    clock: Clock
    queues: list[Queue] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.queues = [
            Queue(name, connection=self.redis, serializer=JSONSerializer) for name in QUEUE_ORDER
        ]

    @property
    def settings(self) -> Any:
        return self.services.settings

    def close(self) -> None:
        self.services.db.engine.dispose()
        if self.services.redis is not None:
            self.services.redis.close()

    # -- residents -------------------------------------------------------------------------------

    def text(self, sender: str, body: str) -> str | None:
        """A resident's text arriving through the webhook's code path; returns the reply."""
        message = InboundMessage(new_sid(), parse_address(sender), body)
        return self.services.inbound.receive(message).reply

    def texts(self, sender: str, *bodies: str) -> list[str | None]:
        return [self.text(sender, body) for body in bodies]

    def ask(self, sender: str, question: str, language: str = "en") -> int:
        """A new resident picks a language and asks a question no FAQ answers; its id."""
        self.texts(sender, "Hi", "1" if language == "cy" else "2")
        return self.ask_again(sender, question)

    def ask_again(self, sender: str, question: str) -> int:
        """A resident already talking to the bot asks a question no FAQ answers; its id."""
        before = {q.id for q in self.services.questions.open_questions()}
        reply = self.text(sender, f"ASK {question}")
        asked = [q for q in self.services.questions.open_questions() if q.id not in before]
        assert len(asked) == 1, f"the question was not queued for an officer: {reply!r}"
        return asked[0].id

    # -- the worker's side -----------------------------------------------------------------------

    def release_scheduled(self) -> int:
        """RQ's scheduler, run at the services' clock: queue jobs whose whole second has come."""
        now = int(self.clock().timestamp())
        released = 0
        for queue in self.queues:
            registry = queue.scheduled_job_registry
            ids = registry.get_jobs_to_schedule(now)
            for job_id, job in zip(
                ids,
                Job.fetch_many(ids, connection=self.redis, serializer=JSONSerializer),
                strict=True,
            ):
                registry.remove(job_id)
                if job is not None:
                    queue.enqueue_job(job)
                    released += 1
        return released

    def run_worker(self, *, max_jobs: int | None = None, allow_failed: bool = False) -> int:
        """Drain the queues in this process, as `sgwrs worker` would by the clock's time.

        Repeats scheduler + burst until neither finds anything (a job can schedule another for
        now). With `max_jobs`, runs at most that many jobs once. Returns the rounds run. A job
        that raised fails the test unless `allow_failed`: a worker crash is never expected.
        """
        jobs.use_container(self.services)
        rounds = 0
        try:
            while True:
                released = self.release_scheduled()
                worker = InProcessWorker(
                    self.queues, connection=self.redis, serializer=JSONSerializer
                )
                ran = worker.work(burst=True, with_scheduler=False, max_jobs=max_jobs)
                rounds += 1
                if max_jobs is not None or (not released and not ran):
                    break
        finally:
            jobs.use_container(None)
        if not allow_failed:
            assert self.failed_jobs() == [], "a delivery job raised; see the captured log"
        return rounds

    def failed_jobs(self) -> list[str]:
        return [job for queue in self.queues for job in queue.failed_job_registry.get_job_ids()]

    def sweep(self) -> dict[str, int]:
        return self.services.sweep.run()

    def queued(self) -> int:
        return sum(queue.count for queue in self.queues)

    # -- what the database says ------------------------------------------------------------------

    def participant(self, number: str) -> Participant:
        address = parse_address(number)
        number_hash = self.services.vault.hash_number(address.number)
        with self.services.db.session() as session:
            found = session.exec(
                select(Participant)
                .where(Participant.number_hash == number_hash)
                .where(Participant.channel == address.channel)
                .order_by(Participant.id.desc())  # type: ignore[union-attr]
            ).first()
        assert found is not None, "no participant for that number"
        return found

    def outbox(self, **where: Any) -> list[OutboxMessage]:
        with self.services.db.session() as session:
            statement = select(OutboxMessage).order_by(OutboxMessage.id)  # type: ignore[arg-type]
            for name, value in where.items():
                statement = statement.where(getattr(OutboxMessage, name) == value)
            return list(session.exec(statement))

    def outbox_row(self, outbox_id: int) -> OutboxMessage:
        with self.services.db.session() as session:
            row = session.get(OutboxMessage, outbox_id)
        assert row is not None
        return row

    def message(self, message_id: int | None) -> Message:
        with self.services.db.session() as session:
            message = session.get(Message, message_id)
        assert message is not None
        return message

    def statuses(self, **where: Any) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.outbox(**where):
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    def conversation_status(self, participant_id: int | None) -> str:
        with self.services.db.session() as session:
            conversation = session.exec(
                select(Conversation)
                .where(Conversation.participant_id == participant_id)
                .where(Conversation.flow_id == FLOW_ID)
                .order_by(Conversation.id.desc())  # type: ignore[union-attr]
            ).first()
        assert conversation is not None
        return conversation.status

    def question(self, question_id: int) -> Question:
        with self.services.db.session() as session:
            question = session.get(Question, question_id)
        assert question is not None
        return question


def worker_settings(database_url: str, fake: FakeTwilio, **overrides: Any) -> dict[str, Any]:
    """The environment a delivery process gets: this Redis, the fake Twilio and its token."""
    values = {
        **DEFAULTS,
        "REDIS_URL": worker_redis_url(),
        "TWILIO_API_URL": fake.base_url,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        **overrides,
    }
    return settings_for(database_url, **values)


def build_harness(
    database_url: str,
    fake: FakeTwilio,
    redis: Redis,
    clock: Clock = utc_now,
    **overrides: Any,
) -> Harness:
    settings = load_settings(worker_settings(database_url, fake, **overrides), environ={})
    return Harness(build_container(settings, clock=clock), fake, redis, clock)


# -- residents in bulk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resident:
    """A participant row written directly (a broadcast only needs these, not a conversation)."""

    number: str
    language: str | None = "en"
    hear_back: bool = True
    opted_out: bool = False
    is_test: bool = False
    channel: str = "sms"
    partner_code: str | None = None
    consent: bool = True


def insert_residents(services: Container, residents: Iterable[Resident]) -> dict[str, int]:
    """Participants who finished the flow just now, as the inbound desk leaves them;
    number -> participant id."""
    residents = list(residents)
    now = utc_now()
    with services.db.session() as session:
        rows = [
            Participant(
                channel=resident.channel,
                number_hash=services.vault.hash_number(resident.number),
                number_encrypted=services.vault.seal(resident.number),
                language=resident.language,
                partner_code=resident.partner_code,
                consent=resident.consent,
                consent_at=now if resident.consent else None,
                hear_back=resident.hear_back,
                opted_out=resident.opted_out,
                opted_out_at=now if resident.opted_out else None,
                is_test=resident.is_test,
                state=SessionState(
                    flow_id=FLOW_ID,
                    step_id="thanks",
                    language=resident.language,  # type: ignore[arg-type]
                    status="completed",
                    consent=resident.consent,
                    last_inbound_at=now,
                ).to_json(),
                created_at=now,
                last_inbound_at=now,
            )
            for resident in residents
        ]
        session.add_all(rows)
        session.flush()
        session.add_all(
            Conversation(
                participant_id=row.id or 0,
                flow_id=FLOW_ID,
                flow_version=1,
                status="completed",
                started_at=now,
                ended_at=now,
            )
            for row in rows
        )
        return {resident.number: row.id or 0 for resident, row in zip(residents, rows, strict=True)}


def count_outbox(services: Container) -> int:
    with services.db.session() as session:
        return session.exec(select(func.count()).select_from(OutboxMessage)).one()


# -- worker processes ----------------------------------------------------------------------------


class WorkerProcess:
    """`sgwrs worker` as its own process group (it forks RQ's scheduler), logging to a file."""

    def __init__(self, settings: dict[str, Any], log_path: Path) -> None:
        self.log_path = log_path
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        env.update({name: str(value) for name, value in settings.items()})
        env["PYTHONUNBUFFERED"] = "1"
        script = Path(sys.executable).parent / "sgwrs"
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(script), "worker"],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_listening(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while "worker: queues" not in self.log_path.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no clean-up runs."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def redis_db(redis_client: Redis) -> Redis:
    """This xdist worker's own Redis database, emptied before and after (tests/conftest.py)."""
    return redis_client


class TimedFakeTwilio(FakeTwilio):
    """The fake, also noting when (time.monotonic) it accepted each message, by SID."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accepted_at: dict[str, float] = {}

    def _create(self, account_sid: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        status, payload = super()._create(account_sid, form)
        if status == 201:
            self.accepted_at[payload["sid"]] = time.monotonic()
        return status, payload


@pytest.fixture
def fake() -> Iterator[TimedFakeTwilio]:
    twilio = TimedFakeTwilio(auth_token=TEST_AUTH_TOKEN)
    twilio.start()
    yield twilio
    twilio.stop()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def make_harness(redis_db: Redis, fake: FakeTwilio) -> Iterator[Callable[..., Harness]]:
    """make_harness(database_url, clock=..., **settings): services wired to Redis and the fake."""
    built: list[Harness] = []

    def make(database_url: str, *, clock: Clock = utc_now, **overrides: Any) -> Harness:
        harness = build_harness(database_url, fake, redis_db, clock, **overrides)
        built.append(harness)
        return harness

    yield make
    for harness in built:
        harness.close()


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """This worker's PostgreSQL test database with every table emptied (all of them: the core
    fixture's list leaves out broadcasts and timers)."""
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
        with engine.begin() as connection:
            quoted = ", ".join(f'"{name}"' for name in names)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return postgres_url


class AppServer:
    """The Flask app on a real local port, so the fake's signed status callbacks reach it."""

    def __init__(self) -> None:
        self._app: Flask | None = None
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self._app is not None, "mount the app before calling it"
        return self._app(environ, start_response)

    def mount(self, app: Flask) -> None:
        self._app = app

    def serve(
        self,
        make_harness: Callable[..., Harness],
        database_url: str,
        clock: MovableClock,
        **settings: str,
    ) -> Harness:
        """A harness whose app answers here, at its PUBLIC_URL, so the fake's signed requests
        (status callbacks, calls, recordings) reach the same services the worker uses."""
        harness = make_harness(database_url, clock=clock, PUBLIC_URL=self.url, **settings)
        self.mount(create_app(services=harness.services))
        return harness

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def app_server() -> Iterator[AppServer]:
    server = AppServer()
    server.start()
    yield server
    server.stop()
