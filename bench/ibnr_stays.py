"""How much of the IBNR's irreducible spread comes from hospital stays already admitted on the
as-of date, and what knowing them (as a utilization-management census would) leaves.

Usage: ``.venv/bin/python bench/ibnr_stays.py BOOK [BOOK ...] [--notify 3]`` (books from
``clientdesk synth ... --runout-months 12``), every month end from --first to --last.

At each month end, over the claims incurred by then (p = the share of the book's dollars
received later than the claim's age, as `bench/ibnr_accuracy.py`'s `oracle_reported`):
`floor` = sqrt(sum a^2 p) / true IBNR, the spread of what is not yet received for an estimate
that does not know those claims. The original facility claims (inpatient, delivery, newborn)
admitted `--notify` days or more before the date are the stays a census knows. Were their
existence known, their a^2 p terms leave the sum and each stay not yet billed adds the
variance of its cost given what is known of it: its family (`family`), + its DRG (`drg`),
+ its length-of-stay bucket (`drg_los`). Cost variances are the whole book's (no estimation
error: favourable to the census). `cost_known`: the stays' terms gone (existence and final
cost known), a bound. Also each service family's share of sum a^2 p. Prints figures only.
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.dataset as ds
from ibnr_accuracy import Claims, month_ends

from clientdesk.financials.backtest import EPOCH, _days, read_reported_rows

LOS_BUCKETS = [2, 3, 4, 6, 9, 15]
MIN_CELL = 5  # a cell with fewer stays takes the coarser cell's variance


def cell_variance(key: np.ndarray, cost: np.ndarray, stay: np.ndarray) -> np.ndarray:
    """Per claim: the variance of the cost of the stays sharing its key (nan for small cells
    and for claims that are not stays)."""
    out = np.full(key.size, np.nan)
    _, inverse = np.unique(key[stay], return_inverse=True)
    count = np.bincount(inverse)
    mean = np.bincount(inverse, weights=cost[stay]) / count
    square = np.bincount(inverse, weights=cost[stay] ** 2) / count
    variance = np.maximum(square - mean**2, 0.0)
    out[stay] = np.where(count[inverse] >= MIN_CELL, variance[inverse], np.nan)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="+", type=Path)
    parser.add_argument("--notify", type=int, default=3, help="days from admission to notice")
    parser.add_argument("--first", default="2026-01")
    parser.add_argument("--last", default="2026-11")
    args = parser.parse_args()
    figures: dict[str, list[float]] = defaultdict(list)
    shares: dict[str, list[float]] = defaultdict(list)
    for book in args.books:
        claims = Claims(book)
        rows = read_reported_rows(book)
        medical = ds.dataset(book / "medical_claim", format="parquet").to_table(
            columns=["drg_code", "admission_date", "discharge_date"]
        )
        names = pc.dictionary_encode(
            ds.dataset(book / "claim_processing", format="parquet")
            .to_table(columns=["service_family"])["service_family"]
            .combine_chunks()
        ).dictionary.to_pylist()
        names.append("pharmacy")
        pharmacy = claims.amount.size - medical.num_rows
        drg = np.r_[
            pc.dictionary_encode(pc.fill_null(medical["drg_code"], ""))
            .combine_chunks()
            .indices.to_numpy()
            .astype(np.int64),
            np.full(pharmacy, -1),
        ]
        admitted, discharged = _days(medical["admission_date"]), _days(medical["discharge_date"])
        known_dates = (admitted > -1e8) & (discharged > -1e8)
        los = np.r_[np.where(known_dates, discharged - admitted, -1), np.full(pharmacy, -1)]
        # one entry per claim (rows.claim: a dense claim number per line)
        claim = rows.claim
        n = int(claim.max()) + 1
        cost = np.bincount(claim, weights=claims.amount, minlength=n)
        stay = np.zeros(n, dtype=bool)
        stay[claim[rows.facility]] = True
        family = np.full(n, -1)
        family[claim] = rows.family
        claim_drg = np.full(n, -1)
        claim_drg[claim] = drg
        bucket = np.full(n, -1)
        bucket[claim] = np.digitize(los, LOS_BUCKETS)
        start = np.full(n, 10**9)
        np.minimum.at(start, claim, claims.incurred_day)
        received = np.zeros(n, dtype=np.int64)
        np.maximum.at(received, claim, rows.received_day)
        by_family = cell_variance(family, cost, stay)
        by_drg = cell_variance(family * 100_000 + claim_drg, cost, stay)
        by_drg = np.where(np.isnan(by_drg), by_family, by_drg)
        by_los = cell_variance((family * 100_000 + claim_drg) * 10 + bucket, cost, stay)
        by_los = np.where(np.isnan(by_los), by_drg, by_los)
        for as_of in month_ends(args.first, args.last):
            day = int((np.datetime64(as_of, "D") - EPOCH).astype(np.int64))
            incurred = (claims.incurred_day <= day) & (claims.incurred_month >= 0)
            true = float(claims.amount[incurred & (claims.paid_day > day)].sum())
            lag = (rows.received_day - claims.incurred_day)[incurred]
            order = np.argsort(lag)
            lags, by_lag = lag[order], np.cumsum(claims.amount[incurred][order])
            k = np.searchsorted(lags, day - claims.incurred_day[incurred], side="right")
            later = 1.0 - np.where(k > 0, by_lag[np.maximum(k - 1, 0)], 0.0) / by_lag[-1]
            p = np.zeros(n)
            p[claim[incurred]] = later
            counted = np.zeros(n, dtype=bool)
            counted[claim[incurred]] = True
            spread = cost**2 * p
            total = float(spread[counted].sum())
            known = counted & stay & (start <= day - args.notify)
            rest = total - float(spread[known].sum())
            unbilled = known & (received > day)
            values = {
                "floor": total,
                "family": rest + float(by_family[unbilled].sum()),
                "drg": rest + float(by_drg[unbilled].sum()),
                "drg_los": rest + float(by_los[unbilled].sum()),
                "cost_known": rest,
            }
            line = " ".join(f"{k} {100 * math.sqrt(v) / true:4.1f}%" for k, v in values.items())
            for name, value in values.items():
                figures[name].append(100 * math.sqrt(value) / true)
            figures["stays_share_of_variance"].append(100 * (total - rest) / total)
            figures["unbilled_stays_share_of_ibnr"].append(100 * cost[unbilled].sum() / true)
            weights = np.bincount(family[counted].clip(min=0), weights=spread[counted])
            for index, weight in enumerate(weights.tolist()):
                if index < len(names):
                    shares[names[index]].append(100 * weight / total)
            print(
                f"{book.name} {as_of} true {true:>11,.0f} {line} stays "
                f"{figures['stays_share_of_variance'][-1]:4.1f}% of the variance, unbilled "
                f"{int(unbilled.sum())} = {figures['unbilled_stays_share_of_ibnr'][-1]:4.1f}% "
                "of IBNR",
                flush=True,
            )
    for name, measured in figures.items():
        a = np.array(measured)
        print(
            f"{name:30s} median {np.median(a):5.1f}%  mean {a.mean():5.1f}%  "
            f"dates <= 3 %: {(a <= 3).sum()}  <= 5 %: {(a <= 5).sum()} of {a.size}"
        )
    print("share of sum a^2 p by service family, median over dates:")
    for name, share in sorted(shares.items(), key=lambda kv: -float(np.median(kv[1])))[:8]:
        print(f"  {name:30s} {np.median(share):5.1f}%")


if __name__ == "__main__":
    main()
