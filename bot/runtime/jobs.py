"""RQ job functions: plain functions taking ids, each loading what it needs and acting once.

A worker process builds its services from the same settings as the web app, once, on first use.
"""

from __future__ import annotations

from bot.runtime.config import load_settings
from bot.runtime.container import Container, build_container

_services: Container | None = None


def use_container(services: Container | None) -> None:
    """Run jobs with these services (the worker command and in-process tests set this)."""
    global _services  # one set of services per worker process, by design
    _services = services


def current_container() -> Container:
    global _services  # one set of services per worker process, by design
    if _services is None:
        _services = build_container(load_settings())
    return _services


def deliver_outbox(outbox_id: int) -> str:
    return current_container().delivery.deliver(outbox_id)


def fire_timer(timer_id: int) -> str:
    return current_container().inbound.fire_timer(timer_id)


def fetch_recording(recording_id: int) -> str:
    return current_container().recordings.fetch(recording_id)


def delete_recording_at_twilio(deletion_id: int) -> str:
    return current_container().recordings.delete_at_twilio(deletion_id)


def sweep() -> dict[str, int]:
    """Re-enqueue whatever is due (the queue skips jobs that still exist in Redis)."""
    return current_container().sweep.run()
