"""Member cost sharing on medical claim lines: copays, deductible, coinsurance, out-of-pocket
maximum, applied per member and calendar plan year in adjudication order.

Grain: one result row per claim line. All amounts are integer cents so that
``paid = allowed - deductible - coinsurance - copayment`` holds exactly.
Accumulators: individual deductible and out-of-pocket maximum, then a family cap of twice
the individual amounts across the household. For the plan year already under way when the
window opens, the amounts still to meet are prorated by the months left (members had met
part of them before the extract starts). Pharmacy has its own copay schedule and does not
accumulate here (documented in SCHEMA.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.claim_sets import (
    CS_DEDUCTIBLE,
    CS_ED,
    CS_PCP,
    CS_PREVENTIVE,
    CS_SPECIALIST,
    CS_TELEHEALTH,
    CS_URGENT,
)
from clientdesk.synth.sponsors import PLANS


@dataclass
class LineCostShare:
    """Cents per line: deductible, coinsurance, copayment and plan paid."""

    deductible: np.ndarray
    coinsurance: np.ndarray
    copayment: np.ndarray
    paid: np.ndarray


def _plan_array(attr: str) -> np.ndarray:
    return np.array([float(getattr(p, attr)) for p in PLANS])


def _order(first: np.ndarray, year: np.ndarray, day: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Stable order by (first, year, day, last) through one packed int64 key when it fits."""
    parts = [first, year, day, last]
    key = np.zeros(len(first), dtype=np.int64)
    bits = 0
    for part in parts:
        p = part.astype(np.int64)
        lo = int(p.min()) if p.size else 0
        width = max(1, int(int(p.max()) - lo).bit_length()) if p.size else 1
        key = (key << width) | (p - lo)
        bits += width
    if bits > 62:
        return np.lexsort((last, day, year, first))
    return np.argsort(key, kind="stable")


def _group_cumsum_before(values: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """Running total of ``values`` before each row, restarting at every group start."""
    total = np.cumsum(values)
    before = total - values
    start_idx = np.maximum.accumulate(np.where(group_start, np.arange(values.size), 0))
    return np.asarray(before - before[start_idx])


def apply_cost_sharing(
    member: np.ndarray,
    plan: np.ndarray,
    year: np.ndarray,
    order_day: np.ndarray,
    claim: np.ndarray,
    first_line: np.ndarray,
    cost_class: np.ndarray,
    out_of_network: np.ndarray,
    allowed_cents: np.ndarray,
    household: np.ndarray | None = None,
    year_remaining: np.ndarray | None = None,
) -> LineCostShare:
    """Cost share per line (all arrays are per line; ``plan`` indexes ``sponsors.PLANS``).

    ``household`` groups members for the family caps; ``year_remaining`` is the share of the
    plan year's accumulators still to meet (1.0 for a full plan year).
    """
    n = len(allowed_cents)
    perm = _order(member, year, order_day, claim)
    m, y = member[perm], year[perm]
    pl = plan[perm].astype(np.int64)
    cls = cost_class[perm]
    first = first_line[perm]
    oon = out_of_network[perm]
    allowed = allowed_cents[perm].astype(np.int64)
    hdhp = np.array([p.kind == "hdhp" for p in PLANS])[pl]

    copay_by_class = {
        CS_PCP: _plan_array("copay_pcp"),
        CS_SPECIALIST: _plan_array("copay_specialist"),
        CS_ED: _plan_array("copay_ed"),
        CS_URGENT: _plan_array("copay_urgent"),
        CS_TELEHEALTH: _plan_array("copay_telehealth"),
    }
    copay = np.zeros(n, dtype=np.int64)
    copay_line = np.zeros(n, dtype=bool)
    for klass, amounts in copay_by_class.items():
        sel = (cls == klass) & first & ~hdhp
        copay_line |= sel
        copay[sel] = np.minimum(np.rint(amounts[pl[sel]] * 100).astype(np.int64), allowed[sel])
    preventive = (cls == CS_PREVENTIVE) & ~oon
    subject = ~copay_line & ~preventive
    base = np.where(subject, allowed, 0)

    group_start = np.r_[True, (m[1:] != m[:-1]) | (y[1:] != y[:-1])]
    remaining = np.ones(n) if year_remaining is None else year_remaining[perm]
    deductible_limit = np.rint(_plan_array("deductible")[pl] * 100 * remaining).astype(np.int64)
    deductible_limit = np.where(oon, deductible_limit * 2, deductible_limit)
    before = _group_cumsum_before(base, group_start)
    ded = np.clip(deductible_limit - before, 0, base)
    rate = _plan_array("coinsurance")[pl] * np.where(oon, 2.0, 1.0)
    coins = np.rint((base - ded) * rate).astype(np.int64)
    cost = ded + coins + copay
    oop_limit = np.rint(_plan_array("oop_max")[pl] * 100 * remaining).astype(np.int64)
    cost_before = _group_cumsum_before(cost, group_start)
    capped = np.clip(oop_limit - cost_before, 0, cost)
    excess = cost - capped
    take = np.minimum(excess, coins)
    coins -= take
    excess -= take
    take = np.minimum(excess, ded)
    ded -= take
    excess -= take
    copay -= np.minimum(excess, copay)
    if household is not None:
        ded, coins = _family_caps(
            household[perm], y, order_day[perm], ded, coins, deductible_limit, oop_limit, copay
        )
    paid = allowed - ded - coins - copay

    out = LineCostShare(
        np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    )
    out.deductible[perm] = ded
    out.coinsurance[perm] = coins
    out.copayment[perm] = copay
    out.paid[perm] = paid
    return out


def _family_caps(
    household: np.ndarray,
    year: np.ndarray,
    day: np.ndarray,
    ded: np.ndarray,
    coins: np.ndarray,
    ded_limit: np.ndarray,
    oop_limit: np.ndarray,
    copay: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Cap deductible and out-of-pocket totals per household and year at twice the
    individual amounts (rows are in member order; family order is by service sequence)."""
    n = len(ded)
    order = _order(household, year, day, np.arange(n))
    h, y = household[order], year[order]
    start = np.r_[True, (h[1:] != h[:-1]) | (y[1:] != y[:-1])]
    d = ded[order]
    fam_before = _group_cumsum_before(d, start)
    d_capped = np.clip(2 * ded_limit[order] - fam_before, 0, d)
    c = coins[order]
    spent = d_capped + c + copay[order]
    oop_before = _group_cumsum_before(spent, start)
    allowed_spend = np.clip(2 * oop_limit[order] - oop_before, 0, spent)
    over = spent - allowed_spend
    c_capped = c - np.minimum(over, c)
    out_d = np.empty(n, dtype=np.int64)
    out_c = np.empty(n, dtype=np.int64)
    out_d[order] = d_capped
    out_c[order] = c_capped
    return out_d, out_c


__all__ = ["CS_DEDUCTIBLE", "LineCostShare", "apply_cost_sharing"]
