"""What inquiries shows elsewhere: the account page's Service tab (inquiries and account
escalations) and the home page's late inquiries (registered in apps.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.inquiries.models import AccountEscalation, EscalationStatus, Severity, SlaMetric
from clientdesk.inquiries.queries import account_inquiry_summary, attainment, work_list
from clientdesk.lib import formatting
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkItem, WorkList
from clientdesk.people.roles import EDITS_ASSIGNED_ACCOUNTS, SEES_ALL_ACCOUNTS, Role, roles_of


def inquiries_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Service tab's inquiries: open, breached and at-risk counts, the latest eight, and
    the open account escalations (the summary the escalation page shows too)."""
    return Panel("inquiries/_account_section.html", account_inquiry_summary(account, now))


def inquiries_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """Late and nearly late inquiries, for the roles that work accounts."""
    roles = roles_of(user)
    if not roles & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS) or roles == {Role.EXECUTIVE}:
        return None  # an executive reads the portfolio; the queue is for those who work it
    return work_list(user, now)


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


def escalations_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """Open account escalations (open or monitoring) on the reader's accounts, the most
    severe and then the oldest first."""
    if not roles_of(user) & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS):
        return None
    open_ones = AccountEscalation.objects.filter(
        account__in=accounts_visible_to(user).values("pk")
    ).exclude(status=EscalationStatus.RESOLVED)
    rank = Case(
        *(When(severity=s, then=Value(n)) for s, n in SEVERITY_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )
    rows = open_ones.select_related("account", "owner").order_by(rank, "raised_at", "id")[:5]
    items = [
        WorkItem(
            title=f"{e.account.name}: {e.title}",
            detail=(
                f"{e.get_severity_display()} · {e.get_status_display()} · raised "
                f"{formatting.date(timezone.localtime(e.raised_at))}"
                + (f" · {e.owner.get_full_name() or e.owner.username}" if e.owner else "")
            ),
            url=reverse("inquiries:escalation_detail", args=[e.pk]),
            when=timezone.localdate(e.raised_at),
            urgent=e.severity == Severity.CRITICAL,
        )
        for e in rows
    ]
    return WorkList(
        key="escalations",
        heading="Open account escalations",
        total=open_ones.count(),
        url=reverse("inquiries:escalations"),
        empty="No account is escalated.",
        items=items,
    )


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def sla_trend_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """Resolution SLA attainment of the last three months (this one to date), for the roles
    that read every account: met ÷ (met + breached) of the inquiries resolved or breached in
    the month (the dashboard's attainment, summed over categories)."""
    if not roles_of(user) & SEES_ALL_ACCOUNTS:
        return None
    today = timezone.localdate(now)
    items = []
    for back in (2, 1, 0):
        start = _month_start(today, back)
        end = min(_month_start(today, back - 1) - dt.timedelta(days=1), today)
        groups = attainment(user, start, end)["category"]
        met = sum(
            a.met[SlaMetric.RESOLUTION].value for a in groups if SlaMetric.RESOLUTION in a.met
        )
        late = sum(
            a.breached[SlaMetric.RESOLUTION].value
            for a in groups
            if SlaMetric.RESOLUTION in a.breached
        )
        share = formatting.percent(100 * met / (met + late)) if met + late else "no outcomes"
        items.append(
            WorkItem(
                title=f"{formatting.month(start)}{' to date' if back == 0 else ''}: {share}",
                detail=f"{formatting.count(met)} met, {formatting.count(late)} breached",
                url=reverse("inquiries:dashboard") + f"?period={start:%Y-%m}",
                when=start,
            )
        )
    return WorkList(
        key="sla-trend",
        heading="Resolution within SLA, by month",
        total=len(items),
        url=reverse("inquiries:dashboard"),
        empty="No inquiries.",
        items=items,
    )
