"""Claims not yet paid (IBNR) by the chain-ladder method: pure functions of a lag table.

The rule (../shared/domain/account-management.md §2.2 C; ibnr.net, "The loss development
method"):

1. A lag table holds the paid dollars of each incurred period by paid period (incremental).
   Lag = paid period - incurred period. Cumulate each incurred period along its lags.
2. Age-to-age (link) ratio from lag j to j+1 = sum of cumulative paid at lag j+1 / sum at
   lag j, volume-weighted over the incurred periods that have both lags, restricted to the
   `average` most recent paid periods (diagonals) when given; by default all of them.
3. Development to ultimate at lag j = product of the later link ratios x tail (default 1, no
   tail); completion factor = 1 / development to ultimate.
4. Ultimate = paid to date x development to ultimate at the period's age; IBNR = ultimate -
   paid.

For the newest periods (fewer than `immature` periods of run-out) the factors rest on little
data; `blend_with_pmpm` blends a PMPM projection in, weighted by completion:
ultimate = completion x chain-ladder ultimate + (1 - completion) x expected, where expected =
the PMPM of the `reference` most recent mature periods, each trended to the period at
`PMPM_TREND_PCT` a year (default), x the period's member months. (With
chain-ladder ultimate = paid / completion this is paid + (1 - completion) x expected, the
Bornhuetter-Ferguson estimate.) The method, the factors and the averaging period travel with
every estimate (`IbnrEstimate.as_dict`).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import NormalDist
from typing import Any

MONTH = "month"
YEAR = "year"
PMPM_TREND_PCT = 8.5
"""The PMPM projection's yearly trend: the group medical cost trend PwC projects for 2026
(renewal.TREND_SOURCE; the renewal's own default, 2.0 % utilization x 6.4 % unit cost). The
reference periods lie some 7 months before the newest: untrended, the projection of a book
whose costs rise understates them (measured in docs/financials.md)."""
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_YEAR = re.compile(r"^(\d{4})$")
COLUMNS = ("incurred_period", "paid_period", "paid_amount")


class LagTableError(ValueError):
    """A lag table that cannot be developed; the message says where and why."""


def parse_period(text: str) -> tuple[str, int]:
    """`2025-03` or `2025-03-01` (a month: index year*12 + month - 1) or `2025` (a year)."""
    value = text.strip()
    found = _MONTH.match(value)
    if found:
        month = int(found.group(2))
        if not 1 <= month <= 12:
            raise LagTableError(f"{text!r} is not a month (use YYYY-MM)")
        return MONTH, int(found.group(1)) * 12 + month - 1
    if _YEAR.match(value):
        return YEAR, int(value)
    raise LagTableError(f"{text!r} is not a period (use YYYY-MM for months or YYYY for years)")


def period_label(grain: str, index: int) -> str:
    """The period's code: `2025-03` or `2025`."""
    if grain == YEAR:
        return str(index)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class LagTable:
    """Paid dollars by incurred period and lag, incremental, for contiguous incurred periods
    `first`..`valuation`'s last incurred period. `paid[i][j]` is what incurred period
    `first + i` paid at lag j, for j = 0..age (age = valuation - (first + i))."""

    grain: str
    first: int
    valuation: int
    paid: tuple[tuple[float, ...], ...]

    @property
    def periods(self) -> list[int]:
        return [self.first + i for i in range(len(self.paid))]

    def age(self, i: int) -> int:
        return self.valuation - (self.first + i)

    def cumulative(self, i: int) -> list[float]:
        total = 0.0
        out = []
        for amount in self.paid[i]:
            total += amount
            out.append(total)
        return out

    def label(self, index: int) -> str:
        return period_label(self.grain, index)


def lag_table_from_cells(
    grain: str, cells: Mapping[tuple[int, int], float], *, valuation: int | None = None
) -> LagTable:
    """A lag table from summed cells {(incurred index, paid index): dollars}. Incurred
    periods without cells inside the range count as paying nothing (a book month with no
    claims); `valuation` defaults to the latest paid period."""
    if not cells:
        raise LagTableError("the lag table is empty")
    for incurred, paid in cells:
        if paid < incurred:
            raise LagTableError(
                f"paid period {period_label(grain, paid)} is before its incurred period "
                f"{period_label(grain, incurred)}"
            )
    first = min(i for i, _ in cells)
    last_paid = max(p for _, p in cells)
    value = last_paid if valuation is None else valuation
    if value < last_paid:
        raise LagTableError("payments after the valuation period")
    rows = [
        tuple(cells.get((incurred, incurred + j), 0.0) for j in range(value - incurred + 1))
        for incurred in range(first, value + 1)
    ]
    return LagTable(grain, first, value, tuple(rows))


def read_lag_rows(rows: Iterable[Mapping[str, str | None]]) -> LagTable:
    """Validate the rows of a lag table (`incurred_period,paid_period,paid_amount`,
    incremental) and build it. Refused, with the line number (the header is line 1): a
    missing or non-numeric amount, an unreadable period, months mixed with years, a paid
    period before its incurred period, the same (incurred, paid) pair twice, an incurred
    period missing between the first and the last (send a 0 row for a period that paid
    nothing)."""
    cells: dict[tuple[int, int], float] = {}
    grains: set[str] = set()
    for line, row in enumerate(rows, start=2):
        try:
            g1, incurred = parse_period(row.get("incurred_period") or "")
            g2, paid = parse_period(row.get("paid_period") or "")
        except LagTableError as error:
            raise LagTableError(f"line {line}: {error}") from None
        if g1 != g2:
            raise LagTableError(f"line {line}: incurred and paid periods of different grains")
        grains.add(g1)
        if len(grains) > 1:
            raise LagTableError(f"line {line}: months and years mixed in one table")
        text = (row.get("paid_amount") or "").strip().replace(",", "")
        try:
            amount = float(text)
        except ValueError:
            raise LagTableError(
                f"line {line}: paid_amount {row.get('paid_amount')!r} is not a number"
            ) from None
        if not math.isfinite(amount):
            raise LagTableError(f"line {line}: paid_amount {text!r} is not a finite number")
        if paid < incurred:
            raise LagTableError(
                f"line {line}: paid period {period_label(g1, paid)} is before its incurred "
                f"period {period_label(g1, incurred)}"
            )
        if (incurred, paid) in cells:
            raise LagTableError(
                f"line {line}: duplicate row for incurred {period_label(g1, incurred)}, paid "
                f"{period_label(g1, paid)}"
            )
        cells[(incurred, paid)] = amount
    if not cells:
        raise LagTableError("the lag table has no rows")
    grain = grains.pop()
    seen = {i for i, _ in cells}
    missing = [i for i in range(min(seen), max(seen) + 1) if i not in seen]
    if missing:
        gaps = ", ".join(period_label(grain, i) for i in missing[:5])
        raise LagTableError(
            f"gap: no rows for incurred period(s) {gaps}; incurred periods must be contiguous "
            "(send a 0 row for a period that paid nothing)"
        )
    return lag_table_from_cells(grain, cells)


def read_lag_csv(path: Path) -> LagTable:
    """A lag table from a CSV file with the header `incurred_period,paid_period,paid_amount`."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise LagTableError(
                    f"{path.name}: missing column(s) {', '.join(missing)}; the header must "
                    "name incurred_period,paid_period,paid_amount"
                )
            reader.fieldnames = header
            return read_lag_rows(reader)
    except OSError as error:
        raise LagTableError(f"cannot read {path}: {error.strerror}") from None


@dataclass(frozen=True)
class Factors:
    """Link ratios by lag (`link[j]`: lag j to j+1), the tail beyond the last, and the
    averaging period they were computed over (None: every paid period).

    `sigma2[j]` and `volume[j]`: Mack's variance parameter of link j (how far the incurred
    periods' own ratios scatter around it, per dollar developed) and the dollars it was
    computed from (the sum of cumulative paid at lag j); empty when not known (factors
    typed in). They give the estimate's standard error (`ibnr_spread`)."""

    link: tuple[float, ...]
    tail: float
    average: int | None
    sigma2: tuple[float, ...] = ()
    volume: tuple[float, ...] = ()

    def to_ultimate(self, lag: int) -> float:
        """Development from lag `lag` to ultimate: the product of the later link ratios x tail."""
        product = self.tail
        for ratio in self.link[lag:]:
            product *= ratio
        return product

    def completion(self, lag: int) -> float:
        return 1.0 / self.to_ultimate(lag)

    def rows(self) -> list[dict[str, float | int]]:
        lags = range(len(self.link) + 1)
        return [
            {
                "lag": j,
                "link_ratio": round(self.link[j], 6) if j < len(self.link) else round(self.tail, 6),
                "to_ultimate": round(self.to_ultimate(j), 6),
                "completion": round(self.completion(j), 6),
            }
            for j in lags
        ]


def development_factors(
    table: LagTable, *, average: int | None = None, tail: float = 1.0
) -> Factors:
    """Volume-weighted link ratios over the `average` most recent paid periods (all when
    None). A lag with no paid dollars to develop from gets 1 (nothing to say it grows)."""
    if average is not None and average < 1:
        raise LagTableError("--average must be at least 1 period")
    if not math.isfinite(tail) or tail < 1.0:
        raise LagTableError("the tail factor must be a number of at least 1")
    cumulative = [table.cumulative(i) for i in range(len(table.paid))]
    n = len(table.paid)
    link = []
    sigma2: list[float | None] = []
    volume = []
    for j in range(n - 1):
        # Incurred periods with lag j+1 observed: age >= j+1, i.e. i <= n - 2 - j. The one
        # whose lag j+1 sits on the latest diagonal is i = n - 2 - j; `average` of them back.
        last = n - 2 - j
        first = 0 if average is None else max(0, last - average + 1)
        below = sum(cumulative[i][j] for i in range(first, last + 1))
        above = sum(cumulative[i][j + 1] for i in range(first, last + 1))
        ratio = above / below if below > 0 else 1.0
        link.append(ratio)
        volume.append(max(below, 0.0))
        # Mack (1993): sigma^2_j = 1/(m-1) sum C_ij (C_i,j+1 / C_ij - f_j)^2 over the m
        # periods that developed from a positive amount; unknown with fewer than 2.
        used = [i for i in range(first, last + 1) if cumulative[i][j] > 0]
        if len(used) >= 2:
            scatter = sum(
                cumulative[i][j] * (cumulative[i][j + 1] / cumulative[i][j] - ratio) ** 2
                for i in used
            )
            sigma2.append(scatter / (len(used) - 1))
        else:
            sigma2.append(None)
    return Factors(tuple(link), tail, average, _extrapolate_sigma2(sigma2), tuple(volume))


def _extrapolate_sigma2(sigma2: list[float | None]) -> tuple[float, ...]:
    """Mack's rule for a lag with too few periods to estimate its sigma^2 (the latest lags):
    min(s_{j-1}^4 / s_{j-2}, s_{j-2}, s_{j-1}), applied lag after lag; 0 when nothing before
    it is known."""
    out: list[float] = []
    for value in sigma2:
        if value is not None:
            out.append(value)
        elif len(out) >= 2 and out[-2] > 0:
            out.append(min(out[-1] ** 2 / out[-2], out[-2], out[-1]))
        else:
            out.append(out[-1] if out else 0.0)
    return tuple(out)


@dataclass(frozen=True)
class OriginEstimate:
    """One incurred period's estimate."""

    period: str
    age: int
    paid: float
    completion: float
    ultimate: float
    method: str
    expected: float | None = None
    member_months: float | None = None
    reported: float | None = None  # developed on reported claims: paid + inventory to date

    @property
    def ibnr(self) -> float:
        return self.ultimate - self.paid

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "incurred_period": self.period,
            "age": self.age,
            "paid": round(self.paid, 2),
            "completion": round(self.completion, 6),
            "ultimate": round(self.ultimate, 2),
            "ibnr": round(self.ibnr, 2),
            "method": self.method,
        }
        if self.expected is not None:
            out["expected"] = round(self.expected, 2)
        if self.member_months is not None:
            out["member_months"] = self.member_months
        if self.reported is not None:
            out["reported"] = round(self.reported, 2)
            out["inventory"] = round(self.reported - self.paid, 2)
        return out


