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
    IbnrEstimate,
    LagTableError,
    blend_with_pmpm,
    chain_ladder,
    lag_table_from_cells,
    period_label,
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
        estimate = blend_with_pmpm(estimate, labelled, immature=immature, reference=reference)
    return estimate


def backtest(
    book: Path,
    as_of: dt.date,
    *,
    average: int | None = None,
    tail: float = 1.0,
    immature: int = 3,
    reference: int = 12,
) -> dict[str, Any]:
    """The estimate at `as_of` against the truth of the book, by incurred month and in total.

    `ibnr_error_pct` = (estimated IBNR - true IBNR) / true IBNR x 100, signed (positive:
    the estimate is too high); `ultimate_error_pct` the same on incurred claims (paid to
    date + IBNR), the measure the completion-factor literature quotes by month."""
    rows = read_paid_rows(book)
    if rows.amount.size == 0:
        raise LagTableError("the book has no claims")
    exposure = member_months(book, as_of) if immature > 0 else None
    estimate = estimate_at(
        rows, as_of, exposure, average=average, tail=tail, immature=immature, reference=reference
    )
    as_of_day = (np.datetime64(as_of, "D") - EPOCH).astype(np.int64)
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
    last_paid = int(rows.paid_day.max())
    runout = month_index(EPOCH.astype(dt.date) + dt.timedelta(days=last_paid)) - month_index(as_of)
    old = [m for m in by_month if m["months_old"] > 3]
    worst_old = max((abs(m["ultimate_error_pct"] or 0.0) for m in old), default=0.0)
    total_error = _pct(estimate.ibnr_total - true_total, true_total)
    return {
        "as_of": as_of.isoformat(),
        "truth": str(book),
        "runout_months_after_as_of": runout,
        "method": estimate.method(),
        "estimated_ibnr": round(estimate.ibnr_total, 2),
        "true_ibnr": round(true_total, 2),
        "total_error_pct": total_error,
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
