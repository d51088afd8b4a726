"""Charts officers would rather look at than read: themes by hopes and fears, answers over
time, and the reach of each partner; each drawn on the server as SVG with its numbers in a
table beside it (admin/charts.py). A partner sees their own residents only."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from admin.auth import partner_scope, requires, services
from admin.charts import daily_bars, horizontal_bars, paired_bars
from admin.forms import partner_names
from admin.i18n import translate, ui_language
from bot.core.reports import CHART_DAYS, day_series
from bot.store.chart_figures import (
    count_answers_by_day,
    count_residents_by_partner,
    count_theme_kinds,
)

bp = Blueprint("charts", __name__)


@bp.get("/charts")
@requires("admin", "officer", "partner")
def index() -> ResponseReturnValue:
    """The three charts for one flow, or for every flow."""
    sgwrs, scope = services(), partner_scope()
    flow_id = request.args.get("flow")
    flow_id = flow_id if flow_id in sgwrs.library.flows else None
    today = sgwrs.clock().date()
    first = today - timedelta(days=CHART_DAYS - 1)
    since = datetime.combine(first, time(), UTC)
    with sgwrs.db.session() as session:
        themes = count_theme_kinds(session, flow_id=flow_id, partner_code=scope)
        by_day = count_answers_by_day(session, since, flow_id=flow_id, partner_code=scope)
        reach = count_residents_by_partner(session, flow_id=flow_id, partner_code=scope)
    language = ui_language()
    names = partner_names(sgwrs.library)
    partners = sorted(
        (
            (names.get(code, code) if code else translate("No partner code"), n)
            for code, n in reach.items()
        ),
        key=lambda row: -row[1],
    )
    return render_template(
        "admin/charts.html",
        title=translate("Charts"),
        flow=flow_id,
        flows=sorted(sgwrs.library.flows),
        partner_code=scope,
        themes=[(theme.names.in_(language), theme.kinds) for theme in themes],
        days=day_series(by_day, first),
        partners=partners,
        daily_bars=daily_bars,
        horizontal_bars=horizontal_bars,
        paired_bars=paired_bars,
    )
