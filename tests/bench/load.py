"""Load from outside, as Twilio gives it: signed webhook requests sent by wrk.

The requests are signed before the run (a load generator that signs as it goes measures
itself), written one to a line, and replayed by a small Lua script. Each resident's texts go
to one wrk thread, in order; residents are interleaved turn by turn (everyone's first text,
then everyone's second), so one resident's next text is hundreds of requests behind the last
and never overtakes it. Every request is sent once: a run that would need more requests than
were written stops counting and says so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from twilio.request_validator import RequestValidator

from tests.bench.stack import AUTH_TOKEN, PUBLIC_URL, StackError

#: The Lua side: one request per line, "thread<TAB>path<TAB>signature<TAB>body".
SCRIPT = r"""
local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  thread:set("threads", 0)
  table.insert(threads, thread)
  count = count + 1
end

function init(args)
  local file, mine = args[1], {}
  for line in io.lines(file) do
    local t, path, sig, body = line:match("^(%d+)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if tonumber(t) % total == id then
      table.insert(mine, wrk.format("POST", path, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = sig,
      }, body))
    end
  end
  requests, cursor, good, bad, overrun = mine, 0, 0, 0, 0
end

function request()
  cursor = cursor + 1
  if cursor > #requests then
    overrun = overrun + 1
    return requests[#requests]
  end
  return requests[cursor]
end

function response(status, headers, body)
  if status == 200 and body:find("<Response", 1, true) then
    good = good + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local good, bad, overrun = 0, 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("good")
    bad = bad + thread:get("bad")
    overrun = overrun + thread:get("overrun")
  end
  io.write(string.format(
    'SGWRS {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, "good": %d, "bad": %d, '
    .. '"overrun": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, good, bad, overrun,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    good: int
    bad: int
    overrun: int
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def resident_number(index: int) -> str:
    """A UK mobile number for benchmark resident `index`; these never leave the machine."""
    return f"+4477009{index + 1000:05d}"


def signed_walks(walks: list[tuple[str, ...]], path: str = "/twilio/messages") -> list[str]:
    """Lines for the Lua script: resident i sends walks[i], turn-major, each text signed."""
    validator = RequestValidator(AUTH_TOKEN)
    lines = []
    for turn in range(max(len(walk) for walk in walks)):
        for index, walk in enumerate(walks):
            if turn >= len(walk):
                continue
            params = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "AccountSid": "AC" + "b" * 32,
                "From": resident_number(index),
                "To": "+447700900000",
                "Body": walk[turn],
                "NumMedia": "0",
            }
            signature = validator.compute_signature(PUBLIC_URL + path, params)
            body = urlencode(params, quote_via=quote)
            lines.append(f"{index}\t{path}\t{signature}\t{body}")
    return lines


def run_wrk(
    base_url: str,
    lines: list[str],
    folder: Path,
    *,
    seconds: float,
    connections: int = 16,
    threads: int = 2,
) -> LoadResult:
    """Replay `lines` against `base_url` for `seconds` with wrk; the figures wrk measured."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise StackError("wrk is needed for the load benchmarks (apt-get install wrk)")
    requests = folder / "requests.txt"
    requests.write_text("\n".join(lines) + "\n")
    script = folder / "replay.lua"
    script.write_text(SCRIPT.replace("% total", f"% {threads}"))
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base_url,
        "--",
        str(requests),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        if line.startswith("SGWRS "):
            return LoadResult(**json.loads(line.removeprefix("SGWRS ")))
    raise StackError(f"wrk gave no result:\n{result.stdout}{result.stderr}")
