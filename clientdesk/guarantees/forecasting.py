"""Forecasting a guarantee before its period ends: the chance of a miss and the expected cost.

Method (Monte Carlo bootstrap of recent days, fixed seed). `as_of` below is the data's
paid-through day for the account (or the book) and feed: the last day up to the requested
date that the feed has data for (`data_through`). Days after it are not seen yet, however
late the forecast is run, so running it again on the same data gives the same forecast.

1. The span is what settles: the measurement period holding `as_of` (per-period guarantees)
   or the contract year holding it (annual-aggregate guarantees).
2. Observed: the daily components (`lake.marts.operations`) from the span's first day to `as_of`,
   inclusive. Nothing after `as_of` is read, so a forecast can be re-run for any past date.
3. Pool: the last `POOL_DAYS` days up to `as_of` (from the first day with data, days
   without records counting as zero), split into US business days and other days.
4. Each of `SIMULATIONS` runs draws, with replacement, one pool day of the same kind for
   every remaining day of the span (as_of + 1 to the span's end) and adds its components to
   the observed sums; the metric, its reported (rounded) value, met/missed and the penalty
   follow exactly as at evaluation. The days are drawn once per account (or the book), feed,
   dim and span: every guarantee on the same components is judged on the same simulated
   runs, so related guarantees (ASA and abandonment) move together as they do in life.
5. P(miss) is the share of runs that end missed; the 10th and 90th percentiles of the final
   value are kept. The generator is seeded with (SEED, account, feed and dim, span start,
   as_of), so a forecast is reproducible.
6. The expected penalty is the mean, over the runs, of what the span adds to the contract
   year's amount owed after the allocation cap and the pool (`cap_expected_penalties`);
   the mean before the caps is kept beside it.

Volumes change slowly relative to a quarter, and day-of-week effects are carried by the
business/other split; a shift that began in the pool window is carried into the remaining
days in proportion to its share of the pool.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from clientdesk.accounts.models import Account
from clientdesk.guarantees.components import ComponentSpec, columns_for, ratio_parts, scale
from clientdesk.guarantees.evaluation import (
    MAX_ROWS,
    Planned,
    account_zones,
    at_risk_of,
    feed_daily,
    guarantees_of,
    plan_results,
    year_caps,
)
from clientdesk.guarantees.metrics import Feed
from clientdesk.guarantees.models import (
    Guarantee,
    GuaranteeResult,
    Level,
    ResultKind,
    Settlement,
)
from clientdesk.guarantees.penalties import (
    penalty_vector,
)
from clientdesk.lake.gateway import Lake, SystemActor, open_lake
from clientdesk.lake.marts import operations as marts
from clientdesk.lib.business_calendar import public_holidays
from clientdesk.lib.periods import add_years, epoch_day

SEED = 20261127
SIMULATIONS = 2000
POOL_DAYS = 56
METHOD = (
    f"Monte Carlo bootstrap: each remaining day drawn from the last {POOL_DAYS} days of the "
    f"same kind (US business day or not), {SIMULATIONS:,} runs, seed {SEED}"
)


@dataclass
class ForecastValues:
    guarantee: Guarantee
    period_label: str
    span_start: dt.date
    span_end: dt.date
    as_of: dt.date
    p_miss: Decimal | None
    expected_penalty: Decimal
    amount_at_risk: Decimal
    observed_actual: Decimal | None
    expected_actual: Decimal | None
    actual_p10: Decimal | None
    actual_p90: Decimal | None
    observed_days: int
    remaining_days: int
    simulations: int
    seed: int
    method: str
    expected_penalty_before_caps: Decimal = Decimal("0.00")
    # Each run's penalty before the caps (0 where the run has no value), and which runs have
    # one: what the contract-year caps are applied to (`cap_expected_penalties`).
    penalty_runs: np.ndarray | None = field(default=None, repr=False, compare=False)
    valid_runs: np.ndarray | None = field(default=None, repr=False, compare=False)

    def model_fields(self) -> dict[str, Any]:
        names = [
            "span_start",
            "span_end",
            "p_miss",
            "expected_penalty",
            "amount_at_risk",
            "observed_actual",
            "expected_actual",
            "actual_p10",
            "actual_p90",
            "observed_days",
            "remaining_days",
            "simulations",
            "seed",
            "method",
        ]
        return {name: getattr(self, name) for name in names}

    def as_dict(self) -> dict[str, Any]:
        g = self.guarantee

        def num(v: Decimal | None) -> float | None:
            return None if v is None else float(v)

        return {
            "account": g.contract.account.group_number,
            "guarantee_id": g.pk,
            "metric": g.metric,
            "label": g.display_name,
            "level": g.level,
            "comparator": g.comparator,
            "target": float(g.target),
            "period": self.period_label,
            "span_start": self.span_start.isoformat(),
            "span_end": self.span_end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "p_miss": num(self.p_miss),
            "expected_penalty": num(self.expected_penalty),
            "expected_penalty_before_caps": num(self.expected_penalty_before_caps),
            "amount_at_risk": num(self.amount_at_risk),
            "observed_actual": num(self.observed_actual),
            "expected_actual": num(self.expected_actual),
            "actual_p10": num(self.actual_p10),
            "actual_p90": num(self.actual_p90),
            "observed_days": self.observed_days,
            "remaining_days": self.remaining_days,
            "simulations": self.simulations,
            "seed": self.seed,
            "method": self.method,
        }


def settling_span(guarantee: Guarantee, as_of: dt.date) -> Planned | None:
    """The span that settles money and holds `as_of` (see the module docstring)."""
    kind = (
        ResultKind.SETTLEMENT
        if guarantee.settlement == Settlement.ANNUAL_AGGREGATE
        else ResultKind.PERIOD
    )
    for p in plan_results([guarantee], today=add_years(as_of, 50)):
        if p.kind == kind and p.measured.contains(as_of):
            return p
    return None


def is_business_day(day: dt.date, holidays: set[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def _holidays(first: dt.date, last: dt.date) -> set[dt.date]:
    out: set[dt.date] = set()
    for year in range(first.year, last.year + 1):
        out |= public_holidays("US", year)
    return out


def _quantize(value: float | None) -> Decimal | None:
    if value is None or not np.isfinite(value):
        return None
    return Decimal(repr(float(value))).quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class Draws:
    """Simulated component totals of one span of one scope and dim: `totals` has one row per
    run and one column per component; `observed` holds the sums from the span's start to
    as_of."""

    observed: np.ndarray
    totals: np.ndarray
    observed_days: int
    remaining_days: int
    seed: tuple[int, ...]


def draw(
    daily: pd.DataFrame,
    columns: Sequence[str],
    first: dt.date,
    last: dt.date,
    as_of: dt.date,
    *,
    seed: tuple[int, ...],
    simulations: int = SIMULATIONS,
) -> Draws:
    """The bootstrap of the module docstring for one span, from one row per day that has data
    (columns: day + the components)."""
    pool_first = as_of - dt.timedelta(days=POOL_DAYS - 1)
    if not daily.empty:
        pool_first = max(pool_first, _to_date(daily["day"].min()))
    start = min(first, pool_first)
    size = (max(as_of, last) - start).days + 1
    dense = np.zeros((size, len(columns)))
    if not daily.empty:
        index = daily["day"].to_numpy(dtype=np.int64) - epoch_day(start)
        keep = (index >= 0) & (index < size)
        dense[index[keep]] = daily[list(columns)].to_numpy(dtype=float)[keep]
    position = {start + dt.timedelta(days=i): i for i in range(size)}
    observed = dense[position[first] : position[min(as_of, last)] + 1].sum(axis=0)
    holidays = _holidays(start, max(last, as_of))
    pool = [d for d in position if pool_first <= d <= as_of]
    business = [position[d] for d in pool if is_business_day(d, holidays)]
    other = [position[d] for d in pool if not is_business_day(d, holidays)]
    remaining = [as_of + dt.timedelta(days=i) for i in range(1, (last - as_of).days + 1)]
    n_business = sum(1 for d in remaining if is_business_day(d, holidays))
    rng = np.random.default_rng(list(seed))
    totals = np.tile(observed, (simulations, 1))
    for rows, count in ((business, n_business), (other, len(remaining) - n_business)):
        if count == 0 or not rows:
            continue
        picks = rng.integers(0, len(rows), size=(simulations, count))
        totals += dense[np.asarray(rows)][picks].sum(axis=1)
    return Draws(observed, totals, (min(as_of, last) - first).days + 1, len(remaining), seed)


def judge(span: Planned, draws: Draws, columns: Sequence[str], as_of: dt.date) -> ForecastValues:
    """One guarantee's chance of a miss and expected penalty over the simulated totals."""
    g = span.guarantee
    definition = g.definition
    index = {name: i for i, name in enumerate(columns)}
    factor = scale(definition)

    def value_of(matrix: np.ndarray) -> np.ndarray:
        numerator, denominator = ratio_parts(
            definition, g.params(), lambda name: matrix[..., index[name]]
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denominator > 0, factor * numerator / denominator, np.nan)

    values = value_of(draws.totals)
    observed_value = float(value_of(draws.observed[np.newaxis, :])[0])
    at_risk = at_risk_of(g, span.term_part)
    finite = np.isfinite(values)
    valid = values[finite]
    runs = np.zeros(values.shape)
    p_miss: Decimal | None = None
    expected = Decimal("0.00")
    p10 = p90 = mean = None
    if valid.size:
        quantum = 10.0**g.decimals
        missed, amounts = penalty_vector(
            np.floor(valid * quantum + 0.5) / quantum, g.penalty_terms(), at_risk
        )
        runs[finite] = amounts
        p_miss = Decimal(repr(float(missed.mean()))).quantize(Decimal("0.0001"))
        expected = _cents(float(amounts.mean()))
        p10, p90 = (float(x) for x in np.percentile(valid, [10, 90]))
        mean = float(valid.mean())
    return ForecastValues(
        guarantee=g,
        period_label=span.label,
        span_start=span.measured.first,
        span_end=span.measured.last,
        as_of=as_of,
        p_miss=p_miss,
        expected_penalty=expected,
        amount_at_risk=at_risk,
        observed_actual=_quantize(observed_value),
        expected_actual=_quantize(mean),
        actual_p10=_quantize(p10),
        actual_p90=_quantize(p90),
        observed_days=draws.observed_days,
        remaining_days=draws.remaining_days,
        simulations=len(draws.totals),
        seed=SEED,
        method=METHOD,
        expected_penalty_before_caps=expected,
        penalty_runs=runs,
        valid_runs=finite,
    )


