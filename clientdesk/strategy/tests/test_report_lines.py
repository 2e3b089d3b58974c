"""What the reports read of the plans: objectives not on track and open calls, in words."""

from __future__ import annotations

import datetime as dt

import pytest

from clientdesk.reports.strategy import plans_section
from clientdesk.strategy.actions import do_set_plan_status
from clientdesk.strategy.models import Objective
from clientdesk.strategy.report_lines import plan_next_steps, portfolio_plans
from clientdesk.strategy.tests.cast import acme_call, acme_objective, acme_plan
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def _off_track(c: Cast) -> Objective:
    o = acme_objective(c)  # open escalations, target 0 or less, owner Alice, due Dec 31, 2026
    Objective.objects.filter(pk=o.pk).update(value=2.0, status="off_track")
    o.refresh_from_db()
    return o


def test_next_steps_read_objectives_and_calls(cast: Cast) -> None:
    _off_track(cast)
    acme_call(cast)
    internal = plan_next_steps(cast.acme.pk, TODAY, internal=True)
    assert internal[0] == (
        "Plan 2026: Keep escalations at zero: off track at 2 against 0 or less "
        "(Open account escalations), due Dec 31, 2026, owner Alice Owner."
    )
    assert internal[1].startswith("Call to action: A test call. Something on Acme wants a person.")
    # The sponsor's copy has their objectives, not our calls to action.
    assert plan_next_steps(cast.acme.pk, TODAY, internal=False) == internal[:1]
    assert plan_next_steps(cast.bayside.pk, TODAY, internal=True) == []


def test_an_objective_on_track_is_not_a_next_step(cast: Cast) -> None:
    o = acme_objective(cast)
    Objective.objects.filter(pk=o.pk).update(value=0.0, status="on_track")
    assert plan_next_steps(cast.acme.pk, TODAY, internal=False) == []


def test_portfolio_section_counts_plans_objectives_and_calls(cast: Cast) -> None:
    _off_track(cast)
    acme_call(cast)
    p = portfolio_plans([cast.acme.pk, cast.bayside.pk], dt.date(2026, 12, 1))
    # Acme renews Jan 1, 2027 (31 days) with a draft plan; Bayside Jul 1, 2027 (212 days).
    assert (p.accounts, p.approved, p.off_track, p.at_risk, p.open_calls) == (2, 0, 1, 0, 1)
    assert p.renewing_without_plan == ["Acme Steel Works"]
    do_set_plan_status(acme_plan(cast), "approved", acting_user=cast.mia)
    section = plans_section([cast.acme.pk, cast.bayside.pk], TODAY)
    assert section is not None
    assert section.bullets[0] == (
        "1 of 2 accounts have an approved plan for 2026; 1 objective is off track and 0 at risk."
    )
    assert section.bullets[1] == "1 call to action is open."
    assert section.tables[0].rows == [["test_rule", 1]]  # a rule no longer registered: its key
    assert plans_section([], TODAY) is None


def test_the_reports_carry_them(cast: Cast) -> None:
    from clientdesk.lib.periods import parse_period
    from clientdesk.reports.portfolio import gather_portfolio
    from clientdesk.reports.stewardship import Edition, gather_stewardship

    _off_track(cast)
    acme_call(cast)
    today = dt.date(2026, 12, 1)
    period = parse_period("2026Q3")
    sentence = (
        "Plan 2026: Keep escalations at zero: off track at 2 against 0 or less "
        "(Open account escalations), due Dec 31, 2026, owner Alice Owner."
    )
    internal = gather_stewardship(
        cast.acme, period, user=cast.mia, today=today, edition=Edition.INTERNAL
    )
    steps = next(s for s in internal.sections if s.key == "next_steps")
    assert sentence in steps.bullets
    assert any(b.startswith("Call to action: A test call.") for b in steps.bullets)
    client = gather_stewardship(cast.acme, period, user=cast.mia, today=today)
    steps = next(s for s in client.sections if s.key == "next_steps")
    assert sentence in steps.bullets
    assert not any(b.startswith("Call to action") for b in steps.bullets)
    doc = gather_portfolio(period, user=cast.mia, today=today)
    plans = next(s for s in doc.sections if s.key == "plans")
    assert plans.bullets[-1] == "1 call to action is open."
