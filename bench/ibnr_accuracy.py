"""IBNR accuracy over many valuation dates and books: bias and spread, not one lucky date.

Usage: ``.venv/bin/python bench/ibnr_accuracy.py BOOK [BOOK ...] --first 2026-01 --last 2026-11``
where each BOOK is a folder from ``clientdesk synth ... --runout-months 12 --out BOOK``.

At every month end from --first to --last, the estimate a team would have made then
(`financials.backtest.estimate_at`, payments up to that day) against the book's truth (what
was paid later for months incurred up to then). Methods: the app's default (chain ladder,
the newest 3 months blended with a PMPM projection, Bornhuetter-Ferguson), chain ladder
alone, BF for every month (the unpaid share x the PMPM of the 12 latest months aged 3 or
more), the default with the PMPM of the 6 latest mature months, and the default on claims
capped at $50,000 each plus a large-claim load (the excess layer's own PMPM over months aged
6 or more x its unpaid share).

And a yardstick no method can beat on average, the **oracle**: it knows every claim incurred
by the as-of date and its amount (which no team does), and only not when it will be paid; it
expects sum(amount x share of the book's dollars paid later than that claim's age in days).
Its error is the lag lottery alone; `process sd` is that lottery's standard deviation
(claims independent: sqrt(sum amount^2 p (1 - p))) over the true IBNR. Where the oracle
misses +/-5 %, no estimate from the triangle hits it except by luck.

The reported basis (the P&L's method) knows more than that oracle: the claims received and
not yet paid. Its yardstick, **oracle_reported**, knows that inventory exactly (pended claims
at what they will pay) and every claim's amount, and only not when a claim not yet received
will be; `unreceived sd` is the lag lottery of those claims alone. An estimate that does not
know the claims not yet received (no estimate does) has at least sqrt(sum amount^2 p) of
them (the compound-Poisson spread of what is still to come): `floor sd`.

Per method: mean signed error (bias), root mean square error, how many dates fall within
+/-5 %. For the P&L's method (`inventory`) and the paid basis (`default`): how often the
range stated with the estimate (chain_ladder.stated_range, 90 %) held the truth.
`inventory` is the P&L's method (the PMPM projection trended, chain_ladder.PMPM_TREND_PCT);
`inventory_flat` the same with an untrended PMPM (before session 10).
Prints figures only; not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from clientdesk.financials.backtest import (
    EPOCH,
    _days,
    _months,
    estimate_at,
    estimate_with_inventory,
    member_months,
    month_index,
    read_paid_rows,
    read_reported_rows,
)
from clientdesk.financials.chain_ladder import (
    MONTH,
    IbnrEstimate,
    LagTable,
    blend_with_pmpm,
    chain_ladder,
    development_factors,
    lag_table_from_cells,
    period_label,
    stated_range,
)

CAP = 50_000.0


def bf_everywhere(estimate: IbnrEstimate, exposure: dict[str, float], reference: int = 12) -> float:
    """IBNR with every month's unpaid share (1 - completion) x PMPM x member months."""
    basis = [o for o in estimate.origins if o.age >= 3 and exposure.get(o.period, 0) > 0]
    basis = basis[-reference:]
    pmpm = sum(o.ultimate for o in basis) / sum(exposure[o.period] for o in basis)
    return sum((1 - o.completion) * pmpm * exposure.get(o.period, 0.0) for o in estimate.origins)


def month_ends(first: str, last: str) -> list[dt.date]:
    y, m = (int(x) for x in first.split("-"))
    ly, lm = (int(x) for x in last.split("-"))
    out = []
    while (y, m) <= (ly, lm):
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        out.append(nxt - dt.timedelta(days=1))
        y, m = nxt.year, nxt.month
    return out


