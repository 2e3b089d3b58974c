"""The detection engine on hand-computed fixtures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from clientdesk.insights.detection import (
    Panel,
    Settings,
    Thresholds,
    benjamini_hochberg,
    change_point,
    fit_baseline,
    nb_llr,
    nb_upper_tail,
    score,
    window_sums,
)
from clientdesk.insights.effectiveness import judge

MONDAY = dt.date(2025, 1, 6)


def _panel(counts: np.ndarray, exposure: np.ndarray | None = None) -> Panel:
    s = counts.shape[0]
    return Panel(
        first_day=MONDAY,
        counts=counts.astype(float),
        exposure=np.ones_like(counts, dtype=float) if exposure is None else exposure,
        group=np.arange(s, dtype=np.int64),
        pool=np.full(s, -1, dtype=np.int64),
        family=np.zeros(s, dtype=np.int64),
        family_names=("inquiries",),
    )


def test_window_sums_end_a_guard_band_before_the_day() -> None:
    values = np.arange(10, dtype=float)[None, :]  # 0..9
    lo = np.array([0, 0, 0, 0, 0, 1, 2, 3, 4, 5])
    hi = lo + np.array([0, 0, 1, 2, 3, 3, 3, 3, 3, 3])
    sums = window_sums(values, lo, hi)[0]
    assert sums.tolist() == [0, 0, 0, 1, 3, 6, 9, 12, 15, 18]


def test_nb_upper_tail_matches_the_closed_form() -> None:
    # NB(mean 1, size 5): P(Y >= 1) = 1 - (5/6)^5 = 0.598122...
    p = nb_upper_tail(np.array([0.0, 1.0]), np.array([1.0, 1.0]), np.array([5.0, 5.0]))
    assert p[0] == 1.0
    assert p[1] == pytest.approx(1 - (5 / 6) ** 5, rel=1e-12)


def test_cusum_llr_for_a_doubling() -> None:
    # size r, mean m: r log((r+m)/(r+2m)) + y log(2(r+m)/(r+2m)); r=2, m=1, y=3
    llr = nb_llr(np.array([3.0]), np.array([1.0]), np.array([2.0]), 2.0)
    assert llr[0] == pytest.approx(2 * np.log(3 / 4) + 3 * np.log(6 / 4))


def test_benjamini_hochberg_per_day_matches_statsmodels() -> None:
    p = np.array([[0.01, 0.001], [0.04, 0.02], [0.03, 0.03], [0.5, 0.04]])
    tested = np.ones_like(p, dtype=bool)
    reject = benjamini_hochberg(p, tested, np.zeros(4, dtype=np.int64), 0.05)
    # day 0: 0.01 <= 0.05/4 only; day 1: 0.04 <= 0.05 * 4/4, so all four
    assert reject[:, 0].tolist() == [True, False, False, False]
    assert reject[:, 1].tolist() == [True, True, True, True]
    for day in range(2):
        assert reject[:, day].tolist() == multipletests(p[:, day], 0.05, "fdr_bh")[0].tolist()


def test_constant_series_expects_its_own_level() -> None:
    panel = _panel(np.full((1, 120), 2.0))
    base = fit_baseline(
        panel, Settings(), dispersion=np.array([50.0]), holidays=np.zeros(120, dtype=bool)
    )
    # posterior (a + n) / (a / (n/X) + X) = n / X = 2 when the prior is the series' own rate
    assert base.expected[0, 100] == pytest.approx(2.0)
    assert base.scored[0, 30] and not base.scored[0, 29]  # 28 days of history from day 31


def test_a_step_is_flagged_on_its_first_day_and_dated_by_the_cusum() -> None:
    counts = np.full((2, 140), 4.0)
    counts[0, 100:110] = 16.0
    panel = _panel(counts)
    settings = Settings()
    base = fit_baseline(
        panel, settings, dispersion=np.array([50.0]), holidays=np.zeros(140, dtype=bool)
    )
    scores = score(panel, base, Thresholds.fixed(1, 4.0, 3.5, 6.0), settings)
    assert np.nonzero(scores.alert[0])[0][0] == 100
    assert not scores.alert[1].any()
    assert change_point(scores.cusum_open, 0, 100) == 100


def test_change_point_is_the_day_after_the_last_zero() -> None:
    cusum = np.array([[0.0, 0.0, 1.0, 2.0, 0.0, 1.0, 3.0]])
    assert change_point(cusum, 0, 6) == 5


def test_effectiveness_verdicts() -> None:
    limit = np.full(20, 5.0)
    calm = np.full(20, 3.0)
    assert (
        judge(calm, limit, days_since_fix=20, verify_days=14, was_verified=False)["verdict"]
        == "verified"
    )
    noisy = calm.copy()
    noisy[15] = 9.0  # out 5 days before the check: the streak is 4
    out = judge(noisy, limit, days_since_fix=20, verify_days=14, was_verified=False)
    assert (out["verdict"], out["days_in_control"], out["days_out"]) == ("reopen", 4, 1)
    early = judge(noisy[:16], limit[:16], days_since_fix=10, verify_days=14, was_verified=False)
    assert early["verdict"] == "watching"
