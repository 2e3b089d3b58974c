"""The detection engine: count-aware baselines, three one-sided detectors, thresholds set to an
alarm budget, and false-discovery control across series. Pure numpy/scipy on a `Panel`.

A panel holds S daily series over T days: `counts[s, t]` (events) and `exposure[s, t]` (the
denominator: claims processed for denial rates, calls offered for abandonment, members for
volumes). For every series-day the expected count is

    mu[s, t] = exposure[s, t] x w[g, t] x rate[s, t] x c[s, t]

* `w` — day-of-week and holiday factors of the series' pooling group g (its category across
  accounts), estimated on the same rolling window (the Poisson MLE of a day-of-week model is a
  ratio of sums, so it is a cumulative-sum away; holidays use every earlier holiday).
* `rate` — empirical-Bayes posterior mean of the series' rate on a rolling window of
  `window_days` that ends `guard_days` before the scoring day: Gamma prior centred on the
  group's pooled rate, worth `prior_events` events, so sparse series borrow strength from
  their category and dense series follow their own history.
* `c` — for account-level series, the leave-one-out movement of the other accounts in the
  group over the last 7 days (season, plan-year surges, holidays move every account at once;
  a rise the whole book shares is left to the book-level series), a robust estimate that one
  account's own incident cannot move (`common_factor`).

The predictive distribution is negative binomial with size `1 / (1/alpha + 1/k)`: `alpha`
from the posterior (estimation error) and `k` the extra-Poisson dispersion of the family at
the series' level, account or book (maximum likelihood). Days of earlier incidents feed
neither the rate nor the dispersion (`fit_clean_baseline`).

Detectors, all one-sided and vectorized over series (a loop over days only where a recursion
with reset needs it): NB upper-tail probability (spikes), EWMA of mid-p normal scores
(gradual rises, robust at low volume), NB likelihood-ratio CUSUM for a rate ratio of 2 with
reset after an alert (sustained shifts; its change point dates the start). Thresholds per
family and volume band are set by simulating the fitted null so that the detectors together
raise at most `budget_per_1000` alerts per 1,000 series-days; on each day the series'
p-values go through Benjamini-Hochberg at `fdr_q` within the family.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# scipy.stats and scipy.signal (~0.9 CPU s to import) are imported where they are used: this
# module is imported at every start of the app, in every process, most of which never detect.
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy import special

from clientdesk.lib.business_calendar import public_holidays

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

BAND_EDGES = (0.5, 5.0)
"""Volume bands by expected events per day: sparse (< 0.5), low (0.5-5), high (>= 5)."""
BAND_NAMES = ("sparse", "low", "high")
DETECTORS = ("spike", "ewma", "cusum")


@dataclass(frozen=True)
class Settings:
    """Detection parameters (defaults follow service-guarantees-detection.md §2.5)."""

    window_days: int = 56
    guard_days: int = 3
    min_history_days: int = 28
    prior_events: float = 2.0
    common_pseudo_events: float = 10.0
    common_huber_k: float = 1.5
    """Each account's 7-day count enters the common factor clipped to this many standard
    deviations around the pool's robust centre (Huber), so one account's incident barely
    moves the others' factor."""
    common_dispersion: float = 10.0
    """NB size per day assumed for those standard deviations (before dispersion is fitted)."""
    common_iterations: int = 2
    clean_passes: int = 1
    """Rounds of leaving incident days out of the baseline (`fit_clean_baseline`)."""
    exclude_tail: float = 0.0001
    exclude_cusum: float = 10.0
    ewma_lambda: float = 0.3
    cusum_ratios: tuple[float, float, float] = (4.0, 2.5, 2.0)
    """Design rate ratio of the CUSUM per volume band: a sparse series only shows a rise that
    is several times its rate, a dense one shows a doubling."""
    budget_per_1000: float = 1.0
    fdr_q: float = 0.05
    seed: int = 7
    min_null_days: int = 60_000
    scan_families: tuple[str, ...] = ("claim_pends",)
    """Families the window detector also reads (`window_scan`): claims pended per reason, where
    a backlog is a burst of a few days that the daily detectors see only at large accounts."""
    scan_days: int = 10
    scan_p: float = 1e-6
    scan_ratio: float = 3.0
    scan_min_excess: float = 5.0

    def as_dict(self) -> dict[str, Any]:
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in ((k, getattr(self, k)) for k in self.__dataclass_fields__)
        }


@dataclass
class Panel:
    """S daily series over T days starting `first_day`.

    `group[s]`: pooling group (same category across accounts, and the book-level series of it);
    `pool[s]`: the group whose other members give the common factor (-1: none, book series);
    `family[s]`: index into `family_names` (dispersion, thresholds and FDR are per family)."""

    first_day: dt.date
    counts: F64
    exposure: F64
    group: I64
    pool: I64
    family: I64
    family_names: tuple[str, ...]

    @property
    def n_series(self) -> int:
        return int(self.counts.shape[0])

    @property
    def n_days(self) -> int:
        return int(self.counts.shape[1])

    def day(self, index: int) -> dt.date:
        return self.first_day + dt.timedelta(days=index)

    def index(self, day: dt.date) -> int:
        return (day - self.first_day).days


