"""Critical-path scheduling of an implementation plan on business days.

Pure functions of values: nothing here reads the clock, the database or settings.

Time is counted in **business-day offsets**: offset 0 is the first business day of the plan.
A task of duration ``d`` that starts at offset ``s`` works on business days ``s … s+d-1`` and
*finishes* at offset ``s+d`` (the exclusive end, as in the textbook CPM); a milestone has
``d = 0``. Links follow MS Project's four types with a lag in business days (negative = lead):

- FS (finish-to-start): successor start ≥ predecessor finish + lag
- SS (start-to-start):  successor start ≥ predecessor start + lag
- FF (finish-to-finish): successor finish ≥ predecessor finish + lag
- SF (start-to-finish): successor finish ≥ predecessor start + lag

The forward pass gives early start/finish, the backward pass late start/finish from the
project's finish (or a deadline), total slack = late start - early start, critical when the
slack is ≤ 0. ``BusinessDays`` turns offsets into dates with the plan's *anchor* (the go-live
milestone) on the effective date: "backward from the effective date".
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from clientdesk.lib.business_calendar import BusinessCalendar, is_business_day

MAX_DURATION = 2_000  # business days (eight years): a longer one is a typing mistake
MAX_LAG = 2_000


class LinkType(StrEnum):
    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class ScheduleError(ValueError):
    """A plan that cannot be scheduled, with the row (spreadsheet line) that says why."""

    def __init__(self, message: str, *, row: int | None = None, task: str = "") -> None:
        self.row = row
        self.task = task
        where = f"row {row}" if row is not None else ""
        if task:
            where = f"{where} (task {task})" if where else f"task {task}"
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Link:
    """One predecessor of a task: which task, how the two are tied, the lag in business days."""

    predecessor: str
    type: LinkType = LinkType.FS
    lag: int = 0

    def notation(self) -> str:
        """MS Project's text: ``4`` for a plain FS link, else ``4FS+3``, ``2SS-1``, ``6FF``."""
        if self.type == LinkType.FS and self.lag == 0:
            return self.predecessor
        lag = f"{self.lag:+d}" if self.lag else ""
        return f"{self.predecessor}{self.type.value}{lag}"


@dataclass(frozen=True)
class TaskSpec:
    """A task as the scheduler needs it. ``row`` is where it came from, for error messages."""

    id: str
    duration: int
    links: tuple[Link, ...] = ()
    name: str = ""
    row: int | None = None


