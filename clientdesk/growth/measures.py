"""The live figures growth states about an account, in the account-measures registry
(lib/measures.py): the health score and plan objectives read them without importing this app."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from clientdesk.growth.models import OPEN_STAGES, Opportunity, VendorContract
from clientdesk.growth.savings import fee_savings
from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit, Value


def weighted_pipeline(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Open opportunities' annual value x probability, for accounts with any opportunity."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    counts: dict[int, int] = defaultdict(int)
    seen: set[int] = set()
    rows = Opportunity.objects.filter(account_id__in=account_ids).values_list(
        "account_id", "stage", "annual_value", "probability"
    )
    for account_id, stage, value, probability in rows:
        seen.add(account_id)
        if stage in OPEN_STAGES:
            totals[account_id] += value * probability / 100
            counts[account_id] += 1
    return {
        a: Value(float(round(totals[a], 2)), f"{counts[a]} open opportunities, weighted")
        for a in seen
    }


def vendor_savings(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    """Savings a year of the vendor contracts in force on `as_of`, negotiated for the account."""
    found: dict[int, Decimal] = defaultdict(Decimal)
    names: dict[int, list[str]] = defaultdict(list)
    contracts = VendorContract.objects.filter(
        account_id__in=account_ids, start_date__lte=as_of, end_date__gte=as_of
    ).select_related("vendor")
    for c in contracts:
        saving = fee_savings(
            c.fee_basis, c.reference_fee, c.negotiated_fee, c.volume, c.start_date, c.end_date
        )
        found[c.account_id] += saving.annual
        names[c.account_id].append(c.vendor.name)
    return {a: Value(float(v), "a year: " + ", ".join(names[a])) for a, v in found.items()}


def register() -> None:
    ACCOUNT_MEASURES.register(
        Measure(
            "growth_weighted_pipeline",
            "Weighted pipeline",
            Unit.DOLLARS,
            Direction.HIGHER,
            "growth: open opportunities' annual value x stage probability",
            weighted_pipeline,
        )
    )
    ACCOUNT_MEASURES.register(
        Measure(
            "growth_vendor_savings",
            "Vendor savings negotiated (a year)",
            Unit.DOLLARS,
            Direction.HIGHER,
            "growth: vendor contracts in force, (reference - negotiated fee) x volume, a year",
            vendor_savings,
        )
    )
