"""The IBNR estimate measured against known truth: a synthetic book generated with run-out.

A book generated with `--runout-months` pays claims after its window. At an as-of date, what
was paid by then builds the lag table; what was paid after it is the true IBNR of each
incurred month (complete when the run-out is long: the book's lags reach ~100 % by 12
months). Medical lines are incurred on `coalesce(claim_start_date, claim_end_date)` and
pharmacy fills on `coalesce(dispensing_date, paid_date)`, as the P&L does; every row's
`paid_amount` counts on its `paid_date` (reversals carry negative amounts, so the table is
net cash). Member months (for the PMPM blend of the newest months) come from the book's
eligibility: a span counts a month it overlaps, open spans run to the as-of date.

Reads the Parquet files directly with pyarrow: this is a measurement on generated files, not
a read of the lake (nobody's account data passes through here).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from clientdesk.financials.chain_ladder import (
    MONTH,
    PMPM_TREND_PCT,
    IbnrEstimate,
    LagTableError,
    blend_with_pmpm,
    chain_ladder,
    lag_table_from_cells,
    period_label,
    stated_range,
    with_paid_to_date,
)

EPOCH = np.datetime64("1970-01-01", "D")


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _days(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Days since 1970 of a date or timestamp column (NaT as -1e9)."""
    if pa.types.is_timestamp(column.type):
        column = pc.cast(column, pa.timestamp("s"))
        column = pc.cast(pc.cast(column, pa.int64()), pa.int64())
        values = column.to_numpy(zero_copy_only=False).astype("float64") / 86_400
        out: np.ndarray = np.floor(np.nan_to_num(values, nan=-1e9)).astype(np.int64)
        return out
    values = pc.cast(column, pa.int32()).to_numpy(zero_copy_only=False)
    days: np.ndarray = np.nan_to_num(values.astype("float64"), nan=-1e9).astype(np.int64)
    return days


def _months(days: np.ndarray) -> np.ndarray:
    dates = EPOCH + days.clip(min=0).astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    out = years * 12 + months
    return np.where(days < -1e8, -1, out)


@dataclass(frozen=True)
class PaidRows:
    """Every paid row of a book: incurred month, paid day and amount (numpy arrays)."""

    incurred_month: np.ndarray
    paid_day: np.ndarray
    amount: np.ndarray


