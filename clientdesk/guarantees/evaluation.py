"""Evaluating guarantees: which results to compute, their components from the lake, and the
values, intervals and penalties that follow. Storing them is `actions.do_store_results`.

    plan = plan_results(guarantees, today=today, window=span)      # periods and settlements
    sums = lake_components(plan, lake)                             # one query per feed
    values = finish_results(plan, sums, today=today)               # value, CI, met, penalty

`evaluate` runs the three for a set of accounts (the CLI, the pages and the API call it).
Book-of-business guarantees are measured on every account of the lake: the computation reads
the whole book and stores only the aggregate (no record of another account leaves it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import numpy as np
import pandas as pd

from clientdesk.accounts.models import Account
from clientdesk.guarantees.components import (
    ALL_DIMS,
    ComponentSpec,
    columns_for,
    dim_of,
    measure,
)
from clientdesk.guarantees.metrics import Feed
from clientdesk.guarantees.models import (
    Guarantee,
    GuaranteeResult,
    GuaranteeTerms,
    Level,
    ResultKind,
    ResultSource,
    ResultStatus,
    Settlement,
)
from clientdesk.guarantees.penalties import (
    CENT,
    MOST_AT_RISK,
    amount_at_risk,
    capped_at_risk,
    monthly_fees,
    months_in,
    penalty,
    reconcile,
    reported,
)
from clientdesk.guarantees.statistics import estimate
from clientdesk.lake.gateway import Lake, SystemActor, open_lake
from clientdesk.lake.local_time import zone_rows
from clientdesk.lake.marts import operations as marts
from clientdesk.lake.marts.survey_answers import survey_answers
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lib.business_calendar import public_holidays
from clientdesk.lib.guarantee_events import GUARANTEE_EVENTS
from clientdesk.lib.local_time import zone_table
from clientdesk.lib.periods import (
    Span,
    contract_year_of,
    due_dates,
    epoch_day,
    from_epoch_day,
    measurement_periods,
)

MAX_ROWS = 5_000_000
SIX = Decimal("0.000001")
FOUR = Decimal("0.0001")


@dataclass
class Planned:
    """One result to compute: a guarantee's period or its contract-year settlement."""

    key: int
    guarantee: Guarantee
    kind: str
    label: str
    measured: Span  # the data measured
    term_part: Span  # the part inside the contract term (fees at risk are counted on it)
    year: Span  # the contract year it reconciles in
    settles: bool
    scope: int  # account id, or marts.BOOK
    dim: str


@dataclass
class ResultValues:
    """Everything a GuaranteeResult row holds, computed and not yet stored."""

    guarantee: Guarantee
    kind: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    contract_year: str
    settles: bool
    status: str
    source: str
    actual: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    sample_size: int
    ci_low: Decimal | None
    ci_high: Decimal | None
    within_noise: bool
    met: bool | None
    amount_at_risk: Decimal
    penalty_pct: Decimal
    penalty: Decimal
    owed: Decimal | None
    report_due: dt.date | None
    reconciliation_due: dt.date | None
    payment_due: dt.date | None
    inputs_hash: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The result as the CLI and the API print it."""
        g = self.guarantee
        return {
            "account": g.contract.account.group_number,
            "account_id": g.contract.account_id,
            "contract": g.contract.number,
            "guarantee_id": g.pk,
            "metric": g.metric,
            "label": g.display_name,
            "level": g.level,
            "kind": self.kind,
            "period": self.period_label,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "contract_year": self.contract_year,
            "status": self.status,
            "source": self.source,
            "comparator": g.comparator,
            "target": _num(g.target),
            "actual": _num(self.actual),
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "n": self.sample_size,
            "ci_low": _num(self.ci_low),
            "ci_high": _num(self.ci_high),
            "within_noise": self.within_noise,
            "met": self.met,
            "settles": self.settles,
            "amount_at_risk": _num(self.amount_at_risk),
            "penalty_pct": _num(self.penalty_pct),
            "penalty": _num(self.penalty),
            "owed": _num(self.owed),
            "report_due": _iso(self.report_due),
            "reconciliation_due": _iso(self.reconciliation_due),
            "payment_due": _iso(self.payment_due),
            "inputs_hash": self.inputs_hash,
        }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def terms_of(guarantee: Guarantee) -> GuaranteeTerms:
    """The contract's guarantee terms, or the defaults when none were recorded."""
    try:
        return guarantee.contract.guarantee_terms
    except GuaranteeTerms.DoesNotExist:
        return GuaranteeTerms(contract=guarantee.contract)


