"""One flat settings object: defaults in code, then the environment (and `.env`), then overrides.

Every setting is read here and nowhere else, so `.env.example` and the README can list them all.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: A phone number as Twilio writes one: +, a country code, at most 15 digits in all.
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class ConfigError(ValueError):
    """A setting is missing or unusable; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    """Everything Sgwrs can be told; each field is one environment variable of the same name."""

    #: development | test | production. Production refuses unsafe shortcuts.
    env: str = "development"
    #: Signs admin session cookies. Required in production.
    secret_key: str = ""
    #: SQLAlchemy URL. Empty: a SQLite file under instance/.
    database_url: str = ""
    #: Redis URL for jobs, rate limits and the loop guard. Empty: jobs run in-process.
    redis_url: str = ""
    #: rq (RQ workers on REDIS_URL) or inline (this process sends, as `sgwrs run` does).
    #: Empty: rq with REDIS_URL, else inline. Production must say inline to run without Redis.
    jobs: str = ""
    #: Lets GET /healthz show its details (backlog, oldest unsent text) to a request carrying
    #: it as `Authorization: Bearer …`. Empty: /healthz says only up or down.
    health_token: str = ""
    #: Twilio account SID (AC...). Empty in embedded mode: a local fake Twilio is used.
    twilio_account_sid: str = ""
    #: Twilio auth token: signs webhooks and authenticates REST calls.
    twilio_auth_token: str = ""
    #: Base URL of the Twilio REST API. Empty: Twilio's real API. Tests point it at the fake.
    twilio_api_url: str = ""
    #: The SMS number residents text (E.164).
    twilio_from_sms: str = ""
    #: The WhatsApp sender, e.g. whatsapp:+447700900000.
    twilio_from_whatsapp: str = ""
    #: Messaging Service SID (MG...); when set, sends go through it instead of a From number.
    twilio_messaging_service_sid: str = ""
    #: "false" turns off webhook signature checks; refused when ENV=production.
    twilio_validate: bool = True
    #: The public base URL Twilio calls (e.g. https://sgwrs.example.gov.uk); signatures cover it.
    public_url: str = "http://localhost:5000"
    #: Port the embedded server listens on.
    port: int = 5000
    #: Key for encrypting and hashing residents' numbers and texts (any long random string).
    data_key: str = ""
    #: Earlier DATA_KEYs, newest first, comma-separated, while `sgwrs keys rotate` moves stored
    #: data onto DATA_KEY: they still open and find what they sealed. Empty when not rotating.
    data_key_previous: str = ""
    #: Folder of flow YAML files and partners.yaml.
    flows_dir: str = "flows"
    #: Flow a new resident is taken to after choosing a language.
    default_flow: str = "energy-data"
    #: Hours of silence after which the next message gets a "welcome back" and the last question.
    resume_after_hours: float = 12.0
    #: Seconds a text waits for the same resident's previous one before it is left to the
    #: sweep (well inside Twilio's 15 s webhook timeout).
    lock_timeout_seconds: float = 5.0
    #: Hours of silence mid-flow before one gentle reminder.
    reminder_after_hours: float = 24.0
    #: Hours of silence mid-flow before the session is closed (a later text still resumes it).
    expire_after_hours: float = 72.0
    #: Local time non-urgent texts (reminders, broadcasts) stop, "HH:MM".
    quiet_hours_start: str = "21:00"
    #: Local time non-urgent texts may go again, "HH:MM". Equal to the start: no quiet hours.
    quiet_hours_end: str = "08:00"
    #: Time zone of quiet hours and of dates shown to residents and officers.
    timezone: str = "Europe/London"
    #: SMS segments per second each sender may send (a UK long code manages about 1).
    send_rate_per_second: float = 1.0
    #: Minutes to wait before each retry of a send that failed for a passing reason.
    retry_backoff_minutes: str = "5,10,15"
    #: Identical texts to one resident allowed within LOOP_GUARD_WINDOW_SECONDS.
    loop_guard_max_repeats: int = 3
    #: Seconds over which identical texts are counted by the loop guard.
    loop_guard_window_seconds: int = 600
    #: What a phone call to the number gets: `flow` (the flows, said and answered by keypad
    #: and recordings) or `missed-call` (the call is rejected unanswered, at no cost, and the
    #: caller texted the welcome).
    voice_mode: str = "flow"
    #: Called numbers (E.164, comma-separated) whose calls are always missed calls.
    missed_call_numbers: str = ""
    #: Minutes after a caller's missed call during which more calls from them send no text.
    missed_call_window_minutes: int = 10
    #: Approved WhatsApp Content template (HX...) in Welsh, used outside the 24-hour window.
    whatsapp_template_cy: str = ""
    #: Approved WhatsApp Content template (HX...) in English, used outside the 24-hour window.
    whatsapp_template_en: str = ""
    #: Estimated price of one SMS segment, in pounds, for cost previews.
    price_per_segment: float = 0.04
    #: Estimated price of one minute of a phone call, in pounds, for the overview's call cost.
    #: Twilio bills a call by the minute, each minute it started counted whole.
    price_per_voice_minute: float = 0.013
    #: Seconds between sweeps that re-queue due sends and timers (worker and embedded run).
    sweep_interval_seconds: float = 15.0
    #: Days after a resident's last message when everything about them is erased (the privacy
    #: notice promises 12 months).
    retention_days: int = 365
    #: Seconds after which a send still marked `sending` is taken to be lost in a crash and
    #: sent again. Longer than a send can take (Twilio's timeout is 10 s).
    lost_send_after_seconds: float = 120.0
    #: Proxies in front of the web app that set X-Forwarded-For/-Proto (a load balancer: 1).
    #: 0 trusts no such header: the client address is the connection's, which cannot be forged.
    trusted_proxies: int = 0
    #: Minutes without a request after which an admin session ends.
    session_idle_minutes: int = 30
    #: Hours after signing in when an admin session ends, however busy.
    session_absolute_hours: int = 12
    #: Minutes over which failed sign-ins (passwords and two-factor codes) are counted.
    sign_in_window_minutes: int = 15
    #: Failures allowed for one account within the window; the next attempt gets 429.
    sign_in_failures_per_account: int = 5
    #: Failures allowed from one client address within the window; the next attempt gets 429.
    sign_in_failures_per_ip: int = 20

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def job_mode(self) -> str:
        """'rq' or 'inline': JOBS, or what REDIS_URL implies."""
        return self.jobs or ("rq" if self.redis_url else "inline")

    @property
    def instance_dir(self) -> Path:
        return PROJECT_ROOT / "instance"

    @property
    def retry_backoff(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(minutes=float(m)) for m in self.retry_backoff_minutes.split(","))

    @property
    def previous_data_keys(self) -> tuple[str, ...]:
        """DATA_KEY_PREVIOUS as a tuple, newest first."""
        return tuple(key.strip() for key in self.data_key_previous.split(",") if key.strip())

    @property
    def missed_call_number_set(self) -> frozenset[str]:
        """MISSED_CALL_NUMBERS as a set of E.164 numbers."""
        return frozenset(n.strip() for n in self.missed_call_numbers.split(",") if n.strip())

    @property
    def flows_path(self) -> Path:
        path = Path(self.flows_dir)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.instance_dir / 'sgwrs.db'}"


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name.upper()} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as error:
            raise ConfigError(f"{name.upper()} must be a whole number, not {raw!r}") from error
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError as error:
            raise ConfigError(f"{name.upper()} must be a number, not {raw!r}") from error
    return raw.strip()


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
) -> Settings:
    """Build settings from defaults, `.env`, the environment, then `overrides` (in that order)."""
    dotenv_file = dotenv_path if dotenv_path is not None else PROJECT_ROOT / ".env"
    sources: dict[str, Any] = {}
    if dotenv_file.exists():
        sources.update({k: v for k, v in dotenv_values(dotenv_file).items() if v is not None})
    sources.update(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    for field in fields(Settings):
        raw = sources.get(field.name.upper())
        if raw is not None and raw != "":
            values[field.name] = _coerce(field.name, raw, field.default)
    for key, raw in (overrides or {}).items():
        name = key.lower()
        default = next((f.default for f in fields(Settings) if f.name == name), None)
        if default is None:
            raise ConfigError(f"unknown setting {key}")
        values[name] = _coerce(name, raw, default)
    settings = Settings(**values)
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    if settings.env not in {"development", "test", "production"}:
        raise ConfigError(f"ENV must be development, test or production, not {settings.env!r}")
    try:
        settings.retry_backoff  # noqa: B018 - parsed here so a typo fails at start-up
    except ValueError as error:
        raise ConfigError("RETRY_BACKOFF_MINUTES must be numbers separated by commas") from error
    _check_previous_keys(settings)
    _check_voice(settings)
    _check_prices(settings)
    if settings.jobs not in {"", "rq", "inline"}:
        raise ConfigError(f"JOBS must be rq or inline, not {settings.jobs!r}")
    if settings.job_mode == "rq" and not settings.redis_url:
        raise ConfigError("JOBS=rq needs REDIS_URL")
    if settings.production:
        if not settings.redis_url and settings.jobs != "inline":
            raise ConfigError(
                "REDIS_URL is required when ENV=production, for `sgwrs worker` to send texts"
                " (or JOBS=inline, to send from the web process itself)"
            )
        if not settings.twilio_validate:
            raise ConfigError("TWILIO_VALIDATE=false is refused when ENV=production")
        for name in ("secret_key", "data_key", "database_url", "twilio_auth_token", "public_url"):
            if not getattr(settings, name):
                raise ConfigError(f"{name.upper()} is required when ENV=production")


def _check_voice(settings: Settings) -> None:
    if settings.voice_mode not in {"flow", "missed-call"}:
        raise ConfigError(f"VOICE_MODE must be flow or missed-call, not {settings.voice_mode!r}")
    for number in sorted(settings.missed_call_number_set):
        if not E164.fullmatch(number):
            raise ConfigError(
                f"MISSED_CALL_NUMBERS must be E.164 numbers separated by commas"
                f" (e.g. +447700900999), not {number!r}"
            )
    if settings.missed_call_window_minutes < 0:
        raise ConfigError("MISSED_CALL_WINDOW_MINUTES must be 0 or more")


def _check_prices(settings: Settings) -> None:
    """A price is pounds, 0 or more; a pound a minute or more is taken for pence written as
    pounds (Twilio charges about 1p a minute for a call to a UK number)."""
    price = settings.price_per_voice_minute
    if not math.isfinite(price) or price < 0:
        raise ConfigError(
            f"PRICE_PER_VOICE_MINUTE must be a price in pounds, 0 or more (e.g. 0.013), not {price}"
        )
    if price >= 1:
        raise ConfigError(
            f"PRICE_PER_VOICE_MINUTE is in pounds: {price} would be £{price:,.2f} a minute"
            f" (for {price}p a minute, write {price / 100:g})"
        )


def _check_previous_keys(settings: Settings) -> None:
    """Each previous key must be one DATA_KEY could have been; messages never show a key."""
    for position, key in enumerate(settings.previous_data_keys, start=1):
        if len(key) < 16:
            raise ConfigError(
                f"DATA_KEY_PREVIOUS: key {position} is shorter than 16 characters "
                "(list earlier DATA_KEYs, newest first, separated by commas)"
            )
        if key == settings.data_key:
            raise ConfigError(
                f"DATA_KEY_PREVIOUS: key {position} is the current DATA_KEY; list only earlier keys"
            )


def with_changes(settings: Settings, **changes: Any) -> Settings:
    """A copy of `settings` with some fields changed (used by tests and the embedded run)."""
    return replace(settings, **changes)
