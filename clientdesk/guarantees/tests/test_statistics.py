"""Intervals, worked by hand, and the within-noise flag."""

from __future__ import annotations

import math

import pytest

from clientdesk.guarantees.metrics import MetricKind
from clientdesk.guarantees.statistics import Measure, estimate, mean_interval, wilson_interval

Z = 1.959963984540054  # the 97.5th percentile of the normal distribution


def test_wilson_interval() -> None:
    # 45 of 50: p = 0.9.
    low, high = wilson_interval(45, 50)
    centre = (0.9 + Z * Z / 100) / (1 + Z * Z / 50)
    half = Z * math.sqrt(0.9 * 0.1 / 50 + Z * Z / 10_000) / (1 + Z * Z / 50)
    assert (low, high) == pytest.approx((centre - half, centre + half))
    assert (low, high) == pytest.approx((0.78640, 0.95652), abs=1e-5)
    # At the edges it stays inside 0-1 and is not degenerate.
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(0, 10)[1] > 0.2
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0) and wilson_interval(10, 10)[0] < 0.8


def test_t_interval_of_a_mean() -> None:
    # 10, 20, 30: mean 20, sd 10, se 10 / sqrt(3), t(0.975, 2 df) = 4.302653.
    mean, low, high = mean_interval(3, 60, 100 + 400 + 900)
    half = 4.302652729749464 * 10 / math.sqrt(3)
    assert (mean, low, high) == pytest.approx((20, 20 - half, 20 + half))


def test_estimates_and_noise() -> None:
    small = estimate(Measure(MetricKind.PROPORTION, 9, 10, 10))
    assert small.value == 90.0
    assert small.within_noise(85.0) is True  # 85 % inside roughly 60-98 %
    large = estimate(Measure(MetricKind.PROPORTION, 9000, 10_000, 10_000))
    assert large.within_noise(85.0) is False  # 89.4-90.6 %
    assert estimate(Measure(MetricKind.PROPORTION, 0, 0, 0)).value is None
    one = estimate(Measure(MetricKind.MEAN, 42, 1, 1, sum_squares=42 * 42))
    assert (one.value, one.ci_low, one.ci_high) == (42, None, None)
