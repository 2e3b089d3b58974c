"""Emerging issues and problem pages. Each view: check access, parse, call one action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.accounts.access import access_account_by_id, accounts_visible_to
from clientdesk.audit.conflicts import conflict_rows, posted_version, save_or_conflict
from clientdesk.audit.updating import StaleEdit
from clientdesk.inquiries.queries import inquiries_visible_to
from clientdesk.insights import actions
from clientdesk.insights.access import (
    access_action_by_id,
    access_issue_by_id,
    access_problem_by_id,
    can_browse_issues,
    can_edit_problem,
    can_link_inquiries,
    can_open_problem,
    can_update_action,
    manages_problems,
)
from clientdesk.insights.charts import evidence_svg
from clientdesk.insights.families import BY_NAME
from clientdesk.insights.forms import (
    ActionForm,
    ActionStatusForm,
    DismissForm,
    IssueFilterForm,
    LinkInquiriesForm,
    ProblemForm,
)
from clientdesk.insights.guarantee_risk import describe_guarantee
from clientdesk.insights.links import (
    LinkError,
    check_inquiries,
    linked_inquiries,
    parse_references,
    problem_lake,
)
from clientdesk.insights.models import Problem
from clientdesk.insights.queries import filtered_issues, issue_stats, problem_columns
from clientdesk.people.requests import signed_in_user


def _issue_page(request: HttpRequest, account_id: int | None) -> HttpResponse:
    if not can_browse_issues(request.user):
        raise PermissionDenied("Emerging issues are for the account team.")
    account = access_account_by_id(request.user, account_id) if account_id else None
    form = IssueFilterForm(request.GET or None, accounts=accounts_visible_to(request.user))
    params = form.cleaned_data if form.is_valid() else {}
    if account is not None:
        params = {**params, "account": account, "level": "account"}
    qs = filtered_issues(request.user, params)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insights/issue_list.html",
        {
            "form": form,
            "page": page,
            "stats": issue_stats(qs),
            "account": account,
            "query": query.urlencode(),
            "families": BY_NAME,
        },
    )


@login_required
@require_GET
def issue_list(request: HttpRequest) -> HttpResponse:
    return _issue_page(request, None)


@login_required
@require_GET
def account_issues(request: HttpRequest, account_id: int) -> HttpResponse:
    return _issue_page(request, account_id)


@login_required
@require_GET
def issue_detail(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = access_issue_by_id(request.user, issue_id)
    chart = mark_safe(evidence_svg(issue.evidence, f"{issue.title}: observed vs expected"))  # noqa: S308  (built from numbers and escaped text in charts.py)
    return render(
        request,
        "insights/issue_detail.html",
        {
            "issue": issue,
            "chart": chart,
            "family": BY_NAME.get(issue.family),
            "guarantees": [
                (g, describe_guarantee(g)) for g in issue.guarantees_at_risk if isinstance(g, dict)
            ],
            "can_open_problem": can_open_problem(request.user, issue),
            "dismiss_form": DismissForm(),
        },
    )


@login_required
@require_POST
def issue_open_problem(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = access_issue_by_id(request.user, issue_id)
    if not can_open_problem(request.user, issue):
        raise PermissionDenied("You cannot open a problem on this account.")
    lake = problem_lake(request.user, issue.account_id)
    try:
        problem = actions.do_open_problem(issue, acting_user=signed_in_user(request), lake=lake)
    finally:
        if lake is not None:
            lake.close()
    messages.success(request, f"{problem.reference} opened.")
    return redirect("insights:problem_detail", problem_id=problem.pk)


@login_required
@require_POST
def issue_dismiss(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = access_issue_by_id(request.user, issue_id)
    if not can_open_problem(request.user, issue):
        raise PermissionDenied("You cannot dismiss issues on this account.")
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the issue is dismissed.")
        return redirect("insights:issue_detail", issue_id=issue.pk)
    try:
        actions.do_dismiss_issue(
            issue, form.cleaned_data["reason"], acting_user=signed_in_user(request)
        )
    except ValueError as refused:
        messages.error(request, str(refused))
        return redirect("insights:issue_detail", issue_id=issue.pk)
    messages.success(request, "Issue dismissed.")
    return redirect("insights:issue_detail", issue_id=issue.pk)


@login_required
@require_GET
def problem_board(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "insights/problem_board.html",
        {
            "columns": problem_columns(request.user),
            "manages": manages_problems(request.user),
            "can_browse_issues": can_browse_issues(request.user),
        },
    )


@login_required
@require_GET
def problem_detail(request: HttpRequest, problem_id: int) -> HttpResponse:
    return _problem_page(request, access_problem_by_id(request.user, problem_id))


def _problem_page(request: HttpRequest, problem: Problem, *, status: int = 200) -> HttpResponse:
    user = request.user
    action_rows = [
        (
            a,
            can_update_action(user, a),
            ActionStatusForm(initial={"status": a.status, "notes": a.notes}),
        )
        for a in problem.actions.select_related("owner")
    ]
    linked = list(linked_inquiries(problem).select_related("account")[:LINKS_SHOWN])
    return render(
        request,
        "insights/problem_detail.html",
        {
            "problem": problem,
            "issues": problem.issues.select_related("account"),
            "action_rows": action_rows,
            "can_edit": can_edit_problem(user, problem),
            "action_form": ActionForm(),
            "can_link": can_link_inquiries(user, problem),
            "link_form": LinkInquiriesForm(),
            "linked": linked,
            # Service operations work the problem, not the accounts: the detection evidence
            # and the inquiries are named for them, not linked to pages they cannot open.
            "can_browse_issues": can_browse_issues(user),
            "openable": set(
                inquiries_visible_to(user)
                .filter(pk__in=[q.pk for q in linked])
                .values_list("pk", flat=True)
            ),
        },
        status=status,
    )


LINKS_SHOWN = 100


@login_required
@require_POST
def problem_link_inquiries(request: HttpRequest, problem_id: int) -> HttpResponse:
    problem = access_problem_by_id(request.user, problem_id)
    if not can_link_inquiries(request.user, problem):
        raise PermissionDenied("Only the manager or the account's team links inquiries.")
    form = LinkInquiriesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the inquiry references to link.")
        return redirect("insights:problem_detail", problem_id=problem.pk)
    try:
        ids = parse_references(form.cleaned_data["references"])
        inquiries = check_inquiries(request.user, problem, ids)
    except LinkError as error:
        messages.error(request, str(error))
        return redirect("insights:problem_detail", problem_id=problem.pk)
    lake = problem_lake(request.user, problem.account_id)
    try:
        actions.do_link_inquiries(
            problem, inquiries, acting_user=signed_in_user(request), lake=lake
        )
    finally:
        if lake is not None:
            lake.close()
    noun = "inquiry" if len(inquiries) == 1 else "inquiries"
    messages.success(request, f"{len(inquiries)} {noun} linked.")
    return redirect("insights:problem_detail", problem_id=problem.pk)


@login_required
@require_POST
def problem_unlink_inquiry(request: HttpRequest, problem_id: int, inquiry_id: int) -> HttpResponse:
    problem = access_problem_by_id(request.user, problem_id)
    if not can_link_inquiries(request.user, problem):
        raise PermissionDenied("Only the manager or the account's team links inquiries.")
    inquiry = linked_inquiries(problem).filter(pk=inquiry_id).first()
    if inquiry is None:
        raise Http404("No such linked inquiry.")
    lake = problem_lake(request.user, problem.account_id)
    try:
        actions.do_unlink_inquiry(problem, inquiry, acting_user=signed_in_user(request), lake=lake)
    finally:
        if lake is not None:
            lake.close()
    messages.success(request, f"{inquiry.reference} unlinked.")
    return redirect("insights:problem_detail", problem_id=problem.pk)


@login_required
@require_http_methods(["GET", "POST"])
def problem_edit(request: HttpRequest, problem_id: int) -> HttpResponse:
    problem = access_problem_by_id(request.user, problem_id, write=True)
    form = ProblemForm(
        request.POST or None, instance=problem, can_assign=manages_problems(request.user)
    )
    context: dict[str, Any] = {"form": form, "problem": problem, "edit_version": problem.version}
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in form.fields or k == "whys"}
        changes = {k: v for k, v in changes.items() if not k.startswith("why_")}
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_update_problem(
                problem, changes, acting_user=signed_in_user(request), expected_version=version
            ),
            template="insights/problem_form.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Problem saved.")
        return redirect("insights:problem_detail", problem_id=problem.pk)
    return render(request, "insights/problem_form.html", context)


@login_required
@require_POST
def action_create(request: HttpRequest, problem_id: int) -> HttpResponse:
    problem = access_problem_by_id(request.user, problem_id, write=True)
    form = ActionForm(request.POST)
    if form.is_valid():
        actions.do_add_action(problem, form.cleaned_data, acting_user=signed_in_user(request))
        messages.success(request, "Corrective action added.")
        return redirect("insights:problem_detail", problem_id=problem.pk)
    return render(
        request, "insights/action_form.html", {"form": form, "problem": problem}, status=422
    )


@login_required
@require_POST
def action_update(request: HttpRequest, problem_id: int, action_id: int) -> HttpResponse:
    action = access_action_by_id(request.user, problem_id, action_id)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        # The row's form sends the status alone: notes not sent are kept, not emptied.
        changes = {k: v for k, v in form.cleaned_data.items() if k in request.POST}
        try:
            actions.do_update_action(
                action,
                changes,
                acting_user=signed_in_user(request),
                expected_version=posted_version(request),
            )
        except StaleEdit as stale:
            # Both versions: the stored one is on the page, the editor's in the message.
            rows = conflict_rows(stale, form)
            yours = "; ".join(f"{r.label}: {r.yours} (saved: {r.saved})" for r in rows if r.differs)
            messages.error(request, f"{stale} Yours: {yours or 'the same values'}.")
            return _problem_page(request, action.problem, status=409)
        messages.success(request, "Action updated.")
    else:
        messages.error(request, "Choose a status.")
    return redirect("insights:problem_detail", problem_id=problem_id)
