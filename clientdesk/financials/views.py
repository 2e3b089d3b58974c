"""Financial pages. Each view: check access, read, render (writes through actions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods

from clientdesk.accounts.access import Need, access_account_by_id
from clientdesk.audit.conflicts import conflict_context, save_or_conflict
from clientdesk.audit.updating import StaleEdit
from clientdesk.financials import actions, analysis, exports, queries
from clientdesk.financials.access import (
    can_edit_expense,
    require_edit_expense,
    require_edit_terms,
    require_margin,
)
from clientdesk.financials.adjudication import (
    IDF_SOURCE,
    IDF_SOURCE_SPONSOR,
    distribution_rows,
    price_options,
)
from clientdesk.financials.charts import bar_chart
from clientdesk.financials.contributions import DEFAULT_EMPLOYEE_PCT, RATIO_SOURCE, for_options
from clientdesk.financials.forms import (
    ContributionForm,
    OptionFormSet,
    RenewalForm,
    SegmentExpenseForm,
    TermsForm,
    initial_options,
)
from clientdesk.financials.models import PnlMonth, SegmentExpense
from clientdesk.financials.renewal import TREND_SOURCE, Projection, scenarios
from clientdesk.lake.gateway import LakeError
from clientdesk.lib.downloads import file_download

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def ibnr(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account's latest IBNR estimate: the lag triangle (cumulative paid), the factors,
    the method and each incurred month (stored with the estimate)."""
    account = access_account_by_id(request.user, account_id)
    estimate = queries.latest_estimate(account)
    book = queries.book_estimate()
    triangle = _triangle(estimate.detail) if estimate else None
    detail = estimate.detail if estimate else {}
    return render(
        request,
        "financials/ibnr.html",
        {
            "account": account,
            "estimate": estimate,
            "book": book,
            "triangle": triangle,
            "reported": detail.get("basis") == "reported",
            "in_process": sum(p.get("inventory", 0.0) for p in detail.get("periods", [])),
            "range": detail.get("range"),
        },
    )


def _triangle(detail: dict[str, Any]) -> dict[str, Any]:
    """Completion by lag of each incurred month, and its paid and ultimate, as rows."""
    periods = detail.get("periods", [])
    factors = detail.get("factors", [])
    sds = detail.get("sd_by_period") or {}
    lags = min(len(factors), 13)
    return {
        "lags": list(range(lags)),
        "factors": factors[:lags],
        "rows": [
            {
                **p,
                "sd": sds.get(p["incurred_period"]),
                "cells": [
                    (f["completion"] if f["lag"] <= p["age"] else None) for f in factors[:lags]
                ],
            }
            for p in periods
        ],
    }


def _renewal(
    request: HttpRequest, account_id: int
) -> tuple[Any, RenewalForm, list[Projection], str]:
    account = access_account_by_id(request.user, account_id)
    require_margin(request.user)
    # The margin field shows what is applied when left as it is (none for a self-funded
    # sponsor), so the page never shows one margin and computes with another.
    form = RenewalForm(
        request.GET or None,
        initial={"target_margin_pct": analysis.account_target_margin(account)},
    )
    projections: list[Projection] = []
    error = ""
    if not request.GET or form.is_valid():
        overrides = form.overrides() if request.GET else {}
        try:
            experience, base, charges = analysis.renewal_inputs(request.user, account, **overrides)
            projections = scenarios(experience, base, charges)
        except (analysis.NoExperience, ValueError, LakeError) as exc:
            error = str(exc)
    return account, form, projections, error


@login_required
@require_GET
def renewal(request: HttpRequest, account_id: int) -> HttpResponse:
    account, form, projections, error = _renewal(request, account_id)
    rows = []
    if projections:
        for i, step in enumerate(projections[0].steps):
            rows.append(
                {
                    "step": step,
                    "values": [p.steps[i] if i < len(p.steps) else None for p in projections],
                }
            )
    return render(
        request,
        "financials/renewal.html",
        {
            "account": account,
            "form": form,
            "projections": projections,
            "rows": rows,
            "error": error,
            "trend_source": TREND_SOURCE,
            "query": request.GET.urlencode(),
        },
        status=200 if not form.errors else 422,
    )


@login_required
@require_GET
def renewal_export(request: HttpRequest, account_id: int) -> HttpResponse:
    account, _, projections, error = _renewal(request, account_id)
    if not projections:
        raise Http404(error or "No projection.")
    content = exports.renewal_xlsx(account, projections)
    actions.do_record_export(
        account,
        acting_user=request.user,
        what="renewal",
        fmt="xlsx",
        rows=len(projections[0].steps),
    )
    return file_download(
        content, filename=f"renewal-{account.group_number}.xlsx", content_type=XLSX
    )


