"""The improvement loop: a problem's training finding opens a training need for the people
serving its account; the manager turns it into a module of a course and assigns it."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.insights.actions import do_link_inquiries, do_update_problem
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.team.actions import do_address_need, do_open_training_need
from clientdesk.team.models import AssignmentReason, NeedStatus, TrainingAssignment, TrainingNeed
from clientdesk.team.queries import findings_without_need, need_effect
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
