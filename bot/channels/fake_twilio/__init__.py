"""A local stand-in for Twilio's Messages REST API, for tests, the demo and embedded mode.

It speaks the real wire format (form posts in, Twilio-shaped JSON and error codes out, signed
status callbacks back), so `TwilioSender` and the webhooks are exercised unchanged over real HTTP.
Only the standard library serves it; `twilio` is used just to sign callbacks exactly like Twilio.
It never logs numbers or message bodies.

One job per module: `resources` (Twilio's JSON shapes and the checks it makes), `store` (the
accepted messages and injected failures), `listing` (the Messages list's filters and paging),
`server` (HTTP routing), `callbacks` (signed status posts), `calls` (incoming calls rung at the
voice webhook), `dialled` (a whole call played through the app's TwiML, key by key),
`recordings` (a call's recordings: audio, deletion and the recording-status callback) and
`fake` (`FakeTwilio`, which ties them together for tests).
"""

from bot.channels.fake_twilio.calls import FakeCall
from bot.channels.fake_twilio.dialled import CallError, FakeCallSession
from bot.channels.fake_twilio.fake import FakeTwilio
from bot.channels.fake_twilio.recordings import FakeRecording
from bot.channels.fake_twilio.resources import FakeMessage

__all__ = ["CallError", "FakeCall", "FakeCallSession", "FakeMessage", "FakeRecording", "FakeTwilio"]