@dataclass
class OptionsPage:
    account: Any
    formset: Any
    contribution_form: ContributionForm
    results: list[Any] = field(default_factory=list)
    shares: list[Any] = field(default_factory=list)  # per option, its TierLines
    error: str = ""
    period: str = ""


def _options(request: HttpRequest, account_id: int) -> OptionsPage:
    account = access_account_by_id(request.user, account_id)
    require_margin(request.user)
    data = request.POST if request.method == "POST" else None
    page = OptionsPage(
        account,
        OptionFormSet(data, initial=initial_options(), prefix="option"),
        ContributionForm(data, initial=DEFAULT_EMPLOYEE_PCT, prefix="contrib"),
    )
    if data is not None and page.formset.is_valid() and page.contribution_form.is_valid():
        designs = [f.design for f in page.formset.forms if hasattr(f, "design")]
        try:
            claims, member_months, members, page.period = analysis.option_claims(
                request.user, account
            )
            page.results = price_options(claims, designs, member_months, members)
            page.shares = for_options(
                [r.plan_pmpm for r in page.results],
                member_months / max(1, len(analysis.experience_window(account).rows)),
                analysis.coverage_tiers(request.user, account),
                page.contribution_form.strategy(),
            )
        except (analysis.NoExperience, ValueError, LakeError) as exc:
            page.error = str(exc)
    return page


PLAN_FACTOR_RANGE = (0.5, 1.5)  # RenewalForm.plan_factor's bounds


def plan_factors(results: list[Any]) -> list[dict[str, Any]]:
    """Each option after the first as the renewal's plan-design factor: its plan paid PMPM
    (induced utilization included) over the current plan's; None outside the renewal's
    range (or when the current plan pays nothing)."""
    if len(results) < 2 or results[0].plan_pmpm <= 0:
        return []
    out = []
    for r in results[1:]:
        factor = round(r.plan_pmpm / results[0].plan_pmpm, 4)
        low, high = PLAN_FACTOR_RANGE
        out.append({"name": r.design.name, "factor": factor if low <= factor <= high else None})
    return out


def contribution_rows(results: list[Any], shares: list[Any]) -> list[dict[str, Any]]:
    """One row per coverage tier: subscribers, then per option the monthly rate and what the
    employee and the employer pay a month."""
    if not results or len(shares) != len(results):
        return []
    return [
        {
            "label": lines[0].label,
            "subscribers": lines[0].subscribers,
            "cells": [(line.rate, line.employee, line.employer) for line in lines],
        }
        for lines in zip(*shares, strict=True)
    ] + [
        {
            "label": "Employees in a year (all tiers)",
            "subscribers": sum(line.subscribers for line in shares[0]),
            "cells": [(None, sum(line.employee_year for line in s), None) for s in shares],
        }
    ]


@login_required
@require_http_methods(["GET", "POST"])
def options(request: HttpRequest, account_id: int) -> HttpResponse:
    """Plan options for a self-funded sponsor: define up to five designs (the first is the
    current plan), price them on the account's own claims, compare and download."""
    page = _options(request, account_id)
    account, formset, results, error, period = (
        page.account,
        page.formset,
        page.results,
        page.error,
        page.period,
    )
    shares = contribution_rows(results, page.shares)
    fmt = request.POST.get("download", "") if request.method == "POST" else ""
    if results and fmt in ("xlsx", "pdf"):
        actions.do_record_export(
            account, acting_user=request.user, what="plan options", fmt=fmt, rows=len(results)
        )
        if fmt == "xlsx":
            return file_download(
                exports.options_xlsx(account, period, results, page.shares),
                filename=f"plan-options-{account.group_number}.xlsx",
                content_type=XLSX,
            )
        html = render_to_string(
            "financials/options_pdf.html",
            {
                "account": account,
                "results": results,
                "period": period,
                "idf_source": IDF_SOURCE_SPONSOR,
                "distribution": distribution_rows(results),
                "shares": shares,
                "ratio_source": RATIO_SOURCE,
            },
        )
        from weasyprint import HTML  # loaded only when a PDF is asked for

        pdf: bytes = HTML(string=html, base_url=None).write_pdf()
        return file_download(
            pdf, filename=f"plan-options-{account.group_number}.pdf", content_type="application/pdf"
        )
    invalid = not (formset.is_valid() and page.contribution_form.is_valid())
    status = 422 if request.method == "POST" and invalid else 200
    return render(
        request,
        "financials/options.html",
        {
            "account": account,
            "formset": formset,
            "results": results,
            "error": error,
            "period": period,
            "idf_source": IDF_SOURCE,
            "contribution_form": page.contribution_form,
            "plan_factors": plan_factors(results),
            "shares": shares,
            "ratio_source": RATIO_SOURCE,
            "distribution": distribution_rows(results),
            "oop_chart": bar_chart(
                [
                    (row["band"], float(row["counts"][0] or 0), float(row["counts"][1] or 0))
                    for row in distribution_rows(results)
                ],
                (results[0].design.name, results[1].design.name),
                grouped=True,
            )
            if len(results) >= 2
            else None,
        },
        status=status,
    )


