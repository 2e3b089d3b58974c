"""What a negotiated vendor fee saves a sponsor: pure arithmetic, with its method in words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from clientdesk.growth.models import FeeBasis


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months of a term from its first day to its last (Jan 1 .. Dec 31 is 12)."""
    after = end + dt.timedelta(days=1)
    return (after.year - start.year) * 12 + after.month - start.month


@dataclass(frozen=True)
class Savings:
    per_unit: Decimal
    units: int
    total: Decimal
    annual: Decimal
    method: str


def fee_savings(
    basis: str,
    reference_fee: Decimal,
    negotiated_fee: Decimal,
    volume: int,
    start: dt.date,
    end: dt.date,
    *,
    reference_is_prior: bool = False,
) -> Savings:
    """(reference fee - negotiated fee) x volume over the term. PEPM: volume is employees and
    the term counts months; per case: volume is cases a year and the term counts years
    (months ÷ 12). A percentage-of-savings fee has no fixed saving (its cost follows the
    savings the vendor reports), so it answers zero with that said."""
    months = months_between(start, end)
    reference = "the prior fee" if reference_is_prior else "the vendor's list fee"
    per_unit = reference_fee - negotiated_fee
    if basis == FeeBasis.PEPM:
        units = volume * months
        total = (per_unit * units).quantize(Decimal("0.01"))
        method = (
            f"({reference} ${reference_fee} − negotiated ${negotiated_fee}) PEPM × {volume:,} "
            f"employees × {months} months of the term. Enrollment is held at the contract's "
            "figure; a change in enrollment changes the saving in proportion."
        )
    elif basis == FeeBasis.PER_CASE:
        units = volume * months // 12
        total = (per_unit * volume * months / 12).quantize(Decimal("0.01"))
        method = (
            f"({reference} ${reference_fee} − negotiated ${negotiated_fee}) per case × "
            f"{volume:,} cases a year × {months} months ÷ 12. The case count is the "
            "expected volume; actual cases decide the real saving."
        )
    else:
        units = 0
        total = Decimal("0.00")
        method = (
            "A percentage-of-savings fee saves no fixed amount: its cost follows the savings "
            "the vendor reports, which need checking against the account's own claims."
        )
    annual = (total * 12 / months).quantize(Decimal("0.01")) if months else Decimal("0.00")
    return Savings(per_unit, units, total, annual, method)
