"""`python3 scripts/dev.py bench`: every benchmark, a Markdown table, bench-results.json.

Figures are ratios to a floor measured in the same run, because these machines are shared and
their speed changes from one minute to the next. `--smoke` runs each benchmark tiny, to prove it
works (CI runs it and asserts nothing about the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench import admin_pages, cost, engine_rate, inbound, sending
from tests.bench.stack import DEFAULT_DATABASE, ROOT, StackError
from tests.bench.table import Size, markdown

SIZES = {
    "full": Size(
        # 1,000 residents for 20 s: at today's rate each gets through two or three turns, so
        # the mix is the flow's (answers, a switch of flow), not only first texts.
        residents=1000,
        seconds=20,
        steps=20_000,
        sends=3000,
        broadcast=10_000,
        rate_sends=500,
        admin_residents=10_000,
        admin_messages=200_000,
        admin_samples=40,
    ),
    "smoke": Size(
        residents=40,
        seconds=1,
        steps=200,
        sends=20,
        broadcast=50,
        rate_sends=20,
        admin_residents=50,
        admin_messages=500,
        admin_samples=3,
    ),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny runs: does each one work?")
    parser.add_argument("--only", action="append", help="run only these (repeatable)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench-results.json")
    parser.add_argument(
        "--database",
        default=os.environ.get("TEST_DATABASE_URL", DEFAULT_DATABASE),
        help="the PostgreSQL to make the benchmark database in (default: TEST_DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    size = SIZES["smoke" if args.smoke else "full"]
    chosen = set(args.only or ["inbound", "engine", "sending", "admin", "cost"])
    results: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()}, {_cpus()} CPUs, {_memory()}",
        "python": platform.python_version(),
        "size": "smoke" if args.smoke else "full",
    }
    try:
        with tempfile.TemporaryDirectory(prefix="sgwrs-bench-") as folder:
            work = Path(folder)
            if "engine" in chosen:
                results["engine"] = engine_rate.run(size)
            if "cost" in chosen:
                results["cost"] = cost.run()
            if "inbound" in chosen:
                results["inbound"] = inbound.run(size, args.database, work)
            if "sending" in chosen:
                results["sending"] = sending.run(size, args.database, work)
            if "admin" in chosen:
                results["admin"] = admin_pages.run(size, args.database)
    except StackError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))
    print(f"\n(wrote {args.output})")
    broken = problems(results)
    for problem in broken:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if broken else 0


def problems(results: dict[str, Any]) -> list[str]:
    """What did not work (never how fast): the smoke run in CI fails on these."""
    found = []
    if "inbound" in results:
        inbound = results["inbound"]
        for shape in ("sgwrs", "scaled_out"):
            run = inbound[shape]
            if not run["answered"] or run["bad_replies"] or run["errors"]:
                found.append(
                    f"inbound ({shape}): {run['bad_replies']} bad replies, {run['errors']} errors"
                )
            if not run["stored_matches"]:
                found.append(
                    f"inbound ({shape}): {run['answered']} answered "
                    f"but {run['stored_inbound']} stored"
                )
            # The floor's reply never depends on the request, so it may replay the last one;
            # Sgwrs must not, or duplicates (cheap to answer) would flatter its figure.
            if run["ran_out_of_requests"]:
                found.append(f"inbound ({shape}): wrk ran out of requests; give it more residents")
    if "sending" in results:
        sending = results["sending"]
        if sending["sent"] != sending["sends"]:
            found.append(f"sending: {sending['sent']} of {sending['sends']} sent")
        if not sending["broadcast_residents"] or not sending["achieved_rate"]:
            found.append("sending: the broadcast wrote or sent nothing")
    if "engine" in results and not results["engine"]["steps"]:
        found.append("engine: no steps ran")
    return found


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def _memory() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return "unknown memory"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
