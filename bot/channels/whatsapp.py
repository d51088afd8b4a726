"""WhatsApp's rules, once: the 24-hour window and the template that reopens it.

WhatsApp lets a business send free-form messages only within 24 hours of the resident's last
message; after that only an approved Content template may be sent, which asks them to reply.
Delivery (hold or send) and reminders (skip or send) both ask this module, so they agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

#: Free-form messages are allowed for this long after the resident's last message.
WINDOW = timedelta(hours=24)


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether a free-form message may go now: strictly within 24 h (at 24 h it has closed)."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


def template_for(language: str | None, templates: Mapping[str, str]) -> str | None:
    """The Content template SID for the resident's language (Welsh when unknown), if set."""
    return templates.get(language or "cy") or None
