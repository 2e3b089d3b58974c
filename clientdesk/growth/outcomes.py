"""The account's own claims behind a vendor's savings claim, read through the lake gateway in
the reader's scope narrowed to the contract's account. Only strata leave the lake (members,
paid and enrolled months per group, index month, baseline cost band and age band): never a
member's row.

Grain of `strata_expr`: one row per (group, index_month, cost_band, age_band); of
`matched_comparison_people`: one number. A member month
is a calendar month some eligibility span of the member overlaps; paid is final-action
medical (dated by claim start) + pharmacy (dated by dispensing) paid in an enrolled month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir
import pandas as pd

from clientdesk.accounts.models import Account
from clientdesk.growth.savings import (
    AGE_BANDS,
    BASELINE_MONTHS,
    COMPARISON,
    COST_BANDS,
    MIN_BASELINE_MONTHS,
    MIN_FOLLOW_UP_MONTHS,
    PARTICIPANTS,
    TOP_AGE_BAND,
    TOP_COST_BAND,
    Stratum,
)
from clientdesk.lake.gateway import Lake, Reader, open_lake
from clientdesk.lake.schemas import OPEN_END_DATE
from clientdesk.lake.staging import final_action_claim_lines


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def _calendar(first: dt.date, last: dt.date) -> ir.Table:
    months = []
    month = first
    while month <= last:
        months.append({"month_start": month, "month_end": month_end(month)})
        month = add_months(month, 1)
    return ibis.memtable(pd.DataFrame(months), schema={"month_start": "date", "month_end": "date"})


def _member_months(lake: Lake, first: dt.date, last: dt.date) -> ir.Table:
    """Grain: (member_id, month_start). Columns: those, paid, birth_date."""
    e = lake.eligibility
    end = ibis.cases(
        (
            e.enrollment_end_date.isnull()
            | (e.enrollment_end_date >= ibis.literal(dt.date.fromisoformat(OPEN_END_DATE))),
            ibis.literal(month_end(last)),
        ),
        else_=e.enrollment_end_date,
    )
    spans = e.select("member_id", "birth_date", "enrollment_start_date", enrollment_end=end)
    calendar = _calendar(first, last)
    joined = spans.join(
        calendar,
        [
            spans.enrollment_start_date <= calendar.month_end,
            spans.enrollment_end >= calendar.month_start,
        ],
    )
    months = joined.group_by(["member_id", "month_start"]).aggregate(
        birth_date=joined.birth_date.max()
    )
    medical = final_action_claim_lines(lake.medical_claim, lake.claim_processing)
    med = medical.mutate(
        month_start=ibis.coalesce(medical.claim_start_date, medical.claim_end_date)
        .truncate("M")
        .cast("date"),
        paid=medical.paid_amount.cast("decimal(18, 2)").fill_null(0),
    ).select("member_id", "month_start", "paid")
    pharmacy = final_action_claim_lines(lake.pharmacy_claim)
    rx = pharmacy.mutate(
        month_start=ibis.coalesce(pharmacy.dispensing_date, pharmacy.paid_date)
        .truncate("M")
        .cast("date"),
        paid=pharmacy.paid_amount.cast("decimal(18, 2)").fill_null(0),
    ).select("member_id", "month_start", "paid")
    spend = (
        ibis.union(med, rx)
        .filter(
            (ibis._.month_start >= ibis.literal(first)) & (ibis._.month_start <= ibis.literal(last))
        )
        .group_by(["member_id", "month_start"])
        .aggregate(paid=ibis._.paid.sum())
    )
    out = months.left_join(spend, ["member_id", "month_start"])
    return out.select(
        months.member_id,
        months.month_start,
        months.birth_date,
        paid=out.paid.fill_null(0).cast("decimal(18, 2)"),
    )


def _band(value: ir.NumericValue, bands: Sequence[tuple[object, str]], top: str) -> ir.Value:
    return ibis.cases(*[(value < ibis.literal(upper), name) for upper, name in bands], else_=top)


def banded_members(
    lake: Lake, participants: Sequence[tuple[str, dt.date]], through: dt.date
) -> ir.Table:
    """Grain: (member_id, index_month): the participants (member id, index month) and the
    account's members not on the list at each index month of the list, with enough months
    before and after. Columns: group, cost_band, age_band, base_/follow_ paid and months."""
    index_months = sorted({month for _, month in participants})
    first = add_months(index_months[0], -BASELINE_MONTHS)
    monthly = _member_months(lake, first, through)
    windows = ibis.memtable(
        pd.DataFrame(
            [
                {"index_month": m, "base_first": add_months(m, -BASELINE_MONTHS)}
                for m in index_months
            ]
        ),
        schema={"index_month": "date", "base_first": "date"},
    )
    cross = monthly.cross_join(windows)
    base = (cross.month_start >= cross.base_first) & (cross.month_start < cross.index_month)
    follow = cross.month_start >= cross.index_month
    per_member = cross.group_by(["member_id", "index_month"]).aggregate(
        birth_date=cross.birth_date.max(),
        base_months=ibis.cases((base, 1), else_=0).sum(),
        base_paid=ibis.cases((base, cross.paid), else_=0).sum(),
        follow_months=ibis.cases((follow, 1), else_=0).sum(),
        follow_paid=ibis.cases((follow, cross.paid), else_=0).sum(),
    )
    per_member = per_member.filter(
        (per_member.base_months >= MIN_BASELINE_MONTHS)
        & (per_member.follow_months >= MIN_FOLLOW_UP_MONTHS)
    )
    listed = ibis.memtable(
        pd.DataFrame(
            [{"member_id": m, "index_month": i} for m, i in participants],
            columns=["member_id", "index_month"],
        ),
        schema={"member_id": "string", "index_month": "date"},
    )
    on_list = per_member.semi_join(listed, ["member_id", "index_month"]).mutate(
        group=ibis.literal(PARTICIPANTS)
    )
    others = per_member.anti_join(listed, "member_id").mutate(group=ibis.literal(COMPARISON))
    both = ibis.union(on_list, others)
    base_pmpm = both.base_paid.cast("float64") / both.base_months.cast("float64")
    age = (
        both.index_month.year()
        - both.birth_date.year()
        - ibis.cases(
            (
                (both.index_month.month() < both.birth_date.month())
                | (
                    (both.index_month.month() == both.birth_date.month())
                    & (both.index_month.day() < both.birth_date.day())
                ),
                1,
            ),
            else_=0,
        )
    )
    change = both.follow_paid.cast("float64") / both.follow_months.cast(
        "float64"
    ) - both.base_paid.cast("float64") / both.base_months.cast("float64")
    return both.mutate(
        change=change,
        cost_band=_band(base_pmpm, [(float(u), n) for u, n in COST_BANDS], TOP_COST_BAND),
        age_band=_band(age, AGE_BANDS, TOP_AGE_BAND),
    )


STRATUM = ["index_month", "cost_band", "age_band"]


def strata_expr(banded: ir.Table) -> ir.Table:
    """Grain: (group, index_month, cost_band, age_band)."""
    return banded.group_by(["group", "index_month", "cost_band", "age_band"]).aggregate(
        members=banded.member_id.count(),
        base_paid=banded.base_paid.sum(),
        base_months=banded.base_months.sum(),
        follow_paid=banded.follow_paid.sum(),
        follow_months=banded.follow_months.sum(),
        change_sum=banded.change.sum(),
        change_squares=(banded.change * banded.change).sum(),
    )


def matched_comparison_people(banded: ir.Table) -> ir.Scalar:
    """Distinct non-participants in a stratum some participant is in (a member can stand in
    the comparison at several index months)."""
    keys = banded.filter(banded.group == PARTICIPANTS).select(*STRATUM).distinct()
    others = banded.filter(banded.group == COMPARISON).semi_join(keys, STRATUM)
    return others.member_id.nunique()


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    day: dt.date = pd.Timestamp(str(value)).date()
    return day


@dataclass(frozen=True)
class MeasuredStrata:
    through: dt.date | None
    strata: list[Stratum]
    comparison_people: int


def read_strata(
    reader: Reader,
    account: Account,
    participants: Iterable[tuple[str, dt.date]],
    through: dt.date | None,
    *,
    run_out_months: int,
    end: dt.date | None = None,
    engine: str | None = None,
) -> MeasuredStrata:
    """The strata for a contract's participants (member id, the day they joined), measured
    through the month of `through` (None: the account's latest claim month less
    `run_out_months`, and never past `end`), in the reader's scope narrowed to the account.
    Answers the month measured through (None when the account has no claims), the strata and
    the distinct non-participants matched."""
    with open_lake(reader, accounts=[account], engine=engine) as lake:
        if through is None:
            latest = lake.execute(lake.medical_claim.claim_start_date.max())
            if latest is None or pd.isna(latest):
                return MeasuredStrata(None, [], 0)
            through = add_months(month_start(_date(latest)), -run_out_months)
        last = month_start(through if end is None else min(through, end))
        listed = [(m, month_start(d)) for m, d in participants if month_start(d) <= last]
        if not listed:
            return MeasuredStrata(last, [], 0)
        banded = banded_members(lake, listed, last)
        frame = lake.execute(strata_expr(banded))
        people = int(lake.execute(matched_comparison_people(banded)) or 0)
    strata = [
        Stratum(
            group=str(r.group),
            index_month=_date(r.index_month),
            cost_band=str(r.cost_band),
            age_band=str(r.age_band),
            members=int(r.members),
            base_paid=Decimal(str(r.base_paid)).quantize(Decimal("0.01")),
            base_months=int(r.base_months),
            follow_paid=Decimal(str(r.follow_paid)).quantize(Decimal("0.01")),
            follow_months=int(r.follow_months),
            change_sum=float(r.change_sum),
            change_squares=float(r.change_squares),
        )
        for r in frame.itertuples(index=False)
    ]
    return MeasuredStrata(last, strata, people)


def members_in_eligibility(
    reader: Reader, account: Account, member_ids: Sequence[str], *, engine: str | None = None
) -> set[str]:
    """Which of `member_ids` the account's eligibility holds (any span, any time)."""
    if not member_ids:
        return set()
    wanted = ibis.memtable(
        pd.DataFrame({"member_id": list(member_ids)}), schema={"member_id": "string"}
    )
    with open_lake(reader, accounts=[account], engine=engine) as lake:
        e = lake.eligibility
        found = lake.execute(e.select("member_id").semi_join(wanted, "member_id").distinct())
    return {str(v) for v in found["member_id"]}
