"""The marts' frames rolled up to one account (or the whole book) and one period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from clientdesk.utilization.marts.service_categories import (
    ACUTE_STAY_LEAVES,
    ADVANCED_IMAGING_LEAVES,
    MATERNITY_LEAVES,
)
from clientdesk.utilization.metrics import MetricFrames

ZERO = Decimal("0.00")


def money(value: Any) -> Decimal:
    """A frame's amount as an exact Decimal (engines hand back Decimal, pandas may float)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ZERO
    return Decimal(str(value)).quantize(Decimal("0.01"))


def count(value: Any) -> int:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return 0
    return int(value)


@dataclass
class Spend:
    paid: Decimal = ZERO
    allowed: Decimal = ZERO
    cost_share: Decimal = ZERO

    def add(self, other: Spend) -> None:
        self.paid += other.paid
        self.allowed += other.allowed
        self.cost_share += other.cost_share


@dataclass
class LeafTotals:
    spend: Spend = field(default_factory=Spend)
    lines: int = 0
    service_days: int = 0


@dataclass
class PharmacyTotals:
    spend: Spend = field(default_factory=Spend)
    fills: int = 0
    days_supply: int = 0
    fills_without_days: int = 0
    generic_fills: int = 0
    generic_days: int = 0
    generic_fills_without_days: int = 0
    known_fills: int = 0
    known_days: int = 0
    known_fills_without_days: int = 0
    unknown_fills: int = 0
    specialty: Spend = field(default_factory=Spend)
    generic: Spend = field(default_factory=Spend)


@dataclass
class Totals:
    """One account (or the book) in one period."""

    member_months: int = 0
    members: int = 0
    leaves: dict[str, LeafTotals] = field(default_factory=dict)
    pharmacy: PharmacyTotals = field(default_factory=PharmacyTotals)
    admits: int = 0
    maternity_admits: int = 0
    days: int = 0
    maternity_days: int = 0
    concentration_members: int = 0
    concentration_allowed: Decimal = ZERO
    top1_allowed: Decimal = ZERO
    top5_allowed: Decimal = ZERO
    top1_members: int = 0
    top5_members: int = 0
    conditions: dict[str, int] = field(default_factory=dict)
    last_paid_date: dt.date | None = None

    @property
    def medical(self) -> Spend:
        total = Spend()
        for leaf in self.leaves.values():
            total.add(leaf.spend)
        return total

    @property
    def total(self) -> Spend:
        total = self.medical
        total.add(self.pharmacy.spend)
        return total

    def leaf_spend(self, keys: tuple[str, ...]) -> Spend:
        total = Spend()
        for key in keys:
            if key in self.leaves:
                total.add(self.leaves[key].spend)
        return total

    def service_days(self, keys: tuple[str, ...]) -> int:
        return sum(self.leaves[k].service_days for k in keys if k in self.leaves)


def _rows(frame: pd.DataFrame, period: str, account_id: int | None) -> pd.DataFrame:
    rows = frame
    if account_id is not None:
        rows = rows[rows["account_id"] == account_id]
    if "period" in rows.columns:
        rows = rows[rows["period"] == period]
    return rows


def _spend(row: Any) -> Spend:
    return Spend(money(row["paid"]), money(row["allowed"]), money(row["cost_share"]))


def period_totals(frames: MetricFrames, period: str, account_id: int | None = None) -> Totals:
    """Roll the frames up for one account (None: every account in the frames) and period."""
    t = Totals()
    t.member_months = sum(
        count(v) for v in _rows(frames.member_months, period, account_id)["member_months"]
    )
    t.members = sum(count(v) for v in _rows(frames.period_members, period, account_id)["members"])
    for row in _rows(frames.medical, period, account_id).to_dict("records"):
        leaf = t.leaves.setdefault(str(row["service_leaf"]), LeafTotals())
        leaf.spend.add(_spend(row))
        leaf.lines += count(row["lines"])
        leaf.service_days += count(row["service_days"])
    rx = t.pharmacy
    for row in _rows(frames.pharmacy, period, account_id).to_dict("records"):
        spend = _spend(row)
        fills, days, nodays = (
            count(row["fills"]),
            count(row["days_supply"]),
            count(row["fills_without_days"]),
        )
        rx.spend.add(spend)
        rx.fills += fills
        rx.days_supply += days
        rx.fills_without_days += nodays
        if row["drug_type"] == "unknown":
            rx.unknown_fills += fills
        else:
            rx.known_fills += fills
            rx.known_days += days
            rx.known_fills_without_days += nodays
        if row["drug_type"] == "generic":
            rx.generic_fills += fills
            rx.generic_days += days
            rx.generic_fills_without_days += nodays
            rx.generic.add(spend)
        if row["specialty_type"] == "specialty":
            rx.specialty.add(spend)
    for row in _rows(frames.stays, period, account_id).to_dict("records"):
        t.admits += count(row["admits"])
        t.days += count(row["days"])
        if bool(row["maternity"]):
            t.maternity_admits += count(row["admits"])
            t.maternity_days += count(row["days"])
    # The book's concentration ranks every member of the book together; summing each
    # account's top 1 % would overstate it.
    concentration = frames.concentration if account_id is not None else frames.book_concentration
    for row in _rows(concentration, period, account_id).to_dict("records"):
        t.concentration_members += count(row["members"])
        t.concentration_allowed += money(row["allowed"])
        t.top1_allowed += money(row["top1_allowed"])
        t.top5_allowed += money(row["top5_allowed"])
        t.top1_members += count(row["top1_members"])
        t.top5_members += count(row["top5_members"])
    for row in _rows(frames.conditions, period, account_id).to_dict("records"):
        key = str(row["condition"])
        t.conditions[key] = t.conditions.get(key, 0) + count(row["members"])
    as_of = frames.data_as_of
    if account_id is not None:
        as_of = as_of[as_of["account_id"] == account_id]
    dates = [pd.Timestamp(v).date() for v in as_of["last_paid_date"] if not pd.isna(v)]
    t.last_paid_date = max(dates) if dates else None
    return t


STAY_LEAVES = ACUTE_STAY_LEAVES
NON_MATERNITY_STAY_LEAVES = tuple(k for k in ACUTE_STAY_LEAVES if k not in MATERNITY_LEAVES)
IMAGING_LEAVES = ADVANCED_IMAGING_LEAVES
