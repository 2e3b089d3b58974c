"""What the account book shows on its own page: the Overview tab (facts, contracts, team,
contacts, divisions) and the Timeline tab (logged activity), registered in apps.py beside the
other apps' tabs."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from django.utils import timezone

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.forms import ActivityForm
from clientdesk.accounts.models import Account, ActivityKind, Contact
from clientdesk.lib.panels import Panel

TIMELINE_LENGTH = 50


def overview_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """Size and dates, facts, the contracts (today's marked current), the account team, the
    contacts and the divisions or locals under the account."""
    today = timezone.localdate(now)
    contracts = list(account.contracts.all())
    # Only the related accounts the reader may open are named (and linked).
    visible = accounts_visible_to(user)
    parent = visible.filter(pk=account.parent_id).first() if account.parent_id else None
    return Panel(
        "accounts/_overview.html",
        {
            "team": account.assignments.select_related("user").order_by("role", "user__last_name"),
            "contracts": contracts,
            "current_contract": next(
                (c for c in contracts if c.start_date <= today <= c.end_date), None
            ),
            "contacts": account.contacts.all(),
            "children": visible.filter(parent=account).order_by("name"),
            "parent": parent,
        },
    )


# What the system does on its own (data loads, imports, nightly jobs) is kept apart from the
# relationship, so a year of monthly loads does not bury the meetings and calls.
SYSTEM_KINDS = (ActivityKind.DATA_LOAD,)


def timeline_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The relationship and the work on the account (the latest fifty events people logged
    or did, newest first), the system's own events (data loads, imports, jobs) apart, and the
    form to log an activity."""
    events = account.activity.select_related("actor").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id", "name", "account_id"))
    )
    by_system = Q(kind__in=SYSTEM_KINDS) | Q(actor__isnull=True)
    return Panel(
        "accounts/_timeline.html",
        {
            "timeline": events.exclude(by_system)[:TIMELINE_LENGTH],
            "system_events": events.filter(by_system)[:TIMELINE_LENGTH],
            "activity_form": ActivityForm(),
        },
    )
