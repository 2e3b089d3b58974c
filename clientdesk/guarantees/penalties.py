"""Money at risk and penalties owed: pure functions of a result and the contract's terms.

* **Reported value**: the actual is rounded half-up to the guarantee's reporting precision
  (`decimals`: 0 for ASA in whole seconds, 2 for percentages) before it is compared with the
  target and the tiers, as contracts state results.
* **Amount at risk** of a settlement span (a measurement period, or the contract year for
  annual-aggregate guarantees): a fixed amount; a % of the span's admin fees (admin fee PEPM
  x employees x months: ASO contracts); a % of the span's premium (premium PMPM x members x
  months: fully insured contracts); or PEPM x employees x months. The contract states which
  fees; a % basis the contract has no rate for is an error, never a silent zero. Months are
  counted by days (a 15-day stub of a 30-day month is half a month).
* **Schedules** (§1.6): *all or nothing* (a miss owes the whole amount at risk); *tiers*
  (`at` / `pct`: a result at or beyond `at` owes `pct` % of the amount; the worst tier
  reached applies; a miss that reaches no tier owes nothing, so tiers start just past the
  target); *per point* (an amount per unit of shortfall — per percentage point, per second —
  prorated, never more than the amount at risk when one is set, and with none set never
  more than MOST_AT_RISK, the most a result records: $1e12 a point of a 99,999,999 target
  was a 500).
* **Caps at reconciliation**: no guarantee owes more than its allocation (`max_share_pct` of
  the contract-year pool), and the contract year owes no more than the pool
  (`pool_pct_of_fees` of the year's fees); when the pool binds, every guarantee's amount is
  scaled down in proportion.
* **Money at risk** of a contract year follows the same caps (`capped_at_risk`): a guarantee
  risks no more than its allocation, and together they risk no more than the pool, which is
  the contract's own statement of its fees at risk (typically 10-20 % of the admin fees of an
  ASO contract, spread across the guarantees; domain/service-guarantees-detection.md §1.6).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The most money a result, a forecast or a settlement can record (their amount columns: 14
# digits, 2 decimal places). An amount beyond it is a mistaken input (a PEPM value of
# millions per employee), never a real contract's fees at risk.
MOST_AT_RISK = Decimal("999999999999.99")


class AmountNotRecordable(ValueError):
    """An amount at risk beyond MOST_AT_RISK."""


class Schedule:
    ALL_OR_NOTHING = "all_or_nothing"
    TIERS = "tiers"
    PER_POINT = "per_point"


class Basis:
    FIXED = "fixed"
    PCT_OF_ADMIN_FEES = "pct_of_admin_fees"
    PCT_OF_PREMIUM = "pct_of_premium"
    PEPM = "pepm"


@dataclass(frozen=True)
class Tier:
    at: Decimal
    pct: Decimal


@dataclass(frozen=True)
class PenaltyTerms:
    comparator: str  # "<=" or ">="
    target: Decimal
    schedule: str
    tiers: tuple[Tier, ...] = ()
    per_point_amount: Decimal | None = None
    decimals: int = 2


@dataclass(frozen=True)
class Penalty:
    met: bool
    pct: Decimal  # share of the amount at risk owed, 0-100
    amount: Decimal


def reported(value: float | Decimal, decimals: int) -> Decimal:
    """The value as the contract reports it: rounded half-up to `decimals` places."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def is_met(actual: Decimal, comparator: str, target: Decimal) -> bool:
    if comparator == "<=":
        return actual <= target
    if comparator == ">=":
        return actual >= target
    raise ValueError(f"unknown comparator {comparator!r}")


def shortfall(actual: Decimal, comparator: str, target: Decimal) -> Decimal:
    """How far the result is on the wrong side of the target (0 when met)."""
    gap = actual - target if comparator == "<=" else target - actual
    return max(Decimal(0), gap)


def _reaches(actual: Decimal, comparator: str, at: Decimal) -> bool:
    return actual >= at if comparator == "<=" else actual <= at


