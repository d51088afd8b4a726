"""Builds everything a process needs from one Settings object (web, worker, CLI alike).

This is the only place that opens databases and Redis connections; callers receive them.
With REDIS_URL, jobs, rate limits and the loop guard live in Redis (shared by every
process); without it they live in this process, and the embedded pump does the worker's job.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from bot.channels.recordings import RecordingMedia, TwilioMedia, UnconfiguredMedia
from bot.channels.routing import TwilioRoutes
from bot.channels.sender import Sender, TwilioSender, UnconfiguredSender
from bot.core.broadcasts import Broadcasts
from bot.core.call_flow import CallFlow
from bot.core.calls import CallDesk
from bot.core.delivery import Delivery
from bot.core.inbound import InboundDesk, RepeatRule
from bot.core.questions import QuestionDesk
from bot.core.recordings import RecordingDesk
from bot.core.rights import Rights
from bot.core.sweep import Sweep
from bot.flowspec.loading import load_library
from bot.flowspec.model import FlowLibrary
from bot.runtime.clock import Clock, utc_now
from bot.runtime.config import ConfigError, Settings, with_changes
from bot.runtime.crypto import Vault
from bot.runtime.loop_guard import LocalLoopGuard, LoopGuard, RedisLoopGuard
from bot.runtime.queue import InlineQueue, JobQueue, RqQueue
from bot.runtime.quiet_hours import QuietHours
from bot.runtime.rate_limit import LocalTokenBucket, RateLimiter, RedisTokenBucket
from bot.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings
    db: Database
    library: FlowLibrary
    vault: Vault
    redis: Redis | None
    queue: JobQueue
    inbound: InboundDesk
    delivery: Delivery
    questions: QuestionDesk
    broadcasts: Broadcasts
    sweep: Sweep
    rights: Rights
    #: The one clock every part reads (tests pass a fixed one to build_container).
    clock: Clock
    calls: CallDesk
    recordings: RecordingDesk

    def queue_status(self) -> str:
        """'inline' without Redis, 'ok' when Redis answers, 'down' when it does not."""
        if self.redis is None:
            return "inline"
        try:
            self.redis.ping()
        except Exception:
            return "down"
        return "ok"


def _local_secret(settings: Settings, name: str) -> str:
    """A random secret kept under instance/: a laptop run needs no set-up and survives restarts."""
    path: Path = settings.instance_dir / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def with_local_secrets(settings: Settings) -> Settings:
    """Fill SECRET_KEY, DATA_KEY and a local Twilio token in development (production sets them)."""
    if settings.production:
        return settings
    return with_changes(
        settings,
        secret_key=settings.secret_key or _local_secret(settings, "secret_key"),
        data_key=settings.data_key or _local_secret(settings, "data_key"),
        twilio_auth_token=settings.twilio_auth_token
        or _local_secret(settings, "twilio_auth_token"),
    )


def refuse_evicting_redis(redis: Redis) -> None:
    """Jobs must never be thrown away to make room: a Redis that may evict keys would drop
    queued sends (the sweep finds them again, but late), so production refuses to start on
    one. Unreachable at start is only logged: texts still come in, and jobs wait for it."""
    try:
        policy = redis.info("memory").get("maxmemory_policy")
    except RedisError:
        log.warning("redis_unreachable_at_start")
        return
    if policy != "noeviction":
        raise ConfigError(
            f"Redis's maxmemory-policy is {policy}: set it to noeviction (CONFIG SET"
            " maxmemory-policy noeviction, or in redis.conf) so queued texts are never dropped"
        )


def _sender(settings: Settings) -> Sender:
    if not settings.twilio_account_sid:
        return UnconfiguredSender()
    return TwilioSender(
        settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_url or None
    )


def _media(settings: Settings) -> RecordingMedia:
    if not settings.twilio_account_sid:
        return UnconfiguredMedia()
    return TwilioMedia(
        settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_url or None
    )


def build_container(
    settings: Settings, *, sender: Sender | None = None, clock: Clock = utc_now
) -> Container:
    """Everything wired; tests pass their own `sender` and `clock`."""
    settings = with_local_secrets(settings)
    db = Database.from_url(settings.effective_database_url)
    library = load_library(settings.flows_path, settings.default_flow)
    vault = Vault(settings.data_key, settings.previous_data_keys)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    limiter: RateLimiter
    loop_guard: LoopGuard
    queue: JobQueue
    if redis is not None:
        limiter = RedisTokenBucket(redis, settings.send_rate_per_second)
        loop_guard = RedisLoopGuard(
            redis, settings.loop_guard_max_repeats, settings.loop_guard_window_seconds
        )
    else:
        limiter = LocalTokenBucket(settings.send_rate_per_second)
        loop_guard = LocalLoopGuard(
            settings.loop_guard_max_repeats, settings.loop_guard_window_seconds
        )
    if redis is not None and settings.job_mode == "rq":
        if settings.production:
            refuse_evicting_redis(redis)
        lost_after = timedelta(seconds=settings.lost_send_after_seconds)
        queue = RqQueue(redis, lost_after, clock)
    else:
        queue = InlineQueue()
    inbound = InboundDesk(
        db=db,
        library=library,
        vault=vault,
        queue=queue,
        clock=clock,
        lock_timeout_seconds=settings.lock_timeout_seconds,
        resume_after=timedelta(hours=settings.resume_after_hours),
        reminder_after=timedelta(hours=settings.reminder_after_hours),
        expire_after=timedelta(hours=settings.expire_after_hours),
        repeats=RepeatRule(
            settings.loop_guard_max_repeats, timedelta(seconds=settings.loop_guard_window_seconds)
        ),
        call_window=timedelta(minutes=settings.missed_call_window_minutes),
    )
    quiet_hours = QuietHours(
        settings.quiet_hours_start, settings.quiet_hours_end, settings.timezone
    )
    delivery = Delivery(
        db=db,
        vault=vault,
        sender=sender or _sender(settings),
        routes=TwilioRoutes(
            from_sms=settings.twilio_from_sms,
            from_whatsapp=settings.twilio_from_whatsapp,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            public_url=settings.public_url,
        ),
        limiter=limiter,
        loop_guard=loop_guard,
        queue=queue,
        quiet_hours=quiet_hours,
        retry_backoff=settings.retry_backoff,
        whatsapp_templates={
            "cy": settings.whatsapp_template_cy,
            "en": settings.whatsapp_template_en,
        },
        clock=clock,
    )
    questions = QuestionDesk(db=db, vault=vault, queue=queue, clock=clock)
    recordings = RecordingDesk(db=db, vault=vault, queue=queue, media=_media(settings), clock=clock)
    broadcasts = Broadcasts(
        db=db,
        vault=vault,
        queue=queue,
        price_per_segment=settings.price_per_segment,
        flow_ids=frozenset(library.flows),
        partner_codes=frozenset(library.partners),
        quiet_hours=quiet_hours,
        clock=clock,
    )
    return Container(
        settings,
        db,
        library,
        vault,
        redis,
        queue,
        inbound,
        delivery,
        questions,
        broadcasts,
        Sweep(
            db=db,
            queue=queue,
            delivery=delivery,
            inbound=inbound,
            lost_after=timedelta(seconds=settings.lost_send_after_seconds),
            retention=timedelta(days=settings.retention_days),
            clock=clock,
            recordings=recordings,
        ),
        Rights(db=db, vault=vault, queue=queue, clock=clock),
        clock,
        CallDesk(
            inbound=inbound,
            flow=CallFlow(
                db=db,
                library=library,
                vault=vault,
                inbound=inbound,
                recordings=recordings,
                clock=clock,
            ),
            voice_mode=settings.voice_mode,
            missed_call_numbers=settings.missed_call_number_set,
        ),
        recordings,
    )
