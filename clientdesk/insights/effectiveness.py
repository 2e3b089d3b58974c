"""Effectiveness check: after the fix date, is the affected series back within control limits?

The watched series is the problem's (family, account, dimension). Its expected count keeps
the rate and day-of-week shape the baseline had before the issue started (so the problem does
not become the new normal) and the day's exposure; the control limit is the NB quantile with
0.1 % above it.

Verdicts: `verified` once the last `verify_days` days in a row were within the limit;
`reopen` when that has not happened `verify_days` days after the fix, or when a verified
problem's series goes out again; `watching` before then; `waiting` without a fix date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from numpy.typing import NDArray

from clientdesk.insights.detection import upper_limit
from clientdesk.insights.pipeline import DetectionResult

F64 = NDArray[np.float64]


def judge(
    observed: F64,
    limit: F64,
    *,
    days_since_fix: int,
    verify_days: int,
    was_verified: bool,
) -> dict[str, Any]:
    """The verdict on the days after the fix (oldest first, ending at the check date)."""
    inside = observed <= limit
    streak = 0
    for ok in inside[::-1]:
        if not ok:
            break
        streak += 1
    out_days = int((~inside).sum())
    if streak >= verify_days:
        verdict = "verified"
    elif was_verified or days_since_fix >= verify_days:
        verdict = "reopen"
    else:
        verdict = "watching"
    explanation = (
        f"{streak} day(s) in a row within control limits (need {verify_days}); "
        f"{out_days} day(s) above the limit since the fix."
    )
    return {
        "verdict": verdict,
        "days_in_control": streak,
        "days_out": out_days,
        "days_since_fix": days_since_fix,
        "explanation": explanation,
    }


def frozen_weekday_expected(
    result: DetectionResult, row: int, anchor: int, first: int, last: int
) -> F64:
    """Expected counts on days first..last as the series was before the issue: the rate and
    the day-of-week/holiday weight of the same weekday on or before `anchor` (the rolling
    estimates after the issue have absorbed it), today's exposure and common factor."""
    base, panel = result.baseline, result.series.panel
    days = np.arange(first, last + 1)
    same_weekday = anchor - ((anchor - days) % 7)
    exposure = panel.exposure[row]
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(
            exposure[same_weekday] > 0,
            base.adjusted_exposure[row, same_weekday] / exposure[same_weekday],
            1.0,
        )
    return np.asarray(exposure[days] * weight * base.rate[row, anchor] * base.common[row, days])


def check_problem_series(
    result: DetectionResult,
    *,
    family: str,
    account_id: int,
    dimension: dict[str, str],
    baseline_day: dt.date,
    fix_date: dt.date,
    as_of: dt.date,
    verify_days: int,
    was_verified: bool,
) -> dict[str, Any]:
    """Judge the watched series from the day after `fix_date` to `as_of`."""
    if fix_date >= as_of:
        return {
            "verdict": "waiting",
            "days_in_control": 0,
            "days_out": 0,
            "days_since_fix": 0,
            "explanation": "The fix date has not passed yet.",
        }
    sp = result.series
    rows = [
        i
        for i, k in enumerate(sp.keys)
        if k.family == family and k.account_id == account_id and k.dims_dict == dimension
    ]
    panel = sp.panel
    first, last = panel.index(fix_date) + 1, panel.index(as_of)
    if not rows or first > last or first < 0:
        return {
            "verdict": "waiting",
            "days_in_control": 0,
            "days_out": 0,
            "days_since_fix": 0,
            "explanation": "No data for the watched series after the fix yet.",
        }
    row = rows[0]
    anchor = min(max(panel.index(baseline_day), 0), panel.n_days - 1)
    base = result.baseline
    days = slice(first, last + 1)
    mu = np.maximum(frozen_weekday_expected(result, row, anchor, first, last), 1e-6)
    limit = upper_limit(mu, base.size[row, days])
    verdict = judge(
        panel.counts[row, days],
        limit,
        days_since_fix=(as_of - fix_date).days,
        verify_days=verify_days,
        was_verified=was_verified,
    )
    verdict["observed"] = [int(v) for v in panel.counts[row, days]]
    verdict["limit"] = [float(v) for v in limit]
    return verdict
