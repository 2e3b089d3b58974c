"""The demo's implementations: a new account with two eligibility test rounds, a late renewal
raising a call to action, a live carve-in in hypercare."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from clientdesk.accounts.actions import do_create_contract
from clientdesk.demo.implementations import NEW_GROUP, seed_implementations
from clientdesk.guarantees.evaluation import evaluate
from clientdesk.implementations.evidence import plan_states
from clientdesk.implementations.models import Implementation, PlanStatus
from clientdesk.implementations.panels import find_late_critical_tasks
from clientdesk.testing import Cast


@pytest.mark.django_db
def test_demo_implementations(cast: Cast) -> None:
    today = dt.date(2026, 12, 7)
    # The carve-in goes to the second-largest account (Bayside): give it a contract in force.
    do_create_contract(
        cast.bayside,
        {
            "number": "C-G100002-2026",
            "start_date": dt.date(2026, 7, 1),
            "end_date": dt.date(2027, 6, 30),
            "products": ["medical", "pharmacy"],
            "admin_fee_pepm": Decimal("36.00"),
        },
        acting_user=cast.mia,
    )
    with time_machine.travel(dt.datetime(2026, 12, 7, 17, tzinfo=dt.UTC), tick=False):
        said = seed_implementations(
            acting_user=cast.ada, today=today, data_end=dt.date(2026, 11, 30)
        )
        assert said.startswith("implementations: 3 plans")
        assert seed_implementations(
            acting_user=cast.ada, today=today, data_end=dt.date(2026, 11, 30)
        ).endswith("(already there)")
        plans = {
            p.account.group_number: p for p in Implementation.objects.select_related("account")
        }
        new = plans[NEW_GROUP]
        assert new.effective_date == dt.date(2027, 2, 1)
        states = plan_states(list(plans.values()), today, reader=None)
        assert states[new.pk].forecast.days_lost == 0  # the new account is on plan
        assert states[new.pk].forecast.late_refs == ()
        rounds = states[new.pk].test_rounds
        # Round 1: 31 of 400 members with Feb 30 as a birth date; round 2: 2 of 415.
        assert [(r.rows_read, r.rows_rejected) for r in rounds] == [(400, 31), (415, 2)]
        assert rounds[0].reasons[0][0].startswith("birth_date")
        live = next(p for p in plans.values() if p.status == PlanStatus.LIVE)
        assert live.went_live_on == dt.date(2026, 10, 16)
        causes = list(find_late_critical_tasks(dt.datetime.now(dt.UTC)))
        renewal = next(p for p in plans.values() if "renewal" in p.name)
        assert [c.account_id for c in causes] == [renewal.account_id]
        # The carve-in's implementation guarantees, measured from its start to 90 days after
        # go-live (Oct 16 + 90 = Jan 14, 2027). Every task was done on its planned (= baseline)
        # date and the go-live on the effective date: every milestone due by today met.
        values = evaluate([cast.bayside], today=today)
        milestones = next(
            v
            for v in values
            if v.guarantee.metric == "implementation_milestones" and v.kind == "settlement"
        )
        assert milestones.period_end == dt.date(2027, 1, 14)
        assert milestones.denominator is not None and milestones.denominator > 0
        assert milestones.numerator == milestones.denominator
        assert milestones.met is True
