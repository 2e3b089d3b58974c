"""The evidence chart as inline SVG built on the server: observed bars, expected line, upper
control limit, the estimated start and the alert days. No script, no inline style (CSP)."""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from typing import Any

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 34


def grid_step(peak: float, lines: int = 4) -> float:
    """A round step for the value axis (1, 2 or 5 x 10^k, never below 1: the values are
    counts) that shows `peak` in about `lines` grid lines."""
    raw = max(peak / lines, 1.0)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def evidence_svg(evidence: dict[str, Any], title: str) -> str:
    """SVG markup for an issue's evidence (see issue_records.evidence)."""
    dates = [dt.date.fromisoformat(d) for d in evidence.get("dates", [])]
    if not dates:
        return ""
    observed = [float(v) for v in evidence["observed"]]
    expected = [float(v) for v in evidence["expected"]]
    upper = [float(v) for v in evidence["upper"]]
    grid = grid_step(max([*observed, *upper, 1.0]))
    top = grid * math.ceil(max([*observed, *upper, 1.0]) * 1.05 / grid)
    n = len(dates)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / n

    def x(i: float) -> float:
        return LEFT + i * step

    def y(v: float) -> float:
        return TOP + plot_h - (v / top) * plot_h

    alerts = set(evidence.get("alerts", []))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="evidence-chart" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(round(top / grid) + 1):
        value = grid * k
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#dfe3ea" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="10" fill="#5b6576" '
            f'text-anchor="end">{value:,.0f}</text>'
        )
    start = evidence.get("start")
    if start in evidence["dates"]:
        i = evidence["dates"].index(start)
        parts.append(
            f'<rect x="{x(i):.1f}" y="{TOP}" width="{WIDTH - RIGHT - x(i):.1f}" height="{plot_h}" '
            f'fill="#fff4d6" opacity="0.6"/>'
            f'<text x="{x(i) + 3:.1f}" y="{TOP + 10}" font-size="10" fill="#9a6700">'
            f"start {dates[i]:%b %-d}</text>"
        )
    for i, value in enumerate(observed):
        colour = "#b42318" if evidence["dates"][i] in alerts else "#1f5f8b"
        height = max(y(0) - y(value), 0.0)
        parts.append(
            f'<rect x="{x(i) + step * 0.1:.1f}" y="{y(value):.1f}" width="{step * 0.8:.1f}" '
            f'height="{height:.1f}" fill="{colour}"><title>{dates[i]:%a %b %-d}: '
            f"{value:.0f} observed, {expected[i]:.1f} expected</title></rect>"
        )

    def path(values: list[float]) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{x(i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(values)
        )

    parts.append(f'<path d="{path(expected)}" fill="none" stroke="#1e7b4f" stroke-width="2"/>')
    parts.append(
        f'<path d="{path(upper)}" fill="none" stroke="#9a6700" stroke-width="1.5" '
        f'stroke-dasharray="4 3"/>'
    )
    for i, day in enumerate(dates):
        if day.day == 1 or i == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - 14}" font-size="10" fill="#5b6576">'
                f"{day:%b %-d}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
