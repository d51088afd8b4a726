"""A whole call played against the app over HTTP, as Twilio plays one.

`FakeTwilio.dial` posts the signed incoming-call webhook and hands back a `FakeCallSession`,
which reads each TwiML answer as Twilio would (what is said, in which language and voice; a
`<Gather>` and its action; a `<Record>`, its action and recordingStatusCallback, and the
`<Redirect>` after it; `<Hangup/>` or `<Reject/>`) and makes the caller's next move: a key, a
silence, an answer spoken (a recording the fake keeps, then its signed status callback), a
recording skipped with 1, and the call's end on the number's status callback. Every request is
signed with the fake's auth token, so the app checks them exactly as it checks Twilio's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from bot.channels.fake_twilio.callbacks import post_signed
from bot.channels.fake_twilio.calls import call_params

if TYPE_CHECKING:
    from bot.channels.fake_twilio.fake import FakeTwilio

#: What a TwiML answer leaves the call waiting for.
Waiting = Literal["key", "recording", "nothing", "rejected"]
#: A short sound a caller makes before pressing 1 to skip: Twilio still keeps a recording.
SKIPPED_AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64"


class CallError(AssertionError):
    """The app answered with something Twilio could not follow, or the test asked for a move
    the call is not waiting for."""


@dataclass(frozen=True)
class Said:
    language: str
    voice: str
    text: str


@dataclass(frozen=True)
class TwimlAnswer:
    """One TwiML document as Twilio reads it."""

    said: tuple[Said, ...]
    waiting: Waiting
    #: Where the next move is posted: the <Gather>'s or the <Record>'s action.
    action: str = ""
    #: After a <Record>: the <Redirect> Twilio follows when nothing was recorded.
    redirect: str = ""
    #: After a <Record>: where the recording's status is posted once it is ready.
    recording_callback: str = ""


def read_twiml(body: str) -> TwimlAnswer:
    """Parse the app's answer; CallError for anything that is not TwiML a call can follow."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise CallError(f"not TwiML: {body[:200]!r}") from error
    if root.tag != "Response":
        raise CallError(f"TwiML's root is <{root.tag}>, not <Response>")
    verbs = list(root)
    said: list[Said] = []
    for verb in verbs:
        for say in list(verb) if verb.tag == "Gather" else [verb]:
            if say.tag == "Say":
                language = say.get("language", "")
                said.append(Said(language[:2], say.get("voice", ""), say.text or ""))
    tags = [verb.tag for verb in verbs]
    if tags and tags[0] == "Reject":
        return TwimlAnswer((), "rejected")
    if "Gather" in tags:
        gather = verbs[tags.index("Gather")]
        return TwimlAnswer(tuple(said), "key", gather.get("action", ""))
    if "Record" in tags:
        record = verbs[tags.index("Record")]
        after = verbs[tags.index("Record") + 1 :]
        redirects = [verb.text or "" for verb in after if verb.tag == "Redirect"]
        redirect = redirects[0] if redirects else ""
        return TwimlAnswer(
            tuple(said),
            "recording",
            record.get("action", ""),
            redirect.strip(),
            record.get("recordingStatusCallback", ""),
        )
    if not tags or tags[-1] != "Hangup":
        raise CallError(f"TwiML that neither waits nor hangs up: {tags}")
    return TwimlAnswer(tuple(said), "nothing")


@dataclass
class FakeCallSession:
    """One call in progress. `said` is everything the caller heard, as (language, words)."""

    fake: FakeTwilio
    sid: str
    from_: str
    to: str
    account_sid: str
    #: The number's call-status callback (Twilio's StatusCallback, set on the number).
    status_url: str
    #: The app's HTTP status and TwiML for the last request, and that TwiML read.
    http_status: int = 0
    twiml: str = ""
    last: TwimlAnswer = field(default_factory=lambda: TwimlAnswer((), "nothing"))
    said: list[tuple[str, str]] = field(default_factory=list)
    #: The RecordingSids the caller made, in order (kept or skipped).
    recordings: list[str] = field(default_factory=list)
    ended: bool = False

    @property
    def waiting(self) -> Waiting:
        return self.last.waiting

    @property
    def words(self) -> str:
        """The words of the last answer, joined."""
        return " ".join(said.text for said in self.last.said)

    # -- the caller's moves ----------------------------------------------------------------------

    def press(self, key: str) -> TwimlAnswer:
        """One key at a <Gather>."""
        self._expect("key")
        return self._post(self.last.action, {"Digits": key})

    def silence(self) -> TwimlAnswer:
        """Nothing at all: a <Gather> posts with no Digits (actionOnEmptyResult); a <Record>
        with nothing recorded goes on to the <Redirect> after it."""
        if self.waiting == "key":
            return self._post(self.last.action, {})
        self._expect("recording")
        if not self.last.redirect:
            raise CallError("a <Record> with no <Redirect> after it: the call would hang up")
        return self._post(self.last.redirect, {})

    def speak(self, audio: bytes, duration: int) -> TwimlAnswer:
        """An answer said at a <Record> and ended with #: the fake keeps the recording, posts
        the <Record>'s action, then the recording-status callback to its
        recordingStatusCallback (as Twilio does once the audio is ready)."""
        return self._record(audio, duration, "#")

    def skip_recording(self) -> TwimlAnswer:
        """1 pressed at a <Record>: Twilio still made a short recording, which it posts with
        Digits 1, and whose status callback follows."""
        return self._record(SKIPPED_AUDIO, 1, "1")

    def hang_up(self, duration: int, status: str = "completed") -> int:
        """The call is over: Twilio's signed call-status callback with its CallDuration; the
        app's HTTP status."""
        self.ended = True
        params = {**self._params(status), "CallDuration": str(duration)}
        return post_signed(self.status_url, params, self.fake.auth_token)[0]

    # -- the wire --------------------------------------------------------------------------------

    def answer(self, http_status: int, body: str) -> TwimlAnswer:
        """Take the app's answer to the last request (the incoming-call webhook included)."""
        self.http_status, self.twiml = http_status, body
        if http_status != 200:
            raise CallError(f"the app answered {http_status}: {body[:200]!r}")
        self.last = read_twiml(body)
        self.said += [(said.language, said.text) for said in self.last.said]
        return self.last

    def _record(self, audio: bytes, duration: int, key: str) -> TwimlAnswer:
        self._expect("recording")
        callback = self.last.recording_callback
        recording_sid = self.fake.make_recording(
            self.sid, audio, duration, None, account_sid=self.account_sid
        )
        self.recordings.append(recording_sid)
        extra = {
            "RecordingSid": recording_sid,
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}"
            f"/Recordings/{recording_sid}",
            "RecordingDuration": str(duration),
            "Digits": key,
        }
        answered = self._post(self.last.action, extra)
        if callback:
            self.fake.make_recording(
                self.sid, audio, duration, callback, sid=recording_sid, account_sid=self.account_sid
            )
        return answered

    def _expect(self, waiting: Waiting) -> None:
        if self.ended or self.waiting != waiting:
            state = "ended" if self.ended else f"waiting for {self.waiting}"
            raise CallError(f"the call is {state}, not for a {waiting}")

    def _post(self, url: str, extra: dict[str, str]) -> TwimlAnswer:
        if not url:
            raise CallError("the TwiML named nowhere to post")
        http_status, body = post_signed(
            url, {**self._params("in-progress"), **extra}, self.fake.auth_token
        )
        return self.answer(http_status, body)

    def _params(self, status: str) -> dict[str, str]:
        return call_params(self.sid, self.account_sid, self.from_, self.to, status)
