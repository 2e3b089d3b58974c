"""SLA clocks of one inquiry, rebuilt from its status history (pure: no database, no clock).

Two clocks per inquiry, first response and resolution, each with a target in business hours
taken from the most specific matching SLA policy. A clock runs while the status is new, open
or waiting on service operations; it pauses while waiting on the sponsor; it stops when the
inquiry is resolved or closed (and, for first response, at the first response). Reopening
starts it again where it stopped. Business time follows the team calendar in the account's
time zone (clientdesk.lib.business_calendar).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from clientdesk.inquiries.conf import SlaRules
from clientdesk.inquiries.models import (
    CLOCK_PAUSES,
    CLOCK_RUNS,
    DONE_STATUSES,
    SlaMetric,
    SlaPolicy,
    SlaState,
)
from clientdesk.lib.business_calendar import (
    BusinessCalendar,
    MicroRun,
    Run,
    instant,
    micros,
    read_clock_micros,
)

_MICRO = dt.timedelta(microseconds=1)
Moment = TypeVar("Moment", dt.datetime, int)


@lru_cache(maxsize=64)
def team_calendar(timezone: str, opens: dt.time, closes: dt.time) -> BusinessCalendar:
    """The team calendar in one account's time zone (weekdays, US federal holidays)."""
    return BusinessCalendar(timezone=timezone, opens=opens, closes=closes)


def choose_policy(
    policies: Sequence[SlaPolicy], tier: str, category: str, priority: str
) -> SlaPolicy | None:
    """The most specific active policy that matches, or None when none does."""
    matching = [p for p in policies if p.is_active and p.matches(tier, category, priority)]
    return max(matching, key=SlaPolicy.specificity, default=None)


def status_runs(
    opened_at: dt.datetime,
    changes: Sequence[tuple[dt.datetime, str]],
    *,
    until: dt.datetime | None = None,
) -> list[Run]:
    """The intervals in which the status lets a clock run, from the ordered status history
    (each change: when, new status), cut at `until` when the clock stopped then."""
    return _runs(opened_at, changes, until)


def _runs(
    opened_at: Moment, changes: Sequence[tuple[Moment, str]], until: Moment | None
) -> list[tuple[Moment, Moment | None]]:
    # status_runs on datetimes or on microseconds (what evaluate uses).
    runs: list[tuple[Moment, Moment | None]] = []
    count = len(changes)
    for index, (at, status) in enumerate(changes):
        if status not in CLOCK_RUNS:
            continue
        start = max(at, opened_at)
        end = changes[index + 1][0] if index + 1 < count else None
        if until is not None:
            if start >= until:
                break
            end = until if end is None or end > until else end
        if end is not None and end <= start:
            continue
        if runs and runs[-1][1] == start:
            start = runs[-1][0]  # join back-to-back runs (e.g. new → open)
            runs.pop()
        runs.append((start, end))
    return runs


def _cut(runs: list[MicroRun], until: int) -> list[MicroRun]:
    """The runs cut at `until`: the same as building them with `until` (status_runs), from
    the runs already built without it."""
    cut: list[MicroRun] = []
    for start, end in runs:
        if start >= until:
            break
        cut.append((start, until if end is None or end > until else end))
    return cut