CHAIN_LADDER = "chain_ladder"
PMPM_BLEND = "pmpm_blend"
PAID = "paid"
REPORTED = "reported"


@dataclass(frozen=True)
class IbnrEstimate:
    """An estimate with everything behind it: grain, valuation, factors, the method per
    incurred period and, when blended, the PMPM used."""

    grain: str
    valuation: str
    factors: Factors
    origins: tuple[OriginEstimate, ...]
    immature: int = 0
    pmpm: float | None = None
    reference_periods: tuple[str, ...] = ()
    basis: str = PAID
    trend_pct: float = 0.0  # the PMPM projection's yearly trend to each projected period

    @property
    def paid_total(self) -> float:
        return sum(o.paid for o in self.origins)

    @property
    def ultimate_total(self) -> float:
        return sum(o.ultimate for o in self.origins)

    @property
    def ibnr_total(self) -> float:
        return self.ultimate_total - self.paid_total

    def method(self) -> str:
        text = (
            "reported claims (paid, plus the claims received and not yet paid valued claim by "
            "claim) by received month, "
            if self.basis == REPORTED
            else ""
        ) + (
            f"chain ladder, volume-weighted link ratios over "
            f"{'all' if self.factors.average is None else self.factors.average} "
            f"{'received' if self.basis == REPORTED else 'paid'} periods, "
            f"tail {self.factors.tail:g}"
        )
        if self.pmpm is not None:
            text += (
                f"; the newest {self.immature} periods blended by completion with a PMPM "
                f"projection of {self.pmpm:.2f} (mean of {len(self.reference_periods)} mature "
                "periods"
                + (
                    f", trended at {self.trend_pct:g} % a year to each period)"
                    if self.trend_pct
                    else ")"
                )
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "grain": self.grain,
            "valuation_period": self.valuation,
            "basis": self.basis,
            "method": self.method(),
            "average_periods": self.factors.average,
            "tail": self.factors.tail,
            "ibnr_total": round(self.ibnr_total, 2),
            "ultimate_total": round(self.ultimate_total, 2),
            "paid_total": round(self.paid_total, 2),
            "factors": self.factors.rows(),
            "pmpm": None if self.pmpm is None else round(self.pmpm, 2),
            "pmpm_reference_periods": list(self.reference_periods),
            "pmpm_trend_pct": self.trend_pct,
            "periods": [o.as_dict() for o in self.origins],
            **uncertainty(self),
        }


