"""What an issue touched: inquiries, claims, members and dollars, read from the lake.

Each function is an Ibis expression over lake tables for one issue's series and dates; the
`issue_impact` wrapper runs the right one and returns plain numbers.

Dollars: billed charges of denied claims (denials), paid amount of pended claims (payments
held up), dollars overpaid found by the audit (audit overpayments), billed charges of the
claims the inquiries are about (inquiries)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from clientdesk.insights.families import BY_NAME
from clientdesk.insights.series import local_days
from clientdesk.lake.gateway import Lake

MAX_LINKED_INQUIRIES = 50


def _scoped(table: ir.Table, account_ids: list[int] | None) -> ir.Table:
    return table if account_ids is None else table.filter(table.account_id.isin(account_ids))


def issue_claims(
    processing: ir.Table, family: str, dims: dict[str, str], first: dt.date, last: dt.date
) -> ir.Table:
    """The claims behind a claim-side issue.

    Grain: one row per claim_id. Columns: claim_id, member_id, dollars."""
    t = processing.filter(processing.adjustment_type == "original")
    if family in ("denials", "denial_details"):
        t = t.filter(t.status == "denied", t.finalized_date.between(first, last))
        for column in ("carc", "billing_npi", "hcpcs_code"):
            if column in dims:
                t = t.filter(t[column] == dims[column])
        return t.select("claim_id", "member_id", dollars=t.charge_amount)
    if family == "claim_pends":
        t = t.filter(t.pend_reason == dims["pend_reason"], t.received_date.between(first, last))
        return t.select("claim_id", "member_id", dollars=t.paid_amount)
    t = t.filter(t.audit_finding == "overpayment", t.finalized_date.between(first, last))
    return t.select("claim_id", "member_id", dollars=t.audit_error_amount.abs())


def issue_inquiries(
    inquiries: ir.Table, zones: ir.Table, category: str | None, first: dt.date, last: dt.date
) -> ir.Table:
    """Inquiries of a category (or of any category) opened between first and last (account-
    local days, as the series count them).

    Grain: one row per external_id. Columns: external_id, member_id, claim_id."""
    t = local_days(inquiries, "opened_at", zones, first, last)
    if category is not None:
        t = t.filter(t.category == category)
    return t.select("external_id", "member_id", "claim_id")


def issue_impact(
    lake: Lake,
    zones: ir.Table,
    family: str,
    account_ids: list[int] | None,
    dims: dict[str, str],
    first: dt.date,
    last: dt.date,
) -> dict[str, Any]:
    """Counts and dollars an issue affected (account_ids None: the whole book); calls, IVR
    sessions and inquiries by the account-local day of `zones` (`series.zone_rows`)."""
    feed = BY_NAME[family].feed
    out: dict[str, Any] = {
        "members": 0,
        "claims": 0,
        "dollars": "0.00",
        "inquiries": 0,
        "calls": 0,
        "sessions": 0,
        "inquiry_ids": [],
    }
    processing = _scoped(lake.claim_processing, account_ids)
    inquiries = _scoped(lake.inquiry_import, account_ids)
    if feed == "claim_processing":
        claims = issue_claims(processing, family, dims, first, last)
        row = lake.execute(
            claims.aggregate(
                claims=claims.claim_id.nunique(),
                members=claims.member_id.nunique(),
                dollars=claims.dollars.sum(),
            )
        ).iloc[0]
        linked = inquiries.filter(inquiries.opened_at.date() >= first).semi_join(
            claims.select("claim_id"), "claim_id"
        )
        ids = lake.execute(
            linked.select("external_id").order_by("external_id").limit(MAX_LINKED_INQUIRIES)
        )["external_id"].tolist()
        out.update(
            claims=int(row["claims"]),
            members=int(row["members"]),
            dollars=_money(row["dollars"]),
            inquiries=int(lake.execute(linked.count())),
            inquiry_ids=ids,
        )
    elif feed == "inquiry_import":
        picked = issue_inquiries(inquiries, zones, dims.get("category"), first, last)
        row = lake.execute(
            picked.aggregate(
                inquiries=picked.external_id.nunique(),
                members=picked.member_id.nunique(),
                claims=picked.claim_id.nunique(),
            )
        ).iloc[0]
        joined = picked.filter(picked.claim_id.notnull()).select("claim_id").distinct()
        charged = processing.semi_join(joined, "claim_id")
        dollars = lake.execute(charged.charge_amount.sum())
        ids = lake.execute(
            picked.select("external_id").order_by("external_id").limit(MAX_LINKED_INQUIRIES)
        )["external_id"].tolist()
        out.update(
            inquiries=int(row["inquiries"]),
            members=int(row["members"]),
            claims=int(row["claims"]),
            dollars=_money(dollars),
            inquiry_ids=ids,
        )
        if family == "inquiry_themes":
            out["inquiries"] = 0  # the theme's own count is the series' observed total
    elif feed == "survey_response":
        pass  # the detractors are the series' own count: no member, claim or dollar behind them
    elif feed == "call_record":
        calls = _scoped(lake.call_record, account_ids)
        t = local_days(calls, "offered_at", zones, first, last)
        if "queue" in dims:
            t = t.filter(t.queue == dims["queue"])
        if family == "call_abandons":
            t = t.filter(t.abandoned)
        out["calls"] = int(lake.execute(t.count()))
    else:
        sessions = _scoped(lake.ivr_session, account_ids)
        t = local_days(sessions, "started_at", zones, first, last)
        t = (
            t.filter(t.opted_out)
            if family == "ivr_opt_outs"
            else t.filter(t.outcome == "abandoned")
        )
        out["sessions"] = int(lake.execute(t.count()))
    return out


def _money(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "0.00"
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


__all__ = ["ibis", "issue_claims", "issue_impact", "issue_inquiries"]
