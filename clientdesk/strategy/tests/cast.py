"""Strategy things on the named cast, built through the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from clientdesk.lib.calls import CallRule, Cause
from clientdesk.strategy.actions import (
    do_add_directive,
    do_add_objective,
    do_create_plan,
    do_create_visit,
    do_raise_calls,
)
from clientdesk.strategy.models import AccountPlan, CallToAction, Directive, Objective, Visit
from clientdesk.testing import Cast

TEST_RULE = CallRule(
    "test_rule",
    "A test call",
    ("First step", "Second step"),
    lambda now: [],
)


def acme_call(c: Cast) -> CallToAction:
    found = CallToAction.objects.filter(account=c.acme, rule_key="test_rule").first()
    if found:
        return found
    do_raise_calls(
        TEST_RULE,
        [Cause(account_id=c.acme.pk, key="k1", reason="Something on Acme wants a person.")],
        now=timezone.now(),
        acting_user=None,
    )
    return CallToAction.objects.get(account=c.acme, rule_key="test_rule")


def acme_plan(c: Cast) -> AccountPlan:
    found = AccountPlan.objects.filter(account=c.acme, year=2026).first()
    return found or do_create_plan(c.acme, 2026, acting_user=c.alice)


def acme_objective(c: Cast) -> Objective:
    plan = acme_plan(c)
    found = plan.objectives.first()
    return found or do_add_objective(
        plan,
        {
            "title": "Keep escalations at zero",
            "measure_key": "open_escalations",
            "target": Decimal("0"),
            "better": "lower",
            "owner": c.alice,
            "due": dt.date(2026, 12, 31),
        },
        acting_user=c.alice,
    )


def acme_directive(c: Cast) -> Directive:
    found = Directive.objects.filter(account=c.acme).first()
    return found or do_add_directive(
        c.acme,
        {
            "team": "claims",
            "kind": "special_handling",
            "text": "Route every appeal of the CFO's office to the account lead.",
            "effective_from": dt.date(2026, 1, 1),
        },
        acting_user=c.alice,
    )


def acme_visit(c: Cast) -> Visit:
    found = Visit.objects.filter(account=c.acme).first()
    return found or do_create_visit(
        c.acme,
        {
            "purpose": "Quarterly business review",
            "starts_on": dt.date(2026, 12, 15),
            "ends_on": dt.date(2026, 12, 15),
            "location": "Columbus, OH",
        },
        [c.acme_contact],
        acting_user=c.alice,
    )