def chain_ladder(
    table: LagTable,
    *,
    average: int | None = None,
    tail: float = 1.0,
    factors: Factors | None = None,
) -> IbnrEstimate:
    """The chain-ladder estimate of every incurred period of `table`, with its own factors or
    the `factors` given (an account's months completed with its book's or segment's)."""
    if factors is None:
        factors = development_factors(table, average=average, tail=tail)
    origins = []
    for i, period in enumerate(table.periods):
        age = table.age(i)
        paid = table.cumulative(i)[-1]
        to_ultimate = factors.to_ultimate(age)
        origins.append(
            OriginEstimate(
                period=table.label(period),
                age=age,
                paid=paid,
                completion=1.0 / to_ultimate,
                ultimate=paid * to_ultimate,
                method=CHAIN_LADDER,
            )
        )
    return IbnrEstimate(table.grain, table.label(table.valuation), factors, tuple(origins))


def blend_with_pmpm(
    estimate: IbnrEstimate,
    member_months: Mapping[str, float],
    *,
    immature: int = 3,
    reference: int = 12,
    trend_pct: float = PMPM_TREND_PCT,
) -> IbnrEstimate:
    """Blend a PMPM projection into the periods younger than `immature` periods (see the
    module doc). The PMPM is the chain-ladder ultimate over member months of the `reference`
    most recent periods of at least `immature` age that have member months; each reference
    period's dollars are trended at `trend_pct` a year to the period projected (the reference
    periods lie on average some 7 months before the newest ones: untrended, the projection
    lags the cost level by that much). Without such periods (or `immature` 0) the estimate is
    returned unchanged."""
    if immature <= 0:
        return estimate
    mature = [
        o for o in estimate.origins if o.age >= immature and member_months.get(o.period, 0) > 0
    ]
    basis = mature[-reference:] if reference > 0 else mature
    months = sum(member_months[o.period] for o in basis)
    if not basis or months <= 0:
        return estimate
    pmpm = sum(o.ultimate for o in basis) / months
    per_year = 12 if estimate.grain == MONTH else 1
    origins = []
    for o in estimate.origins:
        exposure = member_months.get(o.period, 0.0)
        if o.age >= immature:
            origins.append(replace(o, member_months=exposure or None))
            continue
        # periods between a reference period and this one = the difference of their ages
        trended = sum(
            b.ultimate * (1.0 + trend_pct / 100.0) ** ((b.age - o.age) / per_year) for b in basis
        )
        expected = trended / months * exposure
        ultimate = o.completion * o.ultimate + (1.0 - o.completion) * expected
        origins.append(
            replace(
                o, ultimate=ultimate, method=PMPM_BLEND, expected=expected, member_months=exposure
            )
        )
    return replace(
        estimate,
        origins=tuple(origins),
        immature=immature,
        pmpm=pmpm,
        reference_periods=tuple(o.period for o in basis),
        trend_pct=trend_pct,
    )