def guarantees_of(accounts: Iterable[Account]) -> list[Guarantee]:
    return list(
        Guarantee.objects.filter(contract__account__in=list(accounts))
        .select_related("contract__account", "contract__guarantee_terms")
        .order_by("contract__account__group_number", "contract__start_date", "id")
    )


# --- planning ------------------------------------------------------------------------------


def plan_results(
    guarantees: Sequence[Guarantee],
    *,
    today: dt.date,
    window: Span | None = None,
    include_attested_periods: bool = False,
) -> list[Planned]:
    """Every period (started by `today`) and contract-year settlement to compute, for the
    contract years that overlap `window` (all years when None). Attested guarantees get only
    their settlement rows unless asked (their periods are recorded by people)."""
    terms_by_metric: dict[tuple[int, str], list[Span]] = defaultdict(list)
    for g in guarantees:
        c = g.contract
        terms_by_metric[(c.account_id, g.metric)].append(Span(c.number, c.start_date, c.end_date))
    planned: list[Planned] = []
    for g in guarantees:
        c = g.contract
        term = Span(c.number, c.start_date, c.end_date)
        others = [t for t in terms_by_metric[(c.account_id, g.metric)] if t.first > term.first]

        def later_covers(day: dt.date, others: list[Span] = others) -> bool:
            return any(t.contains(day) for t in others)

        one_time = (
            Span("one-time", g.measure_from, g.measure_to)
            if g.measure_from is not None and g.measure_to is not None
            else None
        )
        periods = measurement_periods(
            g.period, term, later_term_covers=later_covers, one_time=one_time
        )
        definition = g.definition
        scope = marts.BOOK if g.level == Level.BOOK else c.account_id
        dim = dim_of(definition, g.params()) if definition.from_lake else ""
        by_year: dict[Span, list[Planned]] = defaultdict(list)
        for mp in periods:
            if mp.measured.first > today:
                continue
            year = contract_year_of(term, mp.term_part.last)
            if window is not None and not year.overlaps(window):
                continue
            row = Planned(
                len(planned),
                g,
                ResultKind.PERIOD,
                mp.measured.label,
                mp.measured,
                mp.term_part,
                year,
                g.settlement == Settlement.PER_PERIOD,
                scope,
                dim,
            )
            by_year[year].append(row)
            if definition.from_lake or include_attested_periods:
                planned.append(row)
        for year, rows in by_year.items():
            measured = Span(
                year.label, min(r.measured.first for r in rows), max(r.measured.last for r in rows)
            )
            planned.append(
                Planned(
                    len(planned),
                    g,
                    ResultKind.SETTLEMENT,
                    year.label,
                    measured,
                    year,
                    year,
                    True,
                    scope,
                    dim,
                )
            )
    for index, row in enumerate(planned):
        row.key = index
    return planned


# --- components from the lake -------------------------------------------------------------


def business_day_index(first: dt.date, last: dt.date) -> pd.DataFrame:
    """day (epoch day) and index (US business days up to and including the day)."""
    holidays: set[dt.date] = set()
    for year in range(first.year, last.year + 1):
        holidays |= public_holidays("US", year)
    rows, index, day = [], 0, first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            index += 1
        rows.append((epoch_day(day), index))
        day += dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=["day", "index"]).astype("int64")


def account_zones(scope_ids: Iterable[int]) -> dict[int, str]:
    """Time zones of the accounts a query covers (every account when the book is in it)."""
    ids = set(scope_ids)
    accounts = Account.objects.all() if marts.BOOK in ids else Account.objects.filter(id__in=ids)
    return dict(accounts.values_list("id", "timezone"))


