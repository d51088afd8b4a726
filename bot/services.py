"""Builds everything a process needs from one Settings object (web, worker, CLI alike).

This is the only place that opens databases and Redis connections; callers receive them.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from redis import Redis

from bot.config import Settings, with_changes
from bot.conversation import ConversationService
from bot.crypto import Vault
from bot.db import Database
from bot.flow_model import FlowLibrary, load_library
from bot.locks import LocalLocks, Locks, RedisLocks

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    library: FlowLibrary
    vault: Vault
    locks: Locks
    redis: Redis | None
    conversations: ConversationService

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


def build_services(settings: Settings) -> Services:
    settings = with_local_secrets(settings)
    db = Database.from_url(settings.effective_database_url)
    library = load_library(Path(settings.flows_dir), settings.default_flow)
    vault = Vault(settings.data_key)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    locks: Locks = (
        RedisLocks(redis, settings.lock_timeout_seconds)
        if redis is not None
        else LocalLocks(timeout=settings.lock_timeout_seconds)
    )
    conversations = ConversationService(
        db=db,
        library=library,
        vault=vault,
        locks=locks,
        resume_after=timedelta(hours=settings.resume_after_hours),
    )
    return Services(settings, db, library, vault, locks, redis, conversations)
