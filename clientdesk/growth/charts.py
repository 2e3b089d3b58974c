"""The pipeline page's chart: a Vega-Lite spec (drawn by the bundle utilization serves)."""

from __future__ import annotations

from typing import Any

from clientdesk.growth.pipeline import Forecast

OPEN_COLOUR = "#9bb7d4"
WEIGHTED_COLOUR = "#1f4e79"


def forecast_spec(forecast: Forecast) -> dict[str, Any] | None:
    """Open and weighted annual value by expected-close month, side by side; None when
    nothing is open."""
    rows: list[dict[str, Any]] = []
    for row in forecast.by_month:
        if not row.open_count:
            continue
        label = row.label
        rows.append({"month": label, "measure": "Open value", "value": float(row.open_value)})
        rows.append({"month": label, "measure": "Weighted", "value": float(row.weighted)})
    if not rows:
        return None
    order = list(dict.fromkeys(r["month"] for r in rows))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": 220,
        "data": {"values": rows},
        "mark": {"type": "bar", "cornerRadiusEnd": 2},
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "sort": order, "title": "Expected close"},
            "xOffset": {"field": "measure", "sort": ["Open value", "Weighted"]},
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": "Annual value ($)",
                "axis": {"format": "$,.0f"},
            },
            "color": {
                "field": "measure",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": ["Open value", "Weighted"],
                    "range": [OPEN_COLOUR, WEIGHTED_COLOUR],
                },
            },
            "tooltip": [
                {"field": "month", "title": "Month"},
                {"field": "measure", "title": "Figure"},
                {"field": "value", "type": "quantitative", "format": "$,.0f", "title": "Value"},
            ],
        },
    }
