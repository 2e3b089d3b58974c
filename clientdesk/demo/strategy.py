"""The demo book's account strategy: the relationship map's decision makers and their touches,
plans for this year (some approved) with live objectives, directives for the support teams (and
a problem owned by service operations, so they have directives to acknowledge), a visit, weekly
health snapshots over the last quarter and the calls to action the rules open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from clientdesk.accounts.actions import do_log_activity
from clientdesk.accounts.models import LOGGED_ACTIVITY_KINDS as LOGGED
from clientdesk.accounts.models import Account, Assignment, TeamRole
from clientdesk.insights.actions import do_open_problem, do_update_problem
from clientdesk.insights.models import EmergingIssue, IssueStatus
from clientdesk.strategy.actions import (
    do_add_directive,
    do_add_need,
    do_add_objective,
    do_create_plan,
    do_create_visit,
    do_set_plan_status,
    do_set_stakeholder,
    do_update_plan,
)
from clientdesk.strategy.models import AccountPlan, Directive, HealthSnapshot, Stakeholder
from clientdesk.strategy.runs import run_calls, run_objectives, run_snapshot

SNAPSHOT_WEEKS = 12


def give_service_ops_a_problem(
    first_accounts: list[Account], *, ops: User, manager: User, today: dt.date
) -> None:
    """A problem owned by service operations, opened from a new issue of the first accounts,
    or on a bigger book (none of them has one) from the first new issue anywhere; the account
    worked gets a service-operations directive when it has no directive yet, so service
    operations have one to acknowledge. Nothing without a new issue."""
    issue = (
        EmergingIssue.objects.filter(account__in=first_accounts, status=IssueStatus.NEW)
        .order_by("id")
        .first()
    )
    if issue is None:
        issue = EmergingIssue.objects.filter(status=IssueStatus.NEW).order_by("id").first()
    if issue is None:
        return
    problem = do_open_problem(issue, acting_user=manager)
    do_update_problem(problem, {"owner": ops}, acting_user=manager)
    worked = issue.account
    if worked is not None and not Directive.objects.filter(account=worked).exists():
        do_add_directive(
            worked,
            {
                "team": "service_operations",
                "kind": "special_handling",
                "text": "Tell the lead associate before any fix reaches the sponsor's "
                "members; root causes go in the problem record, not in e-mail.",
                "effective_from": today - dt.timedelta(days=30),
            },
            acting_user=manager,
        )


def populate_strategy(
    *, users: dict[str, User], today: dt.date, say: Callable[[str], object]
) -> None:
    """Idempotent: what exists is left as it is."""
    manager = users["manager"]
    accounts = list(Account.objects.order_by("name"))
    leads = dict(Assignment.objects.filter(role=TeamRole.LEAD).values_list("account_id", "user_id"))
    by_id = {u.pk: u for u in User.objects.filter(pk__in=set(leads.values()))}
    for k, account in enumerate(accounts):
        lead = by_id.get(leads.get(account.pk, 0), manager)
        contact = account.contacts.filter(is_primary=True).first() or account.contacts.first()
        if contact is not None and not Stakeholder.objects.filter(contact=contact).exists():
            do_set_stakeholder(
                contact,
                {
                    "influence": "decision_maker",
                    "sentiment": ("positive", "neutral", "negative")[k % 3],
                    "our_owner": lead,
                    "cadence_days": 30,
                },
                acting_user=lead,
            )
        if contact is not None and not contact.activity.filter(kind__in=LOGGED).exists():
            # A book without logged touches (activity.json): spread so some accounts are
            # engaged and some are not.
            days_ago = (7, 25, 45, 80, 130)[k % 5]
            do_log_activity(
                account,
                kind="meeting",
                subject="Benefits review",
                occurred_at=timezone.now() - dt.timedelta(days=days_ago),
                contacts=[contact],
                acting_user=lead,
            )
        if k < 8 and not AccountPlan.objects.filter(account=account, year=today.year).exists():
            plan = do_create_plan(account, today.year, acting_user=lead)
            plan = do_update_plan(
                plan,
                {
                    "challenges": "Medical trend above budget; a new HR system in the spring.",
                    "sponsor_objectives": "Hold the employee contribution flat; fewer member "
                    "complaints reaching HR.",
                    "strategy": "Quarterly service reviews, a pharmacy savings review and a "
                    "clean eligibility feed before open enrollment.",
                },
                plan.version,
                acting_user=lead,
            )
            do_add_need(
                plan,
                {
                    "kind": "need",
                    "text": "Monthly report of escalated member issues",
                    "source": "Benefits review",
                    "noted_on": today - dt.timedelta(days=20),
                },
                acting_user=lead,
            )
            for title, key, target, better in (
                ("Resolve inquiries within SLA", "sla_attainment", "95", "higher"),
                ("No guarantee period missed", "guarantees_missed", "0", "lower"),
                (
                    "Talk to the decision maker monthly",
                    "days_since_decision_maker_touch",
                    "30",
                    "lower",
                ),
            ):
                do_add_objective(
                    plan,
                    {
                        "title": title,
                        "measure_key": key,
                        "target": Decimal(target),
                        "better": better,
                        "owner": lead,
                        "due": dt.date(today.year, 12, 31),
                    },
                    acting_user=lead,
                )
            if k % 2 == 0:
                do_set_plan_status(plan, "approved", acting_user=manager)
        if k < 6 and not Directive.objects.filter(account=account).exists():
            do_add_directive(
                account,
                {
                    "team": ("claims", "eligibility", "pharmacy")[k % 3],
                    "kind": "special_handling",
                    "text": "Escalations from the sponsor's HR office go to the lead associate "
                    "the same day; never contact members about appeals by mail only.",
                    "effective_from": today - dt.timedelta(days=60),
                },
                acting_user=lead,
            )
    ops = users.get("serviceops")
    if ops is not None:
        give_service_ops_a_problem(accounts[:6], ops=ops, manager=manager, today=today)
    if accounts and not accounts[0].visits.exists():
        first = accounts[0]
        do_create_visit(
            first,
            {
                "purpose": "Quarterly business review",
                "starts_on": today + dt.timedelta(days=14),
                "ends_on": today + dt.timedelta(days=14),
                "location": f"{first.state} office",
            },
            list(first.contacts.all()[:3]),
            acting_user=manager,
        )
    if HealthSnapshot.objects.filter(day=today).exists():  # scored already: leave it
        say("strategy: health, objectives and calls to action already in place")
        return
    for week in range(SNAPSHOT_WEEKS, -1, -1):
        run_snapshot(today - dt.timedelta(days=7 * week), acting_user=manager)
    measured = run_objectives(today, acting_user=manager)
    calls = run_calls(acting_user=manager)
    say(
        f"strategy: {len(accounts)} accounts scored weekly over {SNAPSHOT_WEEKS} weeks, "
        f"{measured} objectives measured, {calls.total.opened} calls to action opened"
    )