def feed_daily(
    lake: Lake,
    feed: Feed,
    spec: ComponentSpec,
    first: dt.date,
    last: dt.date,
    zones: Mapping[int, str],
    *,
    book: bool,
    today: dt.date,
) -> Any:
    """The feed's daily components expression for first..last (`lake.marts.operations`)."""
    columns = columns_for(feed, spec)
    first_day, last_day = epoch_day(first), epoch_day(last)
    # Calls, sessions and answers are read from a day before first to a day after last.
    local_zones = zone_rows(zones, first, last)
    if feed == Feed.CALLS:
        daily = marts.calls_daily(lake.call_record, local_zones, spec, first_day, last_day)
    elif feed == Feed.IVR:
        daily = marts.ivr_daily(lake.ivr_session, local_zones, first_day, last_day)
    elif feed == Feed.SURVEYS:
        # The feed's answers and the ones clientdesk collected (lib.survey_answers).
        answers = survey_answers(lake, first, last)
        daily = marts.surveys_daily(answers, local_zones, first_day, last_day)
    elif feed == Feed.CLAIMS:
        daily = marts.claims_daily(lake.claim_processing, spec, first_day, last_day)
    elif feed == Feed.ELIGIBILITY:
        calendar = ibis.memtable(business_day_index(first, max(last, today) + dt.timedelta(60)))
        # A file is loaded after its file date: its zone rows reach to today.
        loads = ibis.memtable(zone_table(zones, first, max(last, today)))
        daily = marts.eligibility_files_daily(
            lake.table("eligibility"), loads, calendar, spec, first_day, last_day
        )
    else:
        raise ValueError(f"{feed!r} is not a lake feed")
    daily = daily.filter([daily.day >= epoch_day(first), daily.day <= epoch_day(last)])
    return marts.with_book_of_business(daily, columns) if book else daily


def lake_components(
    planned: Sequence[Planned], lake: Lake, *, today: dt.date
) -> dict[int, dict[str, float]]:
    """Summed components per planned key: one lake query per feed."""
    out: dict[int, dict[str, float]] = {}
    by_feed: dict[Feed, list[Planned]] = defaultdict(list)
    for p in planned:
        by_feed[p.guarantee.definition.feed].append(p)
    for feed, rows in by_feed.items():
        spec = ComponentSpec.for_metrics(
            (r.guarantee.definition, r.guarantee.params()) for r in rows
        )
        columns = columns_for(feed, spec)
        first = min(r.measured.first for r in rows)
        last = max(r.measured.last for r in rows)
        zones = account_zones(r.scope for r in rows)
        book = any(r.scope == marts.BOOK for r in rows)
        daily = feed_daily(lake, feed, spec, first, last, zones, book=book, today=today)
        out |= sum_periods(lake.execute(daily), rows, columns)
    return out


EVENT_DETAILS = 20  # event descriptions kept in a result's evidence


def event_components(
    planned: Sequence[Planned], *, today: dt.date
) -> tuple[dict[int, dict[str, float]], dict[int, list[str]]]:
    """Summed components per planned key of the metrics an app counts (`Feed.EVENTS`): one
    call of the app's counter per metric and threshold, over the planned rows' days; and
    the descriptions of the events counted per key (the first EVENT_DETAILS). A metric no
    app counts has no data."""
    out: dict[int, dict[str, float]] = {}
    details: dict[int, list[str]] = {}
    groups: dict[tuple[str, int | None], list[Planned]] = defaultdict(list)
    for p in planned:
        g = p.guarantee
        groups[(g.metric, g.params().threshold or g.definition.default_threshold)].append(p)
    columns = columns_for(Feed.EVENTS, ComponentSpec())
    for (code, threshold), rows in groups.items():
        counter = GUARANTEE_EVENTS.get(code)
        if counter is None:
            continue
        scopes = {r.scope for r in rows}
        first = min(r.measured.first for r in rows)
        last = max(r.measured.last for r in rows)
        counts = counter(
            None if marts.BOOK in scopes else sorted(scopes), first, last, threshold, today
        )
        frame = pd.DataFrame(
            [(c.account_id, epoch_day(c.day), "", c.met, c.events, c.squares) for c in counts],
            columns=["account_id", "day", "dim", *columns],
        )
        if marts.BOOK in scopes and not frame.empty:
            book = frame.groupby("day", as_index=False)[columns].sum()
            book["account_id"], book["dim"] = marts.BOOK, ""
            frame = pd.concat([frame, book[frame.columns]], ignore_index=True)
        out |= sum_periods(frame, rows, columns)
        for r in rows:
            first_day, last_day = r.measured.first, r.measured.last
            details[r.key] = [
                c.detail
                for c in counts
                if c.detail
                and first_day <= c.day <= last_day
                and (r.scope == marts.BOOK or c.account_id == r.scope)
            ][:EVENT_DETAILS]
    return out, details


