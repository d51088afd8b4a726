"""The fake Twilio in a process of its own, so the service's sends cross a real socket and the
fake's work is not counted against the process being measured."""

from __future__ import annotations

import sys
import time

from bot.channels.fake_twilio import FakeTwilio
from tests.bench.stack import AUTH_TOKEN

if __name__ == "__main__":
    fake = FakeTwilio(AUTH_TOKEN)
    fake.start(port=int(sys.argv[1]))
    print("ready", flush=True)
    while True:
        time.sleep(3600)
