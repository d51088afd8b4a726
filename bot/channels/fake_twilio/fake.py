"""`FakeTwilio`: the fake as tests drive it: start and stop it, inspect it, make it fail.

It owns the server thread and the callback threads, so `stop()` can promise that nothing it
started outlives a test; the messages themselves live in `MessageStore`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from bot.channels.fake_twilio.callbacks import (
    CALLBACK_TIMEOUT_S,
    callback_params,
    post_callback,
    post_signed,
)
from bot.channels.fake_twilio.calls import FakeCall, call_params, new_call_sid
from bot.channels.fake_twilio.dialled import FakeCallSession
from bot.channels.fake_twilio.listing import Query
from bot.channels.fake_twilio.recordings import (
    FakeRecording,
    RecordingStore,
    new_recording_sid,
    recording_callback_params,
)
from bot.channels.fake_twilio.resources import Failure, FakeMessage, error_json
from bot.channels.fake_twilio.server import Server
from bot.channels.fake_twilio.store import MessageStore

#: Seconds between the server's shutdown checks: how long stop() can take.
_POLL_INTERVAL_S = 0.01


class FakeTwilio:
    """Twilio's Messages API on a local port, with failure injection and status callbacks.

    Thread-safe: the server handles each request on its own thread, while tests read and
    configure it from theirs.
    """

    def __init__(self, auth_token: str = "fake-auth-token", *, auto_callbacks: bool = False):
        self.auth_token = auth_token
        self.auto_callbacks = auto_callbacks
        self.base_url = ""
        self._store = MessageStore()
        self._recordings = RecordingStore()
        self._lock = threading.Lock()
        self._server: Server | None = None
        self._threads: list[threading.Thread] = []
        self._list_failures = 0
        self._calls: list[FakeCall] = []

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; port 0 picks a free one. Returns the base URL."""
        server = Server((host, port), self)
        self._server = server
        self.base_url = f"http://{host}:{server.server_address[1]}"
        self._spawn(server.serve_forever, _POLL_INTERVAL_S)
        return self.base_url

    def stop(self) -> None:
        """Stop serving and wait for pending callbacks, so nothing outlives a test."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=CALLBACK_TIMEOUT_S)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., object], *args: object) -> None:
        """Run `target` on a tracked thread, pruning finished ones so a long demo stays small."""
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    # -- inspection ----------------------------------------------------------------------------

    @property
    def messages(self) -> list[FakeMessage]:
        """A snapshot of every accepted message, oldest first."""
        return self._store.messages

    def sent_to(self, number: str) -> list[FakeMessage]:
        """The accepted messages addressed to `number`, oldest first."""
        return [m for m in self.messages if m.to == number]

    @property
    def calls(self) -> list[FakeCall]:
        """Every incoming call rung through `ring`, oldest first, with the app's answers."""
        with self._lock:
            return list(self._calls)

    @property
    def recordings(self) -> list[FakeRecording]:
        """Every recording made through `make_recording`, as it is now (fetched, deleted)."""
        return self._recordings.recordings

    def recording(self, sid: str) -> FakeRecording:
        """One recording as it is now; KeyError for a SID never made."""
        found = self._recordings.get(sid)
        if found is None:
            raise KeyError(sid)
        return found

    @property
    def deleted_recordings(self) -> list[str]:
        """The SIDs of the recordings the app deleted, in the order they were made."""
        return [recording.sid for recording in self.recordings if recording.deleted]

    def clear(self) -> None:
        """Forget all messages, calls, recordings and injected failures, as if freshly started."""
        self._store.clear()
        self._recordings.clear()
        with self._lock:
            self._list_failures = 0
            self._calls = []

    # -- incoming calls ------------------------------------------------------------------------

    def ring(
        self,
        voice_url: str,
        from_: str,
        to: str,
        *,
        sid: str | None = None,
        status: str = "ringing",
        account_sid: str = "AC" + "0" * 32,
    ) -> FakeCall:
        """Someone rings `to`: POST the signed incoming-call webhook to `voice_url` (a number's
        voice URL) and keep the call with the app's answer. Pass `sid` to send a retry."""
        sid = sid or new_call_sid()
        params = call_params(sid, account_sid, from_, to, status)
        http_status, body = post_signed(voice_url, params, self.auth_token)
        call = FakeCall(sid, from_, to, http_status, body)
        with self._lock:
            self._calls.append(call)
        return call

    def dial(
        self,
        voice_url: str,
        from_: str,
        to: str,
        *,
        status_url: str | None = None,
        account_sid: str = "AC" + "0" * 32,
    ) -> FakeCallSession:
        """Someone rings `to` and stays on the line: the signed incoming-call webhook, then a
        session that follows the app's TwiML (press, silence, speak, skip_recording, hang_up).
        `status_url` is the number's call-status callback (`voice_url` + "/status" unless
        given). The call is kept in `calls` with the app's first answer."""
        call = self.ring(voice_url, from_, to, account_sid=account_sid)
        session = FakeCallSession(
            self,
            call.sid,
            from_,
            to,
            account_sid,
            status_url or voice_url.rstrip("/") + "/status",
        )
        session.answer(call.http_status, call.twiml)
        return session

    # -- recordings ----------------------------------------------------------------------------

    def make_recording(
        self,
        call_sid: str,
        audio: bytes,
        duration: int,
        callback_url: str | None,
        *,
        status: str = "completed",
        sid: str | None = None,
        account_sid: str = "AC" + "0" * 32,
    ) -> str:
        """A `<Record>` on call `call_sid` made `audio`: keep it and POST the signed
        recording-status callback to `callback_url` (the app's status is on the recording;
        None posts nothing). Pass `sid` to send a retry, or another status (failed, absent) for
        a recording that made no audio. Returns the RecordingSid."""
        sid = sid or new_recording_sid()
        recording = self._recordings.get(sid)
        if recording is None:
            recording = FakeRecording(sid, call_sid, account_sid, audio, duration)
            if status == "completed":
                self._recordings.add(recording)
        if callback_url is None:
            return sid
        params = recording_callback_params(recording, status)
        http_status, _body = post_signed(callback_url, params, self.auth_token)
        if self._recordings.get(sid) is not None:
            self._recordings.set_callback_status(sid, http_status)
        return sid

    def fail_next_recording_fetch(self, count: int = 1, *, status: int = 500) -> None:
        """Make the next `count` requests for a recording's audio fail (a Twilio outage)."""
        self._recordings.fail_next_fetches(count, status)

    def fail_next_recording_delete(self, count: int = 1, *, status: int = 500) -> None:
        """Make the next `count` requests to delete a recording fail (a Twilio outage)."""
        self._recordings.fail_next_deletes(count, status)

    # -- failure injection ---------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int, code: int | None, message: str) -> None:
        """Make the next `count` send requests fail with this Twilio error."""
        self._store.fail_next(count, Failure(status, code, message))

    def fail_next_rate_limited(self, count: int = 1) -> None:
        """Twilio's answer to too many concurrent requests: retry later."""
        self.fail_next(count, status=429, code=20429, message="Too Many Requests")

    def fail_next_server_error(self, count: int = 1) -> None:
        """A Twilio outage: HTTP 500 with no error code."""
        self.fail_next(count, status=500, code=None, message="Internal Server Error")

    def fail_next_opted_out(self, count: int = 1) -> None:
        """The recipient replied STOP to this sender."""
        self.fail_next(
            count, status=400, code=21610, message="Attempt to send to unsubscribed recipient"
        )

    def fail_next_outside_window(self, count: int = 1) -> None:
        """A WhatsApp free-form message more than 24 h after the resident last wrote."""
        self.fail_next(
            count,
            status=400,
            code=63016,
            message="Failed to send freeform message because you are outside the allowed window. "
            "If you are using WhatsApp, please use a Message Template.",
        )

    def fail_next_listing(self, count: int = 1) -> None:
        """Make the next `count` Messages list requests fail as in a Twilio outage (HTTP 500)."""
        with self._lock:
            self._list_failures += count

    def fail_for(self, number: str, status: int, code: int | None, message: str) -> None:
        """Make every send to `number` fail, e.g. 21610 for a number that opted out."""
        self._store.fail_for(number, Failure(status, code, message))

    # -- status callbacks ----------------------------------------------------------------------

    def deliver(self, sid: str, status: str = "delivered", error_code: int | None = None) -> int:
        """POST a signed status callback for `sid` to its StatusCallback; returns the app's status.

        Raises KeyError for an unknown SID and ValueError when the message has no callback URL.
        """
        resource = self._store.record_status(sid, status, error_code)
        url = resource["_status_callback"]
        return post_callback(url, callback_params(resource), self.auth_token)

    def _deliver_in_order(self, sid: str) -> None:
        """Twilio's usual progression. An unreachable app is ignored, as Twilio would; a KeyError
        means `clear()` forgot the message meanwhile."""
        for status in ("sent", "delivered"):
            try:
                self.deliver(sid, status)
            except (OSError, KeyError):
                return

    # -- request handling (called by the server's handler) -------------------------------------

    def _create(self, account_sid: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Accept or refuse one send; a seam tests override to watch every request."""
        return self._store.create(account_sid, form)

    def _fetch(self, sid: str) -> dict[str, Any] | None:
        return self._store.fetch(sid)

    def _list(self, account_sid: str, query: Query) -> tuple[int, dict[str, Any]]:
        """One page of the Messages list, or a 500 while listing is made to fail."""
        with self._lock:
            failing = self._list_failures > 0
            self._list_failures -= failing
        if failing:
            return 500, error_json(Failure(500, None, "Internal Server Error"))
        return 200, self._store.list_page(account_sid, query)

    def _fetch_recording(self, account_sid: str, sid: str) -> tuple[int, bytes | None]:
        return self._recordings.fetch(account_sid, sid)

    def _delete_recording(self, account_sid: str, sid: str) -> int:
        return self._recordings.delete(account_sid, sid)

    def _after_create(self, sid: str) -> None:
        """Start the automatic callbacks once the client has its response, as Twilio does."""
        if self.auto_callbacks and self._store.status_callback(sid):
            self._spawn(self._deliver_in_order, sid)