@dataclass
class Baseline:
    """Expected counts and predictive NB size per series-day, and where scoring is allowed."""

    expected: F64
    size: F64
    rate: F64
    adjusted_exposure: F64
    common: F64
    scored: B
    dispersion: F64  # per family x level (account, book)
    posterior_events: F64  # the Gamma posterior's shape (prior events + window events)


def _finite_or_none(value: float) -> float | None:
    return round(value, 4) if np.isfinite(value) else None


@dataclass
class Thresholds:
    """Alarm thresholds per family x band for each detector (score units)."""

    spike: F64  # -log10 upper-tail p
    ewma: F64  # standardized EWMA
    cusum: F64  # LR-CUSUM statistic

    def as_dict(self, family_names: tuple[str, ...]) -> dict[str, Any]:
        return {
            name: {
                # A band with no series has no threshold (infinite): None, as JSON allows.
                band: {d: _finite_or_none(float(getattr(self, d)[f, b])) for d in DETECTORS}
                for b, band in enumerate(BAND_NAMES)
            }
            for f, name in enumerate(family_names)
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], family_names: tuple[str, ...]) -> Thresholds:
        shape = (len(family_names), len(BAND_NAMES))
        arrays = {d: np.full(shape, np.inf) for d in DETECTORS}
        for f, name in enumerate(family_names):
            for b, band in enumerate(BAND_NAMES):
                entry = data.get(name, {}).get(band)
                if entry:
                    for d in DETECTORS:
                        arrays[d][f, b] = np.inf if entry[d] is None else float(entry[d])
        return cls(arrays["spike"], arrays["ewma"], arrays["cusum"])

    @classmethod
    def fixed(cls, n_families: int, spike: float, ewma: float, cusum: float) -> Thresholds:
        shape = (n_families, len(BAND_NAMES))
        return cls(np.full(shape, spike), np.full(shape, ewma), np.full(shape, cusum))


@dataclass
class Scores:
    """Detector scores, p-values and alerts per series-day."""

    spike: F64
    ewma: F64
    cusum: F64  # with reset after an alert
    p_value: F64  # combined (Bonferroni over the three detectors); 1 where not scored
    alert: B
    fired: NDArray[np.int8]  # bit 1 spike, 2 ewma, 4 cusum, 8 window
    band: NDArray[np.int8]
    extra: dict[str, Any] = field(default_factory=dict)


# --- calendar -------------------------------------------------------------------------------


def holiday_mask(first_day: dt.date, n_days: int) -> B:
    """Whether each day is a US federal holiday (observed days included)."""
    days = [first_day + dt.timedelta(days=i) for i in range(n_days)]
    found: set[dt.date] = set()
    for year in {d.year for d in days}:
        found |= public_holidays("US", year)
    return np.array([d in found for d in days], dtype=bool)


def weekday_index(first_day: dt.date, n_days: int) -> I64:
    """Monday = 0 for each day of the panel."""
    return (first_day.weekday() + np.arange(n_days, dtype=np.int64)) % 7


# --- rolling sums -----------------------------------------------------------------------------


def _window_bounds(n_days: int, settings: Settings) -> tuple[I64, I64]:
    """For each day t, the half-open index range [lo, hi) of its baseline window."""
    t = np.arange(n_days, dtype=np.int64)
    hi = np.clip(t - settings.guard_days + 1, 0, n_days)
    lo = np.clip(hi - settings.window_days, 0, n_days)
    return lo, hi


def window_sums(values: F64, lo: I64, hi: I64) -> F64:
    """Sum of `values[..., lo[t]:hi[t]]` for every t, via one cumulative sum on the last axis."""
    cum = np.zeros((*values.shape[:-1], values.shape[-1] + 1))
    np.cumsum(values, axis=-1, out=cum[..., 1:])
    out = gather_last(cum, hi)
    out -= gather_last(cum, lo)
    return out


def gather_last(array: F64, index: I64) -> F64:
    """`array[..., index]`, by three slice copies when the index is a clipped range (a constant
    run, consecutive values, a constant run: every window bound is), about 2.5x faster than a
    gather on a panel; by `np.take` otherwise."""
    n = len(index)
    if n:
        first, last = int(index[0]), int(index[-1])
        start = int(np.searchsorted(index, first, side="right")) - 1
        stop = start + last - first + 1
        if first <= last and stop <= n:
            expected = np.concatenate(
                [np.full(start, first), np.arange(first, last + 1), np.full(n - stop, last)]
            )
            if np.array_equal(index, expected):
                out = np.empty((*array.shape[:-1], n))
                out[..., :start] = array[..., first : first + 1]
                out[..., start:stop] = array[..., first : last + 1]
                out[..., stop:] = array[..., last : last + 1]
                return out
    return np.asarray(np.take(array, index, axis=-1))


