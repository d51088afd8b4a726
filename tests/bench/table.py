"""How big each benchmark is, and the Markdown table its results make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Size:
    residents: int
    seconds: float
    steps: int
    sends: int
    broadcast: int
    rate_sends: int
    admin_residents: int
    admin_messages: int
    admin_samples: int


def _goal(met: bool) -> str:
    return "met" if met else "**not met**"


def markdown(results: dict[str, Any]) -> str:
    """One row per figure: what was measured, the figure, the goal and whether it was met."""
    rows: list[tuple[str, str, str, str]] = []
    if "inbound" in results:
        inbound = results["inbound"]
        floor, sgwrs = inbound["floor"], inbound["sgwrs"]
        rows += [
            ("floor (bare Flask + TwiML), req/s", f"{floor['per_second']:,}", "", ""),
            ("floor p50 / p99", f"{floor['p50_ms']} / {floor['p99_ms']} ms", "", ""),
            ("Sgwrs inbound, req/s", f"{sgwrs['per_second']:,}", "", ""),
            (
                "Sgwrs inbound ÷ floor",
                f"{inbound['ratio']}×",
                f"≥ {inbound['goal_ratio']}×",
                _goal(inbound["ratio"] >= inbound["goal_ratio"]),
            ),
            (
                "Sgwrs inbound p50 / p99",
                f"{sgwrs['p50_ms']} / {sgwrs['p99_ms']} ms",
                f"p99 ≤ {inbound['goal_p99_ms']:g} ms",
                _goal(sgwrs["p99_ms"] <= inbound["goal_p99_ms"]),
            ),
            (
                "inbound texts answered / stored",
                f"{sgwrs['answered']:,} / {sgwrs['stored_inbound']:,}",
                "stored = answered (+ in flight)",
                _goal(sgwrs["stored_matches"] and not sgwrs["bad_replies"]),
            ),
            (
                "RSS of one web worker / RQ worker",
                f"{sgwrs['web_worker_rss_mib']} / {sgwrs['rq_worker_rss_mib']} MiB",
                "",
                "",
            ),
        ]
        scaled = inbound["scaled_out"]
        held = scaled["per_second"] / sgwrs["per_second"] if sgwrs["per_second"] else 0.0
        rows += [
            (
                f"scaled out ({scaled['processes']} web × 2 workers, "
                f"{scaled['rq_workers']} RQ"
                f"{', via PgBouncer' if scaled['through_pgbouncer'] else ''}), req/s",
                f"{scaled['per_second']:,} ({held:.2f}× one process)",
                "holds",
                _goal(held >= 0.9),
            ),
            (
                "scaled out p50 / p99; answered / stored",
                f"{scaled['p50_ms']} / {scaled['p99_ms']} ms; "
                f"{scaled['answered']:,} / {scaled['stored_inbound']:,}",
                "nothing duplicated",
                _goal(scaled["stored_matches"] and not scaled["bad_replies"]),
            ),
        ]
    if "engine" in results:
        engine = results["engine"]
        rows.append(
            (
                "engine steps/s",
                f"{engine['per_second']:,.0f}",
                f"≥ {engine['goal']:,}",
                _goal(engine["per_second"] >= engine["goal"]),
            )
        )
    if "sending" in results:
        sending = results["sending"]
        rows += [
            (
                "texts sent/s by one worker",
                f"{sending['per_second']:,.0f}",
                f"≥ {sending['goal']}",
                _goal(sending["per_second"] >= sending["goal"]),
            ),
            (
                f"broadcast to {sending['broadcast_residents']:,}: outbox written and enqueued",
                f"{sending['broadcast_seconds']:.2f} s",
                "≤ 5 s",
                _goal(sending["broadcast_seconds"] <= 5),
            ),
            (
                f"broadcast at {sending['rate_limit']:g}/s, two workers: achieved",
                f"{sending['achieved_rate']:.1f}/s",
                "within 5%",
                _goal(
                    abs(sending["achieved_rate"] - sending["rate_limit"])
                    <= 0.05 * sending["rate_limit"]
                ),
            ),
        ]
    if "admin" in results:
        admin = results["admin"]
        for page, p95 in admin["p95_ms"].items():
            goal = admin["goal_ms"][page]
            rows.append((f"admin {page}, p95", f"{p95:.0f} ms", f"≤ {goal} ms", _goal(p95 <= goal)))
    if "cost" in results:
        cost = results["cost"]
        for language in ("cy", "en"):
            whole = cost["whole"][language]
            rows.append(
                (
                    f"segments per completed conversation ({language})",
                    f"{whole['segments']} (£{whole['cost']:.2f})",
                    "cy ≤ 1.5 × en",
                    "",
                )
            )
    lines = [
        f"Measured {results['when']} on {results['machine']} (Python {results['python']}, "
        f"{results['size']} run).",
        "",
        "| benchmark | figure | goal | |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)
