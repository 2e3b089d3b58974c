"""One detection run: panel -> baseline -> thresholds -> scores -> issues, with timings."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from clientdesk.accounts.models import Account
from clientdesk.insights.detection import (
    Baseline,
    Scores,
    Settings,
    Thresholds,
    calibrate,
    fit_clean_baseline,
    score,
)
from clientdesk.insights.episodes import DetectedIssue, find_issues
from clientdesk.insights.series import SeriesPanel, build_panel
from clientdesk.lake.gateway import Lake

HISTORY_DAYS = 760
"""How far back a run reads (two years plus the baseline window)."""


@dataclass
class DetectionResult:
    series: SeriesPanel
    baseline: Baseline
    scores: Scores
    thresholds: Thresholds
    settings: Settings
    issues: list[DetectedIssue]
    first_scored: int
    last_scored: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def series_days(self) -> int:
        window = self.baseline.scored[:, self.first_scored : self.last_scored + 1]
        return int(window.sum())

    @property
    def alerts(self) -> int:
        return int(self.scores.alert[:, self.first_scored : self.last_scored + 1].sum())


def load_panel(
    lake: Lake, as_of: dt.date, history_days: int = HISTORY_DAYS, *, with_themes: bool = True
) -> SeriesPanel:
    """Every watched series from `history_days` before `as_of` to `as_of`, by each account's
    local day."""
    first = as_of - dt.timedelta(days=history_days - 1)
    zones = dict(Account.objects.values_list("id", "timezone"))
    return build_panel(lake, first, as_of, zones, with_themes=with_themes)


def run_detection(
    series: SeriesPanel,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    settings: Settings | None = None,
    thresholds: Thresholds | None = None,
) -> DetectionResult:
    """Score the whole panel (baselines need the history) and turn the alerts between
    `since` and `until` into issues. Without `thresholds` they are calibrated to the budget."""
    settings = settings or Settings()
    panel = series.panel
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    base, _ = fit_clean_baseline(panel, settings)
    seconds["baseline"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if thresholds is None:
        thresholds = calibrate(panel, base, settings)
    seconds["calibration"] = time.perf_counter() - clock
    clock = time.perf_counter()
    scores = score(panel, base, thresholds, settings)
    seconds["scoring"] = time.perf_counter() - clock
    first = max(0, panel.index(since)) if since else 0
    last = min(panel.n_days - 1, panel.index(until)) if until else panel.n_days - 1
    clock = time.perf_counter()
    issues = find_issues(series, base, scores, first, last)
    seconds["issues"] = time.perf_counter() - clock
    return DetectionResult(series, base, scores, thresholds, settings, issues, first, last, seconds)
