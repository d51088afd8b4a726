"""The overview: per-flow figures, where people stop, texts and calls and their cost, over time."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from admin.auth import partner_scope, requires, services
from admin.charts import daily_bars, horizontal_bars
from admin.dates import short_date
from admin.i18n import translate
from bot.core.needs_doing import what_needs_doing
from bot.core.reports import build_overview

bp = Blueprint("overview", __name__)


@bp.get("/overview")
@requires("admin", "officer", "partner")
def index() -> ResponseReturnValue:
    """What needs doing first (officers and admins), progress against each flow's target, then
    figures for every flow; a partner sees only residents who came through their code."""
    app = services()
    scope = partner_scope()
    with app.db.session() as session:
        report = build_overview(
            session,
            app.library,
            price_per_segment=app.settings.price_per_segment,
            price_per_voice_minute=app.settings.price_per_voice_minute,
            today=app.clock().date(),
            partner_code=scope,
        )
    needs = None
    if scope is None:
        needs = what_needs_doing(app.db, app.library, app.broadcasts, app.clock())
    return render_template(
        "admin/overview.html",
        title=translate("Overview"),
        report=report,
        needs=needs,
        library=app.library,
        partner_code=scope,
        daily_bars=daily_bars,
        horizontal_bars=horizontal_bars,
        short_date=short_date,
    )