class Claims:
    """Every paid row with its claim (a dense id), incurred day and month, paid day, amount."""

    def __init__(self, book: Path) -> None:
        parts = []
        for offset, (name, first, second) in enumerate(
            (
                ("medical_claim", "claim_start_date", "claim_end_date"),
                ("pharmacy_claim", "dispensing_date", "paid_date"),
            )
        ):
            table = ds.dataset(book / name, format="parquet").to_table(
                columns=sorted({"claim_id", first, second, "paid_date", "paid_amount"})
            )
            start, other = _days(table[first]), _days(table[second])
            ids = pc.dictionary_encode(table["claim_id"]).combine_chunks().indices
            parts.append(
                (
                    np.where(start < -1e8, other, start),
                    _days(table["paid_date"]),
                    np.nan_to_num(
                        pc.cast(table["paid_amount"], pa.float64()).to_numpy(zero_copy_only=False)
                    ),
                    ids.to_numpy().astype(np.int64) * 2 + offset,
                )
            )
        self.incurred_day, self.paid_day, self.amount, self.claim = (
            np.concatenate([p[i] for p in parts]) for i in range(4)
        )
        self.incurred_month = _months(self.incurred_day)
        # The book's dollar-weighted lag curve in days (the oracle's knowledge).
        lag = self.paid_day - self.incurred_day
        order = np.argsort(lag)
        self.lags = lag[order]
        self.paid_by_lag = np.cumsum(self.amount[order])

    def capped(self, cap: float) -> np.ndarray:
        """Each row's dollars within the first `cap` of its claim, in paid order."""
        order = np.lexsort((self.paid_day, self.claim))
        claim, amount = self.claim[order], self.amount[order]
        running = np.cumsum(amount)
        start = np.r_[True, claim[1:] != claim[:-1]]
        first = np.maximum.accumulate(np.where(start, np.arange(claim.size), 0))
        cumulative = running - (running - amount)[first]
        within = np.minimum(cumulative, cap) - np.minimum(cumulative - amount, cap)
        out = np.empty_like(self.amount)
        out[order] = within
        return out

    def oracle_reported(self, received: np.ndarray, day: int) -> tuple[float, float, float]:
        """What the claims received by `day` will still pay (known exactly) plus the expected
        pay of the claims not received, knowing every claim's amount (each x the share of the
        book's dollars received later than its age); that lottery's sd (claims independent),
        and the floor sd of an estimate that does not know those claims: sqrt(sum a^2 p)."""
        incurred = (self.incurred_day <= day) & (self.incurred_month >= 0)
        known = incurred & (received <= day) & (self.paid_day > day)
        lag = (received - self.incurred_day)[incurred]
        order = np.argsort(lag)
        lags, by_lag = lag[order], np.cumsum(self.amount[incurred][order])
        k = np.searchsorted(lags, day - self.incurred_day[incurred], side="right")
        later = 1.0 - np.where(k > 0, by_lag[np.maximum(k - 1, 0)], 0.0) / by_lag[-1]
        amount = self.amount[incurred]
        _, inverse = np.unique(self.claim[incurred], return_inverse=True)
        per_claim = np.bincount(inverse, weights=amount)
        p = np.zeros(per_claim.size)
        p[inverse] = later
        expected = float(self.amount[known].sum() + (amount * later).sum())
        lottery = math.sqrt(float((per_claim**2 * p * (1 - p)).sum()))
        return expected, lottery, math.sqrt(float((per_claim**2 * p).sum()))

    def oracle(self, day: int) -> tuple[float, float]:
        """Expected IBNR knowing every claim and its amount, and the lag lottery's sd."""
        incurred = (self.incurred_day <= day) & (self.incurred_month >= 0)
        age = day - self.incurred_day[incurred]
        k = np.searchsorted(self.lags, age, side="right")
        total = self.paid_by_lag[-1]
        later = 1.0 - np.where(k > 0, self.paid_by_lag[np.maximum(k - 1, 0)], 0.0) / total
        amount = self.amount[incurred]
        expected = float((amount * later).sum())
        _, inverse = np.unique(self.claim[incurred], return_inverse=True)
        per_claim = np.bincount(inverse, weights=amount)
        p = np.zeros(per_claim.size)
        p[inverse] = later
        return expected, math.sqrt(float((per_claim**2 * p * (1 - p)).sum()))


