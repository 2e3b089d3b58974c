"""What the stewardship report's "Next steps" and the portfolio report read of the account
plans: the open objectives of the current plan (not on track) and the open calls to action,
in words. Plain reads; the reports arrange them (reports/strategy.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from clientdesk.accounts.models import Account
from clientdesk.lib import formatting
from clientdesk.lib.calls import CALL_RULES
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.strategy.models import (
    AccountPlan,
    CallStatus,
    CallToAction,
    Objective,
    ObjectiveStatus,
    PlanStatus,
)
from clientdesk.strategy.own_measures import contract_renewals, renewal_on_or_after

OPEN_PLAN = (PlanStatus.DRAFT, PlanStatus.APPROVED)
NOT_ON_TRACK = (ObjectiveStatus.AT_RISK, ObjectiveStatus.OFF_TRACK, ObjectiveStatus.NO_VALUE)


def objective_sentence(o: Objective) -> str:
    """“Hold PMPM trend at 6 % or less: off track (7.9; …), due Dec 31, 2026, owner Alice
    Owner.”"""
    direction = "or more" if o.better == "higher" else "or less"
    target = f"{float(o.target):g} {direction}"
    status = o.get_status_display().lower()
    if o.value is not None:
        status += f" at {o.value:g}"
    where = ACCOUNT_MEASURES.get(o.measure_key) if o.measure_key else None
    measure = where.label if where else (o.manual_source or "entered by hand")
    parts = [f"{o.title}: {status} against {target} ({measure})"]
    if o.due:
        parts.append(f"due {formatting.date(o.due)}")
    if o.owner is not None:
        parts.append(f"owner {o.owner.get_full_name() or o.owner.get_username()}")
    return ", ".join(parts) + "."


def plan_next_steps(account_id: int, today: dt.date, *, internal: bool) -> list[str]:
    """The current plan's objectives not on track, off track first; and, for the internal
    edition only, the open calls to action (the team's own work) with their reason."""
    plan = (
        AccountPlan.objects.filter(account_id=account_id, status__in=OPEN_PLAN)
        .order_by("-year")
        .first()
    )
    out: list[str] = []
    if plan is not None:
        rank: dict[str, int] = {ObjectiveStatus.OFF_TRACK: 0, ObjectiveStatus.AT_RISK: 1}
        objectives = sorted(
            plan.objectives.filter(status__in=NOT_ON_TRACK).select_related("owner"),
            key=lambda o: (rank.get(o.status, 2), o.due or dt.date.max, o.pk),
        )
        out.extend(f"Plan {plan.year}: {objective_sentence(o)}" for o in objectives)
    if internal:
        calls = CallToAction.objects.filter(
            account_id=account_id, status=CallStatus.OPEN
        ).select_related("owner")
        for call in calls.order_by("due", "id"):
            owner = call.owner.get_full_name() if call.owner is not None else "no owner"
            due = f", due {formatting.date(call.due)}" if call.due else ""
            out.append(f"Call to action: {call.title}. {call.reason} ({owner}{due}).")
    return out


@dataclass(frozen=True)
class PortfolioPlans:
    accounts: int
    approved: int  # accounts with an approved plan for the year
    off_track: int  # objectives of open plans
    at_risk: int
    open_calls: int
    calls_by_title: list[tuple[str, int]]
    renewing_without_plan: list[str]  # names, renewal within 180 days and no approved plan


def portfolio_plans(account_ids: Iterable[int], today: dt.date) -> PortfolioPlans:
    """The account plans and calls to action over the accounts: how many have an approved
    plan this year, the objectives off track and at risk, the open calls by rule, and the
    accounts renewing within 180 days without an approved plan."""
    ids = list(account_ids)
    approved = set(
        AccountPlan.objects.filter(
            account_id__in=ids, year=today.year, status=PlanStatus.APPROVED
        ).values_list("account_id", flat=True)
    )
    statuses = Counter(
        Objective.objects.filter(plan__account_id__in=ids, plan__status__in=OPEN_PLAN).values_list(
            "status", flat=True
        )
    )
    calls = []
    for rule_key in CallToAction.objects.filter(
        account_id__in=ids, status=CallStatus.OPEN
    ).values_list("rule_key", flat=True):
        rule = CALL_RULES.get(rule_key)
        calls.append(rule.title if rule is not None else rule_key)
    ends = contract_renewals(list(ids))
    renewing = [
        name
        for pk, name, renewal in Account.objects.filter(pk__in=ids)
        .order_by("renewal_date", "name")
        .values_list("pk", "name", "renewal_date")
        if pk not in approved
        and (renewal_on_or_after(renewal, today, ends.get(pk, ())) - today).days <= 180
    ]
    return PortfolioPlans(
        accounts=len(ids),
        approved=len(approved),
        off_track=statuses.get(ObjectiveStatus.OFF_TRACK, 0),
        at_risk=statuses.get(ObjectiveStatus.AT_RISK, 0),
        open_calls=len(calls),
        calls_by_title=Counter(calls).most_common(),
        renewing_without_plan=renewing,
    )
