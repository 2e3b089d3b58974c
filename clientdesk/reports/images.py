"""Charts as PNG: the same Vega-Lite specs the web pages draw, rendered by vl-convert
(offline: no base URL is allowed, the data is inline in the spec)."""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
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


# Charts drawn lately, by spec and scale: a report drawn again (the next run of a schedule, the
# same account and period asked for twice, the deck and the brief) draws the same PNG, and
# vl-convert took ~0.1 s a chart (the reports and strategy tests drew 28 charts, 7 distinct).
_DRAWN_KEPT = 32
_drawn: OrderedDict[str, bytes] = OrderedDict()
_drawn_lock = threading.Lock()


def chart_png(chart: Chart, *, scale: float = 2.0) -> bytes:
    spec = _fixed_width(chart.spec)
    key = f"{scale}:{json.dumps(spec, sort_keys=True, default=repr)}"
    with _drawn_lock:
        if key in _drawn:
            _drawn.move_to_end(key)
            return _drawn[key]
    png: bytes = vlc.vegalite_to_png(spec, scale=scale, allowed_base_urls=[])
    with _drawn_lock:
        _drawn[key] = png
        while len(_drawn) > _DRAWN_KEPT:
            _drawn.popitem(last=False)
    return png


def render_charts(document: ReportDocument) -> dict[str, bytes]:
    """Every chart of the document as PNG bytes, by chart key (rendered once, used by the deck
    and the PDF)."""
    return {chart.key: chart_png(chart) for chart in document.charts()}
