"""Account book pages. Each view: check access, parse, call one action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
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
from clientdesk.accounts.models import Account, Assignment, Contact, Contract, TeamRole
from clientdesk.accounts.queries import filtered_accounts
from clientdesk.audit.conflicts import ConflictRow, save_or_conflict
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


def _team_shown(request: HttpRequest) -> actions.TeamShown | None:
    """The team the page showed (`team_shown`: "user:role" pairs); None from a form that
    sends none."""
    if "team_shown" not in request.POST:
        return None
    pairs = set()
    for pair in request.POST["team_shown"].split(","):
        user_id, _, role = pair.partition(":")
        if user_id.isascii() and user_id.isdecimal() and len(user_id) < 12:
            pairs.add((int(user_id), role))
    return frozenset(pairs)


def _team_text(team: actions.TeamShown) -> str:
    names = {
        u.pk: u.get_full_name() or u.username
        for u in User.objects.filter(pk__in=[user_id for user_id, _ in team])
    }
    roles = dict(TeamRole.choices)
    shown = sorted(
        (role != TeamRole.LEAD, names.get(user_id, "?"), str(roles.get(role, role)))
        for user_id, role in team
    )
    return "; ".join(f"{name} ({role})" for _, name, role in shown) or "—"


def _team_page(
    request: HttpRequest,
    account: Account,
    form: AssignmentForm,
    *,
    status: int = 200,
    conflict: actions.TeamChanged | None = None,
    yours: actions.TeamShown | None = None,
) -> HttpResponse:
    team = account.assignments.select_related("user")
    context: dict[str, Any] = {
        "form": form,
        "account": account,
        "team": team,
        "team_shown": ",".join(sorted(f"{a.user_id}:{a.role}" for a in team)),
    }
    if conflict is not None:
        context["conflict_message"] = str(conflict)
        saved, mine = _team_text(conflict.saved), _team_text(yours or frozenset())
        context["conflict_rows"] = [ConflictRow("Team", saved, mine, saved != mine)]
    return render(request, "accounts/team_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        shown = _team_shown(request)
        try:
            actions.do_assign(
                account, user, role, acting_user=signed_in_user(request), expected_team=shown
            )
        except actions.TeamChanged as changed:
            mine = {(u, r) for u, r in (shown or ()) if u != user.pk} | {(user.pk, role)}
            if role == "lead":
                mine = {(u, "backup" if r == "lead" and u != user.pk else r) for u, r in mine}
            return _team_page(
                request, account, form, status=409, conflict=changed, yours=frozenset(mine)
            )
        messages.success(request, "Team updated.")
        return redirect("accounts:team", account_id=account.pk)
    return _team_page(request, account, form, status=422 if request.method == "POST" else 200)


@login_required
@require_POST
def team_remove(request: HttpRequest, account_id: int, assignment_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    assignment = get_object_or_404(Assignment, pk=assignment_id, account=account)
    shown = _team_shown(request)
    try:
        actions.do_unassign(assignment, acting_user=signed_in_user(request), expected_team=shown)
    except actions.TeamChanged as changed:
        mine = frozenset((u, r) for u, r in (shown or ()) if u != assignment.user_id)
        return _team_page(
            request, account, AssignmentForm(), status=409, conflict=changed, yours=mine
        )
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
