"""What strategy shows elsewhere: the account's Overview (first tab: health and why, open calls
to action, objectives at risk, renewal, last and next touch, key contacts), the Plan tab, and
the home page's calls to action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import AnyUser, Need, can
from clientdesk.accounts.models import Account
from clientdesk.lake.memo import ReaderMemo
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkItem, WorkList
from clientdesk.people.roles import EDITS_ASSIGNED_ACCOUNTS, SEES_ALL_ACCOUNTS, roles_of
from clientdesk.strategy import queries
from clientdesk.strategy.forms import NeedForm, ObjectiveForm, PlanForm
from clientdesk.strategy.models import AccountPlan, Influence, Sentiment

# The Overview's strategy part per reader and account, until the next write, lake batch or
# minute (lake/memo.py): ten queries and a third of the account page's CPU, read again on
# every view though it changes only with a write (bench/page_cpu.py).
_OVERVIEWS: ReaderMemo[dict[str, Any]] = ReaderMemo(256)


def overview_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    context = _OVERVIEWS.get(user, now, lambda: _overview(account, now), about=(account.pk,))
    return Panel("strategy/_overview.html", context)


def _overview(account: Account, now: dt.datetime) -> dict[str, Any]:
    today = timezone.localdate(now)
    snapshot = queries.latest_snapshot(account)
    renewal = queries.next_renewal(account, today)
    return {
        "health": snapshot,
        "health_lines": queries.measure_lines(snapshot)[:6],
        "override": queries.active_override(account, today),
        "open_calls": list(queries.open_calls(account)[:8]),
        "objectives_at_risk": list(queries.objectives_at_risk(account)[:6]),
        "renewal": renewal,
        "renewal_days": (renewal - today).days,
        "key_contacts": [
            t
            for t in queries.touches(account, today)
            if t.stakeholder is not None or t.contact.is_primary
        ][:6],
        **queries.last_and_next_touch(account, today),
    }


def plan_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    today = timezone.localdate(now)
    plan = queries.current_plan(account, today)
    may_write = can(user, account, Need.WRITE)
    context: dict[str, Any] = {
        "plan": plan,
        "plans": AccountPlan.objects.filter(account=account).order_by("-year"),
        "this_year": today.year,
        "next_year": today.year + 1,
        "may_write": may_write,
        "may_approve": can(user, account, Need.MANAGE),
        "directives": queries.directives_for(account, today),
        "touches": queries.touches(account, today),
        "visits": account.visits.all()[:10],
        "influence_choices": Influence.choices,
        "sentiment_choices": Sentiment.choices,
    }
    if plan is not None:
        labels = {m.key: m.label for m in ACCOUNT_MEASURES}
        objectives = list(plan.objectives.select_related("owner"))
        for o in objectives:
            o.measure_label = labels.get(o.measure_key, o.measure_key)  # type: ignore[attr-defined]
        context["objectives"] = objectives
        context["needs"] = list(plan.needs.all())
        if may_write:
            context["plan_form"] = PlanForm(instance=plan)
            context["need_form"] = NeedForm(initial={"noted_on": today})
            context["objective_form"] = ObjectiveForm(account=account)
    return Panel("strategy/_plan.html", context)


def calls_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """Open calls to action: the reader's own for an associate, every open one for the roles
    that read every account. The soonest due first."""
    roles = roles_of(user)
    if not roles & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS):
        return None
    today = timezone.localdate(now)
    mine = not (roles & SEES_ALL_ACCOUNTS)
    calls = queries.calls_for(user, mine=mine)
    total = calls.count()
    items = [
        WorkItem(
            title=f"{c.account.name}: {c.title}",
            detail=c.reason[:160],
            url=reverse("strategy:call", args=[c.pk]),
            when=c.due,
            urgent=c.urgency == "high" or (c.due is not None and c.due < today),
        )
        for c in calls[:5]
    ]
    return WorkList(
        key="calls-to-action",
        heading="Your calls to action" if mine else "Calls to action",
        total=total,
        url=reverse("strategy:calls") + ("?mine=1" if mine else ""),
        empty="No open calls to action.",
        items=items,
    )
