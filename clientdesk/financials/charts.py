"""Small bar charts drawn as SVG by the template from geometry computed here (no script,
no style attribute: the page's CSP allows neither inline)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

WIDTH = 720
HEIGHT = 180
TOP = 10
BOTTOM = 24


def bar_chart(
    points: Sequence[tuple[str, float, float]], series: tuple[str, str], *, grouped: bool = False
) -> dict[str, Any] | None:
    """Bars of two series per label: stacked (paid + IBNR) or side by side (revenue, costs).
    None when there is nothing to draw."""
    if not points:
        return None
    top = max(max(a, b) for _, a, b in points) if grouped else max(a + b for _, a, b in points)
    if top <= 0:
        return None
    plot = HEIGHT - TOP - BOTTOM
    step = WIDTH / len(points)
    width = step * (0.4 if grouped else 0.7)
    bars = []
    for i, (label, a, b) in enumerate(points):
        x = i * step + step * 0.15
        ha = max(a, 0) / top * plot
        hb = max(b, 0) / top * plot
        if grouped:
            first = {"x": round(x, 1), "y": round(TOP + plot - ha, 1), "h": round(ha, 1)}
            second = {"x": round(x + width, 1), "y": round(TOP + plot - hb, 1), "h": round(hb, 1)}
        else:
            first = {"x": round(x, 1), "y": round(TOP + plot - ha, 1), "h": round(ha, 1)}
            second = {"x": round(x, 1), "y": round(TOP + plot - ha - hb, 1), "h": round(hb, 1)}
        bars.append(
            {
                "label": label,
                "a": first,
                "b": second,
                "title": f"{label}: {series[0]} {a:,.0f}, {series[1]} {b:,.0f}",
                "show_label": i % max(1, len(points) // 8) == 0,
                "label_x": round(x + width / 2, 1),
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bar_width": round(width, 1),
        "baseline": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
        "bars": bars,
        "series": series,
        "top": top,
    }
