"""`sgwrs purge`: the retention purge at once, or with --dry-run what it would erase.

The worker and `sgwrs run` already purge once a day; this is for an operator who wants to see
(or do) it now, e.g. before a DPIA review or after lowering RETENTION_DAYS.
"""

from __future__ import annotations

from datetime import timedelta

import click

from bot.cli.setup import open_container
from bot.core.retention import PurgeReport, preview_purge, purge


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be erased; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Erase residents silent for RETENTION_DAYS now, keeping their figures as totals."""
    services = open_container()
    days = services.settings.retention_days
    retention = timedelta(days=days)
    if dry_run:
        report = preview_purge(services.db, retention, services.clock)
    else:
        report = purge(services.db, services.queue, retention, services.clock())
    click.echo(describe(report, days, dry_run=dry_run))


def describe(report: PurgeReport, days: int, *, dry_run: bool) -> str:
    """The report in three lines: counts only, never anyone's number or words."""
    verb = "Would erase" if dry_run else "Erased"
    since = report.cutoff.strftime("%Y-%m-%d %H:%M UTC")
    who = "1 resident" if report.residents == 1 else f"{report.residents} residents"
    tables = ", ".join(f"{table} {n}" for table, n in report.rows.items() if n)
    rows = f": {sum(report.rows.values())} rows ({tables})" if report.residents else ""
    return "\n".join(
        [
            f"{verb} {who} silent since {since} (RETENTION_DAYS={days}){rows}.",
            f"Also: {report.receipts} receipts emptied, {report.timers} finished timers, and the"
            f" officer's reason in {report.audit_reasons} audit entries from before then.",
            "Kept: the opt-out list, and what these residents counted for on the overview,"
            " as totals.",
        ]
    )
