"""A guarantee result's value and its 95 % confidence interval, from summed components.

Proportions use the Wilson score interval (good at small n and near 0 or 100 %); means use
the t interval on the sample standard deviation; the dollar-weighted accuracy ratio uses the
linearised (delta-method) variance of a ratio estimator with a t quantile. A result whose
target lies inside its interval is "within noise": the sample cannot tell met from missed
(`shared/domain/service-guarantees-detection.md` §1.7).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import ndtri, stdtrit

from clientdesk.guarantees.metrics import MetricKind

CONFIDENCE = 0.95
Z = float(ndtri(0.5 + CONFIDENCE / 2))  # 1.959964


@dataclass(frozen=True)
class Measure:
    """Summed components of one result. For a proportion: numerator and denominator are
    counts; for a mean: numerator = sum of values, denominator = n, plus the sum of squares;
    for the dollar ratio: numerator = dollars paid - dollars in error, denominator = dollars
    paid, n = audited claims, plus the sums the variance needs."""

    kind: MetricKind
    numerator: float
    denominator: float
    n: int
    sum_squares: float = 0.0
    error_dollars: float = 0.0
    paid_squares: float = 0.0
    error_squares: float = 0.0
    paid_times_error: float = 0.0


@dataclass(frozen=True)
class Estimate:
    value: float | None  # in the metric's unit (percent for proportions and the ratio)
    ci_low: float | None
    ci_high: float | None
    method: str

    def within_noise(self, target: float) -> bool:
        if self.ci_low is None or self.ci_high is None:
            return False
        return self.ci_low <= target <= self.ci_high


def wilson_interval(successes: float, trials: float) -> tuple[float, float]:
    """Wilson score interval of a proportion, as fractions (0-1)."""
    if trials <= 0:
        raise ValueError("the Wilson interval needs at least one trial")
    z = Z
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def t_quantile(n: int) -> float:
    """The two-sided 95 % quantile of Student's t with n - 1 degrees of freedom."""
    return float(stdtrit(n - 1, 0.5 + CONFIDENCE / 2))


def mean_interval(n: int, total: float, sum_squares: float) -> tuple[float, float, float]:
    """Mean and t interval from n, the sum and the sum of squares (n >= 2)."""
    if n < 2:
        raise ValueError("a t interval needs at least two values")
    mean = total / n
    variance = max(0.0, (sum_squares - n * mean * mean) / (n - 1))
    half = t_quantile(n) * math.sqrt(variance / n)
    return mean, mean - half, mean + half


def estimate(measure: Measure) -> Estimate:
    """The value and interval of one result; value None when there is nothing to measure."""
    if measure.kind == MetricKind.PROPORTION:
        if measure.denominator <= 0:
            return Estimate(None, None, None, "Wilson")
        low, high = wilson_interval(measure.numerator, measure.denominator)
        value = 100.0 * measure.numerator / measure.denominator
        return Estimate(value, 100.0 * low, 100.0 * high, "Wilson score, 95 %")
    if measure.kind == MetricKind.MEAN:
        if measure.n <= 0:
            return Estimate(None, None, None, "t")
        if measure.n == 1:
            return Estimate(measure.numerator, None, None, "t (one value: no interval)")
        mean, low, high = mean_interval(measure.n, measure.numerator, measure.sum_squares)
        return Estimate(mean, low, high, "t interval, 95 %")
    return _dollar_ratio(measure)


def _dollar_ratio(m: Measure) -> Estimate:
    if m.denominator <= 0 or m.n <= 0:
        return Estimate(None, None, None, "ratio")
    paid, errors = m.denominator, m.error_dollars
    ratio = errors / paid  # share of dollars in error
    value = 100.0 * (1 - ratio)
    if m.n < 2:
        return Estimate(value, None, None, "ratio (one claim: no interval)")
    mean_paid = paid / m.n
    residual_ss = m.error_squares - 2 * ratio * m.paid_times_error + ratio**2 * m.paid_squares
    variance = max(0.0, residual_ss) / ((m.n - 1) * m.n * mean_paid**2)
    half = 100.0 * t_quantile(m.n) * math.sqrt(variance)
    return Estimate(value, value - half, min(100.0, value + half), "ratio estimator, 95 %")
