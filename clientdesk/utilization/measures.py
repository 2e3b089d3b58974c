"""The live figure utilization states about an account in the account-measures registry
(lib/measures.py): the drug unit-cost trend, the price part of the cost trend.

An account's PMPM trend mixes what its members use with what each service costs, and at a
small group's size the use part is mostly noise (a year's PMPM moves by 20 % and more: see
strategy's `cost_trend_over_target`). The price part can be read from far fewer claims: the
same drug at the same days' supply is one product, so how its allowed amount moves over
time is the account's unit-cost trend, whatever its members happen to fill. Read from the
pharmacy claims of the lake."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

import ibis

from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit, Value

UNIT_COST_DAYS = 730
"""The fills read: the 24 months to the day (two years, so a yearly change is seen twice)."""
UNIT_COST_MIN_FILLS = 30
"""Fewest fills, in drug and days'-supply pairs filled at least twice, for a figure."""
UNIT_COST_READER = SystemActor("account measure: drug unit-cost trend")


def drug_unit_cost_trend(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """% a year by which the allowed amount of the same drug at the same days' supply moved
    over the 24 months to `as_of`: the slope of the log allowed amount over time within each
    drug and days'-supply pair, pooled over the account's pairs (a fixed-effects regression:
    each pair is compared only with itself, so the drugs the members fill do not move it),
    as (e^slope - 1) x 100. Accounts with at least 30 fills in pairs filled twice or more
    have a figure. Grain of the query: one row per account."""
    if not account_ids:
        return {}
    first = as_of - dt.timedelta(days=UNIT_COST_DAYS - 1)
    with open_lake(UNIT_COST_READER, accounts=account_ids) as lake:
        rx = lake.pharmacy_claim
        fills = rx.filter(
            rx.dispensing_date >= first,
            rx.dispensing_date <= as_of,
            rx.allowed_amount > 0,
            rx.days_supply > 0,
            rx.ndc_code.notnull(),
        )
        fills = fills.mutate(
            t=fills.dispensing_date.delta(ibis.date(as_of), unit="day").cast("float64") / 365.25,
            y=fills.allowed_amount.cast("float64").ln(),
        )
        pairs = fills.group_by(["account_id", "ndc_code", "days_supply"]).aggregate(
            n=fills.count(),
            st=fills.t.sum(),
            sy=fills.y.sum(),
            stt=(fills.t * fills.t).sum(),
            sty=(fills.t * fills.y).sum(),
        )
        pairs = pairs.filter(pairs.n >= 2)
        pairs = pairs.mutate(
            sxx=pairs.stt - pairs.st * pairs.st / pairs.n,
            sxy=pairs.sty - pairs.st * pairs.sy / pairs.n,
        )
        per_account = pairs.group_by("account_id").aggregate(
            sxx=pairs.sxx.sum(), sxy=pairs.sxy.sum(), fills=pairs.n.sum(), drugs=pairs.count()
        )
        frame = lake.execute(per_account)
    out: dict[int, Value] = {}
    for account_id, sxx, sxy, n, drugs in frame[
        ["account_id", "sxx", "sxy", "fills", "drugs"]
    ].itertuples(index=False):
        if int(n) < UNIT_COST_MIN_FILLS or not float(sxx) > 0:
            continue
        trend = round(math.expm1(float(sxy) / float(sxx)) * 100, 1)
        out[int(account_id)] = Value(
            trend,
            f"the same drug at the same days' supply {trend:+.1f} % a year "
            f"({int(n):,} fills of {int(drugs):,} drug and supply pairs, 24 months)",
        )
    return out


def register() -> None:
    ACCOUNT_MEASURES.register(
        Measure(
            "drug_unit_cost_trend",
            "Drug unit-cost trend (% a year)",
            Unit.PERCENT,
            Direction.LOWER,
            "utilization: pharmacy claims of 24 months, the allowed amount of the same drug at "
            "the same days' supply over time (log-linear, within each drug and supply pair)",
            drug_unit_cost_trend,
        )
    )
