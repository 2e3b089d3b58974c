"""The Gantt chart of a plan, as a Vega-Lite spec (rendered by the app's shared Vega bundle).

Bars from each task's start to its finish (the forecast forward from today), critical tasks
in red, milestones as diamonds, the baseline finish as a tick when a baseline is saved, a
line for today and one for the effective date. Dates are calendar dates: ISO strings read on
a UTC scale, so a renderer west of UTC cannot shift a bar by a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from clientdesk.implementations.models import Task
from clientdesk.implementations.progress import PlanForecast

CRITICAL, NORMAL, DONE_COLOUR = "#b42318", "#1f5f8b", "#8a94a6"


def gantt_spec(
    tasks: Sequence[Task],
    fc: PlanForecast,
    *,
    today: dt.date,
    effective: dt.date,
    baseline: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    rows = []
    for task in tasks:
        f = fc.tasks[task.ref]
        label = f"{task.ref} {task.name}"[:60]
        state = "done" if task.status == "done" else "critical" if f.slack <= 0 else "slack"
        rows.append(
            {
                "task": label,
                "start": f.start.isoformat(),
                "end": (f.finish + dt.timedelta(days=1)).isoformat(),
                "milestone": task.duration == 0,
                "state": state,
                "slack": f.slack,
                "owner": task.get_owner_team_display() or "—",
                "baseline": (baseline or {}).get(task.ref, [None, None])[1] or None,
            }
        )
    order = [row["task"] for row in rows]
    x = {"field": "start", "type": "temporal", "title": None, "scale": {"type": "utc"}}
    y = {"field": "task", "type": "nominal", "sort": order, "title": None}
    colour = {
        "field": "state",
        "type": "nominal",
        "title": None,
        "scale": {
            "domain": ["critical", "slack", "done"],
            "range": [CRITICAL, NORMAL, DONE_COLOUR],
        },
    }
    tooltip = [
        {"field": "task", "type": "nominal"},
        {"field": "owner", "type": "nominal"},
        {"field": "start", "type": "temporal", "format": "%b %d", "scale": {"type": "utc"}},
        {"field": "slack", "type": "quantitative", "title": "slack (business days)"},
    ]
    rules = [
        {"when": today.isoformat(), "what": "today"},
        {"when": effective.isoformat(), "what": "effective date"},
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": {"step": 18},
        "data": {"values": rows},
        "layer": [
            {
                "transform": [{"filter": "!datum.milestone"}],
                "mark": {"type": "bar", "cornerRadius": 2},
                "encoding": {
                    "x": x,
                    "x2": {"field": "end"},
                    "y": y,
                    "color": colour,
                    "tooltip": tooltip,
                },
            },
            {
                "transform": [{"filter": "datum.milestone"}],
                "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 120},
                "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip},
            },
            {
                "transform": [{"filter": "datum.baseline != null"}],
                "mark": {"type": "tick", "color": "#1d2433", "thickness": 2},
                "encoding": {
                    "x": {"field": "baseline", "type": "temporal", "scale": {"type": "utc"}},
                    "y": y,
                },
            },
            {
                "data": {"values": rules},
                "mark": {"type": "rule", "strokeDash": [4, 3]},
                "encoding": {
                    "x": {"field": "when", "type": "temporal", "scale": {"type": "utc"}},
                    "color": {
                        "field": "what",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": ["today", "effective date"],
                            "range": ["#9a6700", "#1e7b4f"],
                        },
                    },
                },
            },
        ],
        "resolve": {"scale": {"color": "independent"}},
    }
