"""The demo's strategy on the cast, and the "done when" path through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from clientdesk.demo.strategy import give_service_ops_a_problem, populate_strategy
from clientdesk.insights.models import Problem
from clientdesk.insights.tests.cast import acme_issue, acme_problem
from clientdesk.strategy.models import (
    AccountPlan,
    CallToAction,
    Directive,
    DirectiveAcknowledgement,
    HealthSnapshot,
    Objective,
)
from clientdesk.strategy.tests.cast import acme_directive, acme_plan, acme_visit
from clientdesk.testing import Cast, streamed

pytestmark = pytest.mark.django_db


def test_demo_populates_plans_snapshots_and_calls(cast: Cast) -> None:
    today = timezone.localdate()
    populate_strategy(users={"manager": cast.mia, "serviceops": cast.sam}, today=today, say=print)
    assert AccountPlan.objects.filter(year=today.year).count() == 2
    assert AccountPlan.objects.filter(status="approved").count() == 1  # every other account
    assert HealthSnapshot.objects.filter(account=cast.acme).count() == 13
    assert Objective.objects.exclude(status="no_value").exists()
    # Acme's decision maker was met 7 days ago (6 by the New York date late in the UTC day);
    # Bayside has no contact, so no figure.
    touch = Objective.objects.filter(measure_key="days_since_decision_maker_touch")
    acme = touch.get(plan__account=cast.acme)
    assert acme.value in (6, 7) and acme.status == "on_track"
    assert touch.get(plan__account=cast.bayside).status == "no_value"
    # Acme's plan is approved and Bayside renews in more than 180 days: no renewal call.
    assert not CallToAction.objects.filter(rule_key="renewal_no_plan").exists()
    populate_strategy(users={"manager": cast.mia, "serviceops": cast.sam}, today=today, say=print)
    assert AccountPlan.objects.count() == 2  # idempotent


def test_demo_gives_service_ops_a_problem_on_a_bigger_book(cast: Cast) -> None:
    # The first accounts (Bayside only here) have no new issue: the first new issue anywhere
    # (Acme's) becomes sam's problem, and Acme, without a directive, gets a service-operations
    # directive for sam to acknowledge.
    issue = acme_issue(cast)
    give_service_ops_a_problem(
        [cast.bayside], ops=cast.sam, manager=cast.mia, today=dt.date(2026, 3, 2)
    )
    issue.refresh_from_db()
    problem = Problem.objects.get()
    assert (problem.account, problem.owner, issue.status) == (cast.acme, cast.sam, "problem")
    directive = Directive.objects.get()
    assert (directive.account, directive.team) == (cast.acme, "service_operations")
    assert directive.effective_from == dt.date(2026, 1, 31)
    # No new issue left: nothing more.
    give_service_ops_a_problem(
        [cast.bayside], ops=cast.sam, manager=cast.mia, today=dt.date(2026, 3, 2)
    )
    assert (Problem.objects.count(), Directive.objects.count()) == (1, 1)


def test_manager_approves_a_plan_and_associate_cannot(cast: Cast) -> None:
    plan = acme_plan(cast)
    alice, mia = Client(), Client()
    alice.force_login(cast.alice)
    mia.force_login(cast.mia)
    url = f"/strategy/plans/{plan.pk}/status/"
    assert alice.post(url, {"status": "approved"}).status_code == 403
    assert mia.post(url, {"status": "approved"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.approved_by == cast.mia
    tab = mia.get(f"/accounts/{cast.acme.pk}/tab/plan/").content.decode()
    assert "Strategic plan 2026" in tab and "Approved by Mia Manager" in tab


def test_a_stale_plan_save_is_refused(cast: Cast) -> None:
    plan = acme_plan(cast)
    alice, bob = Client(), Client()
    alice.force_login(cast.alice)
    bob.force_login(cast.bob)
    data = {"challenges": "Alice's words", "sponsor_objectives": "", "strategy": "", "version": 1}
    assert alice.post(f"/strategy/plans/{plan.pk}/", data).status_code == 302
    stale = {**data, "challenges": "Bob's words"}
    response = bob.post(f"/strategy/plans/{plan.pk}/", stale)
    assert response.status_code == 409, response.content.decode()[-1500:]
    assert "Bob&#x27;s words" in response.content.decode()
    plan.refresh_from_db()
    assert plan.challenges == "Alice's words" and plan.version == 2


def test_a_live_objective_shows_its_value(cast: Cast) -> None:
    plan = acme_plan(cast)
    mia = Client()
    mia.force_login(cast.mia)
    mia.post(
        f"/strategy/plans/{plan.pk}/objectives/",
        {
            "title": "Renew on time",
            "measure_key": "days_to_renewal",
            "target": "60",
            "better": "higher",
        },
    )
    o = Objective.objects.get(plan=plan)
    days = (dt.date(2027, 1, 1) - timezone.localdate()).days
    assert o.value == days and o.value_detail.endswith(f"in {days} days")
    assert o.status == ("on_track" if days >= 60 else "at_risk" if days >= 54 else "off_track")


def test_service_operations_acknowledge_directives_of_accounts_they_work(cast: Cast) -> None:
    directive = acme_directive(cast)
    sam = Client()
    sam.force_login(cast.sam)
    assert "CFO&#x27;s office" not in sam.get("/strategy/directives/").content.decode()
    acme_problem(cast)  # sam owns a problem of Acme's
    assert "CFO&#x27;s office" in sam.get("/strategy/directives/").content.decode()
    assert sam.post(f"/strategy/directives/{directive.pk}/acknowledge/").status_code == 302
    assert DirectiveAcknowledgement.objects.filter(user=cast.sam, version=1).count() == 1
    oscar = Client()
    oscar.force_login(cast.oscar)
    assert oscar.get(f"/strategy/directives/account/{cast.acme.pk}/").status_code == 404


def test_meeting_brief_prints(cast: Cast) -> None:
    visit = acme_visit(cast)
    mia = Client()
    mia.force_login(cast.mia)
    page = mia.get(f"/strategy/visits/{visit.pk}/").content.decode()
    assert "Meeting brief · Acme Steel Works" in page and "Dana Whitfield" in page
    pdf = mia.get(f"/strategy/visits/{visit.pk}/brief.pdf")
    body = b"".join(streamed(pdf)) if pdf.streaming else pdf.content
    assert pdf["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
