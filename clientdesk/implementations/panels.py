"""What implementations shows elsewhere: the account's Installation tab, the home page's late
critical tasks, and the call-to-action rule for a late critical task (registered in apps.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.implementations.evidence import plan_states
from clientdesk.implementations.models import Implementation
from clientdesk.implementations.queries import (
    OPEN_STATUSES,
    implementations_visible_to,
    late_critical_causes,
    plan_url,
)
from clientdesk.lib.calls import CALL_RULES, CallRule, Cause
from clientdesk.lib.panels import ACCOUNT_TABS, INSTALLATION, Panel
from clientdesk.lib.work import WORK_LISTS, WorkItem, WorkList
from clientdesk.people.roles import EDITS_ASSIGNED_ACCOUNTS, SEES_ALL_ACCOUNTS, roles_of

RULE_KEY = "implementation_late_critical_task"


def installation_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Installation tab: the account's plans with forecast and readiness from the plan
    (the lake's evidence is on the plan's page)."""
    today = timezone.localdate(now)
    plans = list(
        Implementation.objects.filter(account=account).select_related("account", "template")
    )
    states = plan_states(plans, today, reader=None)
    return Panel(
        "implementations/_account_section.html",
        {"installation_states": [states[p.pk] for p in plans], "installation_today": today},
    )


def late_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """Plans of the reader's accounts with a late task on the critical path."""
    if not roles_of(user) & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS):
        return None
    today = timezone.localdate(now)
    plans = list(implementations_visible_to(user).filter(status__in=OPEN_STATUSES))
    states = plan_states(plans, today, reader=None)
    items = [
        WorkItem(
            title=cause.reason.split(":")[0],
            detail=cause.reason.split(": ", 1)[-1],
            url=cause.url,
            when=cause.due,
            urgent=True,
        )
        for cause in late_critical_causes([states[p.pk] for p in plans])
    ]
    return WorkList(
        key="implementations",
        heading="Implementation tasks late on the critical path",
        total=len(items),
        url=reverse("implementations:board"),
        empty="No implementation is late on its critical path.",
        items=items[:5],
    )


def find_late_critical_tasks(now: dt.datetime) -> Iterable[Cause]:
    today = timezone.localdate(now)
    plans = list(Implementation.objects.filter(status__in=OPEN_STATUSES).select_related("account"))
    states = plan_states(plans, today, reader=None)
    return late_critical_causes([states[p.pk] for p in plans])


def register() -> None:
    ACCOUNT_TABS.register("implementations.installation", INSTALLATION, installation_panel)
    WORK_LISTS.register("implementations", late_work, order=45)
    CALL_RULES.register(
        CallRule(
            key=RULE_KEY,
            title="An implementation task is late on the critical path",
            playbook=(
                "Confirm the forecast with the task's owner team",
                "Agree a recovery (more hands, a shorter test round, a later effective date)",
                "Tell the sponsor if the effective date is at risk",
            ),
            find=find_late_critical_tasks,
        )
    )


__all__ = ["plan_url", "register"]
