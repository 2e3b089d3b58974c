"""Problem records: inquiry links and the counts from them, guarantees at risk from the
guarantees app, service-operations scope, the report and training feeds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientdesk.guarantees.actions import do_create_guarantee, do_store_forecasts
from clientdesk.guarantees.forecasting import ForecastValues
from clientdesk.guarantees.metrics import METRICS
from clientdesk.inquiries.actions import do_create_inquiry
from clientdesk.inquiries.models import Inquiry
from clientdesk.insights.access import problems_visible_to
from clientdesk.insights.actions import (
    do_add_action,
    do_link_inquiries,
    do_open_problem,
    do_record_detection,
    do_update_problem,
)
from clientdesk.insights.families import FAMILIES
from clientdesk.insights.guarantee_risk import describe_guarantee, guarantees_at_risk
from clientdesk.insights.links import LinkError, check_inquiries, link_totals, parse_references
from clientdesk.insights.models import Problem
from clientdesk.insights.queries import account_period_insights, training_findings
from clientdesk.insights.tests.cast import START, acme_issue, acme_problem, issue_record
from clientdesk.testing import Cast


def _inquiry(c: Cast, account: Any, member: str, claims: list[str], external: str = "") -> Inquiry:
    inquiry = do_create_inquiry(
        account,
        {
            "requester_type": "member",
            "member_reference": member,
            "channel": "phone",
            "category": "claims",
            "subcategory": "denial_prior_auth",
            "priority": "normal",
            "subject": "MRI denied",
            "claim_ids": claims,
            "owner": c.alice if account == c.acme else c.oscar,
        },
        acting_user=c.mia,
    )
    if external:
        Inquiry.objects.filter(pk=inquiry.pk).update(external_id=external)
    return inquiry


def test_storing_a_run_again_creates_nothing_and_extends_the_same_issue(cast: Cast) -> None:
    def store(record: Any) -> Any:
        return do_record_detection([record], as_of=START, since=START, stats={}, acting_user=None)

    first = store(issue_record(cast.acme.pk))
    assert (len(first.created), len(first.updated)) == (1, 0)
    again = store(issue_record(cast.acme.pk))
    assert (len(again.created), len(again.updated)) == (0, 0)
    # the same episode seen a day later (new fingerprint, touching dates): updated in place
    later = store(issue_record(cast.acme.pk, first=START + dt.timedelta(days=1)))
    assert (len(later.created), len(later.updated)) == (0, 1)
    issue = later.updated[0]
    assert issue.pk == first.created[0].pk
    # first alert keeps the earlier day, last alert moves on (START + 1 + 4)
    assert (issue.first_alert_date, issue.last_alert_date) == (
        START + dt.timedelta(days=2),
        START + dt.timedelta(days=5),
    )


def test_parse_references() -> None:
    assert parse_references("Q-000123, 124  q-000125") == [123, 124, 125]
    with pytest.raises(LinkError):
        parse_references("Q-12x")


def test_links_are_checked_and_counted(cast: Cast) -> None:
    problem = acme_problem(cast)
    one = _inquiry(cast, cast.acme, "M0001", ["C1", "C2"])
    two = _inquiry(cast, cast.acme, "M0001", ["C2"])
    three = _inquiry(cast, cast.acme, "M0002", [])
    elsewhere = _inquiry(cast, cast.bayside, "M0009", ["C9"])
    # oscar cannot see Acme's inquiries; nobody links Bayside's inquiry to an Acme problem
    with pytest.raises(LinkError, match=f"Q-{one.pk:06d}"):
        check_inquiries(cast.oscar, problem, [one.pk])
    with pytest.raises(LinkError, match=f"Q-{elsewhere.pk:06d}"):
        check_inquiries(cast.mia, problem, [one.pk, elsewhere.pk])
    picked = check_inquiries(cast.alice, problem, [one.pk, two.pk, three.pk, one.pk])
    do_link_inquiries(problem, picked, acting_user=cast.alice)
    problem.refresh_from_db()
    # 3 inquiries; members M1, M2; claims C1, C2; no lake, so dollars stay 0
    assert (problem.affected_inquiries, problem.linked_members, problem.linked_claims) == (3, 2, 2)
    assert problem.linked_dollars == Decimal("0")
    assert set(Inquiry.objects.filter(problem_id=problem.pk).values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
        three.pk,
    }
    assert link_totals(problem)["members"] == 2
    # moving an inquiry to another problem recounts both
    other = do_open_problem(
        do_record_detection(
            [issue_record(cast.acme.pk, carc="16")],
            as_of=START,
            since=START,
            stats={},
            acting_user=None,
        ).created[0],
        acting_user=cast.mia,
    )
    do_link_inquiries(other, [three], acting_user=cast.mia)
    problem.refresh_from_db()
    other.refresh_from_db()
    assert (problem.affected_inquiries, problem.linked_members) == (2, 1)
    assert (other.affected_inquiries, other.linked_members) == (1, 1)
    # deleting a problem leaves no dangling id behind
    other.delete()
    assert Inquiry.objects.get(pk=three.pk).problem_id is None


def test_opening_a_problem_links_the_issues_inquiries(cast: Cast) -> None:
    mine = _inquiry(cast, cast.acme, "M0001", ["C1"], external="CS1")
    _inquiry(cast, cast.acme, "M0002", [], external="CS4")  # not among the issue's
    _inquiry(cast, cast.bayside, "M0003", [], external="CS2")  # another account
    problem = do_open_problem(acme_issue(cast), acting_user=cast.mia)
    assert list(Inquiry.objects.filter(problem_id=problem.pk)) == [mine]
    assert (problem.affected_inquiries, problem.linked_members, problem.linked_claims) == (1, 1, 1)


def test_linking_from_the_problem_page(cast: Cast, client: Client) -> None:
    problem = acme_problem(cast)
    inquiry = _inquiry(cast, cast.acme, "M0001", ["C1"])
    url = reverse("insights:problem_link_inquiries", args=[problem.pk])
    client.force_login(cast.sam)  # the owner works the fix but does not see inquiries
    assert client.post(url, {"references": inquiry.reference}).status_code == 403
    client.force_login(cast.alice)
    response = client.post(url, {"references": f"{inquiry.reference}, Q-999999"})
    assert response.status_code == 302
    assert Inquiry.objects.get(pk=inquiry.pk).problem_id is None  # all or nothing
    client.post(url, {"references": inquiry.reference})
    assert Inquiry.objects.get(pk=inquiry.pk).problem_id == problem.pk
    page = client.get(reverse("insights:problem_detail", args=[problem.pk]))
    assert inquiry.reference in page.content.decode()
    client.post(reverse("insights:problem_unlink_inquiry", args=[problem.pk, inquiry.pk]))
    assert Inquiry.objects.get(pk=inquiry.pk).problem_id is None


def test_every_family_feeds_real_guarantee_metrics() -> None:
    assert all(m in METRICS for f in FAMILIES for m in f.guarantees)
    assert {m for f in FAMILIES for m in f.guarantees} >= {
        "average_speed_of_answer",
        "abandonment_rate",
        "ivr_containment",
        "claims_turnaround",
        "auto_adjudication_rate",
        "financial_accuracy",
    }


def test_guarantees_at_risk_come_from_the_guarantees_app(cast: Cast, client: Client) -> None:
    def guarantee(metric: str, target: str) -> Any:
        return do_create_guarantee(
            cast.acme_contract,
            {
                "metric": metric,
                "comparator": ">=",
                "target": Decimal(target),
                "period": "quarterly",
                "at_risk_basis": "fixed",
                "at_risk_value": Decimal("5000"),
            },
            acting_user=cast.mia,
        )

    accuracy = guarantee("payment_accuracy", "98")
    financial = guarantee("financial_accuracy", "99")
    guarantee("ivr_containment", "20")  # not fed by denials
    do_store_forecasts(
        [
            ForecastValues(
                guarantee=financial,
                period_label="2026Q1",
                span_start=dt.date(2026, 1, 1),
                span_end=dt.date(2026, 3, 31),
                as_of=dt.date(2026, 3, 6),
                p_miss=Decimal("0.62"),
                expected_penalty=Decimal("3100.00"),
                amount_at_risk=Decimal("5000.00"),
                observed_actual=None,
                expected_actual=None,
                actual_p10=None,
                actual_p90=None,
                observed_days=65,
                remaining_days=25,
                simulations=1000,
                seed=1,
                method="test",
            )
        ],
        threshold=Decimal("0.5"),
        acting_user=cast.mia,
    )
    found = guarantees_at_risk([cast.acme.pk], "denials", START, START + dt.timedelta(days=4))
    assert [g["guarantee_id"] for g in found] == [financial.pk, accuracy.pk]  # riskiest first
    assert found[0]["p_miss"] == pytest.approx(0.62)
    assert describe_guarantee(found[0]) == (
        "Financial (dollar) accuracy ≥ 99\u202f% "
        "(2026Q1: 62\u202f% chance of a miss, $5,000 at risk)"
    )
    assert describe_guarantee(found[1]) == "Payment accuracy ≥ 98\u202f%"
    record = issue_record(cast.acme.pk)
    record.guarantees_at_risk = found
    issue = do_record_detection(
        [record], as_of=START, since=START, stats={}, acting_user=None
    ).created[0]
    client.force_login(cast.alice)
    page = client.get(reverse("insights:issue_detail", args=[issue.pk])).content.decode()
    assert "2026Q1: 62\u202f% chance of a miss, $5,000 at risk" in page
    assert reverse("guarantees:detail", args=[cast.acme.pk, financial.pk]) in page
    # outside the contract's dates, or another account: nothing
    assert (
        guarantees_at_risk([cast.acme.pk], "denials", dt.date(2024, 1, 1), dt.date(2024, 2, 1))
        == []
    )
    assert guarantees_at_risk([cast.bayside.pk], "denials", START, START) == []


def test_service_operations_see_only_their_problems(cast: Cast, client: Client) -> None:
    mine = acme_problem(cast)  # sam owns it and its action
    theirs = do_open_problem(
        do_record_detection(
            [issue_record(cast.acme.pk, carc="16")],
            as_of=START,
            since=START,
            stats={},
            acting_user=None,
        ).created[0],
        acting_user=cast.mia,
    )
    assert list(problems_visible_to(cast.sam)) == [mine]
    client.force_login(cast.sam)
    assert client.get(reverse("insights:problem_detail", args=[theirs.pk])).status_code == 404
    board = client.get(reverse("insights:problems")).content.decode()
    assert mine.reference in board and theirs.reference not in board
    # an action on someone else's problem makes that problem (and only it) visible
    do_add_action(
        theirs,
        {"description": "Retrain", "owner": cast.sam, "due_date": dt.date(2026, 4, 1)},
        acting_user=cast.mia,
    )
    assert set(problems_visible_to(cast.sam)) == {mine, theirs}
    response = client.post(reverse("insights:problem_edit", args=[theirs.pk]), {"title": "x"})
    assert response.status_code == 403  # sees it through the action, does not own the record


def test_report_and_training_feeds(cast: Cast) -> None:
    problem = acme_problem(cast)
    do_update_problem(
        problem,
        {"training_topic": "Prior-auth rules for imaging", "root_cause_category": "process"},
        acting_user=cast.mia,
    )
    today = timezone.localdate()  # the problem was opened today
    period = account_period_insights(cast.acme.pk, dt.date(2026, 3, 1), today)
    assert [i["title"] for i in period["issues"]] == ["Denials — CARC 197 up"]
    assert period["issues"][0]["problem"] == problem.reference
    [row] = period["problems"]
    assert row["reference"] == problem.reference
    assert row["actions"] == [
        {
            "description": "Fix the prior-auth rule",
            "owner": "Sam Serviceops",
            "due_date": dt.date(2026, 3, 20),
            "status": "Planned",
            "completed_on": None,
        }
    ]
    assert (
        account_period_insights(cast.acme.pk, dt.date(2026, 5, 1), dt.date(2026, 5, 31))["issues"]
        == []
    )
    assert account_period_insights(cast.bayside.pk, dt.date(2026, 3, 1), today) == {
        "issues": [],
        "problems": [],
    }
    [topic] = training_findings()
    assert topic["topic"] == "Prior-auth rules for imaging"
    assert [p["reference"] for p in topic["problems"]] == [problem.reference]
    assert topic["problems"][0]["root_cause_category"] == "process"
    assert Problem.objects.filter(training_topic="").count() == 0


def test_a_period_is_the_accounts_local_days(cast: Cast) -> None:
    """A problem opened at 22:00 in New York on 31 March (02:00 on 1 April in UTC) belongs to
    March's report for the New York account, and is dated 31 March."""
    problem = acme_problem(cast)
    late = dt.datetime(2026, 3, 31, 22, 0, tzinfo=ZoneInfo("America/New_York"))
    Problem.objects.filter(pk=problem.pk).update(opened_at=late)
    march = account_period_insights(cast.acme.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    [row] = march["problems"]
    assert row["opened_on"] == dt.date(2026, 3, 31)
    before = account_period_insights(cast.acme.pk, dt.date(2026, 2, 1), dt.date(2026, 3, 30))
    assert before["problems"] == []
