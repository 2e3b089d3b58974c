"""Detected issues in plain words, with their evidence, ready to be stored.

`build_records` turns the engine's issues into `IssueRecord`s: a title and a summary a person
can act on ("what rose, by how much over expected, since when, where, how many affected,
which guarantees are at risk"), the evidence chart's data, the ranked contributors and the
affected counts read from the lake."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from clientdesk.insights.detection import upper_limit
from clientdesk.insights.episodes import DetectedIssue, extend_issue, frozen_expected
from clientdesk.insights.families import BY_NAME, describe_dims
from clientdesk.insights.figures import issue_figures, stored_expected, stored_observed
from clientdesk.insights.guarantee_risk import describe_guarantee, guarantees_at_risk
from clientdesk.insights.impact import issue_impact
from clientdesk.insights.pipeline import DetectionResult
from clientdesk.lake.gateway import Lake
from clientdesk.lake.local_time import zone_rows
from clientdesk.lake.marts.operations import BOOK
from clientdesk.lib import formatting

EVIDENCE_BEFORE_DAYS = 42
EVIDENCE_AFTER_DAYS = 14


@dataclass
class IssueRecord:
    fingerprint: str
    account_id: int | None
    family: str
    cause_key: str
    dimension: dict[str, str]
    title: str
    summary: str
    estimated_start: dt.date
    first_alert_date: dt.date
    last_alert_date: dt.date
    alert_days: int
    observed: float
    expected: float
    p_value: float
    detectors: list[str]
    series: list[dict[str, Any]]
    contributors: list[dict[str, Any]]
    evidence: dict[str, Any]
    affected: dict[str, Any]
    guarantees_at_risk: list[dict[str, Any]]
    theme: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def affected_dollars(self) -> Decimal:
        return Decimal(str(self.affected.get("dollars", "0")))


def signal(account_id: int | None, cause_family: str, cause: str) -> tuple[int, str, str]:
    """What makes issues the same signal: the account (BOOK for the book level) and the cause."""
    return (BOOK if account_id is None else account_id, cause_family, cause)


def fingerprint(account_id: int, cause_family: str, cause: str, first_alert: dt.date) -> str:
    scope = "book" if account_id == BOOK else f"account-{account_id}"
    return f"{scope}|{cause_family}|{cause}|{first_alert:%Y-%m-%d}"


def evidence(result: DetectionResult, issue: DetectedIssue) -> dict[str, Any]:
    """Daily observed, expected (rolling baseline before the start, frozen after) and the
    upper control limit of the issue's primary series, around the issue."""
    panel = result.series.panel
    row = issue.primary
    lo = max(0, issue.start - EVIDENCE_BEFORE_DAYS)
    hi = min(panel.n_days - 1, issue.last_alert + EVIDENCE_AFTER_DAYS, result.last_scored)
    mu = result.baseline.expected[row, lo : hi + 1].copy()
    size = result.baseline.size[row, lo : hi + 1]
    after = frozen_expected(result.series, result.baseline, row, issue.start, hi)
    mu[issue.start - lo :] = np.maximum(after, 1e-6)
    limit = upper_limit(mu, size)
    return {
        "dates": [panel.day(d).isoformat() for d in range(lo, hi + 1)],
        "observed": [int(v) for v in panel.counts[row, lo : hi + 1]],
        "expected": [round(float(v), 3) for v in mu],
        "upper": [float(v) for v in limit],
        "start": panel.day(issue.start).isoformat(),
        "first_alert": panel.day(issue.first_alert).isoformat(),
        "alerts": [
            panel.day(d).isoformat()
            for d in range(lo, hi + 1)
            if result.scores.alert[issue.rows, d].any()
        ],
    }


def issue_theme(result: DetectionResult, issue: DetectedIssue) -> str:
    """The text theme that labels an inquiry issue: its own for a theme issue; for a category
    issue, the theme of the same account (or the book) with the largest excess over the
    issue's days, if it has one."""
    if issue.cause_family == "inquiry_themes":
        return dict(issue.cause).get("theme", "")
    if issue.cause_family != "inquiries":
        return ""
    sp = result.series
    best, best_excess = "", 0.0
    for row, key in enumerate(sp.keys):
        if key.family != "inquiry_themes" or key.account_id != issue.account_id:
            continue
        first, last = issue.start, issue.last_alert
        observed = float(sp.panel.counts[row, first : last + 1].sum())
        expected = float(frozen_expected(sp, result.baseline, row, first, last).sum())
        if observed - expected > best_excess:
            best, best_excess = key.dims_dict.get("theme", ""), observed - expected
    return best


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:,.1f}"


def _count(value: float) -> str:
    """An observed count: whole as it is (a rate series' observed total is whole too)."""
    return f"{value:,.0f}" if float(value).is_integer() else _number(value)