@dataclass(frozen=True)
class MetricClock:
    """One clock as of `now`.

    state: running, paused, met or breached. due_at: when the target is (running), was
    (breached: the moment of the breach) or stood when the clock stopped (met, paused).
    stopped_at: when a met or late clock stopped (the response or the resolution).
    """

    metric: str
    target: dt.timedelta
    elapsed: dt.timedelta
    state: str
    due_at: dt.datetime | None
    at_risk_at: dt.datetime | None
    escalate_at: dt.datetime | None
    stopped_at: dt.datetime | None

    @property
    def final(self) -> bool:
        return self.stopped_at is not None

    @property
    def target_hours(self) -> float:
        return self.target.total_seconds() / 3600

    @property
    def used_hours(self) -> float:
        """Business hours the clock has run (pauses and closed hours not counted)."""
        return self.elapsed.total_seconds() / 3600

    @property
    def left_hours(self) -> float:
        """Business hours left before the target; negative once it is passed."""
        return (self.target - self.elapsed).total_seconds() / 3600

    @property
    def over_hours(self) -> float:
        """Business hours past the target; zero before it."""
        return max(0.0, -self.left_hours)

    def minutes(self, value: dt.timedelta) -> int:
        return int(value.total_seconds() // 60)


@dataclass(frozen=True)
class InquiryClocks:
    policy: SlaPolicy | None
    state: str
    first_response: MetricClock | None
    resolution: MetricClock | None
    due_at: dt.datetime | None  # the next deadline of a running clock
    at_risk_at: dt.datetime | None

    def metrics(self) -> list[MetricClock]:
        return [m for m in (self.first_response, self.resolution) if m is not None]

    def live_state(self, now: dt.datetime) -> str:
        """on_track, at_risk or breached for a running clock; else the stored state."""
        if self.state != SlaState.RUNNING:
            return self.state
        if self.due_at is not None and self.due_at < now:
            return "breached"
        if self.at_risk_at is not None and self.at_risk_at <= now:
            return "at_risk"
        return "on_track"


NO_SLA = InquiryClocks(None, SlaState.NONE, None, None, None, None)


def _metric(
    metric: str,
    target: dt.timedelta,
    runs: list[MicroRun],
    *,
    stopped_at: dt.datetime | None,
    paused: bool,
    calendar: BusinessCalendar,
    rules: SlaRules,
    now: int,
) -> MetricClock:
    goal = target // _MICRO
    if stopped_at is not None:
        # A stopped clock only needs its deadline (as it stood); no warning, no escalation.
        elapsed, running, crossings, _ = read_clock_micros(runs, calendar, now, [goal])
        due, at_risk, escalate = crossings[0], None, None
    else:
        warn = target * rules.at_risk_fraction
        goals = [goal, warn // _MICRO, (target + rules.reassign_after) // _MICRO]
        elapsed, running, crossings, _ = read_clock_micros(runs, calendar, now, goals)
        due, at_risk, escalate = crossings
    breached = elapsed > goal
    if stopped_at is not None:
        state = SlaState.BREACHED if breached else SlaState.MET
    elif breached:
        state = SlaState.BREACHED
    elif running:
        state = SlaState.RUNNING
    else:
        state = SlaState.PAUSED if paused else SlaState.RUNNING
    return MetricClock(
        metric=metric,
        target=target,
        elapsed=dt.timedelta(microseconds=elapsed),
        state=state,
        due_at=None if due is None else instant(due),
        at_risk_at=None if at_risk is None else instant(at_risk),
        escalate_at=None if escalate is None else instant(escalate),
        stopped_at=stopped_at,
    )


@lru_cache(maxsize=1024)
def _hours(hours: Decimal) -> dt.timedelta:
    # SlaPolicy.target, without building the same timedelta for every inquiry.
    return dt.timedelta(seconds=int(hours * 3600))


def _target(policy: SlaPolicy, metric: str) -> dt.timedelta:
    hours = (
        policy.first_response_hours
        if metric == SlaMetric.FIRST_RESPONSE
        else policy.resolution_hours
    )
    return _hours(hours)


def evaluate(
    *,
    opened_at: dt.datetime,
    status: str,
    changes: Sequence[tuple[dt.datetime, str]],
    first_responded_at: dt.datetime | None,
    resolved_at: dt.datetime | None,
    merged: bool,
    policy: SlaPolicy | None,
    calendar: BusinessCalendar,
    rules: SlaRules,
    now: dt.datetime,
    imported: bool = False,
) -> InquiryClocks:
    """Both clocks of an inquiry as of `now`. A merged duplicate has no SLA. An imported
    inquiry whose first response the feed did not record has no first-response clock: its
    history is left out of first-response attainment rather than timed by a guess.

    The arithmetic is on microseconds since the epoch (clientdesk.lib.business_calendar's
    read_clock_micros): a full recompute evaluates a million of these."""
    if policy is None or merged:
        return InquiryClocks(policy if not merged else None, SlaState.NONE, None, None, None, None)
    paused = status in CLOCK_PAUSES
    done = status in DONE_STATUSES
    response_stop = first_responded_at
    if response_stop is None and done:
        response_stop = resolved_at or (changes[-1][0] if changes else opened_at)
    resolution_stop = (resolved_at or (changes[-1][0] if changes else opened_at)) if done else None
    at = micros(now)
    runs = _runs(micros(opened_at), [(micros(when), to) for when, to in changes], None)
    first = (
        None
        if imported and first_responded_at is None
        else _metric(
            SlaMetric.FIRST_RESPONSE,
            _target(policy, SlaMetric.FIRST_RESPONSE),
            runs if response_stop is None else _cut(runs, micros(response_stop)),
            stopped_at=response_stop,
            paused=paused,
            calendar=calendar,
            rules=rules,
            now=at,
        )
    )
    resolution = _metric(
        SlaMetric.RESOLUTION,
        _target(policy, SlaMetric.RESOLUTION),
        runs,
        stopped_at=resolution_stop,
        paused=paused,
        calendar=calendar,
        rules=rules,
        now=at,
    )
    clocks = [c for c in (first, resolution) if c is not None]
    states = [c.state for c in clocks]
    if SlaState.BREACHED in states:
        state = SlaState.BREACHED
    elif SlaState.RUNNING in states:
        state = SlaState.RUNNING
    elif all(s == SlaState.MET for s in states):
        state = SlaState.MET
    else:
        state = SlaState.PAUSED
    if all(c.final for c in clocks):
        return InquiryClocks(policy, state, first, resolution, None, None)
    open_clocks = [c for c in clocks if not c.final and c.state != SlaState.PAUSED]
    due = min((c.due_at for c in open_clocks if c.due_at is not None), default=None)
    at_risk = min((c.at_risk_at for c in open_clocks if c.at_risk_at is not None), default=None)
    return InquiryClocks(policy, state, first, resolution, due, at_risk)
