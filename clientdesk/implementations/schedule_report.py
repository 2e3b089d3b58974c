"""A plan file scheduled, as the CLI and the API print it (nothing stored)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clientdesk.implementations.models import TaskKind
from clientdesk.implementations.plan_files import PlanFile
from clientdesk.implementations.scheduling import (
    BusinessDays,
    Schedule,
    anchored_days,
    compute_schedule,
)
from clientdesk.lib.business_calendar import BusinessCalendar


def anchor_of(plan: PlanFile) -> str | None:
    """The go-live task: the one of kind go-live, else a milestone named "go-live"."""
    for row in plan.rows:
        if row.kind == TaskKind.GO_LIVE:
            return row.ref
    for row in plan.rows:
        if row.duration == 0 and "go-live" in row.name.lower().replace("go live", "go-live"):
            return row.ref
    return None


def schedule_plan(
    plan: PlanFile, effective: dt.date, calendar: BusinessCalendar | None = None
) -> tuple[Schedule, BusinessDays, str | None]:
    calendar = calendar or BusinessCalendar()
    schedule = compute_schedule(plan.specs())
    anchor = anchor_of(plan)
    return schedule, anchored_days(schedule, calendar, effective, anchor), anchor


def schedule_json(
    plan: PlanFile, effective: dt.date, calendar: BusinessCalendar | None = None
) -> dict[str, Any]:
    """The schedule as JSON: offsets from the plan's first business day and dates."""
    schedule, days, anchor = schedule_plan(plan, effective, calendar)
    names = {row.ref: row for row in plan.rows}
    tasks = []
    for key in schedule.order:
        times = schedule.tasks[key]
        row = names[key]
        tasks.append(
            {
                "id": key,
                "name": row.name,
                "owner_team": row.owner_team,
                "duration": times.duration,
                "milestone": times.duration == 0,
                "early_start": times.early_start,
                "early_finish": times.early_finish,
                "late_start": times.late_start,
                "late_finish": times.late_finish,
                "early_start_date": days.start_date(times.early_start).isoformat(),
                "early_finish_date": days.finish_date(
                    times.early_start, times.early_finish
                ).isoformat(),
                "late_start_date": days.start_date(times.late_start).isoformat(),
                "late_finish_date": days.finish_date(
                    times.late_start, times.late_finish
                ).isoformat(),
                "slack": times.slack,
                "critical": times.critical,
            }
        )
    return {
        "effective_date": effective.isoformat(),
        "anchor": anchor,
        "start_date": days.date(0).isoformat(),
        "finish_date": days.date(max(schedule.length - 1, 0)).isoformat(),
        "project_length_business_days": schedule.length,
        "critical_path": list(schedule.critical_path),
        "warnings": list(plan.warnings),
        "tasks": tasks,
    }


def schedule_text(data: dict[str, Any]) -> str:
    lines = [
        f"Effective {data['effective_date']} · starts {data['start_date']} · "
        f"{data['project_length_business_days']} business days · "
        f"go-live task {data['anchor'] or '—'}",
        f"{'ID':<6} {'ES':>4} {'EF':>4} {'LS':>4} {'LF':>4} {'slack':>5}  "
        f"{'start':<10} {'finish':<10}  name",
    ]
    for task in data["tasks"]:
        mark = "*" if task["critical"] else " "
        lines.append(
            f"{task['id']:<6} {task['early_start']:>4} {task['early_finish']:>4} "
            f"{task['late_start']:>4} {task['late_finish']:>4} {task['slack']:>5}{mark} "
            f"{task['early_start_date']:<10} {task['early_finish_date']:<10}  {task['name']}"
        )
    lines.append("* critical (no slack): " + " → ".join(data["critical_path"]))
    lines.extend(data["warnings"])
    return "\n".join(lines)