def _cents(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def settled_penalties(
    judged: Sequence[tuple[Planned, ForecastValues]], as_of: dt.date
) -> dict[tuple[int, str], dict[int, float]]:
    """Penalties already settled in the contract years of the forecast spans, per (contract,
    contract year) and guarantee: the sum of its settling period results (as the last
    evaluation stored them) that ended by `as_of`, except the forecast spans themselves."""
    own = {(span.guarantee.pk, span.label) for span, _ in judged}
    out: dict[tuple[int, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    rows = GuaranteeResult.objects.filter(
        guarantee__contract_id__in={span.guarantee.contract_id for span, _ in judged},
        contract_year__in={span.year.label for span, _ in judged},
        kind=ResultKind.PERIOD,
        settles=True,
        period_end__lte=as_of,
    ).values_list(
        "guarantee__contract_id", "contract_year", "guarantee_id", "period_label", "penalty"
    )
    for contract_id, year, guarantee_id, label, amount in rows:
        if (guarantee_id, label) not in own:
            out[(contract_id, year)][guarantee_id] += float(amount)
    return out


def cap_expected_penalties(
    judged: Sequence[tuple[Planned, ForecastValues]],
    settled: Mapping[tuple[int, str], Mapping[int, float]],
) -> None:
    """Expected penalties after the contract-year caps (`penalties.reconcile`).

    Per contract and contract year, and per simulated run: each guarantee's year so far is
    what it has already settled in the year (`settled`) plus the run's penalty for its open
    span; the allocation cap limits each guarantee's year, and what the open spans add to
    the contract's year may not exceed what is left of the pool (the pool less the capped
    penalties already settled); when the pool binds, every guarantee's addition is scaled
    down in the same proportion. A guarantee's expected penalty is the mean, over its runs,
    of what its span adds to the amount owed. Later periods of the year are not forecast."""
    groups: dict[tuple[int, str], list[tuple[Planned, ForecastValues]]] = defaultdict(list)
    for span, f in judged:
        groups[(span.guarantee.contract_id, span.year.label)].append((span, f))
    for key, rows in groups.items():
        pool, cap = year_caps(rows[0][0].guarantee, key[1])
        if pool is None:
            continue
        limit = float(cap) if cap is not None else np.inf
        before = settled.get(key, {})
        already = {gid: min(amount, limit) for gid, amount in before.items()}
        headroom = max(0.0, float(pool) - sum(already.values()))
        adds = []
        for span, f in rows:
            gid = span.guarantee.pk
            runs = f.penalty_runs if f.penalty_runs is not None else np.zeros(1)
            adds.append(np.minimum(before.get(gid, 0.0) + runs, limit) - already.get(gid, 0.0))
        total = np.sum(adds, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(total > headroom, headroom / total, 1.0)
        for (_, f), add in zip(rows, adds, strict=True):
            owed = add * factor
            valid = f.valid_runs if f.valid_runs is not None else np.ones(owed.shape, bool)
            if valid.any():
                f.expected_penalty = _cents(float(owed[valid].mean()))


def _to_date(day: Any) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _daily_by_scope(
    frame: pd.DataFrame, columns: Sequence[str]
) -> dict[tuple[int, str], pd.DataFrame]:
    """The feed's daily rows per (account, dim), plus (account, "*") for every dim."""
    out: dict[tuple[int, str], pd.DataFrame] = {}
    if frame.empty:
        return out
    frame = frame.fillna(dict.fromkeys(columns, 0))
    for (account_id, dim), rows in frame.groupby(["account_id", "dim"]):
        out[(int(account_id), str(dim))] = rows[["day", *columns]]
    for account_id, rows in frame.groupby("account_id"):
        out[(int(account_id), "*")] = rows.groupby("day", as_index=False)[list(columns)].sum()
    return out


def _scope_of(g: Guarantee) -> int:
    return marts.BOOK if g.level == Level.BOOK else g.contract.account_id


def data_through(
    lake: Lake, guarantees: Sequence[Guarantee], as_of: dt.date
) -> dict[tuple[int, Feed], dt.date]:
    """The paid-through day of each (account or the book, feed) the guarantees read: the last
    day up to `as_of` the feed has data for, looked for in the `POOL_DAYS` days up to `as_of`
    (one query per feed). A scope without data in those days is left out."""
    by_feed: dict[Feed, list[Guarantee]] = defaultdict(list)
    for g in guarantees:
        by_feed[g.definition.feed].append(g)
    first = as_of - dt.timedelta(days=POOL_DAYS - 1)
    out: dict[tuple[int, Feed], dt.date] = {}
    for feed, rows in by_feed.items():
        spec = ComponentSpec.for_metrics((g.definition, g.params()) for g in rows)
        scopes = {_scope_of(g) for g in rows}
        zones = account_zones(scopes)
        daily = feed_daily(
            lake, feed, spec, first, as_of, zones, book=marts.BOOK in scopes, today=as_of
        )
        last = daily.group_by("account_id").aggregate(last=daily.day.max())
        for account_id, day in lake.execute(last).itertuples(index=False):
            out[(int(account_id), feed)] = _to_date(day)
    return out


def forecast_spans(
    spans: Sequence[Planned],
    lake: Lake,
    as_of: dt.date,
    *,
    simulations: int = SIMULATIONS,
    through: Mapping[tuple[int, Feed], dt.date] | None = None,
) -> list[ForecastValues]:
    """Forecasts of the given spans: one lake query per feed, reading days up to as_of; the
    days of a span are drawn once per account, feed and dim, and every guarantee on them is
    judged on the same simulated totals. Each span is forecast as of its scope's paid-through
    day in `through` (`data_through`; as_of where it has none): the days after the data's last
    day are not yet seen, so a forecast run again later on the same data is the same."""
    through = through or {}
    by_feed: dict[Feed, list[Planned]] = defaultdict(list)
    for span in spans:
        by_feed[span.guarantee.definition.feed].append(span)
    judged: list[tuple[Planned, ForecastValues]] = []
    for feed, rows in by_feed.items():
        spec = ComponentSpec.for_metrics(
            (r.guarantee.definition, r.guarantee.params()) for r in rows
        )
        columns = columns_for(feed, spec)
        first = min(min(r.measured.first for r in rows), as_of - dt.timedelta(days=POOL_DAYS))
        book = any(r.scope == marts.BOOK for r in rows)
        zones = account_zones(r.scope for r in rows)
        expr = feed_daily(lake, feed, spec, first, as_of, zones, book=book, today=as_of)
        by_scope = _daily_by_scope(lake.execute(expr), columns)
        empty = pd.DataFrame(columns=["day", *columns])
        draws: dict[tuple[int, str, dt.date, dt.date], Draws] = {}
        for span in rows:
            seen = min(as_of, through.get((span.scope, feed), as_of))
            key = (span.scope, span.dim, span.measured.first, span.measured.last)
            if key not in draws:
                seed = (
                    SEED,
                    span.scope,
                    zlib.crc32(f"{feed.value}|{span.dim}".encode()),
                    span.measured.first.toordinal(),
                    seen.toordinal(),
                )
                draws[key] = draw(
                    by_scope.get((span.scope, span.dim), empty),
                    columns,
                    span.measured.first,
                    span.measured.last,
                    seen,
                    seed=seed,
                    simulations=simulations,
                )
            judged.append((span, judge(span, draws[key], columns, seen)))
    cap_expected_penalties(judged, settled_penalties(judged, as_of))
    return [f for _, f in judged]


FORECAST = SystemActor("guarantee forecast")


def forecast(
    accounts: Sequence[Account],
    *,
    as_of: dt.date,
    engine: str | None = None,
    simulations: int = SIMULATIONS,
) -> list[ForecastValues]:
    """Forecasts for every lake-measured guarantee of the accounts, each as of the paid-through
    day of its data (the last day up to as_of the feed has data for that account, or the
    book): the span holding that day, the days after it not seen yet."""
    # Events an app counts (one-time implementation promises) are not forecast from the lake.
    guarantees = [
        g
        for g in guarantees_of(accounts)
        if g.definition.from_lake and g.definition.feed != Feed.EVENTS
    ]
    if not guarantees:
        return []
    book = any(_scope_of(g) == marts.BOOK for g in guarantees)
    # A system job like the evaluation (a book-wide guarantee reads every account); people
    # get the stored forecast, never the lake's rows.
    narrow = None if book else [a.pk for a in accounts]
    with open_lake(FORECAST, accounts=narrow, engine=engine, max_rows=MAX_ROWS) as lake:
        through = data_through(lake, guarantees, as_of)
        spans = [
            span
            for g in guarantees
            if (span := settling_span(g, through.get((_scope_of(g), g.definition.feed), as_of)))
            is not None
        ]
        if not spans:
            return []
        return forecast_spans(spans, lake, as_of, simulations=simulations, through=through)
