"""From alerts to emerging issues: merge related alerts, date the start, measure the excess and
rank the contributors.

Alerts merge into one issue when they share the account (or the book level) and the cause
(family and cause dimension, e.g. denials with CARC 197, whatever the provider and procedure):
the signal. Alerts within `MERGE_GAP_DAYS` of each other form an episode; the episodes worth
raising of one signal are one issue (an issue stays open until someone closes it, so a
signal that comes back extends it: one open issue per signal, never two). The start is the
CUSUM change point of the earliest alert; observed and expected are summed from the start to
the last alert, the expected frozen at the rate the baseline had at the start (so the issue
does not explain itself away as it enters the rolling window). Contributors are the child
series that explain the excess, observed - expected: provider x procedure leaves for
denials, accounts for a book-level issue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clientdesk.insights.detection import Baseline, Scores, change_point
from clientdesk.insights.families import BY_NAME, cause_key, describe_dims
from clientdesk.insights.series import SeriesPanel
from clientdesk.lake.marts.operations import BOOK

MERGE_GAP_DAYS = 7
MAX_CONTRIBUTORS = 8
MIN_EXCESS = 3.0
"""Fewest extra events (observed - expected) that make an issue worth a person's look."""
SINGLE_DAY_P = 1e-4
"""An issue resting on one alert day needs at least this much evidence."""
EXPLAINED_SHARE = 0.8
"""A book-level issue whose top account explains this share of the excess, while that account
has its own issue on the same cause, is that account's issue (not shown twice)."""


@dataclass
class Contributor:
    row: int
    account_id: int
    family: str
    dims: dict[str, str]
    observed: float
    expected: float

    @property
    def excess(self) -> float:
        return self.observed - self.expected

    def as_dict(self, total_excess: float, account_names: dict[int, str]) -> dict[str, Any]:
        return {
            "account_id": self.account_id or None,
            "account": account_names.get(self.account_id, "") if self.account_id else "",
            "family": self.family,
            "dims": self.dims,
            "label": describe_dims(self.dims) or BY_NAME[self.family].label,
            "observed": round(self.observed, 1),
            "expected": round(self.expected, 2),
            "excess": round(self.excess, 1),
            "share": round(self.excess / total_excess, 3) if total_excess > 0 else 0.0,
        }


@dataclass
class DetectedIssue:
    """One emerging issue as the engine sees it (day indexes into the panel)."""

    account_id: int
    cause_family: str
    cause: tuple[tuple[str, str], ...]
    rows: list[int]
    primary: int
    first_alert: int
    last_alert: int
    start: int
    alert_days: int
    min_p: float
    detectors: list[str]
    observed: float
    expected: float
    contributors: list[Contributor] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected > 0 else float("inf")

    @property
    def excess(self) -> float:
        return self.observed - self.expected


def frozen_expected(sp: SeriesPanel, base: Baseline, row: int, start: int, end: int) -> np.ndarray:
    """Expected counts on days start..end with the rate frozen at the start."""
    days = slice(start, end + 1)
    return np.asarray(
        base.adjusted_exposure[row, days] * base.rate[row, start] * base.common[row, days]
    )


def _sums(sp: SeriesPanel, base: Baseline, row: int, start: int, end: int) -> tuple[float, float]:
    observed = float(sp.panel.counts[row, start : end + 1].sum())
    return observed, float(frozen_expected(sp, base, row, start, end).sum())


def _children(sp: SeriesPanel, account_id: int, family: str, cause: dict[str, str]) -> list[int]:
    """Series below an issue: leaves of an account's denials, accounts of a book issue."""
    index = sp.children_index()
    out = []
    for i in index.get((account_id, family), []):
        dims = sp.keys[i].dims_dict
        if all(dims.get(d) == v for d, v in cause.items()):
            out.append(i)
    return out


def find_issues(
    sp: SeriesPanel, base: Baseline, scores: Scores, first_day: int, last_day: int
) -> list[DetectedIssue]:
    """Issues whose alerts fall between panel days first_day and last_day (inclusive)."""
    rows, days = np.nonzero(scores.alert[:, first_day : last_day + 1])
    days = days + first_day
    grouped: dict[tuple[int, str, tuple[tuple[str, str], ...]], list[tuple[int, int]]] = {}
    for r, d in zip(rows.tolist(), days.tolist(), strict=True):
        key = sp.keys[r]
        fam, cause = cause_key(key.family, key.dims_dict)
        grouped.setdefault((key.account_id, fam, cause), []).append((d, r))
    issues: list[DetectedIssue] = []
    for (account_id, fam, cause), alerts in grouped.items():
        alerts.sort()
        episodes: list[list[tuple[int, int]]] = []
        for alert in alerts:
            if episodes and alert[0] - episodes[-1][-1][0] <= MERGE_GAP_DAYS:
                episodes[-1].append(alert)
            else:
                episodes.append([alert])
        kept = [
            e
            for e in episodes
            if worth_raising(_issue(sp, base, scores, account_id, fam, cause, e))
        ]
        if kept:
            merged = [alert for e in kept for alert in e]
            issues.append(_issue(sp, base, scores, account_id, fam, cause, merged))
    issues = [i for i in issues if not _explained_by_account(i, issues)]
    issues.sort(key=lambda i: (i.first_alert, -i.excess))
    return issues


