"""Utilization pages. Each view: check access, parse the period, read, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods

from clientdesk.accounts.access import access_account_by_id
from clientdesk.accounts.models import Account
from clientdesk.lake.gateway import LakeError
from clientdesk.lake.memo import KeyedMemo
from clientdesk.lib.downloads import file_download
from clientdesk.utilization import actions, charts, exports
from clientdesk.utilization.access import (
    can_open_member_data,
    can_read_claim_lines,
    require_book,
    require_claim_lines,
    require_member_data,
)
from clientdesk.utilization.analysis import Request, account_report, book_overview, report_key
from clientdesk.utilization.forms import UtilizationForm, default_period, quick_periods
from clientdesk.utilization.queries import (
    CLAIMANTS,
    LINE_ORDERS,
    PHARMACY,
    category_lines,
    high_cost_claimants,
)
from clientdesk.utilization.report import category_rows
from clientdesk.utilization.vega import vega_bundle

LINES_PER_PAGE = 100


def _request(request: HttpRequest) -> tuple[UtilizationForm, Request | None]:
    form = UtilizationForm(request.GET or None)
    if not request.GET:
        form = UtilizationForm({"period": default_period().code})
    if not form.is_valid():
        return form, None
    return form, form.request()


@login_required
@require_GET
def account_utilization(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id)
    form, req = _request(request)
    context: dict[str, Any] = {"account": account, "form": form, "report_html": "", "error": ""}
    if req is not None:
        context.update(period=req.current, prior_period=req.prior, quick=quick_periods(req.current))
        try:
            context["report_html"] = _report_section(request, account, req)
        except LakeError as error:
            context["error"] = str(error)
    status = 200 if req is not None else 422
    return render(request, "utilization/account.html", context, status=status)


# The report part of the page is two thirds of its CPU (a thousand template variables) and
# changes only with what it is drawn from: the lake's state, the request, the account and the
# two things the reader may be shown (claim-line links, member ids). It is kept by exactly
# those, per process, like charts' specs (charts._kept): a reader never receives a part drawn
# for another account or other rights, and a new batch or reference is a new key.
_report_sections: KeyedMemo[str] = KeyedMemo(256)


def _report_section(request: HttpRequest, account: Account, req: Request) -> str:
    state = report_key(req)
    rights = (can_open_member_data(request.user, account), can_read_claim_lines(request.user))
    key = (*state, account.pk, account.name, account.group_number, *rights)

    def draw() -> str:
        report = account_report(request.user, account, req, fingerprint=state[0])
        return render_to_string(
            "utilization/_account_report.html",
            {
                "account": account,
                "report": report,
                "query": f"period={req.current.code}&threshold={req.high_cost_threshold:.0f}",
                "category_rows": category_rows(report),
                "charts": {
                    "monthly": charts.monthly_pmpm_chart(report),
                    "categories": charts.category_chart(report),
                    "trend": charts.trend_chart(report),
                },
                "can_open_members": rights[0],
                "can_read_lines": rights[1],
            },
        )

    return _report_sections.get(key, draw)


def _lines_context(
    request: HttpRequest, account: Account, leaf: str, *, show_members: bool
) -> dict[str, Any]:
    _, req = _request(request)
    if req is None:
        raise Http404("Not a period.")
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        offset = 0
    order = request.GET.get("order", "date")
    if order not in LINE_ORDERS:
        order = "date"
    try:
        page = category_lines(
            request.user,
            account,
            req,
            leaf,
            offset=offset,
            limit=LINES_PER_PAGE,
            show_members=show_members,
            order=order,
        )
    except KeyError:
        raise Http404("No such category.") from None
    return {
        "account": account,
        "page": page,
        "period": req.current,
        "leaf": leaf,
        "pharmacy": leaf == PHARMACY,
        "show_members": show_members,
        "can_open_members": can_open_member_data(request.user, account),
        "query": f"period={req.current.code}",
        "order": order,
        "orders": LINE_ORDERS,
        "next_offset": offset + LINES_PER_PAGE if offset + LINES_PER_PAGE < page.lines else None,
        "previous_offset": max(0, offset - LINES_PER_PAGE) if offset else None,
    }


def _claimants_context(
    request: HttpRequest, account: Account, *, show_members: bool
) -> dict[str, Any]:
    _, req = _request(request)
    if req is None:
        raise Http404("Not a period.")
    return {
        "account": account,
        "claimants": high_cost_claimants(request.user, account, req, show_members=show_members),
        "threshold": req.high_cost_threshold,
        "period": req.current,
        "leaf": CLAIMANTS,
        "show_members": show_members,
        "can_open_members": can_open_member_data(request.user, account),
        "query": f"period={req.current.code}&threshold={req.high_cost_threshold:.0f}",
    }


@login_required
@require_GET
def category_lines_view(request: HttpRequest, account_id: int, leaf: str) -> HttpResponse:
    """The claim lines behind a category's number (or the members behind the high-cost
    claimant count, leaf `claimants`), member columns masked."""
    account = access_account_by_id(request.user, account_id)
    require_claim_lines(request.user)
    if leaf == CLAIMANTS:
        context = _claimants_context(request, account, show_members=False)
        return render(request, "utilization/claimants.html", context)
    context = _lines_context(request, account, leaf, show_members=False)
    # Pseudonymised lines are still PHI (claim ids, dates, diagnoses): every look is audited.
    actions.do_record_member_data_view(
        account,
        acting_user=request.user,
        what="claim_lines_masked",
        detail={
            "category": leaf,
            "period": context["period"].code,
            "offset": context["page"].offset,
            "lines": len(context["page"].rows),
        },
    )
    return render(request, "utilization/lines.html", context)


@login_required
@require_http_methods(["POST"])
def category_lines_open(request: HttpRequest, account_id: int, leaf: str) -> HttpResponse:
    """The same lines (or claimants) with member ids: account team only, and written to the
    audit log."""
    account = access_account_by_id(request.user, account_id)
    require_member_data(request.user, account)
    if leaf == CLAIMANTS:
        context = _claimants_context(request, account, show_members=True)
        actions.do_record_member_data_view(
            account,
            acting_user=request.user,
            what="high_cost_claimants",
            detail={
                "period": context["period"].code,
                "threshold": f"{context['threshold']:.0f}",
                "members": len(context["claimants"]),
            },
        )
        return render(request, "utilization/claimants.html", context)
    context = _lines_context(request, account, leaf, show_members=True)
    actions.do_record_member_data_view(
        account,
        acting_user=request.user,
        what="claim_lines",
        detail={
            "category": leaf,
            "period": context["period"].code,
            "offset": context["page"].offset,
            "lines": len(context["page"].rows),
        },
    )
    return render(request, "utilization/lines.html", context)


@login_required
@require_GET
def account_export(request: HttpRequest, account_id: int, table: str, fmt: str) -> HttpResponse:
    account = access_account_by_id(request.user, account_id)
    if table not in exports.REPORT_TABLES or fmt not in exports.FORMATS:
        raise Http404("No such table.")
    _, req = _request(request)
    if req is None:
        raise Http404("Not a period.")
    built = exports.REPORT_TABLES[table](account_report(request.user, account, req))
    content, content_type = exports.render(built, fmt)
    actions.do_record_export(
        account,
        acting_user=request.user,
        table=table,
        fmt=fmt,
        rows=len(built.rows),
        detail={"period": req.current.code},
    )
    name = f"{account.group_number}-{table}-{req.current.code}.{fmt}"
    return file_download(content, filename=name, content_type=content_type)


@login_required
@require_GET
def lines_export(request: HttpRequest, account_id: int, leaf: str, fmt: str) -> HttpResponse:
    """The masked lines of a category (all of them, up to 50,000) as CSV or XLSX."""
    account = access_account_by_id(request.user, account_id)
    require_claim_lines(request.user)
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    _, req = _request(request)
    if req is None:
        raise Http404("Not a period.")
    try:
        page = category_lines(request.user, account, req, leaf, offset=0, limit=50_000)
    except KeyError:
        raise Http404("No such category.") from None
    headers = tuple(page.rows[0]) if page.rows else ("member", "claim_id")
    table = exports.Table(
        "lines",
        f"Claim lines: {page.label}",
        headers,
        [tuple(r.values()) for r in page.rows],
        ("text",) * len(headers),
    )
    content, content_type = exports.render(table, fmt)
    actions.do_record_export(
        account,
        acting_user=request.user,
        table=f"lines:{leaf}",
        fmt=fmt,
        rows=len(page.rows),
        detail={"period": req.current.code, "member_data": "pseudonymised"},
    )
    return file_download(
        content, filename=f"{account.group_number}-{leaf}-lines.{fmt}", content_type=content_type
    )


@login_required
@require_GET
def book(request: HttpRequest) -> HttpResponse:
    """Every account's figures against the book: managers, executives and admins."""
    require_book(request.user)
    form, req = _request(request)
    context: dict[str, Any] = {"form": form, "overview": None, "error": ""}
    if req is not None:
        try:
            overview = book_overview(request.user, req)
        except LakeError as error:
            context["error"] = str(error)
        else:
            context.update(
                overview=overview,
                period=req.current,
                quick=quick_periods(req.current),
                query=f"period={req.current.code}",
                chart=charts.book_chart(overview.accounts),
            )
    return render(request, "utilization/book.html", context, status=200 if req else 422)