def trailing_sums(values: F64, days: int) -> F64:
    """Sum over the last `days` days including today."""
    t = np.arange(values.shape[-1], dtype=np.int64)
    return window_sums(values, np.clip(t - days + 1, 0, None), t + 1)


def _indicator(index: I64, n_groups: int) -> sp.csr_matrix:
    """Sparse (groups x series) 0/1 matrix, so group totals are one product."""
    n = len(index)
    keep = index >= 0
    return sp.csr_matrix(
        (np.ones(int(keep.sum())), (index[keep], np.arange(n)[keep])), shape=(n_groups, n)
    )


def weighted_median(values: F64, weights: F64) -> F64:
    """Weighted median down axis 0 for every column: the smallest value whose cumulative
    weight reaches half the column's total."""
    order = np.argsort(values, axis=0, kind="stable")
    v = np.take_along_axis(values, order, axis=0)
    cum = np.cumsum(np.take_along_axis(weights, order, axis=0), axis=0)
    k = (cum < 0.5 * cum[-1:]).sum(axis=0)
    return np.asarray(np.take_along_axis(v, np.minimum(k, len(v) - 1)[None, :], axis=0)[0])


def common_factor(y: F64, plain: F64, pool: I64, n_groups: int, settings: Settings) -> F64:
    """For account-level series, the movement of the other accounts in the series' pool over the
    last 7 days (observed / expected), leave-one-out; book-level series (pool -1) get 1.

    Each account's 7-day ratio r = y / e counts with its precision w = e / (1 + e / size)
    (NB, size 7 x `common_dispersion`: a large account is not trusted without bound), and
    `common_pseudo_events` stand at 1 (no movement). The pool's factor c is Huber's M-estimate
    of their common ratio: started at the weighted median, then c = sum(w r~) / sum(w) with
    every r clipped to c +- `common_huber_k` of its standard deviation sqrt(c / e + c^2 / size).
    A rise the whole book shares moves every account and passes; one account's own incident,
    however large its share of the pool, moves the others' factor by at most k of its
    standard deviations, in proportion to its capped weight."""
    common = np.ones_like(y)
    members = np.nonzero(pool >= 0)[0]
    if len(members) == 0:
        return common
    m = settings.common_pseudo_events
    size = 7.0 * settings.common_dispersion
    h = settings.common_huber_k
    own_y = trailing_sums(y[members], 7)
    own_e = trailing_sums(plain[members], 7)
    by_pool = pool[members]
    to_pool = _indicator(by_pool, n_groups)
    ratio = own_y / np.maximum(own_e, 1e-9)
    weight = own_e / (1.0 + own_e / size)
    centre = np.ones((n_groups, y.shape[1]))
    for g in np.unique(by_pool):
        rows = np.nonzero(by_pool == g)[0]
        values = np.vstack([ratio[rows], np.ones((1, y.shape[1]))])
        weights = np.vstack([weight[rows], np.full((1, y.shape[1]), m)])
        centre[g] = weighted_median(values, weights)
    pool_w = np.asarray(to_pool @ weight)

    inverse_e = 1.0 / np.maximum(own_e, 1e-9)

    def clipped(c: F64) -> F64:
        at = c[by_pool]
        band = h * np.sqrt(at * (inverse_e + at / size))
        return np.asarray(weight * np.clip(ratio, at - band, at + band))

    for _ in range(settings.common_iterations):
        before = centre
        centre = (np.asarray(to_pool @ clipped(centre)) + m) / (pool_w + m)
        if np.max(np.abs(centre - before)) < 1e-3:
            break
    mine = clipped(centre)
    others = (np.asarray(to_pool @ mine)[by_pool] - mine + m) / (pool_w[by_pool] - weight + m)
    common[members] = np.clip(others, 0.5, 3.0)
    return common


# --- baseline -----------------------------------------------------------------------------------


