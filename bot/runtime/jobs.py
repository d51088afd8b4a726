"""RQ job functions: plain functions taking ids, each loading what it needs and acting once.

A worker process builds its services from the same settings as the web app, once, on first use.
"""

from __future__ import annotations

from bot.runtime.config import load_settings
from bot.runtime.container import Services, build_services

_services: Services | None = None


def use_services(services: Services | None) -> None:
    """Run jobs with these services (the worker command and in-process tests set this)."""
    global _services  # one set of services per worker process, by design
    _services = services


def current_services() -> Services:
    global _services  # one set of services per worker process, by design
    if _services is None:
        _services = build_services(load_settings())
    return _services


def deliver_outbox(outbox_id: int) -> str:
    return current_services().delivery.deliver(outbox_id)


def fire_timer(timer_id: int) -> str:
    return current_services().conversations.handle_timer(timer_id)


def sweep() -> dict[str, int]:
    """Re-enqueue whatever is due (the dispatcher skips jobs that still exist in Redis)."""
    return current_services().run_sweep()
