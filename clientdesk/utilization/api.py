"""Utilization API: an account's report, the lines behind a category, the book overview.

Same scope rules as the pages: the account must be visible to the caller (404 otherwise);
the book is for managers, executives and admins (403 otherwise). Member data never leaves
through the API: claimants and lines carry pseudonyms only.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from clientdesk.accounts.access import access_account_by_id
from clientdesk.lib.api_errors import form_errors
from clientdesk.lib.api_types import MAX_OFFSET, PeriodCode, RecordId
from clientdesk.people.requests import signed_in_user
from clientdesk.utilization.access import require_book, require_claim_lines
from clientdesk.utilization.actions import do_record_member_data_view
from clientdesk.utilization.analysis import Request, account_report, book_overview
from clientdesk.utilization.forms import UtilizationForm, default_period
from clientdesk.utilization.queries import category_lines
from clientdesk.utilization.report import jsonable

router = Router(tags=["utilization"])


# Claim lines are PHI: a page holds at most this many (the page's own size is 100).
MAX_LINES_PER_PAGE = 200


class PeriodQuery(Schema):
    period: PeriodCode | None = None
    threshold: int | None = Field(
        None, ge=1000, le=10**9, description="High-cost claimant threshold in dollars."
    )


class LinesQuery(PeriodQuery):
    leaf: str = Field(max_length=40)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(100, ge=1, le=MAX_LINES_PER_PAGE, description="At most 200 lines a page.")


def _request(query: PeriodQuery) -> Request:
    form = UtilizationForm(
        {"period": query.period or default_period().code, "threshold": query.threshold or ""}
    )
    if not form.is_valid():
        raise form_errors(form, where="query")
    return form.request()


@router.get("/accounts/{account_id}")
def account_utilization(
    request: HttpRequest, account_id: RecordId, query: Query[PeriodQuery]
) -> dict[str, Any]:
    """The account's report: member months, PMPM, per 1,000, unit cost, claimants,
    conditions, pharmacy, trend, benchmarks and findings."""
    account = access_account_by_id(request.user, account_id)
    return dict(jsonable(account_report(request.user, account, _request(query))))


@router.get("/accounts/{account_id}/lines")
def account_lines(
    request: HttpRequest, account_id: RecordId, query: Query[LinesQuery]
) -> dict[str, Any]:
    """The final-action lines behind a category (`leaf`, or `pharmacy`), pseudonymised."""
    account = access_account_by_id(request.user, account_id)
    require_claim_lines(request.user)
    period = _request(query)
    try:
        page = category_lines(
            request.user,
            account,
            period,
            query.leaf,
            offset=query.offset,
            limit=min(query.limit, MAX_LINES_PER_PAGE),
        )
    except KeyError:
        raise Http404("No such category.") from None
    do_record_member_data_view(
        account,
        acting_user=signed_in_user(request),
        what="claim_lines_masked",
        detail={
            "category": query.leaf,
            "period": period.current.code,
            "offset": page.offset,
            "lines": len(page.rows),
            "via": "api",
        },
    )
    return dict(
        jsonable(
            {
                "leaf": page.leaf,
                "label": page.label,
                "lines": page.lines,
                "paid": page.paid,
                "allowed": page.allowed,
                "offset": page.offset,
                "limit": page.limit,
                "rows": page.rows,
            }
        )
    )


@router.get("/book")
def book(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    """Every account's headline figures and findings, and the book's report."""
    require_book(request.user)
    overview = book_overview(request.user, _request(query))
    return dict(jsonable(overview))