def fit_baseline(
    panel: Panel,
    settings: Settings,
    dispersion: F64 | None = None,
    holidays: B | None = None,
    exclude: B | None = None,
) -> Baseline:
    """Expected counts per series-day (see the module docstring). Vectorized throughout.

    `exclude` marks series-days that belong to an incident (`incident_days`): they feed
    neither the series' own rate nor the dispersion, while the window keeps at least half its
    days (a level that stays is the new normal after half a window)."""
    y, n = panel.counts, panel.exposure
    n_days = panel.n_days
    n_groups = int(max(panel.group.max(initial=-1), panel.pool.max(initial=-1))) + 1
    lo, hi = _window_bounds(n_days, settings)
    hol = holiday_mask(panel.first_day, n_days) if holidays is None else holidays
    dow = weekday_index(panel.first_day, n_days)

    to_group = _indicator(panel.group, n_groups)
    yg = np.asarray(to_group @ y)
    ng = np.asarray(to_group @ n)

    # Day-of-week factors of each group on the window (non-holiday days), shrunk towards 1.
    masks = np.stack([(dow == d) & ~hol for d in range(7)]).astype(np.float64)  # (7, T)
    y_dow = window_sums(yg[None, :, :] * masks[:, None, :], lo, hi)  # (7, G, T)
    n_dow = window_sums(ng[None, :, :] * masks[:, None, :], lo, hi)
    group_rate = y_dow.sum(axis=0) / np.maximum(n_dow.sum(axis=0), 1e-12)
    pick = np.broadcast_to(dow[None, None, :], (1, *yg.shape))
    y_today = np.take_along_axis(y_dow, pick, axis=0)[0]
    n_today = np.take_along_axis(n_dow, pick, axis=0)[0]
    shrink = 2.0
    dow_factor = (y_today + shrink) / (group_rate * n_today + shrink)

    # Holiday factor from every earlier holiday of the group (prior: 0.3, worth 2 events).
    expected_plain = group_rate * dow_factor * ng
    hol_f = hol.astype(np.float64)
    cum_y = np.cumsum(yg * hol_f, axis=1)
    cum_e = np.cumsum(expected_plain * hol_f, axis=1)
    upto = np.clip(np.arange(n_days) - settings.guard_days, -1, None)
    seen_y = np.where(upto >= 0, cum_y[:, np.maximum(upto, 0)], 0.0)
    seen_e = np.where(upto >= 0, cum_e[:, np.maximum(upto, 0)], 0.0)
    holiday_factor = (seen_y + 0.6) / (seen_e + 2.0)
    weight = dow_factor * np.where(hol[None, :], holiday_factor, 1.0)

    x = n * weight[panel.group]
    events = window_sums(y, lo, hi)
    exposure_sum = window_sums(x, lo, hi)
    if exclude is not None and exclude.any():
        kept = (~exclude).astype(np.float64)
        kept_days = window_sums(kept * (n > 0), lo, hi)
        enough = kept_days >= 0.5 * window_sums((n > 0).astype(np.float64), lo, hi)
        events = np.where(enough, window_sums(y * kept, lo, hi), events)
        exposure_sum = np.where(enough, window_sums(x * kept, lo, hi), exposure_sum)
    # Half an event over the group's window where it had none: a category that was quiet for a
    # window is rare, not impossible (a zero prior rate would make any event an alarm).
    pooled = np.maximum(np.asarray(to_group @ events), 0.5) / np.maximum(
        np.asarray(to_group @ exposure_sum), 1e-12
    )
    prior_rate = np.maximum(pooled[panel.group], 1e-9)
    a = settings.prior_events
    alpha = a + events
    beta = a / prior_rate + exposure_sum
    rate = alpha / beta
    plain = x * rate

    common = common_factor(y, plain, panel.pool, n_groups, settings)
    expected = np.maximum(plain * common, 1e-6)
    # History = baseline-window days since the series' first exposure (a rate series whose
    # denominator is zero on some days still has a baseline on them).
    active = np.maximum.accumulate(n > 0, axis=1).astype(np.float64)
    history = window_sums(active, lo, hi)
    scored = (n > 0) & (history >= settings.min_history_days)
    # Dispersion per family and level: a book-level series sums many accounts' series, whose
    # day-to-day swings partly cancel, so it is closer to Poisson than an account's series.
    n_fam = len(panel.family_names)
    level = (panel.pool < 0).astype(np.int64)  # 0 account, 1 book
    if dispersion is None:
        clean = scored if exclude is None else scored & ~exclude
        dispersion = estimate_dispersion(
            y, expected, alpha, clean, panel.family * 2 + level, 2 * n_fam
        ).reshape(n_fam, 2)
    elif dispersion.ndim == 1:
        dispersion = np.repeat(dispersion[:, None], 2, axis=1)
    k = dispersion[panel.family, level][:, None]
    size = 1.0 / (1.0 / alpha + 1.0 / k)
    return Baseline(expected, size, rate, x, common, scored, dispersion, alpha)


