"""What a completed conversation costs: segments along each flow's main route, per language,
at PRICE_PER_SEGMENT (the same walk the flow check reports)."""

from __future__ import annotations

from bot.core.flow_route import main_route
from bot.runtime.config import load_settings
from tests.bench.engine_rate import shipped_library


def run() -> dict[str, object]:
    library, price = shipped_library(), load_settings({"env": "test"}).price_per_segment
    routes = {language: main_route(library, language) for language in ("cy", "en")}
    flows = {
        flow_id: {
            language: {
                "segments": route.segments_in(flow_id),
                "cost": round(route.segments_in(flow_id) * price, 2),
            }
            for language, route in routes.items()
        }
        for flow_id in library.flows
    }
    whole = {
        language: {"segments": route.segments, "cost": round(route.segments * price, 2)}
        for language, route in routes.items()
    }
    return {"price_per_segment": price, "flows": flows, "whole": whole}
