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
from functools import lru_cache

from clientdesk.inquiries.conf import SlaRules
from clientdesk.inquiries.models import (
    CLOCK_PAUSES,
    CLOCK_RUNS,
    DONE_STATUSES,
    SlaMetric,
    SlaPolicy,
    SlaState,
)
from clientdesk.lib.business_calendar import BusinessCalendar, Run, read_clock


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
    runs: list[Run] = []
    for index, (at, status) in enumerate(changes):
        if status not in CLOCK_RUNS:
            continue
        start = max(at, opened_at)
        end = changes[index + 1][0] if index + 1 < len(changes) else None
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
    runs: list[Run],
    *,
    stopped_at: dt.datetime | None,
    paused: bool,
    calendar: BusinessCalendar,
    rules: SlaRules,
    now: dt.datetime,
) -> MetricClock:
    if stopped_at is not None:
        # A stopped clock only needs its deadline (as it stood); no warning, no escalation.
        reading = read_clock(runs, calendar, now, [target])
        due, at_risk, escalate = reading.crossings[0], None, None
    else:
        warn = target * rules.at_risk_fraction
        reading = read_clock(runs, calendar, now, [target, warn, target + rules.reassign_after])
        due, at_risk, escalate = reading.crossings
    breached = reading.reached(0)
    if stopped_at is not None:
        state = SlaState.BREACHED if breached else SlaState.MET
    elif breached:
        state = SlaState.BREACHED
    elif reading.running:
        state = SlaState.RUNNING
    else:
        state = SlaState.PAUSED if paused else SlaState.RUNNING
    return MetricClock(
        metric=metric,
        target=target,
        elapsed=reading.elapsed,
        state=state,
        due_at=due,
        at_risk_at=at_risk,
        escalate_at=escalate,
        stopped_at=stopped_at,
    )


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
) -> InquiryClocks:
    """Both clocks of an inquiry as of `now`. A merged duplicate has no SLA."""
    if policy is None or merged:
        return InquiryClocks(policy if not merged else None, SlaState.NONE, None, None, None, None)
    paused = status in CLOCK_PAUSES
    done = status in DONE_STATUSES
    response_stop = first_responded_at
    if response_stop is None and done:
        response_stop = resolved_at or (changes[-1][0] if changes else opened_at)
    first = _metric(
        SlaMetric.FIRST_RESPONSE,
        policy.target(SlaMetric.FIRST_RESPONSE),
        status_runs(opened_at, changes, until=response_stop),
        stopped_at=response_stop,
        paused=paused,
        calendar=calendar,
        rules=rules,
        now=now,
    )
    resolution_stop = (resolved_at or (changes[-1][0] if changes else opened_at)) if done else None
    resolution = _metric(
        SlaMetric.RESOLUTION,
        policy.target(SlaMetric.RESOLUTION),
        status_runs(opened_at, changes),
        stopped_at=resolution_stop,
        paused=paused,
        calendar=calendar,
        rules=rules,
        now=now,
    )
    clocks = (first, resolution)
    running = [c for c in clocks if c.state == SlaState.RUNNING]
    if any(c.state == SlaState.BREACHED for c in clocks):
        state = SlaState.BREACHED
    elif running:
        state = SlaState.RUNNING
    elif all(c.state == SlaState.MET for c in clocks):
        state = SlaState.MET
    else:
        state = SlaState.PAUSED
    open_clocks = [c for c in clocks if not c.final and c.state != SlaState.PAUSED]
    due = min((c.due_at for c in open_clocks if c.due_at is not None), default=None)
    at_risk = min((c.at_risk_at for c in open_clocks if c.at_risk_at is not None), default=None)
    return InquiryClocks(policy, state, first, resolution, due, at_risk)
