"""The improvement loop: a problem's training finding opens a training need for the people
serving its account; the manager turns it into a module of a course and assigns it."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.inquiries.actions import do_change_status
from clientdesk.inquiries.models import Inquiry
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.insights.actions import do_link_inquiries, do_update_problem
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.team.access import managed_people
from clientdesk.team.actions import do_address_need, do_open_training_need, do_review_inquiry
from clientdesk.team.models import (
    AssignmentReason,
    NeedStatus,
    Person,
    TrainingAssignment,
    TrainingNeed,
)
from clientdesk.team.queries import findings_without_need, need_effect, quality_findings
from clientdesk.team.tests.cast import hipaa, team
from clientdesk.testing import Cast


def test_a_training_finding_becomes_a_module_assigned_to_the_account_team(
    cast: Cast, client: Client
) -> None:
    team(cast)
    course = hipaa(cast)
    problem = acme_problem(cast)
    do_update_problem(
        problem, {"training_topic": "Prior authorization for imaging"}, acting_user=cast.mia
    )
    findings = findings_without_need()
    assert [f["topic"] for f in findings] == ["Prior authorization for imaging"]
    assert [u.username for u in findings[0]["people"]] == ["alice", "bob"]

    client.force_login(cast.mia)
    page = client.get(reverse("team:needs")).content.decode()
    assert "Prior authorization for imaging" in page and problem.reference in page
    client.post(
        reverse("team:need_open"),
        {
            "topic": "Prior authorization for imaging",
            "evidence": problem.reference,
            "people": [cast.alice.pk, cast.bob.pk],
        },
    )
    need = TrainingNeed.objects.get()
    assert need.evidence == [problem.reference]
    assert findings_without_need() == []  # taken up: no longer offered

    response = client.post(
        reverse("team:need_address", args=[need.pk]),
        {
            "course": course.pk,
            "kind": "quiz",
            "title": "Imaging needs prior authorization",
            "body": "CARC 197: the claim lacked a prior authorization.",
            "questions": "An MRI of the spine needs | nothing | *a prior authorization",
            "due_on": "2099-01-31",
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.ADDRESSED
    assert need.module is not None and need.module.course_id == course.pk
    assert need.module.questions.get().answer == 1
    assigned = TrainingAssignment.objects.filter(course=course, reason=AssignmentReason.NEED)
    assert sorted(assigned.values_list("user__username", flat=True)) == ["alice", "bob"]
    # Addressing it twice is refused; the associates cannot open the needs page.
    client.post(reverse("team:need_address", args=[need.pk]), {"course": course.pk})
    assert TrainingAssignment.objects.filter(course=course).count() == 2
    client.force_login(cast.alice)
    assert client.get(reverse("team:needs")).status_code == 403


def test_the_error_rate_before_and_after_the_module_is_shown(cast: Cast) -> None:
    team(cast)
    course = hipaa(cast)
    problem = acme_problem(cast)
    made = []
    for day in (dt.date(2026, 9, 1), dt.date(2026, 9, 15), dt.date(2026, 11, 2)):
        with time_machine.travel(dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)):
            made.append(acme_inquiry(cast))  # owned by alice
    do_link_inquiries(problem, made[:1], acting_user=cast.mia)  # one before the module
    need = do_open_training_need(
        "Imaging",
        [problem.reference],
        [cast.alice],
        today=dt.date(2026, 10, 1),
        acting_user=cast.mia,
    )
    do_address_need(
        need,
        course,
        {"kind": "document", "title": "Imaging rules"},
        due_on=dt.date(2026, 10, 31),
        today=dt.date(2026, 10, 1),
        acting_user=cast.mia,
    )
    need.refresh_from_db()
    (effect,) = need_effect(need, dt.date(2026, 12, 1))
    assert (effect.before, effect.before_total, effect.after, effect.after_total) == (1, 2, 0, 1)
    assert effect.before_text == "1 of 2 (50.0%)" and effect.after_text == "0 of 1 (0.0%)"


def _resolved(cast: Cast, day: dt.date) -> Inquiry:
    """One of alice's inquiries, resolved at 10:00 New York time that day."""
    moment = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        return do_change_status(
            acme_inquiry(cast),
            "resolved",
            expected_version=None,
            acting_user=cast.alice,
            resolution_code="answered",
            resolution_summary="Explained the claim status.",
            now=moment,
        )


def test_quality_results_open_a_need_and_the_flaw_rate_is_compared(
    cast: Cast, client: Client
) -> None:
    team(cast)
    course = hipaa(cast)
    first, second, later = (_resolved(cast, dt.date(2026, 11, d)) for d in (3, 10, 24))
    good = {"Accuracy": 5, "Completeness": 4, "Compliance": 5, "Courtesy": 3}
    november, now = dt.date(2026, 11, 1), dt.datetime(2026, 11, 18, tzinfo=dt.UTC)

    def review(inquiry: Inquiry, scores: dict[str, int], fails: list[str]) -> str:
        made = do_review_inquiry(
            inquiry, scores, fails, month=november, now=now, acting_user=cast.mia
        )
        return f"QR-{made.pk}"

    low = review(first, {**good, "Compliance": 2}, [])  # a flaw: compliance 2 of 5
    fail = review(second, good, ["Wrong benefit or claim information given"])
    found = quality_findings(managed_people(cast.mia), dt.date(2026, 9, 1))
    assert [(f["topic"], f["evidence"], [u.username for u in f["people"]]) for f in found] == [
        ("Quality: Compliance", [low], ["alice"]),
        ("Quality: Wrong benefit or claim information given", [fail], ["alice"]),
    ]
    bob_only = Person.objects.filter(user=cast.bob)
    assert quality_findings(bob_only, dt.date(2026, 9, 1)) == []  # only the people asked of

    client.force_login(cast.mia)
    page = client.get(reverse("team:needs")).content.decode()
    assert "Quality: Compliance" in page and low in page
    client.post(
        reverse("team:need_open"),
        {"topic": "Quality: Compliance", "evidence": low, "people": [cast.alice.pk]},
    )
    need = TrainingNeed.objects.get()
    assert (need.evidence, [u.username for u in need.people.all()]) == ([low], ["alice"])
    left = quality_findings(managed_people(cast.mia), dt.date(2026, 9, 1))
    assert [f["topic"] for f in left] == ["Quality: Wrong benefit or claim information given"]

    do_address_need(
        need,
        course,
        {"kind": "document", "title": "Compliance in every answer"},
        due_on=dt.date(2026, 12, 1),
        today=dt.date(2026, 11, 20),
        acting_user=cast.mia,
    )
    review(later, good, [])  # resolved Nov 24, after the module: no flaw
    need.refresh_from_db()
    (effect,) = need_effect(need, dt.date(2026, 12, 1))
    # Before Nov 20: the reviews of Nov 3 (compliance 2: the flaw) and Nov 10 (an auto-fail,
    # another flaw): 1 of 2. Since: Nov 24, clean: 0 of 1.
    assert (effect.before, effect.before_total, effect.after, effect.after_total) == (1, 2, 0, 1)
    assert (effect.before_text, effect.after_text) == ("1 of 2 (50.0%)", "0 of 1 (0.0%)")
    page = client.get(reverse("team:needs")).content.decode()
    assert "Reviews finding the same flaw" in page and "1 of 2 (50.0%)" in page