@login_required
@require_GET
def book_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_book(request.user)
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    _, req = _request(request)
    if req is None:
        raise Http404("Not a period.")
    overview = book_overview(request.user, req)
    table = exports.Table(
        "accounts",
        "Accounts",
        (
            "account",
            "group",
            "member months",
            "paid PMPM",
            "allowed PMPM",
            "PMPM change %",
            "admits per 1,000",
            "ED visits per 1,000",
            "GDR %",
            "high-cost claimants",
            "findings",
        ),
        [
            (
                r.name,
                r.group_number,
                r.member_months,
                r.paid_pmpm,
                r.allowed_pmpm,
                r.paid_pmpm_change_pct,
                r.admits_per_1000,
                r.ed_visits_per_1000,
                r.generic_dispensing_rate,
                r.high_cost_claimants,
                len(r.findings),
            )
            for r in overview.accounts
        ],
        (
            *("text", "text", "int", "money", "money", "change_pct"),
            *("decimal", "decimal", "pct", "int", "int"),
        ),
    )
    content, content_type = exports.render(table, fmt)
    actions.do_record_export(
        None,
        acting_user=request.user,
        table="book",
        fmt=fmt,
        rows=len(table.rows),
        detail={"period": req.current.code},
    )
    return file_download(
        content, filename=f"book-{req.current.code}.{fmt}", content_type=content_type
    )


@login_required
@require_GET
def vega_js(request: HttpRequest) -> FileResponse:
    """The Vega bundle, from our own origin (generated once from vl-convert-python)."""
    response = FileResponse(vega_bundle().open("rb"), content_type="text/javascript")
    response["Cache-Control"] = "private, max-age=86400"
    return response