def worth_raising(issue: DetectedIssue) -> bool:
    """Enough extra events, and more than one alert day or one very clear one."""
    return issue.excess >= MIN_EXCESS and (issue.alert_days >= 2 or issue.min_p <= SINGLE_DAY_P)


def _explained_by_account(issue: DetectedIssue, issues: list[DetectedIssue]) -> bool:
    if issue.account_id != BOOK or not issue.contributors or issue.excess <= 0:
        return False
    top = issue.contributors[0]
    if top.excess < EXPLAINED_SHARE * issue.excess:
        return False
    return any(
        other.account_id == top.account_id
        and other.cause_family == issue.cause_family
        and other.cause == issue.cause
        and other.first_alert <= issue.last_alert + MERGE_GAP_DAYS
        and issue.first_alert <= other.last_alert + MERGE_GAP_DAYS
        for other in issues
    )


def _issue(
    sp: SeriesPanel,
    base: Baseline,
    scores: Scores,
    account_id: int,
    fam: str,
    cause: tuple[tuple[str, str], ...],
    episode: list[tuple[int, int]],
) -> DetectedIssue:
    first_alert, last_alert = episode[0][0], episode[-1][0]
    rows = sorted({r for _, r in episode})
    start = min(change_point(scores.cusum, r, d) for d, r in episode if d == first_alert)
    start = max(min(start, first_alert), first_alert - 45)
    cause_rows = [r for r in rows if sp.keys[r].family == fam]
    members = cause_rows or rows
    sums = [_sums(sp, base, r, start, last_alert) for r in members]
    best = int(np.argmax([o - e for o, e in sums]))
    primary = members[best]
    observed, expected = sums[best]
    fired = np.bitwise_or.reduce([int(scores.fired[r, d]) for d, r in episode])
    detectors = [
        n for bit, n in ((1, "spike"), (2, "ewma"), (4, "cusum"), (8, "window")) if fired & bit
    ]
    issue = DetectedIssue(
        account_id=account_id,
        cause_family=fam,
        cause=cause,
        rows=rows,
        primary=primary,
        first_alert=first_alert,
        last_alert=last_alert,
        start=start,
        alert_days=len({d for d, _ in episode}),
        min_p=float(min(scores.p_value[r, d] for d, r in episode)),
        detectors=detectors,
        observed=observed,
        expected=expected,
    )
    issue.contributors = contributors(sp, base, issue)
    return issue


def extend_issue(sp: SeriesPanel, base: Baseline, issue: DetectedIssue, start: int) -> None:
    """Date the issue back to `start` (a panel day), where an open issue of the same signal
    began: observed and expected are summed from there, the primary series and the
    contributors chosen again, so the extended issue's figures cover its whole span."""
    start = max(0, start)
    if start >= issue.start:
        return
    issue.start = start
    members = [r for r in issue.rows if sp.keys[r].family == issue.cause_family] or issue.rows
    sums = [_sums(sp, base, r, start, issue.last_alert) for r in members]
    best = int(np.argmax([o - e for o, e in sums]))
    issue.primary = members[best]
    issue.observed, issue.expected = sums[best]
    issue.contributors = contributors(sp, base, issue)


def contributors(sp: SeriesPanel, base: Baseline, issue: DetectedIssue) -> list[Contributor]:
    """Child series ranked by excess over the issue's days (the primary series itself when it
    has no children), largest first."""
    children = _children(sp, issue.account_id, issue.cause_family, dict(issue.cause))
    candidates = children or [issue.primary]
    out = []
    for row in candidates:
        observed, expected = _sums(sp, base, row, issue.start, issue.last_alert)
        key = sp.keys[row]
        out.append(Contributor(row, key.account_id, key.family, key.dims_dict, observed, expected))
    # Leaves of a book-level denial issue add up again by account (the family of the cause).
    if issue.account_id == BOOK:
        out = [c for c in out if c.family == issue.cause_family] or out
    out.sort(key=lambda c: c.excess, reverse=True)
    return out[:MAX_CONTRIBUTORS]