@login_required
@require_GET
def account_export(request: HttpRequest, account_id: int, fmt: str) -> HttpResponse:
    account = access_account_by_id(request.user, account_id)
    require_margin(request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Not a format.")
    rows = list(
        PnlMonth.objects.filter(account=account).select_related("account").order_by("month")
    )
    actions.do_record_export(account, acting_user=request.user, what="pnl", fmt=fmt, rows=len(rows))
    name = f"pnl-{account.group_number}.{fmt}"
    if fmt == "csv":
        return file_download(exports.pnl_csv(rows), filename=name, content_type="text/csv")
    return file_download(exports.pnl_xlsx(rows, [account]), filename=name, content_type=XLSX)


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    """Margin by account, segment, funding and associate; the accounts losing money and why."""
    require_margin(request.user)
    rows = queries.portfolio(request.user)
    total = queries.Totals("Portfolio")
    for r in rows:
        for name in (
            "member_months",
            "revenue",
            "costs",
            "margin",
            "paid_claims",
            "ibnr",
            "premium",
        ):
            setattr(total, name, getattr(total, name) + getattr(r.totals, name))
    return render(
        request,
        "financials/portfolio.html",
        {
            "rows": rows,
            "losing": [r for r in rows if r.totals.margin < 0],
            "total": total,
            "by_segment": queries.breakdown(rows, "segment"),
            "by_funding": queries.breakdown(rows, "funding"),
            "by_associate": queries.breakdown(rows, "associate"),
            "book": queries.book_estimate(),
            "can_edit_expense": can_edit_expense(request.user),
        },
    )


@login_required
@require_GET
def portfolio_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_margin(request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Not a format.")
    visible = [r.account for r in queries.portfolio(request.user)]
    rows = list(
        PnlMonth.objects.filter(account__in=visible)
        .select_related("account")
        .order_by("account__group_number", "month")
    )
    actions.do_record_export(
        None, acting_user=request.user, what="portfolio pnl", fmt=fmt, rows=len(rows)
    )
    if fmt == "csv":
        return file_download(
            exports.pnl_csv(rows), filename="pnl-portfolio.csv", content_type="text/csv"
        )
    return file_download(
        exports.pnl_xlsx(rows, visible), filename="pnl-portfolio.xlsx", content_type=XLSX
    )


@login_required
@require_http_methods(["GET", "POST"])
def terms(request: HttpRequest, account_id: int) -> HttpResponse:
    """An account's financial terms (managers, admins); every change audited."""
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    require_edit_terms(request.user)
    current = queries.terms_of(account)
    form = TermsForm(request.POST or None, instance=current)
    # Terms never saved have no stored version yet: nothing to be stale against.
    context: dict[str, Any] = {
        "account": account,
        "form": form,
        "edit_version": current.version if current.pk else None,
    }
    if request.method == "POST" and form.is_valid():
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_update_terms(
                account,
                {k: form.cleaned_data[k] for k in form.fields},
                acting_user=request.user,
                expected_version=version,
            ),
            template="financials/terms.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Financial terms saved. The next P&L run uses them.")
        return redirect("accounts:tab", account_id=account.pk, tab="financials")
    status = 422 if request.method == "POST" else 200
    return render(request, "financials/terms.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def expense(request: HttpRequest) -> HttpResponse:
    """Administrative expense allocated per segment (admins); every change audited."""
    require_edit_expense(request.user)
    form = SegmentExpenseForm(request.POST or None)
    rows = list(SegmentExpense.objects.all())
    # The page lists every segment's row with its version; the form posts the versions it
    # showed (`version_<segment>`), and the save checks the chosen segment's.
    context: dict[str, Any] = {"form": form, "rows": rows}
    if request.method == "POST":
        segment = request.POST.get("segment", "")
        existing = SegmentExpense.objects.filter(segment=segment).first()
        form = SegmentExpenseForm(request.POST, instance=existing)
        context["form"] = form
        if form.is_valid():
            raw = request.POST.get(f"version_{segment}", "").strip()
            shown = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 12 else None
            try:
                actions.do_update_segment_expense(
                    form.cleaned_data["segment"],
                    {k: form.cleaned_data[k] for k in ("admin_pmpm", "admin_pepm")},
                    acting_user=request.user,
                    expected_version=shown if raw else None,
                )
            except StaleEdit as stale:
                context.update(conflict_context(stale, form))
                context["rows"] = list(SegmentExpense.objects.all())
                return render(request, "financials/expense.html", context, status=409)
            messages.success(request, "Segment expense saved. The next P&L run uses it.")
            return redirect("financials:expense")
    status = 422 if request.method == "POST" else 200
    return render(request, "financials/expense.html", context, status=status)
