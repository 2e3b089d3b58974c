"""The audit trail, per account and per user, for Managers and Admins."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from clientdesk.accounts.access import access_account_by_id
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.reading import with_changes
from clientdesk.people.roles import require_audit_reader


def _page(request: HttpRequest, events: QuerySet[AuditEvent]) -> Page[AuditEvent]:
    """One page of rows, newest first, each with its changes in words."""
    page: Page[AuditEvent] = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = with_changes(page.object_list)
    return page


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    require_audit_reader(request.user)
    events = AuditEvent.objects.select_related("account")
    kind = request.GET.get("kind")
    if kind in AuditEvent.Kind.values:
        events = events.filter(kind=kind)
    users = User.objects.filter(is_active=True).order_by("last_name", "username")
    context = {
        "page": _page(request, events),
        "title": "Audit trail",
        "users": users,
        "kinds": AuditEvent.Kind.choices,
        "kind": kind,
    }
    return render(request, "audit/audit_list.html", context)


@login_required
@require_GET
def audit_for_account(request: HttpRequest, account_id: int) -> HttpResponse:
    require_audit_reader(request.user)
    account = access_account_by_id(request.user, account_id)
    events = AuditEvent.objects.filter(account=account).select_related("account")
    context = {
        "page": _page(request, events),
        "title": f"Audit trail · {account.name}",
        "account": account,
    }
    return render(request, "audit/audit_list.html", context)


@login_required
@require_GET
def audit_for_user(request: HttpRequest, user_id: int) -> HttpResponse:
    require_audit_reader(request.user)
    subject = get_object_or_404(User, pk=user_id)
    events = AuditEvent.objects.filter(actor=subject).select_related("account")
    context = {
        "page": _page(request, events),
        "title": f"Audit trail · {subject.get_full_name() or subject.username}",
        "subject": subject,
    }
    return render(request, "audit/audit_list.html", context)