_LINK = re.compile(
    r"""^\s*(?P<pred>[A-Za-z0-9_.\-]+?)\s*
        (?P<type>FS|SS|FF|SF)?\s*
        (?:(?P<sign>[+-])\s*(?P<lag>\d+)\s*(?P<unit>d|days?|wd|wks?|w|weeks?)?)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_DURATION = re.compile(
    r"^\s*(?P<n>-?\d+(?:\.\d+)?)\s*(?P<unit>d|days?|wd|wks?|w|weeks?|)\s*\??\s*$",
    re.IGNORECASE,
)


def _days(number: int, unit: str) -> int:
    return number * 5 if unit.lower().startswith("w") else number


def parse_predecessors(text: str, *, row: int | None = None, task: str = "") -> tuple[Link, ...]:
    """MS Project's predecessor column: ``4FS+3``, ``2SS+4``, ``6;3``, ``5FF-2``, ``7SF``.

    Links are separated by ``;`` or ``,``; a lag may carry ``d``/``days`` or ``w``/``wks``
    (five business days). A link that does not parse raises ScheduleError naming the row."""
    links: list[Link] = []
    for part in re.split(r"[;,]", text or ""):
        if not part.strip():
            continue
        match = _LINK.match(part)
        if match is None:
            raise ScheduleError(
                f"predecessor {part.strip()!r} is not in MS Project notation (e.g. 4FS+3)",
                row=row,
                task=task,
            )
        lag = 0
        if match["lag"] is not None:
            lag = _days(int(match["lag"]), match["unit"] or "d")
            if lag > MAX_LAG:
                raise ScheduleError(f"lag {lag} business days is too long", row=row, task=task)
            lag = -lag if match["sign"] == "-" else lag
        kind = LinkType((match["type"] or "FS").upper())
        links.append(Link(match["pred"], kind, lag))
    return tuple(links)


def parse_duration(
    text: str | int | float | None, *, row: int | None = None, task: str = ""
) -> int:
    """A duration in whole business days: ``5``, ``5d``, ``5 days``, ``2 wks`` (10), ``0``
    (a milestone). Hours, months, elapsed days, fractions and negatives are refused."""
    if isinstance(text, bool):
        raise ScheduleError(
            f"duration {text!r} is not a number of business days", row=row, task=task
        )
    if isinstance(text, int | float):
        text = str(int(text)) if float(text).is_integer() else str(text)
    match = _DURATION.match(text or "")
    if match is None:
        raise ScheduleError(
            f"duration {text!r} is not a number of business days (e.g. 5, 5d, 2 wks)",
            row=row,
            task=task,
        )
    number = float(match["n"])
    if not number.is_integer() or number < 0:
        raise ScheduleError(
            f"duration {text!r} must be a whole, non-negative number of business days",
            row=row,
            task=task,
        )
    days = _days(int(number), match["unit"])
    if days > MAX_DURATION:
        raise ScheduleError(f"duration {days} business days is too long", row=row, task=task)
    return days


def format_predecessors(links: Iterable[Link]) -> str:
    return ";".join(link.notation() for link in links)


@dataclass(frozen=True)
class TaskTimes:
    """One task's schedule in business-day offsets (finish = exclusive end)."""

    id: str
    duration: int
    early_start: int
    early_finish: int
    late_start: int
    late_finish: int

    @property
    def slack(self) -> int:
        return self.late_start - self.early_start

    @property
    def critical(self) -> bool:
        return self.slack <= 0


@dataclass(frozen=True)
class Schedule:
    """The result of the two passes: every task's times in topological order."""

    tasks: dict[str, TaskTimes]
    order: tuple[str, ...]
    length: int  # business days from offset 0 to the last early finish
    critical_path: tuple[str, ...] = field(default=())


def check_network(tasks: Sequence[TaskSpec]) -> tuple[str, ...]:
    """The tasks' ids in topological order, or ScheduleError for a duplicate id, an unknown
    predecessor, a task that follows itself, or a cycle (naming a row on it)."""
    by_id: dict[str, TaskSpec] = {}
    for task in tasks:
        if not task.id:
            raise ScheduleError("the task has no id", row=task.row)
        if task.id in by_id:
            raise ScheduleError(
                f"id {task.id} is used twice (first on row {by_id[task.id].row})",
                row=task.row,
                task=task.id,
            )
        if task.duration < 0:
            raise ScheduleError("duration must not be negative", row=task.row, task=task.id)
        by_id[task.id] = task
    indegree = dict.fromkeys(by_id, 0)
    successors: dict[str, list[str]] = {key: [] for key in by_id}
    for task in tasks:
        for link in task.links:
            if link.predecessor not in by_id:
                raise ScheduleError(
                    f"predecessor {link.predecessor} is not a task of the plan",
                    row=task.row,
                    task=task.id,
                )
            if link.predecessor == task.id:
                raise ScheduleError("the task is its own predecessor", row=task.row, task=task.id)
            successors[link.predecessor].append(task.id)
            indegree[task.id] += 1
    ready = [key for key in by_id if indegree[key] == 0]
    order: list[str] = []
    while ready:
        key = ready.pop()
        order.append(key)
        for succ in successors[key]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                ready.append(succ)
    if len(order) < len(by_id):
        cycle = _find_cycle(by_id, {k for k, n in indegree.items() if n > 0})
        first = by_id[cycle[0]]
        raise ScheduleError(
            "the predecessors make a cycle: " + " → ".join([*cycle, cycle[0]]),
            row=first.row,
            task=first.id,
        )
    # Stable, readable order: the sheet's order wherever the links allow it.
    position = {task.id: index for index, task in enumerate(tasks)}
    return _stable_topological(by_id, position)


def _stable_topological(
    by_id: Mapping[str, TaskSpec], position: Mapping[str, int]
) -> tuple[str, ...]:
    import heapq

    indegree = {key: len(task.links) for key, task in by_id.items()}
    successors: dict[str, list[str]] = {key: [] for key in by_id}
    for task in by_id.values():
        for link in task.links:
            successors[link.predecessor].append(task.id)
    heap = [(position[key], key) for key, n in indegree.items() if n == 0]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        _, key = heapq.heappop(heap)
        order.append(key)
        for succ in successors[key]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                heapq.heappush(heap, (position[succ], succ))
    return tuple(order)


def _find_cycle(by_id: Mapping[str, TaskSpec], stuck: set[str]) -> list[str]:
    """One cycle among the tasks left over by the topological sort, in link order."""
    start = min(stuck, key=lambda key: (by_id[key].row or 0, key))
    path: list[str] = []
    seen: dict[str, int] = {}
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        # Every stuck task has a stuck predecessor: walk backwards along those.
        node = next(link.predecessor for link in by_id[node].links if link.predecessor in stuck)
    cycle = path[seen[node] :]
    cycle.reverse()  # predecessor → successor
    first = min(range(len(cycle)), key=lambda i: (by_id[cycle[i]].row or 0, cycle[i]))
    return cycle[first:] + cycle[:first]


def compute_schedule(
    tasks: Sequence[TaskSpec],
    *,
    earliest: Mapping[str, int] | None = None,
    fixed: Mapping[str, tuple[int, int]] | None = None,
    finish_by: int | None = None,
    deadlines: Mapping[str, int] | None = None,
    order: Sequence[str] | None = None,
) -> Schedule:
    """The critical-path schedule of a plan.

    ``earliest``: a task may not start before this offset (progress: "not before today").
    ``fixed``: tasks whose start and finish are known (actuals), kept as they are.
    ``finish_by``: the offset every task must finish by (default: the project's length), so
    slack turns negative when the forward pass overruns it. ``deadlines``: a task's own latest
    *start* (the go-live milestone on the effective date)."""
    by_id = {task.id: task for task in tasks}
    topo = tuple(order) if order is not None else check_network(tasks)
    earliest = earliest or {}
    fixed = fixed or {}
    deadlines = deadlines or {}
    es: dict[str, int] = {}
    ef: dict[str, int] = {}
    for key in topo:
        task = by_id[key]
        if key in fixed:
            es[key], ef[key] = fixed[key]
            continue
        d = task.duration
        start = max(0, earliest.get(key, 0))
        for link in task.links:
            p = link.predecessor
            if link.type == LinkType.FS:
                start = max(start, ef[p] + link.lag)
            elif link.type == LinkType.SS:
                start = max(start, es[p] + link.lag)
            elif link.type == LinkType.FF:
                start = max(start, ef[p] + link.lag - d)
            else:  # SF
                start = max(start, es[p] + link.lag - d)
        es[key] = start
        ef[key] = start + d
    length = max(ef.values(), default=0)
    end = length if finish_by is None else finish_by
    lf: dict[str, int] = {}
    ls: dict[str, int] = {}
    for key in by_id:
        task = by_id[key]
        lf[key] = end
        if key in deadlines:
            lf[key] = min(lf[key], deadlines[key] + task.duration)
    for key in reversed(topo):
        task = by_id[key]
        ls[key] = lf[key] - task.duration
        for link in task.links:
            p = link.predecessor
            dp = by_id[p].duration
            if link.type == LinkType.FS:
                bound = ls[key] - link.lag
            elif link.type == LinkType.SS:
                bound = ls[key] - link.lag + dp
            elif link.type == LinkType.FF:
                bound = lf[key] - link.lag
            else:  # SF
                bound = lf[key] - link.lag + dp
            if bound < lf[p]:
                lf[p] = bound
    times = {
        key: TaskTimes(key, by_id[key].duration, es[key], ef[key], ls[key], lf[key]) for key in topo
    }
    critical = tuple(key for key in topo if times[key].critical)
    return Schedule(times, topo, length, critical)


@dataclass(frozen=True)
class BusinessDays:
    """Offsets ↔ dates on a business calendar, with offset ``anchor`` on ``anchor_date``.

    Offsets before the anchor are the business days before the anchor date, counted back;
    offsets after it the business days after it. The anchor date itself need not be a business
    day (a January 1 effective date is a holiday): the go-live milestone still sits on it."""

    calendar: BusinessCalendar
    anchor: int
    anchor_date: dt.date

    # The business days after (forward) and before (back, nearest first) the anchor date,
    # extended on demand: a 2,000-task plan turns 8,000 offsets into dates in a few lookups.
    _forward: list[dt.date] = field(default_factory=list, compare=False, repr=False)
    _back: list[dt.date] = field(default_factory=list, compare=False, repr=False)

    def _extend(self, days: list[dt.date], count: int, step: int) -> None:
        current = days[-1] if days else self.anchor_date
        one = dt.timedelta(days=step)
        while len(days) < count:
            current += one
            if is_business_day(current, self.calendar):
                days.append(current)

    def date(self, offset: int) -> dt.date:
        steps = offset - self.anchor
        if steps == 0:
            return self.anchor_date
        days, step = (self._forward, 1) if steps > 0 else (self._back, -1)
        self._extend(days, abs(steps), step)
        return days[abs(steps) - 1]

    def offset(self, day: dt.date) -> int:
        """The offset of a date; a day off counts as the next business day (a task started on a
        Saturday starts, for the schedule, on Monday)."""
        if day == self.anchor_date:
            return self.anchor
        day = next_business_day(day, self.calendar)
        if day == self.anchor_date:
            return self.anchor
        if day > self.anchor_date:
            self._extend(self._forward, max(len(self._forward), 1), 1)
            while self._forward[-1] < day:
                self._extend(self._forward, len(self._forward) * 2, 1)
            return self.anchor + bisect_left(self._forward, day) + 1
        self._extend(self._back, max(len(self._back), 1), -1)
        while self._back[-1] > day:
            self._extend(self._back, len(self._back) * 2, -1)
        # _back is in descending order: count the days on or after `day`.
        low, high = 0, len(self._back)
        while low < high:
            middle = (low + high) // 2
            if self._back[middle] > day:
                low = middle + 1
            else:
                high = middle
        return self.anchor - (low + 1)

    def start_date(self, offset: int) -> dt.date:
        return self.date(offset)

    def finish_date(self, start: int, finish: int) -> dt.date:
        """The last working day of a task (its start date for a milestone)."""
        return self.date(finish - 1) if finish > start else self.date(start)


def _step(day: dt.date, count: int, calendar: BusinessCalendar) -> dt.date:
    """The count-th business day after (count > 0) or before (count < 0) day."""
    if count == 0:
        return day
    one = dt.timedelta(days=1 if count > 0 else -1)
    remaining = abs(count)
    current = day
    while remaining:
        current += one
        if is_business_day(current, calendar):
            remaining -= 1
    return current


def next_business_day(day: dt.date, calendar: BusinessCalendar) -> dt.date:
    """The day itself if it is a business day, else the next one."""
    while not is_business_day(day, calendar):
        day += dt.timedelta(days=1)
    return day


def anchored_days(
    schedule: Schedule, calendar: BusinessCalendar, effective: dt.date, anchor: str | None
) -> BusinessDays:
    """Dates for a schedule built backward from the effective date: the anchor task's early
    start (go-live) on the effective date, or the project's end when the plan has no anchor."""
    offset = schedule.tasks[anchor].early_start if anchor in schedule.tasks else schedule.length
    return BusinessDays(calendar, offset, effective)