def incident_days(y: F64, base: Baseline, settings: Settings) -> B:
    """Series-days that look like part of an incident under `base`: a day beyond the
    predictive distribution's upper `exclude_tail`, or on the rise of an excursion of the open
    NB CUSUM that reaches `exclude_cusum` (from its last zero to its peak; the decay after the
    peak is normal days). The statistical process control habit of leaving out-of-control
    points out of the limits' estimate."""
    mu, size, scored = base.expected, base.size, base.scored
    ratio = np.asarray(settings.cusum_ratios)[volume_band(mu)]
    llr = np.where(scored, nb_llr(y, mu, size, ratio), 0.0)
    stat = cusum_open(llr)
    n_series, n_days = stat.shape
    # rising[t]: the excursion's highest point so far is still ahead of day t (or is day t)
    before = np.zeros((n_series, n_days))  # highest point of the excursion before day t
    best = np.zeros(n_series)
    for t in range(n_days):
        before[:, t] = best
        best = np.where(stat[:, t] > 0.0, np.maximum(best, stat[:, t]), 0.0)
    peak = np.zeros((n_series, n_days))  # the excursion's highest point, carried back
    running = np.zeros(n_series)
    for t in range(n_days - 1, -1, -1):
        running = np.where(stat[:, t] > 0.0, np.maximum(running, stat[:, t]), 0.0)
        peak[:, t] = running
    rising = (stat > 0.0) & (before < peak) & (peak >= settings.exclude_cusum)
    tail = np.where(scored, nb_upper_tail(y, mu, size), 1.0) < settings.exclude_tail
    # A sparse series' rare event is a large share of its window: leaving it out would keep
    # the rate at nothing and make every next event look extreme.
    dense = mu >= BAND_EDGES[0]
    return np.asarray(scored & dense & (rising | tail))


def fit_clean_baseline(
    panel: Panel, settings: Settings, dispersion: F64 | None = None, holidays: B | None = None
) -> tuple[Baseline, B]:
    """The baseline refitted without the days of earlier incidents: an incident left in the
    window inflates the expected counts for the window's length after it (hiding the next
    one) and passes for dispersion (blunting every detector). `settings.clean_passes` rounds
    of fit, find incident days, refit; returns the last fit and the days it left out."""
    hol = holiday_mask(panel.first_day, panel.n_days) if holidays is None else holidays
    base = fit_baseline(panel, settings, dispersion, hol)
    exclude = np.zeros(panel.counts.shape, dtype=bool)
    for _ in range(settings.clean_passes):
        exclude = incident_days(panel.counts, base, settings)
        base = fit_baseline(panel, settings, dispersion, hol, exclude)
    return base, exclude


def nb2_fit(y: F64, offset_mean: F64) -> tuple[float, float]:
    """Maximum-likelihood NB2 fit (variance = mu + alpha mu^2) of counts `y` with mean
    `exp(b0) x offset_mean`, b0 free (the model statsmodels' `NegativeBinomial` fits with an
    intercept and log offset), by L-BFGS-B on (b0, log alpha) with alpha in [0.001, 1].
    Returns (b0, alpha). scipy only: importing statsmodels costs seconds where bytecode is not
    cached."""
    from scipy.optimize import minimize

    log_m = np.log(offset_mean)
    const = special.gammaln(y + 1.0)

    def nll(theta: F64) -> float:
        b0, log_a = float(theta[0]), float(theta[1])
        r = np.exp(-log_a)
        mu = np.exp(b0 + log_m)
        ll = (
            special.gammaln(y + r)
            - special.gammaln(r)
            - const
            + r * np.log(r / (r + mu))
            + y * np.log(mu / (r + mu))
        )
        return -float(ll.sum())

    b0 = float(np.log(max(y.sum(), 1e-9) / offset_mean.sum()))
    fit = minimize(
        nll,
        np.array([b0, np.log(0.1)]),
        method="L-BFGS-B",
        bounds=[(b0 - 5.0, b0 + 5.0), (np.log(1e-3), 0.0)],
    )
    return float(fit.x[0]), float(np.exp(fit.x[1]))


def nb2_alpha_mle(y: F64, offset_mean: F64) -> float:
    """The NB2 dispersion alpha of `nb2_fit`."""
    return nb2_fit(y, offset_mean)[1]


def robust_nb2_alpha(y: F64, offset_mean: F64, tail: float = 0.001, rounds: int = 3) -> float:
    """NB2 dispersion of the in-control days: fit, drop the points beyond the fit's upper
    `tail` (an incident's days, which would pass for extra-Poisson noise and blunt every
    detector), refit; `rounds` times. On clean counts it drops about `tail` of them and
    moves alpha by a few percent; on counts with incidents it recovers the clean alpha."""
    keep = np.ones(len(y), dtype=bool)
    alpha = 1.0
    for _ in range(rounds):
        b0, alpha = nb2_fit(y[keep], offset_mean[keep])
        mu = np.exp(b0) * offset_mean
        size = np.full_like(mu, 1.0 / alpha)
        upper = nb_upper_tail(y, mu, size)
        now = upper >= tail
        if np.array_equal(now, keep):
            break
        keep = now
    return alpha


