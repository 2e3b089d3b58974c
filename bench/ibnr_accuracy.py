"""IBNR accuracy over many valuation dates and books: bias and spread, not one lucky date.

Usage: ``.venv/bin/python bench/ibnr_accuracy.py BOOK [BOOK ...] --first 2026-01 --last 2026-11``
where each BOOK is a folder from ``clientdesk synth ... --runout-months 12 --out BOOK``.

At every month end from --first to --last, the estimate a team would have made then
(`financials.backtest.estimate_at`, payments up to that day) against the book's truth (what
was paid later for months incurred up to then). Methods: the app's default (chain ladder,
the newest 3 months blended with a PMPM projection, Bornhuetter-Ferguson), chain ladder
alone, and BF for every month (the unpaid share x the PMPM of the 12 latest months aged 3 or
more). Per method: mean signed error (bias), root mean square error, and how many dates fall
within +/-5 %. Prints figures only; not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

import numpy as np

from clientdesk.financials.backtest import (
    EPOCH,
    estimate_at,
    member_months,
    month_index,
    read_paid_rows,
)
from clientdesk.financials.chain_ladder import MONTH, IbnrEstimate, period_label


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="+", type=Path)
    parser.add_argument("--first", default="2026-01")
    parser.add_argument("--last", default="2026-11")
    args = parser.parse_args()
    errors: dict[str, list[float]] = {"default": [], "chain_ladder": [], "bf_all": []}
    for book in args.books:
        rows = read_paid_rows(book)
        for as_of in month_ends(args.first, args.last):
            exposure = member_months(book, as_of)
            labelled = {period_label(MONTH, m): v for m, v in exposure.items()}
            day = (np.datetime64(as_of, "D") - EPOCH).astype(np.int64)
            last = month_index(as_of)
            later = (rows.paid_day > day) & (rows.incurred_month <= last)
            true = float(rows.amount[later & (rows.incurred_month >= 0)].sum())
            common = {"average": None, "tail": 1.0, "reference": 12}
            cl = estimate_at(rows, as_of, None, immature=0, **common)
            default = estimate_at(rows, as_of, exposure, immature=3, **common)
            got = {
                "default": default.ibnr_total,
                "chain_ladder": cl.ibnr_total,
                "bf_all": bf_everywhere(cl, labelled),
            }
            line = " ".join(f"{k} {100 * (v - true) / true:+7.2f}%" for k, v in got.items())
            print(f"{book.name} {as_of} true IBNR {true:>13,.0f}  {line}", flush=True)
            for k, v in got.items():
                errors[k].append(100 * (v - true) / true)
    for k, values in errors.items():
        a = np.array(values)
        print(
            f"{k:13s} dates {a.size:3d}  mean {a.mean():+6.2f}%"
            f"  rms {math.sqrt((a**2).mean()):6.2f}%"
            f"  within +/-5 %: {(abs(a) <= 5).sum()}  worst {a[np.argmax(abs(a))]:+.2f}%"
        )


if __name__ == "__main__":
    main()
