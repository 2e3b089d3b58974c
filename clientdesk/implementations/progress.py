"""A plan's progress: the schedule forward from today with the actuals, against the plan.

Pure functions of task values, the calendar and today. Done tasks keep their actual dates;
started ones finish after their remaining work from today; the rest start no sooner than
today. The go-live milestone must still start on the effective date and every task finish by
the plan's end, so a task that can no longer make it has **negative slack**: it is late, on
the critical path, and the go-live forecast slips by the days lost.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from clientdesk.implementations.scheduling import (
    BusinessDays,
    TaskSpec,
    compute_schedule,
    parse_predecessors,
)

DONE = "done"


class TaskLike(Protocol):
    @property
    def ref(self) -> str: ...
    @property
    def duration(self) -> int: ...
    @property
    def predecessors(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def percent_done(self) -> int: ...
    @property
    def actual_start(self) -> dt.date | None: ...
    @property
    def actual_finish(self) -> dt.date | None: ...


@dataclass(frozen=True)
class TaskForecast:
    ref: str
    start: dt.date
    finish: dt.date
    slack: int
    late: bool  # not done and can no longer finish in time (negative slack)
    slipped: int | None  # business days the forecast finish is after the baseline finish


@dataclass(frozen=True)
class PlanForecast:
    today_offset: int
    tasks: dict[str, TaskForecast]
    go_live: dt.date | None
    days_lost: int  # business days go-live slips past the effective date (0 when on time)
    late_refs: tuple[str, ...]  # late tasks, most negative slack first

    @property
    def on_time(self) -> bool:
        return self.days_lost == 0 and not self.late_refs


def specs_of(tasks: Sequence[TaskLike]) -> list[TaskSpec]:
    return [
        TaskSpec(t.ref, t.duration, parse_predecessors(t.predecessors, task=t.ref), row=i)
        for i, t in enumerate(tasks, start=1)
    ]


def forecast(
    tasks: Sequence[TaskLike],
    days: BusinessDays,
    *,
    today: dt.date,
    project_length: int,
    anchor: str | None,
    baseline: Mapping[str, Sequence[str]] | None = None,
) -> PlanForecast:
    """The schedule forward from today (see the module's docstring)."""
    now = days.offset(today)
    fixed: dict[str, tuple[int, int]] = {}
    earliest: dict[str, int] = {}
    for task in tasks:
        if task.status == DONE:
            finish_day = task.actual_finish or today
            start_day = task.actual_start or finish_day
            start = days.offset(start_day)
            finish = max(start, days.offset(finish_day) + (1 if task.duration else 0))
            fixed[task.ref] = (start, finish)
        elif task.actual_start is not None:
            start = days.offset(task.actual_start)
            remaining = math.ceil(task.duration * (100 - task.percent_done) / 100)
            fixed[task.ref] = (start, max(start + min(task.duration, 1), now + remaining))
        else:
            earliest[task.ref] = now
    deadlines = {anchor: days.anchor} if anchor is not None else {}
    schedule = compute_schedule(
        specs_of(tasks),
        earliest=earliest,
        fixed=fixed,
        finish_by=max(project_length, 0),
        deadlines=deadlines,
    )
    status = {task.ref: task.status for task in tasks}
    result: dict[str, TaskForecast] = {}
    for key, times in schedule.tasks.items():
        finish_day = days.finish_date(times.early_start, times.early_finish)
        slipped = None
        if baseline and key in baseline:
            base_finish = dt.date.fromisoformat(str(baseline[key][1]))
            slipped = days.offset(finish_day) - days.offset(base_finish)
        result[key] = TaskForecast(
            key,
            days.start_date(times.early_start),
            finish_day,
            times.slack,
            status[key] != DONE and times.slack < 0,
            slipped,
        )
    go_live = None
    days_lost = 0
    if anchor is not None and anchor in schedule.tasks:
        anchor_start = schedule.tasks[anchor].early_start
        go_live = days.date(anchor_start)
        days_lost = max(0, anchor_start - days.anchor)
    late = sorted((t for t in result.values() if t.late), key=lambda t: (t.slack, t.ref))
    return PlanForecast(now, result, go_live, days_lost, tuple(t.ref for t in late))