def describe(
    issue: DetectedIssue,
    result: DetectionResult,
    account_name: str,
    contributors: list[dict[str, Any]],
    affected: dict[str, Any],
    guarantees: list[dict[str, Any]],
) -> tuple[str, str]:
    """Title and plain-words summary."""
    panel = result.series.panel
    key = result.series.keys[issue.primary]
    fam = BY_NAME[key.family]
    cause_fam = BY_NAME[issue.cause_family]
    what = describe_dims(dict(issue.cause))
    where = account_name or "the whole book"
    title = f"{cause_fam.label}{' — ' + what if what else ''} up at {where}"
    start = panel.day(issue.start)
    days = issue.last_alert - issue.start + 1
    figures = issue_figures(issue.observed, issue.expected)
    ratio = figures.ratio if figures.ratio != "new" else "far above"
    rate_note = f" (as a rate of {fam.exposure})" if fam.is_rate else ""
    parts = [
        f"{fam.noun.capitalize()}{' with ' + what if what else ''} at {where} rose to "
        f"{figures.observed} over {days} day{'s' if days != 1 else ''} against "
        f"{figures.expected} expected{rate_note} — {ratio}, "
        f"{figures.excess} more than usual — since {start:%b %-d, %Y}."
    ]
    if contributors and (
        len(contributors) > 1 or issue.account_id == BOOK or key.family != issue.cause_family
    ):
        tops = [
            f"{(c['account'] + ': ') if c['account'] and issue.account_id == BOOK else ''}"
            f"{c['label']} (+{_number(max(c['excess'], 0))})"
            for c in contributors[:3]
        ]
        parts.append("Top contributors: " + "; ".join(tops) + ".")
    counts = []
    for name, one, many in (
        ("inquiries", "inquiry", "inquiries"),
        ("members", "member", "members"),
        ("claims", "claim", "claims"),
        ("calls", "call", "calls"),
        ("sessions", "IVR session", "IVR sessions"),
    ):
        if affected.get(name):
            counts.append(f"{affected[name]:,} {one if affected[name] == 1 else many}")
    if counts:
        dollars = Decimal(str(affected.get("dollars", "0")))
        money = f", {formatting.money(dollars)}" if dollars else ""
        parts.append(f"Affected: {', '.join(counts)}{money}.")
    if guarantees:
        parts.append(
            "Guarantees at risk: " + "; ".join(describe_guarantee(g) for g in guarantees[:3]) + "."
        )
    return title[:200], " ".join(parts)


def build_records(
    result: DetectionResult,
    lake: Lake | None,
    account_names: dict[int, str],
    open_starts: dict[tuple[int, str, str], dt.date] | None = None,
) -> list[IssueRecord]:
    """Records for every issue of the run; affected counts from the lake when given.

    `open_starts`: the estimated start of each signal's open issue (`signal`); an issue of
    such a signal is extended back to it, so the record (which then updates the open issue)
    has figures for the open issue's whole span. Every affected count reads the issue's own
    series (the account's CARC, not its top provider), the series the summary counts."""
    panel = result.series.panel
    records = []
    for issue in result.issues:
        cause = ",".join(f"{k}={v}" for k, v in issue.cause)
        began = (open_starts or {}).get(signal(issue.account_id, issue.cause_family, cause))
        if began is not None and panel.first_day <= began:
            extend_issue(result.series, result.baseline, issue, (began - panel.first_day).days)
        key = result.series.keys[issue.primary]
        total = max(issue.excess, 0.0)
        contributors = [c.as_dict(total, account_names) for c in issue.contributors]
        start, end = panel.day(issue.start), panel.day(issue.last_alert)
        dims = dict(key.dims)
        affected: dict[str, Any] = {}
        if lake is not None:
            scope = None if issue.account_id == BOOK else [issue.account_id]
            affected = issue_impact(
                lake,
                zone_rows(result.series.zones, start, end),
                key.family,
                scope,
                dict(issue.cause) | (dims if key.family != "denial_details" else {}),
                start,
                end,
            )
        at = (
            [issue.account_id]
            if issue.account_id != BOOK
            else [c.account_id for c in issue.contributors[:3] if c.excess > 0 and c.account_id]
        )
        guarantees = guarantees_at_risk(at, issue.cause_family, start, end)
        name = account_names.get(issue.account_id, "") if issue.account_id != BOOK else ""
        title, summary = describe(issue, result, name, contributors, affected, guarantees)
        theme = issue_theme(result, issue)
        records.append(
            IssueRecord(
                fingerprint=fingerprint(
                    issue.account_id, issue.cause_family, cause, panel.day(issue.first_alert)
                ),
                account_id=None if issue.account_id == BOOK else issue.account_id,
                family=issue.cause_family,
                cause_key=cause,
                dimension=dict(issue.cause),
                title=title,
                summary=summary,
                estimated_start=start,
                first_alert_date=panel.day(issue.first_alert),
                last_alert_date=end,
                alert_days=issue.alert_days,
                observed=stored_observed(issue.observed),
                expected=stored_expected(issue.expected),
                p_value=float(issue.min_p),
                detectors=issue.detectors,
                series=[
                    {
                        "family": result.series.keys[r].family,
                        "dims": result.series.keys[r].dims_dict,
                    }
                    for r in issue.rows
                ],
                contributors=contributors,
                evidence=evidence(result, issue),
                affected=affected,
                guarantees_at_risk=guarantees,
                theme=theme,
            )
        )
    return records