def with_paid_to_date(estimate: IbnrEstimate, paid: Mapping[str, float]) -> IbnrEstimate:
    """An estimate developed on **reported** claims (paid + the claims received and not yet
    paid, by received month), its `paid` set to the cash paid to date by period: the ultimate
    stays, so IBNR = ultimate - paid = the unpaid inventory + what is not yet received."""
    origins = tuple(
        replace(o, reported=o.paid, paid=paid.get(o.period, 0.0)) for o in estimate.origins
    )
    return replace(estimate, origins=origins, basis=REPORTED)


RANGE_LEVEL = 0.90
"""The share of outcomes the stated IBNR range is meant to hold."""


@dataclass(frozen=True)
class IbnrSpread:
    """The standard error of an IBNR estimate (Mack's, see `ibnr_spread`), its parts and each
    incurred period's own (without the covariance between periods)."""

    ibnr: float
    sd: float
    process_sd: float
    parameter_sd: float
    pmpm_sd: float
    by_period: dict[str, float]


SPREAD_METHOD = (
    "Mack's standard error of the chain ladder (process: how far each period's own link ratios "
    "scatter, per dollar still to develop; parameter: the link ratios' own uncertainty, "
    "correlated across periods), the PMPM projection's uncertainty (the reference periods' "
    "PMPM scatter over their number) for the blended periods; what is still to develop taken "
    "as lognormal (claims in process known)"
)


