"""Charts as PNG: the same Vega-Lite specs the web pages draw, rendered by vl-convert
(offline: no base URL is allowed, the data is inline in the spec)."""

from __future__ import annotations

import copy
from typing import Any

import vl_convert as vlc

from clientdesk.reports.documents import Chart, ReportDocument

CHART_WIDTH = 760  # pixels at scale 1; "container" widths have no container off the page
MAX_CHART_HEIGHT = 900


def _fixed_width(spec: dict[str, Any]) -> dict[str, Any]:
    fixed = copy.deepcopy(spec)
    if fixed.get("width") == "container":
        fixed["width"] = CHART_WIDTH
    for layer in fixed.get("layer", []):
        if layer.get("width") == "container":
            layer["width"] = CHART_WIDTH
    fixed.setdefault("background", "white")
    return fixed


def chart_png(chart: Chart, *, scale: float = 2.0) -> bytes:
    png: bytes = vlc.vegalite_to_png(_fixed_width(chart.spec), scale=scale, allowed_base_urls=[])
    return png


def render_charts(document: ReportDocument) -> dict[str, bytes]:
    """Every chart of the document as PNG bytes, by chart key (rendered once, used by the deck
    and the PDF)."""
    return {chart.key: chart_png(chart) for chart in document.charts()}
