"""Financials API: the stored P&L, IBNR estimates and the portfolio; the renewal projection.

Account-scoped like the pages: the IBNR estimate (claims completed) needs the account; the
P&L, the renewal and the portfolio need a margin role (Manager, Executive, Admin)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from clientdesk.accounts.access import access_account_by_id
from clientdesk.financials import analysis, exports, queries
from clientdesk.financials.access import require_margin
from clientdesk.financials.models import PnlMonth
from clientdesk.financials.renewal import scenarios
from clientdesk.lib.api_types import RecordId

router = Router(tags=["financials"])


@router.get("/accounts/{account_id}/ibnr")
def account_ibnr(request: HttpRequest, account_id: RecordId) -> dict[str, Any]:
    """The account's latest IBNR estimate: method, factors, each incurred month."""
    account = access_account_by_id(request.user, account_id)
    estimate = queries.latest_estimate(account)
    if estimate is None:
        return {"account_id": account.pk, "estimate": None}
    return {
        "account_id": account.pk,
        "as_of": estimate.as_of.isoformat(),
        "computed_at": estimate.computed_at.isoformat(),
        "estimate": estimate.detail,
    }


@router.get("/accounts/{account_id}/pnl")
def account_pnl(request: HttpRequest, account_id: RecordId) -> dict[str, Any]:
    """One row per account-month, in the actuary's columns (exports.PNL_COLUMNS)."""
    account = access_account_by_id(request.user, account_id)
    require_margin(request.user)
    rows = list(
        PnlMonth.objects.filter(account=account).select_related("account").order_by("month")
    )
    return {
        "account_id": account.pk,
        "columns": exports.PNL_COLUMNS,
        "rows": [[_plain(v) for v in r] for r in exports.pnl_records(rows)],
    }


class RenewalQuery(Schema):
    pooling_point: float | None = None
    utilization_trend: float | None = None
    unit_cost_trend: float | None = None
    plan_factor: float | None = None
    manual_pmpm: float | None = None
    target_margin_pct: float | None = None


@router.get("/accounts/{account_id}/renewal", response={200: dict[str, Any], 422: dict[str, Any]})
def account_renewal(
    request: HttpRequest, account_id: RecordId, query: Query[RenewalQuery]
) -> Status[dict[str, Any]]:
    """The renewal projection, every step, base and scenarios."""
    account = access_account_by_id(request.user, account_id)
    require_margin(request.user)
    overrides = {k: v for k, v in query.dict().items() if v is not None}
    try:
        experience, base, charges = analysis.renewal_inputs(request.user, account, **overrides)
        projections = scenarios(experience, base, charges)
    except ValueError as error:
        return Status(
            422, {"detail": [{"loc": ["query"], "msg": str(error), "type": "value_error"}]}
        )
    return Status(200, {"account_id": account.pk, "scenarios": [p.as_dict() for p in projections]})


@router.get("/portfolio")
def portfolio(request: HttpRequest) -> dict[str, Any]:
    """Every visible account's last 12 months: revenue, costs, margin, why it loses money."""
    require_margin(request.user)
    return {
        "accounts": [
            {
                "account_id": r.account.pk,
                "group_number": r.account.group_number,
                "funding": r.account.funding,
                "segment": r.account.segment,
                "member_months": r.totals.member_months,
                "revenue": str(r.totals.revenue),
                "costs": str(r.totals.costs),
                "margin": str(r.totals.margin),
                "margin_pct": r.totals.margin_pct,
                "loss_ratio_pct": r.totals.loss_ratio,
                "why_losing": r.why,
            }
            for r in queries.portfolio(request.user)
        ]
    }


def _plain(value: Any) -> Any:
    return str(value) if hasattr(value, "as_tuple") else value