def ibnr_spread(estimate: IbnrEstimate) -> IbnrSpread | None:
    """Standard error of `estimate`'s IBNR and its range (None when the factors carry no
    sigma^2: typed in, or a one-period table).

    Chain ladder (Mack 1993, "Distribution-free calculation of the standard error of chain
    ladder reserve estimates"), for a period of age a with ultimate U (before the tail) and
    D'_k the development from lag k to the last lag:
    process variance U x sum_{k>=a} sigma2_k D'_k / f_k^2; parameter variance of the total
    sum_k sigma2_k / (f_k^2 S_k) x (sum of U over the periods still developing at lag k)^2
    (S_k the volume behind f_k; the square carries Mack's covariance between periods).
    A period blended with the PMPM projection (ultimate = paid + (1 - c) x expected) has the
    same process variance, parameter weight its paid to date instead of U, and the
    projection's own: (1 - c) x expected x cv / sqrt(n), cv the scatter of the n reference
    periods' PMPM (each trended to the valuation) over their mean, fully correlated across
    the blended periods (`stated_range` turns it into the range shown)."""
    factors = estimate.factors
    if not factors.sigma2 or not factors.link:
        return None
    last = len(factors.link)
    tail = factors.tail
    dev = [1.0] * (last + 1)
    for k in range(last - 1, -1, -1):
        dev[k] = dev[k + 1] * factors.link[k]
    unit = [
        factors.sigma2[k] / factors.link[k] ** 2 if factors.link[k] > 0 else 0.0
        for k in range(last)
    ]
    parameter_weight = [0.0] * last
    process = 0.0
    own: dict[str, float] = {}
    blended_expected = 0.0
    for o in estimate.origins:
        if o.age >= last:
            continue
        ultimate = o.ultimate / tail
        developing = ultimate
        pmpm_part = 0.0
        if o.method == PMPM_BLEND and o.expected is not None:
            pmpm_part = (1.0 - o.completion) * o.expected
            developing = ultimate - pmpm_part / tail
            blended_expected += pmpm_part
        lags = range(o.age, last)
        period_process = max(ultimate, 0.0) * sum(unit[k] * dev[k] for k in lags)
        period_parameter = developing**2 * sum(
            unit[k] / factors.volume[k] for k in lags if factors.volume[k] > 0
        )
        process += period_process
        for k in lags:
            parameter_weight[k] += developing
        own[o.period] = period_process + period_parameter
    parameter = sum(
        unit[k] / factors.volume[k] * parameter_weight[k] ** 2
        for k in range(last)
        if factors.volume[k] > 0
    )
    cv2_over_n = _pmpm_cv2_over_n(estimate)
    pmpm_var = cv2_over_n * blended_expected**2
    for o in estimate.origins:
        if o.method == PMPM_BLEND and o.expected is not None and o.period in own:
            own[o.period] += cv2_over_n * ((1.0 - o.completion) * o.expected) ** 2
    return IbnrSpread(
        ibnr=estimate.ibnr_total,
        sd=math.sqrt(process + parameter + pmpm_var),
        process_sd=math.sqrt(process),
        parameter_sd=math.sqrt(parameter),
        pmpm_sd=math.sqrt(pmpm_var),
        by_period={k: math.sqrt(v) for k, v in own.items()},
    )