def read_paid_rows(book: Path) -> PaidRows:
    """The medical and pharmacy rows of a generated book."""
    parts = []
    for name, first, second in (
        ("medical_claim", "claim_start_date", "claim_end_date"),
        ("pharmacy_claim", "dispensing_date", "paid_date"),
    ):
        folder = book / name
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is missing: --truth is a generated book's folder")
        table = ds.dataset(folder, format="parquet").to_table(
            columns=sorted({first, second, "paid_date", "paid_amount"})
        )
        start = _days(table[first])
        other = _days(table[second])
        incurred = np.where(start < -1e8, other, start)
        amount = pc.cast(table["paid_amount"], pa.float64()).to_numpy(zero_copy_only=False)
        parts.append((_months(incurred), _days(table["paid_date"]), np.nan_to_num(amount)))
    return PaidRows(
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def member_months(book: Path, as_of: dt.date) -> dict[int, float]:
    """Member months by month index from the book's eligibility spans, open spans to as_of."""
    table = ds.dataset(book / "eligibility", format="parquet").to_table(
        columns=["enrollment_start_date", "enrollment_end_date"]
    )
    start = _months(_days(table["enrollment_start_date"]))
    end_days = _days(table["enrollment_end_date"])
    as_of_day = (np.datetime64(as_of, "D") - EPOCH).astype(np.int64)
    end = _months(np.where((end_days < -1e8) | (end_days > as_of_day), as_of_day, end_days))
    counts: dict[int, float] = defaultdict(float)
    for s, e in zip(start.tolist(), end.tolist(), strict=True):
        for m in range(s, e + 1):
            counts[m] += 1
    return dict(counts)


def estimate_at(
    rows: PaidRows,
    as_of: dt.date,
    exposure: dict[int, float] | None,
    *,
    average: int | None,
    tail: float,
    immature: int,
    reference: int,
    months: int | None = None,
    trend_pct: float = PMPM_TREND_PCT,
) -> IbnrEstimate:
    """The estimate a team would have made on `as_of` (payments up to it only), over the
    last `months` incurred months when given."""
    as_of_day = (np.datetime64(as_of, "D") - EPOCH).astype(np.int64)
    valuation = month_index(as_of)
    known = (rows.paid_day <= as_of_day) & (rows.incurred_month >= 0)
    known &= rows.incurred_month <= valuation
    if months is not None:
        known &= rows.incurred_month > valuation - months
    incurred = rows.incurred_month[known]
    # A payment dated before its service (a data defect) counts at lag 0.
    paid_month = np.maximum(_months(rows.paid_day[known]), incurred)
    cells: dict[tuple[int, int], float] = defaultdict(float)
    keys = incurred * 100_000 + paid_month
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=rows.amount[known])
    for key, total in zip(unique.tolist(), sums.tolist(), strict=True):
        cells[(key // 100_000, key % 100_000)] += total
    table = lag_table_from_cells(MONTH, cells, valuation=valuation)
    estimate = chain_ladder(table, average=average, tail=tail)
    if exposure:
        labelled = {period_label(MONTH, m): v for m, v in exposure.items()}
        estimate = blend_with_pmpm(
            estimate, labelled, immature=immature, reference=reference, trend_pct=trend_pct
        )
    return estimate


def backtest(
    book: Path,
    as_of: dt.date,
    *,
    average: int | None = None,
    tail: float = 1.0,
    immature: int = 3,
    reference: int = 12,
    basis: str = "reported",
    trend_pct: float = PMPM_TREND_PCT,
) -> dict[str, Any]:
    """The estimate at `as_of` against the truth of the book, by incurred month and in total.

    `basis` "reported" (the default, the P&L run's method, runs.compute_run): the claims
    received and not yet paid valued claim by claim (`estimate_with_inventory`), the rest
    developed by received month; "paid": the triangle of paid claims by paid month
    (`estimate_at`). See docs/financials.md for the seeds that decided between them.

    `ibnr_error_pct` = (estimated IBNR - true IBNR) / true IBNR x 100, signed (positive:
    the estimate is too high); `ultimate_error_pct` the same on incurred claims (paid to
    date + IBNR), the measure the completion-factor literature quotes by month."""
    if basis not in ("reported", "paid"):
        raise LagTableError(f"basis {basis!r}: use reported or paid")
    rows: PaidRows | ReportedRows = (
        read_reported_rows(book) if basis == "reported" else read_paid_rows(book)
    )
    if rows.amount.size == 0:
        raise LagTableError("the book has no claims")
    last_paid = int(rows.paid_day.max())
    as_of_day = (np.datetime64(as_of, "D") - EPOCH).astype(np.int64)
    if last_paid <= as_of_day:
        last = (EPOCH + np.timedelta64(last_paid, "D")).astype(dt.date)
        twin = book.with_name(f"{book.name}-runout")
        where = (
            f"; its run-out twin is {twin} (use --truth {twin})"
            if (twin / "medical_claim").is_dir()
            else ""
        )
        raise LagTableError(
            f"the book's last payment is on {last.isoformat()}, not after {as_of.isoformat()}: "
            "it holds no claims paid after the as-of date, so there is no truth to measure "
            "against (a book cut at its window end, like the demo's lake, has none); generate "
            "the same book with --runout-months N, or pick an earlier --as-of" + where
        )
    exposure = member_months(book, as_of) if immature > 0 else None
    inventory: dict[str, float] | None = None
    if isinstance(rows, ReportedRows):
        if average is not None or tail != 1.0:
            raise LagTableError("--average and --tail apply to the paid basis only")
        found = estimate_with_inventory(
            rows, as_of, exposure, immature=immature, reference=reference, trend_pct=trend_pct
        )
        estimate = found.estimate
        inventory = {
            "finalized_unpaid": round(found.finalized_unpaid, 2),
            "pended_valued": round(found.pended, 2),
            "not_yet_received": round(found.unreported, 2),
        }
    else:
        estimate = estimate_at(
            rows,
            as_of,
            exposure,
            average=average,
            tail=tail,
            immature=immature,
            reference=reference,
            trend_pct=trend_pct,
        )
    later = rows.paid_day > as_of_day
    by_month: list[dict[str, Any]] = []
    true_total = 0.0
    for origin in estimate.origins:
        year, month = (int(x) for x in origin.period.split("-"))
        index = year * 12 + month - 1
        true_ibnr = float(rows.amount[later & (rows.incurred_month == index)].sum())
        true_total += true_ibnr
        true_ultimate = origin.paid + true_ibnr
        by_month.append(
            {
                "incurred_period": origin.period,
                "months_old": origin.age,
                "method": origin.method,
                "paid_to_date": round(origin.paid, 2),
                "completion": round(origin.completion, 6),
                "estimated_ibnr": round(origin.ibnr, 2),
                "true_ibnr": round(true_ibnr, 2),
                "ibnr_error_pct": _pct(origin.ibnr - true_ibnr, true_ibnr),
                "estimated_ultimate": round(origin.ultimate, 2),
                "true_ultimate": round(true_ultimate, 2),
                "ultimate_error_pct": _pct(origin.ultimate - true_ultimate, true_ultimate),
            }
        )
    runout = month_index(EPOCH.astype(dt.date) + dt.timedelta(days=last_paid)) - month_index(as_of)
    old = [m for m in by_month if m["months_old"] > 3]
    worst_old = max((abs(m["ultimate_error_pct"] or 0.0) for m in old), default=0.0)
    total_error = _pct(estimate.ibnr_total - true_total, true_total)
    shown = stated_range(estimate)
    return {
        "as_of": as_of.isoformat(),
        "truth": str(book),
        "runout_months_after_as_of": runout,
        "basis": basis,
        "method": estimate.method(),
        "estimated_ibnr": round(estimate.ibnr_total, 2),
        "estimated_inventory": inventory,
        "true_ibnr": round(true_total, 2),
        "total_error_pct": total_error,
        # the range stated with the estimate (chain_ladder.stated_range) and whether it held
        "range": shown,
        "truth_within_range": (
            None if shown is None else bool(shown["low"] <= round(true_total, 2) <= shown["high"])
        ),
        "ultimate_error_pct": _pct(
            estimate.ibnr_total - true_total, estimate.paid_total + true_total
        ),
        "max_abs_ultimate_error_pct_older_than_3_months": round(worst_old, 3),
        "targets": {
            "total_within_5_pct": total_error is not None and abs(total_error) <= 5.0,
            "months_older_than_3_within_2_pct": worst_old <= 2.0,
        },
        "factors": estimate.factors.rows(),
        "by_month": by_month,
    }


def _pct(error: float, base: float) -> float | None:
    if abs(base) < 0.005:
        return None
    return round(error / base * 100.0, 3)


FACILITY = ("inpatient_facility", "delivery_facility", "newborn_facility")
CASE_BASIS = 10  # an open admission's reserve is the mean of at least this many settled ones


def _per_claim(rows: ReportedRows, pick: np.ndarray) -> np.ndarray:
    """Each claim's total of `pick`ed lines, on its first line (0 elsewhere)."""
    totals = np.bincount(
        rows.claim[pick], weights=rows.amount[pick], minlength=int(rows.claim.max()) + 1
    )
    return np.where(rows.first_line, totals[rows.claim], 0.0)


@dataclass(frozen=True)
class ReportedRows:
    """Every paid row of a book with what a claims system knows of it before it is paid:
    received and finalized days, billed charge, service family and adjustment type (medical
    lines from `claim_processing`; a pharmacy fill is received, finalized and paid at once).

    `admitted_day`: for the lines of an original facility claim (inpatient, delivery, newborn),
    the day its admission was first known: the earliest receipt of the member's inpatient
    professional claims (place of service 21) starting within a day of the facility claim's
    start (the attending's and the anaesthetist's bills arrive days after admission; the
    hospital's bill only after discharge). -1 elsewhere, and when no such claim exists.
    `first_line` marks one line per claim (a claim-level reserve sits on it)."""

    incurred_month: np.ndarray
    paid_day: np.ndarray
    amount: np.ndarray
    received_day: np.ndarray
    finalized_day: np.ndarray
    charge: np.ndarray
    family: np.ndarray  # small ints, one per service family (pharmacy its own)
    reversal: np.ndarray  # bool
    facility: np.ndarray  # bool: a line of an original facility claim
    admitted_day: np.ndarray
    first_line: np.ndarray  # bool
    claim: np.ndarray  # dense claim number of each row


def _admission_days(
    member: np.ndarray,
    start: np.ndarray,
    received: np.ndarray,
    facility: np.ndarray,
    inpatient_professional: np.ndarray,
) -> np.ndarray:
    """For each facility line, the earliest receipt of an inpatient professional line of the
    same member starting within one day of it (-1 when none)."""
    span = np.int64(1 << 20)
    key = member.astype(np.int64) * span + start
    prof_key = key[inpatient_professional]
    prof_received = received[inpatient_professional]
    order = np.lexsort((prof_received, prof_key))
    prof_key, prof_received = prof_key[order], prof_received[order]
    first = np.r_[True, prof_key[1:] != prof_key[:-1]]
    prof_key, prof_received = prof_key[first], prof_received[first]
    out = np.full(key.size, -1, dtype=np.int64)
    best = np.full(int(facility.sum()), np.iinfo(np.int64).max)
    wanted = key[facility]
    for offset in (-1, 0, 1):
        at = np.searchsorted(prof_key, wanted + offset).clip(max=max(prof_key.size - 1, 0))
        if prof_key.size == 0:
            break
        hit = prof_key[at] == wanted + offset
        best = np.where(hit, np.minimum(best, prof_received[at]), best)
    out[facility] = np.where(best == np.iinfo(np.int64).max, -1, best)
    return out


def read_reported_rows(book: Path) -> ReportedRows:
    """The medical lines joined to their claim's processing row, and the pharmacy fills."""
    paid = read_paid_rows(book)
    medical = ds.dataset(book / "medical_claim", format="parquet").to_table(
        columns=[
            "claim_id",
            "member_id",
            "claim_start_date",
            "place_of_service_code",
            "charge_amount",
        ]
    )
    processing = ds.dataset(book / "claim_processing", format="parquet").to_table(
        columns=["claim_id", "received_date", "finalized_date", "service_family", "adjustment_type"]
    )
    claim_ids = medical["claim_id"].combine_chunks()
    position = pc.index_in(claim_ids, value_set=processing["claim_id"].combine_chunks())
    if position.null_count:
        raise LagTableError("medical claims without a claim_processing row")
    where = position.to_numpy(zero_copy_only=False).astype(np.int64)
    families = pc.dictionary_encode(processing["service_family"].combine_chunks())
    names = families.dictionary.to_pylist()
    family = families.indices.to_numpy(zero_copy_only=False).astype(np.int64)[where]
    adjustment = processing["adjustment_type"].combine_chunks()
    reversal = pc.equal(adjustment, "reversal").to_numpy(zero_copy_only=False).astype(bool)[where]
    original = pc.equal(adjustment, "original").to_numpy(zero_copy_only=False).astype(bool)[where]
    facility_codes = [i for i, name in enumerate(names) if name in FACILITY]
    facility = original & np.isin(family, facility_codes)
    place = pc.fill_null(medical["place_of_service_code"], "").to_numpy(zero_copy_only=False)
    received_medical = _days(processing["received_date"])[where]
    members = pc.dictionary_encode(medical["member_id"].combine_chunks()).indices
    start = _days(medical["claim_start_date"])
    admitted = _admission_days(
        members.to_numpy(zero_copy_only=False).astype(np.int64),
        start,
        received_medical,
        facility,
        original & ~facility & (place == "21") & (start > -1e8),
    )
    line_claim = where
    first_line = np.zeros(line_claim.size, dtype=bool)
    _, first_index = np.unique(line_claim, return_index=True)
    first_line[first_index] = True
    n_medical = medical.num_rows
    n_rx = paid.amount.size - n_medical
    rx_paid = paid.paid_day[n_medical:]
    rx_family = len(names)
    return ReportedRows(
        incurred_month=paid.incurred_month,
        paid_day=paid.paid_day,
        amount=paid.amount,
        received_day=np.r_[received_medical, rx_paid],
        finalized_day=np.r_[_days(processing["finalized_date"])[where], rx_paid],
        charge=np.r_[
            np.nan_to_num(
                pc.cast(medical["charge_amount"], pa.float64()).to_numpy(zero_copy_only=False)
            ),
            paid.amount[n_medical:],
        ],
        family=np.r_[family, np.full(n_rx, rx_family, dtype=np.int64)],
        reversal=np.r_[reversal, np.zeros(n_rx, dtype=bool)],
        facility=np.r_[facility, np.zeros(n_rx, dtype=bool)],
        admitted_day=np.r_[admitted, np.full(n_rx, -1, dtype=np.int64)],
        first_line=np.r_[first_line, np.ones(n_rx, dtype=bool)],
        claim=np.r_[line_claim, processing.num_rows + np.arange(n_rx, dtype=np.int64)],
    )


@dataclass(frozen=True)
class InventoryEstimate:
    """The pended-claims inventory (received by the as-of date, not yet paid) valued claim by
    claim, and the reported-claims triangle's estimate of what is not yet received."""

    estimate: IbnrEstimate  # developed on reported claims, `paid` the cash paid to date
    paid: float  # cash paid to the as-of date
    finalized_unpaid: float  # adjudicated, waiting for the check run: known amounts
    pended: float  # received, not adjudicated: billed charge x paid-to-charge ratio
    ratios: dict[int, float]
    open_admissions: int = 0  # admissions known from their doctors' bills, no hospital bill
    open_reserve: float = 0.0  # their reserve: mean paid per facility claim of the family

    @property
    def inventory(self) -> float:
        return self.finalized_unpaid + self.pended + self.open_reserve

    @property
    def unreported(self) -> float:
        return self.estimate.ultimate_total - self.paid - self.inventory

    @property
    def ibnr_total(self) -> float:
        return self.estimate.ibnr_total


def estimate_with_inventory(
    rows: ReportedRows,
    as_of: dt.date,
    exposure: dict[int, float] | None,
    *,
    immature: int = 3,
    reference: int = 12,
    ratio_days: int = 91,
    open_cases: bool = False,
    case_days: int = 365,
    trend_pct: float = PMPM_TREND_PCT,
) -> InventoryEstimate:
    """Reserve the pended inventory claim by claim and develop only what is not received.

    At `as_of` a claims system knows every claim received: a finalized one's paid amount (even
    when the check run is later), a pended one's billed charge. A pended original or
    replacement is valued at its charge x the paid-to-charge ratio of its service family's
    lines finalized in the `ratio_days` before (denials included, so the ratio carries the
    denial rate); a pended reversal at its amount (it takes back what the original paid,
    known). The triangle is then incurred month x **received** month (pharmacy: paid month) of
    those values; its chain ladder (and the PMPM blend of the newest months) gives the
    ultimate, and IBNR = ultimate - paid to date = inventory + not yet received.

    `open_cases`: a hospital stay is known from the doctors' bills long before the hospital's
    own (sent after discharge, weeks later for a long stay). Each original facility claim then
    counts in the triangle from the day its admission was first known (`admitted_day`), and an
    admission known by `as_of` whose facility claim is not received is reserved at the mean
    paid per facility claim of its family finalized in the `case_days` before, among those
    that stayed unbilled longer than this one has so far (a stay still open after weeks is a
    long, costly one; at least `CASE_BASIS` claims, the longest)."""
    day = (np.datetime64(as_of, "D") - EPOCH).astype(np.int64)
    valuation = month_index(as_of)
    known = (rows.received_day <= day) & (rows.incurred_month >= 0)
    known &= rows.incurred_month <= valuation
    finalized = rows.finalized_day <= day
    recent = finalized & (rows.finalized_day > day - ratio_days) & ~rows.reversal
    ratios: dict[int, float] = {}
    for family in np.unique(rows.family[known & ~finalized]).tolist():
        pick = recent & (rows.family == family)
        charge = float(rows.charge[pick].sum())
        ratios[family] = float(rows.amount[pick].sum()) / charge if charge > 0 else 0.0
    ratio = np.zeros(int(rows.family.max(initial=0)) + 1)
    for family, share in ratios.items():
        ratio[family] = share
    value = np.where(
        finalized | rows.reversal, rows.amount, rows.charge * ratio[rows.family.clip(min=0)]
    )
    reported_day = rows.received_day
    open_admissions = 0
    open_reserve = 0.0
    if open_cases:
        reported_day = np.where(
            rows.facility & (rows.admitted_day >= 0),
            np.minimum(rows.admitted_day, rows.received_day),
            rows.received_day,
        )
        is_open = (
            rows.facility
            & (reported_day <= day)
            & (rows.received_day > day)
            & (rows.incurred_month >= 0)
            & (rows.incurred_month <= valuation)
        )
        settled = (
            rows.facility
            & finalized
            & (rows.finalized_day > day - case_days)
            & (rows.admitted_day >= 0)
        )
        claim_paid = _per_claim(rows, settled)
        reserve = np.zeros(rows.amount.size)
        for family in np.unique(rows.family[is_open]).tolist():
            pick = settled & rows.first_line & (rows.family == family)
            waited = (rows.received_day - rows.admitted_day)[pick]
            paid_of = claim_paid[pick]
            order = np.argsort(waited)
            waited, paid_of = waited[order], paid_of[order]
            here = np.flatnonzero(is_open & rows.first_line & (rows.family == family))
            for line in here.tolist():
                elapsed = day - int(rows.admitted_day[line])
                first = int(np.searchsorted(waited, elapsed, side="right"))
                first = min(first, max(waited.size - CASE_BASIS, 0))
                if waited.size:
                    reserve[line] = float(paid_of[first:].mean())
        value = np.where(is_open, reserve, value)
        open_admissions = int((is_open & rows.first_line).sum())
        open_reserve = float(reserve.sum())
        known = (reported_day <= day) & (rows.incurred_month >= 0)
        known &= rows.incurred_month <= valuation
    cash = known & (rows.paid_day <= day)
    unpaid = known & ~cash & (rows.received_day <= day)
    incurred = rows.incurred_month[known]
    received = np.maximum(_months(reported_day[known]), incurred)
    keys = incurred * 100_000 + received
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=value[known])
    cells = {
        (k // 100_000, k % 100_000): v for k, v in zip(unique.tolist(), sums.tolist(), strict=True)
    }
    table = lag_table_from_cells(MONTH, cells, valuation=valuation)
    estimate = chain_ladder(table)
    if exposure:
        labelled = {period_label(MONTH, m): v for m, v in exposure.items()}
        estimate = blend_with_pmpm(
            estimate, labelled, immature=immature, reference=reference, trend_pct=trend_pct
        )
    months = rows.incurred_month[cash]
    unique_months, inverse_months = np.unique(months, return_inverse=True)
    sums_months = np.bincount(inverse_months, weights=rows.amount[cash])
    paid_by_period = {
        period_label(MONTH, m): v
        for m, v in zip(unique_months.tolist(), sums_months.tolist(), strict=True)
    }
    return InventoryEstimate(
        estimate=with_paid_to_date(estimate, paid_by_period),
        paid=float(rows.amount[cash].sum()),
        finalized_unpaid=float(rows.amount[unpaid & finalized].sum()),
        pended=float(value[unpaid & ~finalized].sum()),
        ratios=ratios,
        open_admissions=open_admissions,
        open_reserve=open_reserve,
    )
