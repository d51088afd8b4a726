"""Small hand-written SVG charts, drawn on the server: no JavaScript, no inline styles.

Each chart is an image with a title and a description (role="img") that says what a sighted
reader would take from it; the page puts the same numbers in a table beside it. Colours and
fonts come from the `sgwrs-chart` classes in sgwrs.css, so the strict CSP holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from admin.dates import short_date
from admin.i18n import translate


def _nice_top(value: int) -> int:
    """A round number at least `value` for the top of the scale (at least 1)."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if value <= step * 4:
            return max(step * -(-value // step), 1)
    return value


def _frame(chart_id: str, title: str, desc: str, width: int, height: int, body: str) -> Markup:
    return Markup(
        f'<svg class="sgwrs-chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def daily_bars(chart_id: str, title: str, days: Sequence[tuple[date, int]]) -> Markup:
    """A bar per day, oldest on the left, with the scale's top and every seventh day labelled."""
    width, height, left, right, top, bottom = 640, 220, 44, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    scale_top = _nice_top(max((n for _d, n in days), default=0))
    slot = plot_w / max(len(days), 1)
    parts = [
        f'<line class="sgwrs-chart__axis" x1="{left}" y1="{top + plot_h}" '
        f'x2="{width - right}" y2="{top + plot_h}"/>',
        f'<line class="sgwrs-chart__grid" x1="{left}" y1="{top}" x2="{width - right}" y2="{top}"/>',
        f'<text class="sgwrs-chart__label" x="{left - 6}" y="{top + 5}" '
        f'text-anchor="end">{scale_top}</text>',
        f'<text class="sgwrs-chart__label" x="{left - 6}" y="{top + plot_h + 5}" '
        f'text-anchor="end">0</text>',
    ]
    for index, (day, count) in enumerate(days):
        bar_h = plot_h * count / scale_top
        x = left + index * slot
        parts.append(
            f'<rect class="sgwrs-chart__bar" x="{x + 2:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{slot - 4:.1f}" height="{bar_h:.1f}"/>'
        )
        last = index == len(days) - 1
        if last or (index % 7 == 0 and index < len(days) - 4):
            anchor, at = ("end", x + slot) if last else ("start", x)
            parts.append(
                f'<text class="sgwrs-chart__label" x="{at:.1f}" y="{height - 8}" '
                f'text-anchor="{anchor}">{escape(short_date(day))}</text>'
            )
    total = sum(n for _d, n in days)
    busiest = max(days, key=lambda item: item[1], default=None)
    desc = translate(
        "Bar chart, one bar per day from {first} to {last}. {total} in all.",
        first=short_date(days[0][0]) if days else "",
        last=short_date(days[-1][0]) if days else "",
        total=total,
    )
    if busiest and busiest[1]:
        desc += " " + translate(
            "Busiest day: {day}, with {count}.", day=short_date(busiest[0]), count=busiest[1]
        )
    return _frame(chart_id, title, desc, width, height, "".join(parts))


def horizontal_bars(
    chart_id: str, title: str, rows: Sequence[tuple[str, int, bool]], whole: int
) -> Markup:
    """A horizontal bar per row, as long as its share of `whole`, with its count beside it.

    Rows are (label, count, main?): rows that are not main (a step only some routes pass) are
    drawn lighter and say so.
    """
    width, label_w, row_h, value_w = 640, 150, 30, 70
    height = row_h * len(rows) + 8
    bar_space = width - label_w - value_w
    parts = []
    for index, (label, count, main) in enumerate(rows):
        y = 4 + index * row_h
        bar_w = bar_space * count / whole if whole else 0
        parts.append(
            f'<text class="sgwrs-chart__label" x="{label_w - 8}" y="{y + 19}" '
            f'text-anchor="end">{escape(label)}</text>'
            f'<rect class="sgwrs-chart__bar{"" if main else " sgwrs-chart__bar--some"}" '
            f'x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" '
            f'height="{row_h - 8}"/>'
            f'<text class="sgwrs-chart__label" x="{label_w + bar_w + 6:.1f}" y="{y + 19}">'
            f"{count}</text>"
        )
    some = translate("on some routes only")
    desc = "; ".join(
        f"{label}: {count}" + ("" if main else f" ({some})") for label, count, main in rows
    )
    return _frame(chart_id, title, desc, width, height, "".join(parts))


def paired_bars(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, int, int]],
    series: tuple[str, str],
) -> Markup:
    """Two bars per row (hopes and fears of a theme, say), the first solid and the second
    light, each with its count and series name beside it so colour is never the only cue."""
    width, label_w, bar_h, gap, value_w = 640, 170, 16, 14, 110
    row_h = bar_h * 2 + gap
    height = row_h * len(rows) + 8
    bar_space = width - label_w - value_w
    scale = max((max(a, b) for _label, a, b in rows), default=0) or 1
    parts = []
    for index, (label, first, second) in enumerate(rows):
        y = 4 + index * row_h
        parts.append(
            f'<text class="sgwrs-chart__label" x="{label_w - 8}" y="{y + bar_h + 5}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for offset, (count, name, style) in enumerate(
            ((first, series[0], ""), (second, series[1], " sgwrs-chart__bar--some"))
        ):
            bar_y = y + offset * bar_h
            bar_w = bar_space * count / scale
            parts.append(
                f'<rect class="sgwrs-chart__bar{style}" x="{label_w}" y="{bar_y + 1}" '
                f'width="{bar_w:.1f}" height="{bar_h - 2}"/>'
                f'<text class="sgwrs-chart__label sgwrs-chart__label--s" '
                f'x="{label_w + bar_w + 6:.1f}" y="{bar_y + bar_h - 3}">'
                f"{count} {escape(name)}</text>"
            )
    desc = "; ".join(
        f"{label}: {first} {series[0]}, {second} {series[1]}" for label, first, second in rows
    )
    return _frame(chart_id, title, desc, width, height, "".join(parts))