def penalty(actual: Decimal, terms: PenaltyTerms, amount_at_risk: Decimal) -> Penalty:
    """What a reported result owes under the schedule, before the contract-year caps."""
    if is_met(actual, terms.comparator, terms.target):
        return Penalty(True, Decimal(0), Decimal("0.00"))
    if terms.schedule == Schedule.ALL_OR_NOTHING:
        return Penalty(False, HUNDRED, amount_at_risk.quantize(CENT))
    if terms.schedule == Schedule.TIERS:
        reached = [t.pct for t in terms.tiers if _reaches(actual, terms.comparator, t.at)]
        pct = min(HUNDRED, max(reached, default=Decimal(0)))
        amount = (amount_at_risk * pct / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        return Penalty(False, pct, amount)
    if terms.schedule == Schedule.PER_POINT:
        if terms.per_point_amount is None:
            raise ValueError("a per-point schedule needs its amount per point")
        raw = terms.per_point_amount * shortfall(actual, terms.comparator, terms.target)
        amount = min(raw, amount_at_risk if amount_at_risk > 0 else MOST_AT_RISK)
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        pct = (
            (amount / amount_at_risk * HUNDRED).quantize(CENT) if amount_at_risk > 0 else Decimal(0)
        )
        return Penalty(False, pct, amount)
    raise ValueError(f"unknown penalty schedule {terms.schedule!r}")


@functools.lru_cache(maxsize=4096)
def months_in(start: dt.date, end: dt.date) -> Decimal:
    """Months from `start` to `end` inclusive, each month counted by its days covered."""
    if end < start:
        return Decimal(0)
    total = Decimal(0)
    day = dt.date(start.year, start.month, 1)
    while day <= end:
        length = calendar.monthrange(day.year, day.month)[1]
        last = dt.date(day.year, day.month, length)
        covered = (min(last, end) - max(day, start)).days + 1
        total += Decimal(covered) / Decimal(length)
        day = last + dt.timedelta(days=1)
    return total.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def monthly_fees(
    *,
    admin_fee_pepm: Decimal | None,
    premium_pmpm: Decimal | None,
    employees: int,
    members: int,
) -> Decimal:
    """The contract's fees per month: admin fees (ASO) or premium (fully insured)."""
    if admin_fee_pepm is not None:
        return admin_fee_pepm * employees
    if premium_pmpm is not None:
        return premium_pmpm * members
    return Decimal(0)


def amount_at_risk(
    basis: str,
    value: Decimal,
    *,
    months: Decimal,
    employees: int,
    members: int,
    admin_fee_pepm: Decimal | None = None,
    premium_pmpm: Decimal | None = None,
) -> Decimal:
    """The money a guarantee puts at risk over a span of `months`."""
    if basis == Basis.FIXED:
        amount = value
    elif basis == Basis.PCT_OF_ADMIN_FEES:
        if admin_fee_pepm is None:
            raise ValueError("% of admin fees at risk, but the contract has no admin fee PEPM")
        amount = value / HUNDRED * admin_fee_pepm * employees * months
    elif basis == Basis.PCT_OF_PREMIUM:
        if premium_pmpm is None:
            raise ValueError("% of premium at risk, but the contract has no premium PMPM")
        amount = value / HUNDRED * premium_pmpm * members * months
    elif basis == Basis.PEPM:
        amount = value * employees * months
    else:
        raise ValueError(f"unknown at-risk basis {basis!r}")
    if amount >= MOST_AT_RISK + CENT / 2:  # would round beyond it
        raise AmountNotRecordable(
            f"the amount at risk would be ${amount:,.2f}, more than the ${MOST_AT_RISK:,} a "
            "result can record: check the at-risk value against its basis and the headcount"
        )
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def reconcile(
    penalties: Mapping[int, Decimal],
    *,
    pool: Decimal | None,
    max_share_pct: Decimal | None,
) -> dict[int, Decimal]:
    """Amounts owed per guarantee after the allocation cap and the pool cap."""
    cap = pool * max_share_pct / HUNDRED if pool is not None and max_share_pct is not None else None
    owed = {k: min(v, cap) if cap is not None else v for k, v in penalties.items()}
    total = sum(owed.values(), Decimal(0))
    if pool is None or total <= pool or total == 0:
        return {k: v.quantize(CENT, rounding=ROUND_HALF_UP) for k, v in owed.items()}
    scaled = {k: (v * pool / total).quantize(CENT, rounding=ROUND_HALF_UP) for k, v in owed.items()}
    # Cents lost or gained by rounding go to the largest amount, so the total is the pool.
    remainder = pool.quantize(CENT) - sum(scaled.values(), Decimal(0))
    if remainder:
        largest = max(scaled, key=lambda k: (scaled[k], -k))
        scaled[largest] += remainder
    return scaled


def capped_at_risk(
    amounts: Mapping[int, Decimal],
    *,
    pool: Decimal | None,
    max_share_pct: Decimal | None,
) -> dict[int, Decimal]:
    """What each guarantee of a contract year really puts at risk: its amount at risk after
    the allocation cap and the pool, allocated as `reconcile` allocates what is owed (a year
    where every guarantee misses owes exactly this)."""
    return reconcile(amounts, pool=pool, max_share_pct=max_share_pct)


def tiers_from_json(raw: Sequence[Mapping[str, object]]) -> tuple[Tier, ...]:
    return tuple(Tier(Decimal(str(t["at"])), Decimal(str(t["pct"]))) for t in raw)


def penalty_vector(
    actual: np.ndarray, terms: PenaltyTerms, amount_at_risk: Decimal
) -> tuple[np.ndarray, np.ndarray]:
    """`penalty` over an array of reported values at once (the forecast's runs): whether each
    misses, and what each owes in dollars (floats). Agrees with `penalty` value by value."""
    target = float(terms.target)
    cap = float(amount_at_risk)
    missed = actual > target if terms.comparator == "<=" else actual < target
    if terms.schedule == Schedule.ALL_OR_NOTHING:
        return missed, np.where(missed, round(cap, 2), 0.0)
    if terms.schedule == Schedule.TIERS:
        owed = np.zeros(actual.shape)
        # The worst tier reached applies: go through the tiers by their %, smallest first.
        for tier in sorted(terms.tiers, key=lambda t: t.pct):
            at = float(tier.at)
            reached = actual >= at if terms.comparator == "<=" else actual <= at
            pct = min(HUNDRED, tier.pct)
            amount = float((amount_at_risk * pct / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP))
            owed = np.where(reached, amount, owed)
        return missed, np.where(missed, owed, 0.0)
    if terms.schedule == Schedule.PER_POINT:
        if terms.per_point_amount is None:
            raise ValueError("a per-point schedule needs its amount per point")
        gap = actual - target if terms.comparator == "<=" else target - actual
        raw = float(terms.per_point_amount) * np.maximum(gap, 0.0)
        owed = np.minimum(raw, cap if cap > 0 else float(MOST_AT_RISK))
        return missed, np.where(missed, np.floor(owed * 100 + 0.5) / 100, 0.0)
    raise ValueError(f"unknown penalty schedule {terms.schedule!r}")
