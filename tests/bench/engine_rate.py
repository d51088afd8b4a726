"""The engine alone: steps per second of the pure step function over the shipped flows.

Residents walk the main route in Welsh and English, one step at a time, as the inbound desk
would call it; nothing else runs, so this is the ceiling the rest of the path sits under.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bot import engine
from bot.core.flow_route import main_route
from bot.engine.events import Inbound
from bot.flowspec.loading import load_library
from bot.flowspec.model import FlowLibrary
from bot.runtime.config import load_settings
from tests.bench.table import Size

GOAL = 20_000


def run(size: Size) -> dict[str, object]:
    library = shipped_library()
    walks = [main_route(library, language).sent for language in ("cy", "en")]
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    steps, began = 0, time.perf_counter()
    while steps < size.steps:
        for walk in walks:
            state, now = None, start
            for text in walk:
                turn = engine.step(library, state, Inbound(text), now=now)
                state, now = turn.state, now + timedelta(minutes=1)
                steps += 1
    seconds = time.perf_counter() - began
    return {"steps": steps, "seconds": seconds, "per_second": steps / seconds, "goal": GOAL}


def shipped_library() -> FlowLibrary:
    settings = load_settings({"env": "test"})
    return load_library(settings.flows_path, settings.default_flow)