def sum_periods(
    daily: pd.DataFrame, planned: Sequence[Planned], columns: Sequence[str]
) -> dict[int, dict[str, float]]:
    """The daily components (grain account_id x day x dim) summed per planned key over its
    scope, days and dim ("*": every dim), with days_with_data, first_data_day and
    last_data_day. Keys with no data are absent.

    Each (scope, dim) series is put in day order once; a period's sums are differences of
    the series' prefix sums, found by binary search. Rows are ordered by their values first
    (never by the order the engine returned them in), so the same daily rows always give
    the same sums."""
    out: dict[int, dict[str, float]] = {}
    if daily.empty or not planned:
        return out
    scope = daily["account_id"].to_numpy(dtype=np.int64)
    day = daily["day"].to_numpy(dtype=np.int64)
    codes, names = pd.factorize(daily["dim"].fillna("").astype(str), sort=True)
    values = (
        np.column_stack([daily[name].fillna(0).to_numpy(dtype=np.float64) for name in columns])
        if columns
        else np.zeros((len(daily), 0))
    )
    code_of = {str(name): i for i, name in enumerate(names)}
    all_dims = len(names)  # the code of "*": every dim of a (scope, day) added up
    order = np.lexsort((codes, day, scope))
    scope, day, codes, values = scope[order], day[order], codes[order], values[order]
    same_day = (np.diff(scope) == 0) & (np.diff(day) == 0)
    starts = np.flatnonzero(np.concatenate(([True], ~same_day)))
    series_scope = np.concatenate((scope, scope[starts]))
    series_day = np.concatenate((day, day[starts]))
    series_code = np.concatenate((codes, np.full(len(starts), all_dims)))
    series_values = np.concatenate((values, np.add.reduceat(values, starts, axis=0)))
    order = np.lexsort((series_day, series_code, series_scope))
    series_scope, series_day = series_scope[order], series_day[order]
    series_code, series_values = series_code[order], series_values[order]
    breaks = np.flatnonzero((np.diff(series_scope) != 0) | (np.diff(series_code) != 0)) + 1
    bounds = zip(
        np.concatenate(([0], breaks)).tolist(),
        np.concatenate((breaks, [len(series_day)])).tolist(),
        strict=True,
    )
    groups = {(int(series_scope[lo]), int(series_code[lo])): (lo, hi) for lo, hi in bounds}
    wanted: dict[tuple[int, int], list[Planned]] = defaultdict(list)
    for p in planned:
        code = all_dims if p.dim == ALL_DIMS else code_of.get(p.dim)
        if code is not None:
            wanted[(p.scope, code)].append(p)
    for key, targets in wanted.items():
        if key not in groups:
            continue
        lo_row, hi_row = groups[key]
        days = series_day[lo_row:hi_row]
        prefix = np.vstack(
            (np.zeros((1, len(columns))), np.cumsum(series_values[lo_row:hi_row], axis=0))
        )
        low = np.searchsorted(days, [epoch_day(p.measured.first) for p in targets], "left")
        high = np.searchsorted(days, [epoch_day(p.measured.last) for p in targets], "right")
        found = high > low
        totals = (prefix[high] - prefix[low]).tolist()
        first_day = days[np.minimum(low, len(days) - 1)].tolist()
        last_day = days[np.maximum(high - 1, 0)].tolist()
        for i in np.flatnonzero(found).tolist():
            sums = dict(zip(columns, totals[i], strict=True))
            sums["days_with_data"] = float(high[i] - low[i])
            sums["first_data_day"] = float(first_day[i])
            sums["last_data_day"] = float(last_day[i])
            out[targets[i].key] = sums
    return out


# --- values, penalties, settlement ---------------------------------------------------------


def _fees(g: Guarantee) -> Decimal:
    c, a = g.contract, g.contract.account
    return monthly_fees(
        admin_fee_pepm=c.admin_fee_pepm,
        premium_pmpm=c.premium_pmpm,
        employees=a.employees,
        members=a.members,
    )


