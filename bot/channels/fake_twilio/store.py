"""What the fake has accepted, and the failures it has been told to give instead.

One lock guards it all: the server answers each request on its own thread while a test reads
and configures the store from another, and a send must see failures and messages consistently.
"""

from __future__ import annotations

import threading
import uuid
from http import HTTPStatus
from typing import Any

from bot.channels.fake_twilio.listing import Query, page_json
from bot.channels.fake_twilio.resources import (
    Failure,
    FakeMessage,
    error_json,
    message_from,
    public,
    resource,
    validate,
    with_status,
)


class MessageStore:
    """Accepted messages with their Twilio resources, and the queued and per-number failures."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[FakeMessage] = []
        self._resources: dict[str, dict[str, Any]] = {}
        self._next_failures: list[Failure] = []
        self._number_failures: dict[str, Failure] = {}

    def create(self, account_sid: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Accept or refuse one send, as Twilio would; returns the HTTP status and JSON body.

        A queued failure is used up even when the form is invalid too, so `fail_next(n)` always
        means the next n requests, whatever they carry.
        """
        with self._lock:
            failure = self._next_failures.pop(0) if self._next_failures else None
            failure = failure or validate(form) or self._number_failures.get(form["To"])
            if failure:
                return failure.status, error_json(failure)
            message = message_from("SM" + uuid.uuid4().hex, form)
            self._messages.append(message)
            self._resources[message.sid] = resource(account_sid, message)
            return HTTPStatus.CREATED, public(self._resources[message.sid])

    def fetch(self, sid: str) -> dict[str, Any] | None:
        """The public resource for `sid`, or None when the fake never accepted it."""
        with self._lock:
            found = self._resources.get(sid)
            return public(found) if found else None

    def status_callback(self, sid: str) -> str | None:
        """Where `sid`'s status callbacks go; None for no URL or an unknown (or cleared) SID."""
        with self._lock:
            found = self._resources.get(sid)
            return found["_status_callback"] if found is not None else None

    def record_status(self, sid: str, status: str, error_code: int | None) -> dict[str, Any]:
        """Move `sid` to `status` ahead of its callback; returns a copy of the updated resource.

        Raises KeyError for an unknown SID, and ValueError (changing nothing) when the message
        has no StatusCallback, since a status nobody is told about would be a silent change.
        """
        with self._lock:
            found = self._resources[sid]
            if not found["_status_callback"]:
                raise ValueError(f"message {sid} has no StatusCallback")
            with_status(found, status, error_code)
            return dict(found)

    def list_page(self, account_sid: str, query: Query) -> dict[str, Any]:
        """One page of Twilio's Messages list for `query`, newest first."""
        with self._lock:
            newest_first = [
                dict(r)
                for r in reversed(self._resources.values())
                if r["account_sid"] == account_sid
            ]
        return page_json(account_sid, query, newest_first)

    @property
    def messages(self) -> list[FakeMessage]:
        """A snapshot of every accepted message, oldest first."""
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        """Forget all messages and injected failures."""
        with self._lock:
            self._messages.clear()
            self._resources.clear()
            self._next_failures.clear()
            self._number_failures.clear()

    def fail_next(self, count: int, failure: Failure) -> None:
        """Give `failure` for the next `count` send requests."""
        with self._lock:
            self._next_failures.extend([failure] * count)

    def fail_for(self, number: str, failure: Failure) -> None:
        """Give `failure` for every valid send to `number`."""
        with self._lock:
            self._number_failures[number] = failure