def estimate_dispersion(
    y: F64, mu: F64, alpha: F64, scored: B, family: I64, n_families: int, sample: int = 4000
) -> F64:
    """Extra-Poisson NB size k = 1 / alpha per class of series (`family` holds each series'
    class: fit_baseline passes family x level) by maximum likelihood (NB2 with the baseline as
    offset, `robust_nb2_alpha`: incident days left out) on a fixed sample of scored series-days
    with mean >= 0.5; 20 where a class has too few such days. Larger k = closer to Poisson; k
    is kept in [1, 1000]."""
    out = np.full(n_families, 20.0)
    rng = np.random.default_rng(11)
    fam = np.broadcast_to(family[:, None], y.shape)
    usable = scored & (mu >= 0.5)
    for f in range(n_families):
        rows, cols = np.nonzero(usable & (fam == f))
        if len(rows) < 300:
            continue
        pick = rng.choice(len(rows), size=min(sample, len(rows)), replace=False)
        yy, mm = y[rows[pick], cols[pick]], mu[rows[pick], cols[pick]]
        a_hat = robust_nb2_alpha(yy, mm)
        out[f] = float(np.clip(1.0 / a_hat, 1.0, 1000.0)) if np.isfinite(a_hat) else 20.0
    return out


# --- detectors -------------------------------------------------------------------------------


def nb_upper_tail(y: F64, mu: F64, size: F64) -> F64:
    """P(Y >= y) under NB(mean mu, size); 1 where y <= 0. Computed only on non-zero cells."""
    out = np.ones_like(mu)
    nz = y > 0
    if nz.any():
        q = mu[nz] / (size[nz] + mu[nz])
        out[nz] = special.betainc(y[nz], size[nz], q)  # P(Y >= y) = I_{1-p}(y, size)
    return out


def nb_mid_p_scores(y: F64, mu: F64, size: F64) -> F64:
    """Normal scores of the mid-p upper tail, -Phi^-1(P(Y > y) + P(Y = y)/2), clipped to
    [-4, 8]: symmetric-ish at any volume, so an EWMA of them works for sparse series too."""
    p0 = size / (size + mu)
    upper = nb_upper_tail(y, mu, size)
    pmf = np.empty_like(mu)
    zero = y <= 0
    pmf[zero] = np.exp(size[zero] * np.log(p0[zero]))
    nz = ~zero
    if nz.any():
        from scipy import stats

        pmf[nz] = stats.nbinom.pmf(y[nz], size[nz], p0[nz])
    mid = np.clip(upper - 0.5 * pmf, 1e-300, 1.0)
    return np.asarray(np.clip(-special.ndtri(mid), -4.0, 8.0))


def ewma(z: F64, lam: float) -> F64:
    """EWMA along days, standardized by its asymptotic sd (sqrt(lambda / (2 - lambda)))."""
    from scipy import signal

    filtered = signal.lfilter([lam], [1.0, -(1.0 - lam)], z, axis=-1)
    return np.asarray(filtered / np.sqrt(lam / (2.0 - lam)))


def nb_llr(y: F64, mu: F64, size: F64, ratio: F64 | float) -> F64:
    """Log-likelihood ratio of NB(ratio x mu) against NB(mu), same size, per series-day."""
    r = size
    return np.asarray(
        r * np.log((r + mu) / (r + ratio * mu)) + y * np.log(ratio * (r + mu) / (r + ratio * mu))
    )


def cusum_open(llr: F64) -> F64:
    """One-sided CUSUM without reset: S_t = max(0, S_{t-1} + llr_t)."""
    out = np.empty_like(llr)
    s = np.zeros(llr.shape[0])
    for t in range(llr.shape[1]):
        s = np.maximum(0.0, s + llr[:, t])
        out[:, t] = s
    return out


def cusum_with_reset(llr: F64, limit: F64) -> tuple[F64, B]:
    """CUSUM that restarts at 0 after crossing `limit[s, t]`; returns statistic and alarms."""
    out = np.empty_like(llr)
    fired = np.zeros(llr.shape, dtype=bool)
    s = np.zeros(llr.shape[0])
    for t in range(llr.shape[1]):
        s = np.maximum(0.0, s + llr[:, t])
        out[:, t] = s
        hit = s > limit[:, t]
        fired[:, t] = hit
        s[hit] = 0.0
    return out, fired


def volume_band(mu: F64) -> NDArray[np.int8]:
    return np.digitize(mu, BAND_EDGES).astype(np.int8)


@dataclass
class _Raw:
    spike: F64
    ewma: F64
    llr: F64
    p_spike: F64


def _raw_scores(y: F64, base: Baseline, settings: Settings) -> _Raw:
    mu, size, scored = base.expected, base.size, base.scored
    p_spike = np.where(scored, nb_upper_tail(y, mu, size), 1.0)
    z = np.where(scored, nb_mid_p_scores(y, mu, size), 0.0)
    ratio = np.asarray(settings.cusum_ratios)[volume_band(mu)]
    llr = np.where(scored, nb_llr(y, mu, size, ratio), 0.0)
    spike = -np.log10(np.clip(p_spike, 1e-300, 1.0))
    return _Raw(spike, ewma(z, settings.ewma_lambda), llr, p_spike)


# --- calibration ---------------------------------------------------------------------------------