def table_at(claims: Claims, amount: np.ndarray, day: int, valuation: int) -> LagTable:
    known = (claims.paid_day <= day) & (claims.incurred_month >= 0)
    known &= claims.incurred_month <= valuation
    incurred = claims.incurred_month[known]
    paid = np.maximum(_months(claims.paid_day[known]), incurred)
    keys = incurred * 100_000 + paid
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=amount[known])
    cells = {
        (k // 100_000, k % 100_000): v for k, v in zip(unique.tolist(), sums.tolist(), strict=True)
    }
    return lag_table_from_cells(MONTH, cells, valuation=valuation)


def capped_with_load(
    claims: Claims, capped: np.ndarray, day: int, valuation: int, exposure: dict[str, float]
) -> float:
    """Default method on capped claims + the excess layer's PMPM x its unpaid share."""
    base = blend_with_pmpm(chain_ladder(table_at(claims, capped, day, valuation)), exposure)
    excess = table_at(claims, claims.amount - capped, day, valuation)
    developed = chain_ladder(excess, factors=development_factors(excess))
    basis = [o for o in developed.origins if o.age >= 6 and exposure.get(o.period, 0) > 0]
    months = sum(exposure[o.period] for o in basis)
    pmpm = sum(o.ultimate for o in basis) / months if months else 0.0
    load = sum((1 - o.completion) * pmpm * exposure.get(o.period, 0.0) for o in developed.origins)
    return base.ibnr_total + load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="+", type=Path)
    parser.add_argument("--first", default="2026-01")
    parser.add_argument("--last", default="2026-11")
    args = parser.parse_args()
    errors: dict[str, list[float]] = defaultdict(list)
    sds: list[float] = []
    unreceived: list[float] = []
    floors: list[float] = []
    # The range stated with the estimate (chain_ladder.stated_range) of the P&L's method and of
    # the paid basis: a range at 90 % should hold the truth at ~90 % of the dates.
    ranges: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    zscores: dict[str, list[float]] = defaultdict(list)
    stated: dict[str, list[float]] = defaultdict(list)
    for book in args.books:
        rows = read_paid_rows(book)
        reported = read_reported_rows(book)
        # What a lake extract cut at paid dates holds: every line known when paid, only the
        # open admissions (the doctors' bills paid, the hospital's not) known earlier.
        paid_view = dataclasses.replace(
            reported, received_day=reported.paid_day, finalized_day=reported.paid_day
        )
        claims = Claims(book)
        capped = claims.capped(CAP)
        for as_of in month_ends(args.first, args.last):
            exposure = member_months(book, as_of)
            labelled = {period_label(MONTH, m): v for m, v in exposure.items()}
            day = int((np.datetime64(as_of, "D") - EPOCH).astype(np.int64))
            last = month_index(as_of)
            later = (rows.paid_day > day) & (rows.incurred_month <= last)
            true = float(rows.amount[later & (rows.incurred_month >= 0)].sum())
            cl = estimate_at(rows, as_of, None, average=None, tail=1.0, immature=0, reference=12)
            default = estimate_at(
                rows, as_of, exposure, average=None, tail=1.0, immature=3, reference=12
            )
            recent = estimate_at(
                rows, as_of, exposure, average=None, tail=1.0, immature=3, reference=6
            )
            oracle, sd = claims.oracle(day)
            inventory = estimate_with_inventory(reported, as_of, exposure)
            flat = estimate_with_inventory(reported, as_of, exposure, trend_pct=0.0)
            known, unreceived_sd, floor_sd = claims.oracle_reported(reported.received_day, day)
            admissions = estimate_with_inventory(reported, as_of, exposure, open_cases=True)
            paid_admissions = estimate_with_inventory(paid_view, as_of, exposure, open_cases=True)
            got = {
                "default": default.ibnr_total,
                "chain_ladder": cl.ibnr_total,
                "bf_all": bf_everywhere(cl, labelled),
                "pmpm_6": recent.ibnr_total,
                "capped_50k": capped_with_load(claims, capped, day, last, labelled),
                "inventory": inventory.ibnr_total,
                "inventory_flat": flat.ibnr_total,
                "inv_admissions": admissions.ibnr_total,
                "paid_admissions": paid_admissions.ibnr_total,
                "oracle": oracle,
                "oracle_reported": known,
            }
            line = " ".join(f"{k} {100 * (v - true) / true:+6.1f}%" for k, v in got.items())
            print(
                f"{book.name} {as_of} true {true:>11,.0f} sd {100 * sd / true:4.1f}% "
                f"unreceived sd {100 * unreceived_sd / true:4.1f}% "
                f"floor sd {100 * floor_sd / true:4.1f}% {line}",
                flush=True,
            )
            for name, found in (("inventory", inventory.estimate), ("default", default)):
                shown = stated_range(found)
                if shown is not None and shown["sd"] > 0:
                    ranges[name].append((shown["low"], true, shown["high"]))
                    zscores[name].append((found.ibnr_total - true) / shown["sd"])
                    stated[name].append(100 * shown["sd"] / true)
            for k, v in got.items():
                errors[k].append(100 * (v - true) / true)
            sds.append(100 * sd / true)
            unreceived.append(100 * unreceived_sd / true)
            floors.append(100 * floor_sd / true)
    for k, values in errors.items():
        a = np.array(values)
        print(
            f"{k:13s} dates {a.size:3d}  mean {a.mean():+6.2f}%"
            f"  rms {math.sqrt((a**2).mean()):6.2f}%"
            f"  within +/-5 %: {(abs(a) <= 5).sum()}  worst {a[np.argmax(abs(a))]:+.2f}%"
        )
    for name, outcomes in ranges.items():
        z = np.array(zscores[name])
        held = below = above = 0
        for lo, truth, hi in outcomes:
            held += lo <= truth <= hi
            below += truth < lo
            above += truth > hi
        print(
            f"stated range of {name}: sd median {np.median(stated[name]):.1f}% of true IBNR; "
            f"rms of error/sd {math.sqrt((z**2).mean()):.2f} (1 if the sd is honest); truth "
            f"inside the 90 % range at {held} of {len(outcomes)} dates "
            f"({100 * held / len(outcomes):.0f} %), below it {below}, above it {above}"
        )
    for name, values in (
        ("lag lottery (process sd / true IBNR)", sds),
        ("claims not yet received (unreceived sd / true IBNR)", unreceived),
        ("floor without those claims (floor sd / true IBNR)", floors),
    ):
        s = np.array(values)
        print(f"{name}: median {np.median(s):.1f}%, dates above 5 %: {(s > 5).sum()} of {s.size}")


if __name__ == "__main__":
    main()
