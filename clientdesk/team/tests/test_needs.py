"""The improvement loop: a problem's training finding opens a training need for the people
serving its account; the manager turns it into a module of a course and assigns it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from clientdesk.insights.actions import do_update_problem
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.team.models import AssignmentReason, NeedStatus, TrainingAssignment, TrainingNeed
from clientdesk.team.queries import findings_without_need
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