def calibrate(panel: Panel, base: Baseline, settings: Settings) -> Thresholds:
    """Thresholds per family x band so that, on counts simulated from each series' fitted null
    (incident-free by construction), each detector alerts on at most a third of the alarm
    budget. Bands with too few simulated days take the family's pooled threshold."""
    rng = np.random.default_rng(settings.seed)
    n_scored = int(base.scored.sum())
    reps = max(1, int(np.ceil(settings.min_null_days / max(n_scored, 1))))
    reps = min(reps, 20)
    q = 1.0 - settings.budget_per_1000 / 1000.0 / len(DETECTORS)
    n_fam = len(panel.family_names)
    shape = (n_fam, len(BAND_NAMES))
    pooled: dict[str, list[list[F64]]] = {d: [[] for _ in range(n_fam)] for d in DETECTORS}
    banded: dict[str, list[list[list[F64]]]] = {
        d: [[[] for _ in BAND_NAMES] for _ in range(n_fam)] for d in DETECTORS
    }
    band = volume_band(base.expected)
    fam = np.broadcast_to(panel.family[:, None], band.shape)
    for _ in range(reps):
        p = base.size / (base.size + base.expected)
        y_null = np.where(base.scored, rng.negative_binomial(base.size, p), 0).astype(np.float64)
        raw = _raw_scores(y_null, base, settings)
        stat = {"spike": raw.spike, "ewma": raw.ewma, "cusum": cusum_open(raw.llr)}
        for f in range(n_fam):
            in_f = base.scored & (fam == f)
            for d in DETECTORS:
                pooled[d][f].append(stat[d][in_f])
                for b in range(len(BAND_NAMES)):
                    banded[d][f][b].append(stat[d][in_f & (band == b)])
    out = {d: np.full(shape, np.inf) for d in DETECTORS}
    for d in DETECTORS:
        for f in range(n_fam):
            everything = np.concatenate(pooled[d][f]) if pooled[d][f] else np.empty(0)
            fallback = float(np.quantile(everything, q)) if len(everything) > 0 else np.inf
            for b in range(len(BAND_NAMES)):
                values = np.concatenate(banded[d][f][b])
                enough = len(values) * (1.0 - q) >= 3.0
                out[d][f, b] = float(np.quantile(values, q)) if enough else fallback
    # A threshold never asks less than the textbook minimum for its detector.
    out["spike"] = np.maximum(out["spike"], 2.0)
    out["ewma"] = np.maximum(out["ewma"], 2.0)
    out["cusum"] = np.maximum(out["cusum"], 1.5)
    return Thresholds(out["spike"], out["ewma"], out["cusum"])


# --- false discovery ----------------------------------------------------------------------------


def benjamini_hochberg(p: F64, tested: B, groups: I64, q: float) -> B:
    """BH rejections at level q, separately for every day (column) and group of rows.

    `p` is (S, T); only `tested` cells count towards m. Vectorized: one sort per group."""
    reject = np.zeros(p.shape, dtype=bool)
    for g in np.unique(groups):
        rows = np.nonzero(groups == g)[0]
        pg = np.where(tested[rows], p[rows], np.inf)
        m = tested[rows].sum(axis=0)  # (T,)
        order = np.argsort(pg, axis=0)
        sorted_p = np.take_along_axis(pg, order, axis=0)
        rank = np.arange(1, len(rows) + 1)[:, None]
        ok = sorted_p <= q * rank / np.maximum(m, 1)[None, :]
        # largest rank k with p_(k) <= q k / m: every p <= p_(k) is rejected
        any_ok = ok.any(axis=0)
        k_max = np.where(any_ok, len(rows) - np.argmax(ok[::-1], axis=0), 0)
        cutoff = np.where(
            any_ok, np.take_along_axis(sorted_p, np.maximum(k_max - 1, 0)[None, :], 0)[0], -1.0
        )
        reject[rows] = tested[rows] & (pg <= cutoff[None, :])
    return reject


# --- window detector ----------------------------------------------------------------------------


@dataclass
class Window:
    """The window detector's figures for the series it reads (`rows`, panel row indexes),
    per day."""

    rows: I64
    observed: F64
    expected: F64
    p_value: F64
    fired: B


