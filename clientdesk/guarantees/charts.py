"""Small server-drawn SVG charts (no script, no inline style: the CSP allows neither).

`p_chart_svg` draws a p-chart: the rate per day or week, the centre line, the 3-sigma limits
and the target; points outside the limits on the bad side are red, on the good side green.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clientdesk.guarantees.monitors import Chart
from clientdesk.lib import formatting

INK, MUTED, LINE, BRAND = "#1d2433", "#5b6576", "#dfe3ea", "#1f5f8b"
BAD, GOOD, TARGET = "#b42318", "#1e7b4f", "#9a6700"


def p_chart_svg(chart: Chart, *, width: int = 640, height: int = 220) -> SafeString:
    left, right, top, bottom = 46, 12, 14, 34
    values = [v for p in chart.points for v in (p.rate, p.lcl, p.ucl) if v is not None] + [
        v for v in (chart.center, chart.target) if v is not None
    ]
    if not values:
        return mark_safe(  # noqa: S308  (fixed markup, the title is escaped)
            f'<p class="empty">No data for {escape(chart.title)} in this window.</p>'
        )
    low, high = min(values), max(values)
    pad = max((high - low) * 0.1, 0.5)
    low, high = max(0.0, low - pad), min(100.0, high + pad)
    if high <= low:
        high = low + 1
    n = len(chart.points)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else 0)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(chart.title)}: p-chart">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{LINE}"/>',
    ]
    for k in range(4):
        v = low + (high - low) * k / 3
        parts.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{formatting.percent(v)}</text>'
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" '
            f'stroke="{LINE}" stroke-width="0.5"/>'
        )
    if chart.center is not None:
        parts.append(
            f'<line x1="{left}" y1="{y(chart.center):.1f}" x2="{width - right}" '
            f'y2="{y(chart.center):.1f}" stroke="{MUTED}" stroke-dasharray="4 3"/>'
        )
    if chart.target is not None:
        parts.append(
            f'<line x1="{left}" y1="{y(chart.target):.1f}" x2="{width - right}" '
            f'y2="{y(chart.target):.1f}" stroke="{TARGET}" stroke-width="1.5"/>'
            f'<text x="{width - right}" y="{y(chart.target) - 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="{TARGET}">target {chart.target:g}%</text>'
        )
    for attr in ("lcl", "ucl"):
        coords = " ".join(
            f"{x(i):.1f},{y(getattr(p, attr)):.1f}"
            for i, p in enumerate(chart.points)
            if getattr(p, attr) is not None
        )
        if coords:
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{BAD}" stroke-width="1" '
                f'stroke-dasharray="2 2" opacity="0.6"/>'
            )
    line = " ".join(
        f"{x(i):.1f},{y(p.rate):.1f}" for i, p in enumerate(chart.points) if p.rate is not None
    )
    if line:
        parts.append(f'<polyline points="{line}" fill="none" stroke="{BRAND}" stroke-width="1.5"/>')
    step = max(1, -(-n // 7))  # at most seven labels
    for i, p in enumerate(chart.points):
        if p.rate is not None:
            colour = {"bad": BAD, "good": GOOD}.get(p.signal, BRAND)
            radius = 4 if p.signal else 2.5
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(p.rate):.1f}" r="{radius}" fill="{colour}">'
                f"<title>{escape(p.label)}: {formatting.percent(p.rate, 2)} of "
                f"{formatting.count(p.trials)}"
                f"{' — outside the limits' if p.signal else ''}</title></circle>"
            )
        if i % step == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle" font-size="10" '
                f'fill="{INK}">{escape(p.label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (numbers and escaped labels only)