def _pmpm_cv2_over_n(estimate: IbnrEstimate) -> float:
    """(sd / mean)^2 / n of the reference periods' PMPM, each trended to the valuation."""
    per_year = 12 if estimate.grain == MONTH else 1
    reference = set(estimate.reference_periods)
    growth = 1.0 + estimate.trend_pct / 100.0
    values: list[float] = [
        o.ultimate / o.member_months * growth ** (o.age / per_year)
        for o in estimate.origins
        if o.period in reference and o.member_months
    ]
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    if mean <= 0:
        return 0.0
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return float(variance / mean**2 / len(values))


def stated_range(estimate: IbnrEstimate, *, level: float = RANGE_LEVEL) -> dict[str, Any] | None:
    """The range stated with the estimate, from Mack's standard error (`ibnr_spread`).

    Of the IBNR, the claims in process on the reported basis (reported - paid: known amounts
    and pended claims valued) are taken as known; the rest, what is still to develop, is
    lognormal with the estimate's mean and Mack's sd (claim dollars are skewed: a late
    hospital bill can double a month, nothing can make it negative), and the range is its
    (1 - level)/2 and (1 + level)/2 quantiles plus the known part. None without Mack's sd.
    How often it held the truth on generated books: docs/financials.md."""
    spread = ibnr_spread(estimate)
    if spread is None:
        return None
    known = sum(o.reported - o.paid for o in estimate.origins if o.reported is not None)
    ibnr = estimate.ibnr_total
    rest = ibnr - known
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    if rest > 0 and spread.sd > 0:
        sigma = math.sqrt(math.log(1.0 + (spread.sd / rest) ** 2))
        mu = math.log(rest) - sigma**2 / 2.0
        low, high = known + math.exp(mu - z * sigma), known + math.exp(mu + z * sigma)
    else:
        low, high = ibnr - z * spread.sd, ibnr + z * spread.sd
    return {
        "level": level,
        "low": round(low, 2),
        "high": round(high, 2),
        "sd": round(spread.sd, 2),
        "sd_pct": round(100 * spread.sd / ibnr, 2) if ibnr > 0 else None,
        "known": round(known, 2),
        "process_sd": round(spread.process_sd, 2),
        "parameter_sd": round(spread.parameter_sd, 2),
        "pmpm_sd": round(spread.pmpm_sd, 2),
        "method": SPREAD_METHOD,
    }


def uncertainty(estimate: IbnrEstimate) -> dict[str, Any]:
    """The estimate's range and Mack's standard error by incurred period, for its detail."""
    spread = ibnr_spread(estimate)
    return {
        "range": stated_range(estimate),
        "sd_by_period": (
            {k: round(v, 2) for k, v in spread.by_period.items()} if spread is not None else {}
        ),
    }