def window_scan(panel: Panel, base: Baseline, settings: Settings) -> Window:
    """The claims-backlog check: events of the last `scan_days` days (today included) against
    what the series' rate before them expects, for the series of `scan_families`.

    Expected = the window's adjusted exposure (exposure x day-of-week and holiday factors x
    the common factor) x the posterior rate of the window's first day, whose baseline ends
    `guard_days` before the window: the account's own rate over `window_days`, shrunk to the
    book's rate for the same category (worth `prior_events` events). The window's total is
    negative binomial with the days' extra-Poisson dispersion added up (size `scan_days` x k)
    and the rate's estimation error shared by every day (size: the posterior's events), so
    size = 1 / (1 / events + 1 / (scan_days x k)). Fires where the upper-tail chance of the
    observed total is at most `scan_p`, it is at least `scan_ratio` times the expected and at
    least `scan_min_excess` above it, on a scored day whose window begins on or after the
    series' first scored day (a day without exposure, a weekend at a small group, has no score
    of its own).

    Why: a backlog of 5-10 days at a 100-member group pends a few claims a day for one reason
    against one every few weeks: no single day stands out, and the CUSUM's p-value bound
    (e^-h) is too loose to pass the false-discovery control among the book's thousands of pend
    series. The window's total has an exact tail."""
    chosen = [f for f, name in enumerate(panel.family_names) if name in settings.scan_families]
    rows = np.nonzero(np.isin(panel.family, chosen))[0].astype(np.int64)
    days = settings.scan_days
    if len(rows) == 0 or panel.n_days == 0:
        empty = np.zeros((0, panel.n_days))
        return Window(rows, empty, empty, empty, empty.astype(bool))
    t = np.arange(panel.n_days, dtype=np.int64)
    first = np.clip(t - days + 1, 0, None)
    load = trailing_sums(base.adjusted_exposure[rows] * base.common[rows], days)
    mu = np.maximum(gather_last(base.rate[rows], first) * load, 1e-9)
    level = (panel.pool[rows] < 0).astype(np.int64)
    k = base.dispersion[panel.family[rows], level][:, None]
    events = gather_last(base.posterior_events[rows], first)
    size = 1.0 / (1.0 / events + 1.0 / (days * k))
    total = trailing_sums(panel.counts[rows], days)
    scored = base.scored[rows]
    began = np.where(scored.any(axis=1), np.argmax(scored, axis=1), panel.n_days)
    whole = scored & (first[None, :] >= began[:, None])
    p = np.where(whole, nb_upper_tail(total, mu, size), 1.0)
    fired = (
        whole
        & (p <= settings.scan_p)
        & (total >= settings.scan_ratio * mu)
        & (total - mu >= settings.scan_min_excess)
    )
    return Window(rows, total, np.where(whole, mu, 0.0), p, fired)


# --- scoring ------------------------------------------------------------------------------------


def score(panel: Panel, base: Baseline, thresholds: Thresholds, settings: Settings) -> Scores:
    """Detector scores, p-values and alerts for every series-day."""
    y = panel.counts
    raw = _raw_scores(y, base, settings)
    band = volume_band(base.expected)
    fam = panel.family[:, None]
    limit_cusum = thresholds.cusum[fam, band]
    cusum, cusum_fired = cusum_with_reset(raw.llr, limit_cusum)
    fired_spike = raw.spike >= thresholds.spike[fam, band]
    fired_ewma = raw.ewma >= thresholds.ewma[fam, band]
    fired = (
        fired_spike.astype(np.int8)
        | (fired_ewma.astype(np.int8) << 1)
        | (cusum_fired.astype(np.int8) << 2)
    )
    p_ewma = special.ndtr(-raw.ewma)
    # Ville: P(S_t >= h) <= e^-h under the null. The CUSUM with reset: without it, a large
    # rise leaves the statistic high for weeks after it ends, and any later day would borrow
    # its evidence.
    p_cusum = np.exp(-np.maximum(cusum, 0.0))
    p = np.minimum(1.0, len(DETECTORS) * np.minimum(np.minimum(raw.p_spike, p_ewma), p_cusum))
    # The series the window detector reads too: Bonferroni over four detectors, not three.
    window = window_scan(panel, base, settings)
    if len(window.rows):
        rows = window.rows
        fired[rows] |= window.fired.astype(np.int8) << 3
        daily = np.minimum(np.minimum(raw.p_spike[rows], p_ewma[rows]), p_cusum[rows])
        p[rows] = np.minimum(1.0, (len(DETECTORS) + 1) * np.minimum(daily, window.p_value))
    p = np.where(base.scored, p, 1.0)
    discovered = benjamini_hochberg(p, base.scored, panel.family, settings.fdr_q)
    # An alert day is a day above expected: the EWMA and CUSUM stay high for some days after
    # a rise ends, and a quiet day is not evidence of the issue (nor a day to paint red).
    alert = discovered & (fired > 0) & base.scored & (y > base.expected)
    return Scores(raw.spike, raw.ewma, cusum, p, alert, fired, band, {"window": window})


def change_point(cusum: F64, series: int, day: int) -> int:
    """Start of the shift behind an alert: the day after the CUSUM was last 0 (pass the CUSUM
    with reset: the one without stays above 0 for weeks after a large rise, and would date a
    later alert to the earlier rise's start)."""
    row = cusum[series, : day + 1]
    zeros = np.nonzero(row <= 0.0)[0]
    return int(zeros[-1] + 1) if len(zeros) else 0


def upper_limit(mu: F64, size: F64, tail: float = 0.001) -> F64:
    """Control limit: the NB quantile with `tail` probability above it."""
    from scipy import stats

    return np.asarray(stats.nbinom.ppf(1.0 - tail, size, size / (size + mu)))
