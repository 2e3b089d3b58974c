"""Reads behind the pages: the claim lines behind a category's number."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis.expr.types as ir
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.lake.gateway import AnyUser, Lake, open_lake, require_person
from clientdesk.lib.periods import Period, month_start
from clientdesk.utilization.analysis import Request, drug_rows, metric_frames
from clientdesk.utilization.marts import materialized as derived
from clientdesk.utilization.marts.calendar import CURRENT, month_calendar
from clientdesk.utilization.marts.enrollment import int_enrolled_lines, window_spans
from clientdesk.utilization.marts.service_categories import LEAF_BY_KEY, int_service_category_lines
from clientdesk.utilization.marts.staging import (
    stg_enrollment_spans,
    stg_medical_lines,
    stg_pharmacy_fills,
)
from clientdesk.utilization.pseudonyms import member_pseudonym
from clientdesk.utilization.reference import drug_reference_table
from clientdesk.utilization.report import build_report
from clientdesk.utilization.totals import count, money

PHARMACY = "pharmacy"
CLAIMANTS = "claimants"  # the members behind the high-cost claimant number (not a category)
MEDICAL_COLUMNS = (
    "claim_id",
    "claim_line_number",
    "claim_type",
    "service_date",
    "place_of_service_code",
    "bill_type_code",
    "revenue_center_code",
    "hcpcs_code",
    "drg_code",
    "diagnosis_code_1",
    "paid",
    "allowed",
    "cost_share",
    "person_id",
    "member_id",
)
PHARMACY_COLUMNS = (
    "claim_id",
    "claim_line_number",
    "service_date",
    "ndc_code",
    "days_supply",
    "generic",
    "specialty",
    "paid",
    "allowed",
    "cost_share",
    "person_id",
    "member_id",
)


@dataclass
class LinesPage:
    leaf: str
    label: str
    lines: int
    paid: Decimal
    allowed: Decimal
    rows: list[dict[str, Any]]
    offset: int
    limit: int


def _lines(lake: Lake, request: Request, leaf: str) -> ir.Table:
    calendar = month_calendar(request.current)
    inputs = derived.Inputs.for_today(timezone.localdate(), drug_rows())
    if request.materialize and inputs.covers(request.current):
        # The derived tables of the load (see marts/materialized.py): a filter, no staging.
        first, last = request.current.start, month_start(request.current.last_month)
        as_of = request.as_of_date()
        if leaf == PHARMACY:
            window = derived.in_window(
                derived.pharmacy_fills(lake, inputs), calendar, first, last, as_of
            )
            return derived.with_drug_flags(window, inputs).select(*PHARMACY_COLUMNS)
        window = derived.in_window(
            derived.medical_lines(lake, inputs), calendar, first, last, as_of
        )
        return window.filter(window.service_leaf == leaf).select(*MEDICAL_COLUMNS)
    spans = window_spans(
        stg_enrollment_spans(lake.eligibility, request.as_of_date()),
        request.current.start,
        request.current.last_day,
    )
    if leaf == PHARMACY:
        fills = stg_pharmacy_fills(lake.pharmacy_claim, drug_reference_table(drug_rows()))
        enrolled = int_enrolled_lines(fills, spans, calendar)
        return enrolled.filter(enrolled.period == CURRENT).select(*PHARMACY_COLUMNS)
    staged = int_service_category_lines(
        stg_medical_lines(lake.medical_claim, lake.claim_processing)
    )
    enrolled = int_enrolled_lines(staged, spans, calendar)
    picked = enrolled.filter((enrolled.period == CURRENT) & (enrolled.service_leaf == leaf))
    return picked.select(*MEDICAL_COLUMNS)


# How a page of claim lines may be ordered: the key in the address, and its words.
LINE_ORDERS = {
    "date": "service date",
    "paid": "paid, highest first",
    "allowed": "allowed, highest first",
}


def category_lines(
    user: AnyUser,
    account: Account,
    request: Request,
    leaf: str,
    *,
    offset: int = 0,
    limit: int = 100,
    show_members: bool = False,
    order: str = "date",
) -> LinesPage:
    """The final-action lines (or pharmacy fills) of a category in the current period, for
    one account: totals that match the category's figures, and one page of lines, ordered by
    service date and claim (or by paid or allowed dollars, highest first, `order`). Member
    columns are replaced by a pseudonym unless `show_members` (the caller has checked the user
    may, and records the look)."""
    if leaf != PHARMACY and leaf not in LEAF_BY_KEY:
        raise KeyError(leaf)
    with open_lake(require_person(user), accounts=[account], engine=request.engine) as lake:
        lines = _lines(lake, request, leaf)
        totals = lake.execute(
            lines.aggregate(n=lines.count(), paid=lines.paid.sum(), allowed=lines.allowed.sum())
        )
        keys = [lines.service_date, lines.claim_id, lines.claim_line_number]
        if order in ("paid", "allowed"):
            keys = [lines[order].desc(), *keys]
        page = lake.execute(lines.order_by(keys).limit(limit, offset=offset))
    rows = []
    for record in page.to_dict("records"):
        row = {k: (None if _missing(v) else v) for k, v in record.items()}
        person = str(row.pop("person_id"))
        member = row.pop("member_id")
        row["member"] = member_pseudonym(person)
        if show_members:
            row["member_id"], row["person_id"] = member, person
        row["paid"], row["allowed"] = money(row["paid"]), money(row["allowed"])
        row["cost_share"] = money(row["cost_share"])
        rows.append(row)
    first = totals.to_dict("records")[0]
    leaf_info = LEAF_BY_KEY.get(leaf)
    label = (
        "pharmacy"
        if leaf_info is None
        else (
            leaf_info.category_2
            if leaf_info.category_2 == leaf_info.category_3
            else f"{leaf_info.category_2} – {leaf_info.category_3}"
        )
    )
    return LinesPage(
        leaf=leaf,
        label=label,
        lines=count(first["n"]),
        paid=money(first["paid"]),
        allowed=money(first["allowed"]),
        rows=rows,
        offset=offset,
        limit=limit,
    )


def _missing(value: Any) -> bool:
    try:
        return bool(value is None or (isinstance(value, float) and value != value))
    except (TypeError, ValueError):
        return False


@dataclass
class Claimant:
    pseudonym: str
    medical_paid: Decimal
    pharmacy_paid: Decimal
    paid: Decimal
    allowed: Decimal
    member_months: int
    person_id: str | None = None  # only when the caller shows member ids
    member_ids: list[str] | None = None


def high_cost_claimants(
    user: AnyUser, account: Account, request: Request, *, show_members: bool = False
) -> list[Claimant]:
    """The account's members at or over the request's threshold in the current period, the
    costliest first: the same members as the report's high-cost section. Pseudonyms only,
    unless `show_members` (the caller has checked the user may, and records the look): then
    each carries its person id and the member ids its eligibility lists in the account."""
    frames = metric_frames(require_person(user), request, accounts=[account])
    rows = frames.high_cost[
        (frames.high_cost["period"] == CURRENT) & (frames.high_cost["account_id"] == account.pk)
    ]
    people = [str(p) for p in rows["person_id"]]
    member_ids: dict[str, list[str]] = {}
    if show_members and people:
        with open_lake(user, accounts=[account], engine=request.engine) as lake:
            e = lake.eligibility
            pairs = lake.execute(
                e.filter(e.person_id.isin(people)).select("person_id", "member_id").distinct()
            )
        for person, member in pairs.itertuples(index=False):
            member_ids.setdefault(str(person), []).append(str(member))
    claimants = [
        Claimant(
            pseudonym=member_pseudonym(str(r["person_id"])),
            medical_paid=money(r["medical_paid"]),
            pharmacy_paid=money(r["pharmacy_paid"]),
            paid=money(r["paid"]),
            allowed=money(r["allowed"]),
            member_months=count(r["member_months"]),
            person_id=str(r["person_id"]) if show_members else None,
            member_ids=sorted(member_ids.get(str(r["person_id"]), [])) if show_members else None,
        )
        for r in rows.to_dict("records")
    ]
    return sorted(claimants, key=lambda c: (c.paid, c.pseudonym), reverse=True)


__all__ = [
    "CLAIMANTS",
    "PHARMACY",
    "Claimant",
    "LinesPage",
    "category_lines",
    "high_cost_claimants",
]


@dataclass(frozen=True)
class PmpmTrend:
    """One account's paid PMPM from `prior` to `current` split into utilization, mix and unit
    cost (the report's trend section, `trend.decompose`; the three add up to the change)."""

    pmpm_prior: Decimal
    pmpm_current: Decimal
    utilization: Decimal
    mix: Decimal
    unit_cost: Decimal


def pmpm_trends(
    reader: AnyUser, accounts: list[Account], current: Period, prior: Period
) -> dict[int, PmpmTrend]:
    """The paid PMPM trend of each account (in the reader's scope) between two periods, from
    one run of the metric set; accounts without members in either period are left out."""
    request = Request(current=current, prior=prior)
    frames = metric_frames(reader, request, accounts=accounts)
    out: dict[int, PmpmTrend] = {}
    for account_id in frames.account_ids():
        trend = build_report(
            frames,
            account_id=account_id,
            current=current,
            prior=prior,
            high_cost_threshold=request.high_cost_threshold,
        ).trend.paid
        if trend is None or trend.pmpm_prior is None or trend.pmpm_current is None:
            continue
        out[account_id] = PmpmTrend(
            trend.pmpm_prior, trend.pmpm_current, trend.utilization, trend.mix, trend.unit_cost
        )
    return out
