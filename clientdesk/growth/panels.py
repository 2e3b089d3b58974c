"""What growth shows elsewhere: the account's Growth tab, the sales owner's leads on the home
page, and the call to action a vendor contract's renewal raises (lib/calls.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.growth.access import can_work_rfps, is_sales, leads_visible_to, rfps_visible_to
from clientdesk.growth.forms import OpportunityForm
from clientdesk.growth.models import LeadStatus, RfpQuestion, VendorContract
from clientdesk.growth.queries import (
    CELL_LABELS,
    account_opportunities,
    account_vendor_contracts,
    holding_versions,
    latest_savings_checks,
    open_suggestions,
    whitespace,
)
from clientdesk.lib.calls import CALL_RULES, CallRule, Cause, Urgency
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkItem, WorkList

VENDOR_RENEWAL_NOTICE_DAYS = 120
"""A vendor contract ending within this many days raises a call to renegotiate."""


def growth_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Growth tab: whitespace, suggestions with their evidence, opportunities, and the
    vendor contracts negotiated for the account with their savings."""
    today = timezone.localdate(now)
    products, cells = whitespace([account], today)
    row = cells[account.pk]
    vendor_contracts = account_vendor_contracts(account)
    checks = latest_savings_checks([c for c, _ in vendor_contracts])
    measured = [check for check in checks.values() if check.measured_total is not None]
    return Panel(
        "growth/_account_section.html",
        {
            "whitespace": [(p, row[p.pk], CELL_LABELS[row[p.pk]]) for p in products],
            # The version of each product's holding the form offers (0: none recorded).
            "holding_versions": holding_versions(account, products),
            "suggestions": open_suggestions(account),
            "opportunities": account_opportunities(account),
            "vendor_contracts": [(c, s, checks.get(c.pk)) for c, s in vendor_contracts],
            "vendor_savings": sum((s.total for _, s in vendor_contracts), Decimal("0")),
            "any_claim": any(c.claimed_savings_pmpm is not None for c, _ in vendor_contracts),
            "measured_savings": sum(
                (check.measured_total or Decimal("0") for check in measured), Decimal("0")
            )
            if measured
            else None,
            "opportunity_form": OpportunityForm(
                initial={"expected_close": today + dt.timedelta(days=90)}
            ),
        },
    )


def leads_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """A sales owner's leads waiting on them (passed or accepted, not yet contacted)."""
    if not is_sales(user):
        return None
    waiting = leads_visible_to(user).filter(
        sales_owner_id=user.pk, status__in=[LeadStatus.PASSED, LeadStatus.ACCEPTED]
    )
    items = [
        WorkItem(
            title=lead.company,
            detail=f"{lead.get_status_display()} · {lead.need[:80]}",
            url=reverse("growth:lead", args=[lead.pk]),
            when=timezone.localdate(lead.passed_at),
        )
        for lead in waiting.order_by("passed_at")[:5]
    ]
    return WorkList(
        key="growth.leads",
        heading="Leads waiting on you",
        total=waiting.count(),
        url=reverse("growth:leads"),
        empty="No lead is waiting on you.",
        items=items,
    )


def rfp_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """RFP questions assigned to the reader and not answered yet, the earliest due first; no
    list for a reader with none."""
    if not can_work_rfps(user):
        return None
    mine = (
        RfpQuestion.objects.filter(
            assignee_id=user.pk, answer="", rfp__in=rfps_visible_to(user), rfp__status="open"
        )
        .select_related("rfp", "section")
        .order_by(F("due").asc(nulls_last=True), "position")
    )
    total = mine.count()
    if total == 0:
        return None  # most of the team answers no RFP: no empty list on their home
    today = timezone.localdate(now)
    items = [
        WorkItem(
            title=f"{q.rfp.title}: {q.number or q.position}",
            detail=q.text[:100],
            url=reverse("growth:rfp", args=[q.rfp_id]) + f"#q{q.pk}",
            when=q.due,
            urgent=q.due is not None and q.due < today,
        )
        for q in mine[:5]
    ]
    return WorkList(
        key="growth.rfp_questions",
        heading="RFP questions assigned to you",
        total=total,
        url=reverse("growth:rfps"),
        empty="No RFP question is waiting on you.",
        items=items,
    )


def vendor_renewals(now: dt.datetime) -> Iterator[Cause]:
    """Every vendor contract ending within the notice period: renegotiate before it renews."""
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=VENDOR_RENEWAL_NOTICE_DAYS)
    contracts = VendorContract.objects.filter(end_date__gte=today, end_date__lte=horizon)
    for contract in contracts.select_related("vendor"):
        days = (contract.end_date - today).days
        yield Cause(
            account_id=contract.account_id,
            key=f"vendor_contract:{contract.pk}:{contract.end_date.isoformat()}",
            reason=(
                f"{contract.vendor.name} ({contract.services}) ends on "
                f"{contract.end_date:%b %-d, %Y}, in {days} days: renegotiate or replace."
            ),
            due=contract.end_date - dt.timedelta(days=30),
            urgency=Urgency.HIGH if days <= 30 else Urgency.NORMAL,
            url=reverse("growth:vendor_contract", args=[contract.pk]),
        )


def register_calls() -> None:
    CALL_RULES.register(
        CallRule(
            key="growth_vendor_renewal",
            title="A vendor contract negotiated for the sponsor is up for renewal",
            playbook=(
                "Pull the vendor's results against its guarantees",
                "Ask the vendor for its renewal terms",
                "Agree the renewal or the replacement with the sponsor",
            ),
            find=vendor_renewals,
        )
    )
