"""The live figure financials states about an account in the account-measures registry
(lib/measures.py): claims completed with IBNR per member per month over the last 12 stored
months. Revenue-free on purpose: the health score and plan objectives that read measures are
seen by associates, and margin is for managers, executives and admins only."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from clientdesk.financials.models import PnlMonth
from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit, Value

MONTHS = 12


def completed_claims_pmpm(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """(paid + IBNR) / member months of the last 12 stored months up to `as_of`'s month, for
    accounts with member months in them."""
    first_of_month = as_of.replace(day=1)
    rows = (
        PnlMonth.objects.filter(account_id__in=account_ids, month__lte=first_of_month)
        .order_by("account_id", "-month")
        .values_list("account_id", "month", "member_months", "paid_claims", "ibnr")
    )
    months: dict[int, list[tuple[dt.date, int, Decimal]]] = defaultdict(list)
    for account_id, month, members, paid, ibnr in rows:
        if len(months[account_id]) < MONTHS:
            months[account_id].append((month, members, paid + ibnr))
    out: dict[int, Value] = {}
    for account_id, kept in months.items():
        member_months = sum(m for _, m, _ in kept)
        if not member_months:
            continue
        claims = sum((c for _, _, c in kept), Decimal(0))
        first, last = min(m for m, _, _ in kept), max(m for m, _, _ in kept)
        out[account_id] = Value(
            float(round(claims / member_months, 2)),
            f"{len(kept)} months {first:%b %Y} – {last:%b %Y}, claims completed with IBNR",
        )
    return out


def register() -> None:
    ACCOUNT_MEASURES.register(
        Measure(
            "financials_completed_claims_pmpm",
            "Completed claims PMPM (12 months)",
            Unit.DOLLARS,
            Direction.LOWER,
            "financials: stored P&L, paid claims by incurred month plus IBNR (chain ladder), "
            "over member months",
            completed_claims_pmpm,
        )
    )
