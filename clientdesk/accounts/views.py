"""Account book pages. Each view: check access, parse, call one action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.accounts import actions
from clientdesk.accounts.access import (
    Need,
    access_account_by_id,
    accounts_visible_to,
    can,
    can_create_accounts,
    can_read_audit,
)
from clientdesk.accounts.forms import (
    AccountFilterForm,
    AccountForm,
    ActivityForm,
    AssignmentForm,
    ContactForm,
    ContractForm,
)
from clientdesk.accounts.models import Assignment, Contact, Contract
from clientdesk.accounts.queries import filtered_accounts
from clientdesk.audit.conflicts import save_or_conflict
from clientdesk.lib.htmx import HtmxHttpRequest, varies_by_htmx, wants_fragment
from clientdesk.lib.panels import ACCOUNT_TABS, OVERVIEW, TIMELINE, Tab
from clientdesk.people.requests import signed_in_user


@login_required
@require_GET
def account_list(request: HtmxHttpRequest) -> HttpResponse:
    form = AccountFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    page = Paginator(filtered_accounts(request.user, params), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": can_create_accounts(request.user),
    }
    template = (
        "accounts/_account_rows.html" if wants_fragment(request) else "accounts/account_list.html"
    )
    return varies_by_htmx(render(request, template, context))


def tab_url(account_id: int, tab: Tab) -> str:
    """The tab's own address: the account's for the Overview, .../tab/<key>/ for the others."""
    if tab == OVERVIEW:
        return reverse("accounts:detail", args=[account_id])
    return reverse("accounts:tab", args=[account_id, tab.key])


def _account_page(request: HtmxHttpRequest, account_id: int, key: str) -> HttpResponse:
    """One tab of the account page: what each app registered for it (lib/panels.py), built
    only after the reader's access to the account is checked. htmx swaps in the tab alone;
    everyone else gets the whole page with that tab open."""
    account = access_account_by_id(request.user, account_id)
    tabs = ACCOUNT_TABS.tabs_for(request.user)
    tab = next((t for t in tabs if t.key == key), None)
    if tab is None:
        raise Http404("No such tab.")
    context: dict[str, Any] = {
        "account": account,
        "tab": tab,
        "tabs": [(t, tab_url(account.pk, t)) for t in tabs],
        "panels": ACCOUNT_TABS.panels(request.user, account, timezone.now(), tab),
        "can_write": can(request.user, account, Need.WRITE),
        "can_manage": can(request.user, account, Need.MANAGE),
        "can_read_audit": can_read_audit(request.user),
        # The parent sponsor is named in the crumbs only for a reader who may open it.
        "visible_parent": (
            accounts_visible_to(request.user).filter(pk=account.parent_id).first()
            if account.parent_id
            else None
        ),
    }
    template = "accounts/_tab.html" if wants_fragment(request) else "accounts/account_detail.html"
    return varies_by_htmx(render(request, template, context))


@login_required
@require_GET
def account_detail(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    return _account_page(request, account_id, OVERVIEW.key)


@login_required
@require_GET
def account_tab(request: HtmxHttpRequest, account_id: int, tab: str) -> HttpResponse:
    return _account_page(request, account_id, tab)


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    if not can_create_accounts(request.user):
        raise PermissionDenied("Only managers and admins add accounts.")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = actions.do_create_account(form.cleaned_data, acting_user=signed_in_user(request))
        messages.success(request, f"Added {account.name}.")
        return redirect("accounts:detail", account_id=account.pk)
    return render(request, "accounts/account_form.html", {"form": form, "account": None})


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = AccountForm(request.POST or None, instance=account)
    context: dict[str, Any] = {"form": form, "account": account, "edit_version": account.version}
    if request.method == "POST" and form.is_valid():
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_update_account(
                account,
                form.cleaned_data,
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            template="accounts/account_form.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Account saved.")
        return redirect("accounts:detail", account_id=account.pk)
    return render(request, "accounts/account_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_add_contact(account, form.cleaned_data, acting_user=signed_in_user(request))
        messages.success(request, "Contact added.")
        return redirect("accounts:detail", account_id=account.pk)
    return render(
        request, "accounts/contact_form.html", {"form": form, "account": account, "contact": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, account_id: int, contact_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    contact = get_object_or_404(Contact, pk=contact_id, account=account)
    form = ContactForm(request.POST or None, instance=contact)
    context: dict[str, Any] = {
        "form": form,
        "account": account,
        "contact": contact,
        "edit_version": contact.version,
    }
    if request.method == "POST" and form.is_valid():
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_update_contact(
                contact,
                form.cleaned_data,
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            template="accounts/contact_form.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Contact saved.")
        return redirect("accounts:detail", account_id=account.pk)
    return render(request, "accounts/contact_form.html", context)


@login_required
@require_POST
def contact_delete(request: HttpRequest, account_id: int, contact_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    contact = get_object_or_404(Contact, pk=contact_id, account=account)
    actions.do_remove_contact(contact, acting_user=signed_in_user(request))
    messages.success(request, f"Removed {contact.name}.")
    return redirect("accounts:detail", account_id=account.pk)


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = ContractForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        actions.do_create_contract(account, form.cleaned_data, acting_user=signed_in_user(request))
        messages.success(request, "Contract added.")
        return redirect("accounts:detail", account_id=account.pk)
    return render(
        request,
        "accounts/contract_form.html",
        {"form": form, "account": account, "contract": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, account_id: int, contract_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    contract = get_object_or_404(Contract, pk=contract_id, account=account)
    form = ContractForm(request.POST or None, instance=contract, account=account)
    context: dict[str, Any] = {
        "form": form,
        "account": account,
        "contract": contract,
        "edit_version": contract.version,
    }
    if request.method == "POST" and form.is_valid():
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_update_contract(
                contract,
                form.cleaned_data,
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            template="accounts/contract_form.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Contract saved.")
        return redirect("accounts:detail", account_id=account.pk)
    return render(request, "accounts/contract_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_assign(
            account,
            form.cleaned_data["user"],
            form.cleaned_data["role"],
            acting_user=signed_in_user(request),
        )
        messages.success(request, "Team updated.")
        return redirect("accounts:team", account_id=account.pk)
    team = account.assignments.select_related("user")
    return render(
        request, "accounts/team_form.html", {"form": form, "account": account, "team": team}
    )


@login_required
@require_POST
def team_remove(request: HttpRequest, account_id: int, assignment_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    assignment = get_object_or_404(Assignment, pk=assignment_id, account=account)
    actions.do_unassign(assignment, acting_user=signed_in_user(request))
    messages.success(request, f"{assignment.user.get_full_name()} left the account team.")
    return redirect("accounts:team", account_id=account.pk)


@login_required
@require_POST
def activity_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = ActivityForm(request.POST)
    if form.is_valid():
        actions.do_log_activity(
            account,
            kind=form.cleaned_data["kind"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            occurred_at=form.cleaned_data["occurred_at"],
            acting_user=signed_in_user(request),
        )
        messages.success(request, "Logged.")
        return redirect("accounts:tab", account_id=account.pk, tab=TIMELINE.key)
    return render(
        request, "accounts/activity_form.html", {"form": form, "account": account}, status=422
    )