def at_risk_of(g: Guarantee, span: Span) -> Decimal:
    """The money the guarantee puts at risk over the part of a span inside its term."""
    c, a = g.contract, g.contract.account
    try:
        return amount_at_risk(
            g.at_risk_basis,
            g.at_risk_value,
            months=months_in(span.first, span.last),
            employees=a.employees,
            members=a.members,
            admin_fee_pepm=c.admin_fee_pepm,
            premium_pmpm=c.premium_pmpm,
        )
    except ValueError as error:  # AmountNotRecordable stays itself (the routes answer it)
        where = f"{a.group_number} contract {c.number}, {g.display_name}"
        raise type(error)(f"{where}: {error}") from None


def _dec(value: float | None, quantum: Decimal = SIX) -> Decimal | None:
    return None if value is None else Decimal(repr(float(value))).quantize(quantum)


def _hash(payload: Mapping[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def committed_batches(tables: Iterable[str]) -> dict[str, list[int]]:
    wanted = sorted(set(tables))
    found: dict[str, list[int]] = {t: [] for t in wanted}
    for table, batch_id in IngestBatch.objects.filter(
        table__in=wanted, status=BatchStatus.COMMITTED, test=False
    ).values_list("table", "id"):
        found[table].append(batch_id)
    return {t: sorted(ids) for t, ids in found.items()}


def base_values(p: Planned, *, today: dt.date) -> ResultValues:
    """A planned result before measurement: no data yet, its money at risk and dates due."""
    g = p.guarantee
    terms = terms_of(g)
    dues = due_dates(
        p.measured.last,
        p.year.last,
        report_lag_days=terms.report_lag_days,
        reconciliation_lag_days=terms.reconciliation_lag_days,
        payment_lag_days=terms.payment_lag_days,
    )
    return ResultValues(
        guarantee=g,
        kind=p.kind,
        period_label=p.label,
        period_start=p.measured.first,
        period_end=p.measured.last,
        contract_year=p.year.label,
        settles=p.settles,
        status=ResultStatus.NO_DATA,
        source=ResultSource.LAKE,
        actual=None,
        numerator=None,
        denominator=None,
        sample_size=0,
        ci_low=None,
        ci_high=None,
        within_noise=False,
        met=None,
        amount_at_risk=at_risk_of(g, p.term_part),
        penalty_pct=Decimal(0),
        penalty=Decimal("0.00"),
        owed=None,
        report_due=dues.report,
        reconciliation_due=dues.reconciliation,
        payment_due=dues.payment,
    )


def _measured_result(
    p: Planned,
    sums: Mapping[str, float] | None,
    *,
    today: dt.date,
    engine: str,
    batches: Mapping[str, list[int]],
) -> ResultValues:
    """A period or settlement of a lake guarantee from its summed components."""
    g = p.guarantee
    definition = g.definition
    row = base_values(p, today=today)
    m = measure(definition, g.params(), sums or {})
    est = estimate(m)
    if est.value is not None:
        row.status = ResultStatus.FINAL if p.measured.last < today else ResultStatus.PROVISIONAL
        outcome = penalty(reported(est.value, g.decimals), g.penalty_terms(), row.amount_at_risk)
        row.met = outcome.met
        if p.settles:
            row.penalty_pct, row.penalty = outcome.pct, outcome.amount
    row.actual = _dec(est.value)
    row.numerator, row.denominator = _dec(m.numerator, FOUR), _dec(m.denominator, FOUR)
    row.sample_size = m.n
    row.ci_low, row.ci_high = _dec(est.ci_low), _dec(est.ci_high)
    row.within_noise = est.within_noise(float(g.target))
    components = {k: round(v, 6) for k, v in sorted((sums or {}).items())}
    evidence: dict[str, Any] = {
        "definition": {
            "numerator": definition.numerator,
            "denominator": definition.denominator,
            "exclusions": definition.exclusions,
            "dated_by": definition.dated_by,
            "threshold": g.effective_threshold,
            "short_abandon_seconds": g.short_abandon_seconds if g.short_abandons_apply else None,
            "line": g.line if definition.call_options else None,
        },
        "feed": definition.feed.value,
        "level": g.level,
        "scope": "book of business (every account)"
        if p.scope == marts.BOOK
        else f"account {g.contract.account.group_number}",
        "measured": [p.measured.first.isoformat(), p.measured.last.isoformat()],
        "fees_counted_on": [p.term_part.first.isoformat(), p.term_part.last.isoformat()],
        "monthly_fees": str(_fees(g)),
        "interval": est.method,
        "engine": engine,
        "components": components,
        "batches": batches.get(definition.feed.value, []),
        "time_zone": g.contract.account.timezone,
    }
    for name in ("days_with_data", "first_data_day", "last_data_day"):
        if sums and name in sums:
            raw = int(sums[name])
            evidence[name] = raw if name == "days_with_data" else from_epoch_day(raw).isoformat()
    row.evidence = evidence
    row.inputs_hash = _hash(
        {
            "guarantee": g.spec_fingerprint(),
            "kind": p.kind,
            "measured": evidence["measured"],
            "at_risk": str(row.amount_at_risk),
            "components": components,
            "batches": evidence["batches"],
            "scope": evidence["scope"],
        }
    )
    return row


def finish_results(
    planned: Sequence[Planned],
    sums: Mapping[int, Mapping[str, float]],
    *,
    today: dt.date,
    engine: str = "duckdb",
    batches: Mapping[str, list[int]] | None = None,
    event_details: Mapping[int, list[str]] | None = None,
) -> list[ResultValues]:
    """Values, intervals, penalties; then each contract year's settlement and caps."""
    batches = batches or {}
    event_details = event_details or {}
    results: dict[int, ResultValues] = {}
    for p in planned:
        if p.kind == ResultKind.PERIOD and p.guarantee.definition.from_lake:
            results[p.key] = _measured_result(
                p, sums.get(p.key), today=today, engine=engine, batches=batches
            )
            if p.key in event_details:
                _add_events(results[p.key], event_details[p.key])
    by_year: dict[tuple[int, str], list[ResultValues]] = defaultdict(list)
    for p in planned:
        if p.kind == ResultKind.PERIOD and p.key in results:
            by_year[(p.guarantee.pk, p.year.label)].append(results[p.key])
    for p in planned:
        if p.kind != ResultKind.SETTLEMENT:
            continue
        g = p.guarantee
        if g.definition.from_lake:
            row = _measured_result(p, sums.get(p.key), today=today, engine=engine, batches=batches)
            if p.key in event_details:
                _add_events(row, event_details[p.key])
        else:
            row = _attested_settlement(p, today=today)
        if g.settlement == Settlement.PER_PERIOD or not g.definition.from_lake:
            periods: Sequence[Any] = (
                by_year[(g.pk, p.year.label)]
                if g.definition.from_lake
                else _attested_periods(g, p.year)
            )
            _settle_per_period(row, periods)
        results[p.key] = row
    _apply_caps([results[p.key] for p in planned if p.kind == ResultKind.SETTLEMENT])
    return [results[p.key] for p in planned if p.key in results]


def _add_events(row: ResultValues, details: list[str]) -> None:
    """An app-counted result's evidence names the events counted (not member data: plans,
    tasks and dates); the engine is the app's records, not the lake."""
    row.evidence = dict(row.evidence, engine="clientdesk records", events=details)


def _settle_per_period(row: ResultValues, periods: Sequence[Any]) -> None:
    """A per-period guarantee's year: the sum of its settling periods' penalties."""
    settling = [r for r in periods if r.settles]
    row.amount_at_risk = sum((r.amount_at_risk for r in settling), Decimal("0.00"))
    # Per-point periods with no amount at risk each owe up to MOST_AT_RISK: so does their year.
    row.penalty = min(sum((r.penalty for r in settling), Decimal("0.00")), MOST_AT_RISK)
    row.penalty_pct = (
        (row.penalty / row.amount_at_risk * 100).quantize(CENT)
        if row.amount_at_risk > 0
        else Decimal(0)
    )
    verdicts = [r.met for r in settling if r.met is not None]
    row.met = all(verdicts) if verdicts else None
    row.evidence = dict(row.evidence, settled_from=[r.period_label for r in settling])
    row.inputs_hash = _hash(
        {
            "base": row.inputs_hash,
            "periods": [
                [r.period_label, str(r.penalty), str(r.amount_at_risk), r.met] for r in settling
            ],
        }
    )


def _attested_periods(g: Guarantee, year: Span) -> list[GuaranteeResult]:
    return list(
        GuaranteeResult.objects.filter(
            guarantee=g, kind=ResultKind.PERIOD, contract_year=year.label
        ).select_related("guarantee")
    )


def _attested_settlement(p: Planned, *, today: dt.date) -> ResultValues:
    row = base_values(p, today=today)
    row.status, row.source = ResultStatus.ATTESTED, ResultSource.ATTESTED
    row.amount_at_risk = Decimal("0.00")
    row.evidence = {"attested": "the sum of the attested period results"}
    return row


def year_caps(g: Guarantee, contract_year: str) -> tuple[Decimal | None, Decimal | None]:
    """The contract year's pool (the most the year owes) and allocation cap (the most one
    guarantee owes), in dollars; None where the contract sets none."""
    terms = terms_of(g)
    if terms.pool_pct_of_fees is None:
        return None, None
    first, last = (dt.date.fromisoformat(x) for x in contract_year.split("/"))
    pool = (terms.pool_pct_of_fees / 100 * _fees(g) * months_in(first, last)).quantize(CENT)
    cap = pool * terms.max_share_pct / 100 if terms.max_share_pct is not None else None
    return pool, cap


def _apply_caps(settlements: Sequence[ResultValues]) -> None:
    """Owed and at risk per guarantee and contract year, after the allocation and pool caps:
    no guarantee risks more than its allocation, and the contract year no more than its pool
    (`penalties.capped_at_risk`); the amount before the caps stays in the evidence."""
    groups: dict[tuple[int, str], list[ResultValues]] = defaultdict(list)
    for row in settlements:
        groups[(row.guarantee.contract_id, row.contract_year)].append(row)
    for rows in groups.values():
        g = rows[0].guarantee
        terms = terms_of(g)
        year = Span(
            rows[0].contract_year,
            min(r.period_start for r in rows),
            max(r.period_end for r in rows),
        )
        pool, _ = year_caps(g, rows[0].contract_year)
        owed = reconcile(
            {i: r.penalty for i, r in enumerate(rows)},
            pool=pool,
            max_share_pct=terms.max_share_pct,
        )
        at_risk = capped_at_risk(
            {i: r.amount_at_risk for i, r in enumerate(rows)},
            pool=pool,
            max_share_pct=terms.max_share_pct,
        )
        for i, row in enumerate(rows):
            row.owed = owed[i]
            before = row.amount_at_risk
            row.amount_at_risk = at_risk[i]
            row.evidence = dict(
                row.evidence,
                pool=None if pool is None else str(pool),
                at_risk_before_caps=str(before),
                max_share_pct=None if terms.max_share_pct is None else str(terms.max_share_pct),
                contract_year_measured=[year.first.isoformat(), year.last.isoformat()],
            )
            row.inputs_hash = _hash(
                {"base": row.inputs_hash, "owed": str(row.owed), "pool": str(pool)}
            )


# --- the whole run -------------------------------------------------------------------------


EVALUATION = SystemActor("guarantee evaluation")


def evaluate(
    accounts: Sequence[Account],
    *,
    today: dt.date,
    window: Span | None = None,
    engine: str | None = None,
) -> list[ResultValues]:
    """Compute every result of the accounts' guarantees (not stored)."""
    guarantees = guarantees_of(accounts)
    planned = plan_results(guarantees, today=today, window=window)
    events, details = event_components(
        [p for p in planned if p.guarantee.definition.feed == Feed.EVENTS], today=today
    )
    lake_rows = [
        p
        for p in planned
        if p.guarantee.definition.from_lake and p.guarantee.definition.feed != Feed.EVENTS
    ]
    if not lake_rows:
        return finish_results(planned, events, today=today, event_details=details)
    book = any(p.scope == marts.BOOK for p in lake_rows)
    # A system job even when a person presses Evaluate: a book-wide guarantee is measured
    # over every account; what people get is the stored result, never the lake's rows.
    narrow = None if book else [a.pk for a in accounts]
    with open_lake(EVALUATION, accounts=narrow, engine=engine, max_rows=MAX_ROWS) as lake:
        sums = lake_components(lake_rows, lake, today=today)
        used_engine = lake.engine
    batches = committed_batches(p.guarantee.definition.feed.value for p in lake_rows)
    return finish_results(
        planned,
        sums | events,
        today=today,
        engine=used_engine,
        batches=batches,
        event_details=details,
    )
