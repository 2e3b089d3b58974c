"""Report pages: ask for a report, watch it run (htmx polls), download the files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clientdesk.accounts.access import access_account_by_id
from clientdesk.accounts.models import Account
from clientdesk.reports import actions
from clientdesk.reports.access import (
    access_run_by_id,
    access_schedule_by_id,
    can_schedule,
    require_portfolio,
    require_schedule,
    runs_visible_to,
    schedules_visible_to,
)
from clientdesk.reports.forms import (
    ReportForm,
    ScheduleForm,
    default_report_period,
    this_quarter_end,
)
from clientdesk.reports.models import CONTENT_TYPES, ReportKind
from clientdesk.reports.tasks import enqueue_run

RECENT_RUNS = 15


def _request_run(
    request: HttpRequest, kind: str, account: Account | None, form: ReportForm
) -> HttpResponse:
    run = actions.do_request_report(
        kind,
        account=account,
        period=form.cleaned_data["period"],
        formats=form.cleaned_data["formats"],
        acting_user=request.user,  # type: ignore[arg-type]
        enqueue=enqueue_run,
        edition=form.cleaned_data["edition"],
    )
    return redirect("reports:run", run_id=run.pk)


def _initial() -> dict[str, Any]:
    period = default_report_period()
    return {
        "period": period.code,
        "formats": ["pptx", "xlsx", "pdf"],
        # a schedule's first run: the first day of the next quarter
        "next_run_on": this_quarter_end(timezone.localdate()) + dt.timedelta(days=1),
    }


@login_required
def account_reports(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account's stewardship reports: ask for one (POST) and the runs so far."""
    account = access_account_by_id(request.user, account_id)
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            return _request_run(request, ReportKind.STEWARDSHIP, account, form)
        status = 422
    elif request.method == "GET":
        form = ReportForm(initial=_initial())
        status = 200
    else:
        return HttpResponse(status=405)
    runs = runs_visible_to(request.user).filter(account=account).select_related("requested_by")
    return render(
        request,
        "reports/account.html",
        {"account": account, "form": form, "runs": runs[:RECENT_RUNS]},
        status=status,
    )


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """The portfolio report page (managers, executives, admins) and the schedules."""
    require_portfolio(request.user)
    form = ReportForm(initial=_initial())
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            return _request_run(request, ReportKind.PORTFOLIO, None, form)
        status = 422
    elif request.method != "GET":
        return HttpResponse(status=405)
    runs = runs_visible_to(request.user).filter(kind=ReportKind.PORTFOLIO)
    context = {
        "form": form,
        "runs": runs.select_related("requested_by")[:RECENT_RUNS],
        "can_schedule": can_schedule(request.user),
        "schedules": schedules_visible_to(request.user).select_related("account", "owner"),
        "schedule_form": ScheduleForm(user=request.user, initial=_initial())
        if can_schedule(request.user)
        else None,
    }
    return render(request, "reports/portfolio.html", context, status=status)


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access_run_by_id(request.user, run_id)
    return render(request, "reports/run.html", {"run": run})


@login_required
@require_GET
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress panel alone; htmx swaps it in every second until the run is finished."""
    run = access_run_by_id(request.user, run_id)
    return render(request, "reports/_run_status.html", {"run": run})


@login_required
@require_GET
def download(request: HttpRequest, run_id: int, fmt: str) -> FileResponse:
    run = access_run_by_id(request.user, run_id)
    path = run.file_for(fmt) if fmt in CONTENT_TYPES else None
    if path is None or not path.exists():
        raise Http404("No such file.")
    actions.do_record_download(run, fmt, acting_user=request.user)  # type: ignore[arg-type]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[fmt]
    )


@login_required
@require_POST
def schedule_create(request: HttpRequest) -> HttpResponse:
    require_schedule(request.user)
    form = ScheduleForm(request.POST, user=request.user)
    if not form.is_valid():
        runs = runs_visible_to(request.user).filter(kind=ReportKind.PORTFOLIO)
        context = {
            "form": ReportForm(initial=_initial()),
            "runs": runs[:RECENT_RUNS],
            "can_schedule": True,
            "schedules": schedules_visible_to(request.user).select_related("account", "owner"),
            "schedule_form": form,
        }
        return render(request, "reports/portfolio.html", context, status=422)
    schedule = actions.do_create_schedule(form.cleaned_data, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Scheduled “{schedule.name}”; first run {schedule.next_run_on}.")
    return redirect(reverse("reports:portfolio") + "#schedules")


@login_required
@require_POST
def schedule_delete(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = access_schedule_by_id(request.user, schedule_id)
    actions.do_delete_schedule(schedule, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, "Schedule removed.")
    return redirect(reverse("reports:portfolio") + "#schedules")
