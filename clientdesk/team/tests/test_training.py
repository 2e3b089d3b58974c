"""A manager assigns the yearly HIPAA course and sees who is overdue; an associate takes it
(the quiz scored on the server, an attempt submitted once), completes it and gets a PDF
certificate; the nightly run re-assigns it before it lapses and mails the overdue."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from clientdesk.accounts.actions import do_assign
from clientdesk.audit.models import AuditEvent
from clientdesk.team.access import managed_people
from clientdesk.team.actions import (
    TeamRuleError,
    do_create_course,
    do_create_path,
    do_save_license,
    do_start_quiz,
    do_submit_quiz,
)
from clientdesk.team.models import (
    AssignmentReason,
    Certificate,
    Course,
    LearningPath,
    License,
    QuizAttempt,
    TrainingAssignment,
)
from clientdesk.team.queries import compliance_matrix
from clientdesk.team.runs import run_reminders
from clientdesk.team.tests.cast import hipaa, team
from clientdesk.team.tests.routes import completed
from clientdesk.testing import Cast

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_manager_assigns_hipaa_and_sees_who_is_overdue(
    cast: Cast, client: Client, frozen: time_machine.Traveller
) -> None:
    team(cast)
    course = hipaa(cast)
    client.force_login(cast.mia)
    response = client.post(
        reverse("team:course_assign", args=[course.pk]),
        {"people": [cast.alice.pk, cast.bob.pk], "due_on": "2026-12-15"},
    )
    assert response.status_code == 302
    assert sorted(
        TrainingAssignment.objects.filter(course=course).values_list("user__username", flat=True)
    ) == ["alice", "bob"]
    page = client.get(reverse("team:matrix"))
    assert page.status_code == 200
    assert page.content.decode().count("due Dec 15") == 2

    frozen.move_to(dt.datetime(2026, 12, 16, 15, 0, tzinfo=dt.UTC))
    client.force_login(cast.mia)  # the session of two weeks ago has timed out
    text = client.get(reverse("team:matrix")).content.decode()
    assert text.count("overdue Dec 15") == 2
    assert "2 overdue" in text
    home = client.get(reverse("home")).content.decode()
    assert "Overdue training" in home and "HIPAA privacy and security" in home
    # oscar is not mia's: he is not in her matrix
    matrix = compliance_matrix(managed_people(cast.mia), dt.date(2026, 12, 16))
    assert [p.name for p, _ in matrix.rows] == ["Alice Owner", "Bob Teammate"]


def test_quiz_is_scored_on_the_server_and_submitted_once(
    cast: Cast, client: Client, frozen: time_machine.Traveller
) -> None:
    team(cast)
    course = hipaa(cast)
    client.force_login(cast.mia)
    client.post(
        reverse("team:course_assign", args=[course.pk]),
        {"people": [cast.alice.pk], "due_on": "2026-12-15"},
    )
    assignment = TrainingAssignment.objects.get(user=cast.alice)
    quiz = course.modules.get(kind="quiz")
    questions = list(quiz.questions.all())
    client.force_login(cast.alice)
    page = client.get(reverse("team:assignment", args=[assignment.pk])).content.decode()
    assert "Take the quiz" in page
    client.post(reverse("team:quiz_start", args=[assignment.pk, quiz.pk]))
    attempt = QuizAttempt.objects.get()
    quiz_page = client.get(reverse("team:quiz", args=[attempt.pk])).content.decode()
    assert "Minimum necessary applies to" in quiz_page
    # Each question offers its choices by index alone: nothing on the page tells the right one.
    start = quiz_page.index("team/attempts/")
    form = quiz_page[start : quiz_page.index("</form>", start)]
    assert form.count('type="radio"') == 4
    assert "correct" not in form.lower() and "right" not in form.lower()
    # One right of two: 50%, below the pass mark of 80%.
    client.post(
        reverse("team:quiz_submit", args=[attempt.pk]),
        {f"q{questions[0].pk}": "1", f"q{questions[1].pk}": "1"},
    )
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (50, False)
    # The same attempt again, now with the right answers: refused, the score stays.
    client.post(
        reverse("team:quiz_submit", args=[attempt.pk]),
        {f"q{questions[0].pk}": "1", f"q{questions[1].pk}": "0"},
    )
    attempt.refresh_from_db()
    assert attempt.score == 50
    with pytest.raises(TeamRuleError, match="already submitted"):
        do_submit_quiz(attempt, {}, now=NOW, acting_user=cast.alice)
    # Completing before passing is refused.
    client.post(reverse("team:complete", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.completed_on is None
    # A new attempt, both right: 100%.
    second = do_start_quiz(assignment, quiz, now=NOW, acting_user=cast.alice)
    assert second.pk != attempt.pk
    client.post(
        reverse("team:quiz_submit", args=[second.pk]),
        {f"q{questions[0].pk}": "1", f"q{questions[1].pk}": "0"},
    )
    client.post(reverse("team:complete", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert (assignment.completed_on, assignment.score) == (dt.date(2026, 12, 1), 100)
    pdf = client.get(reverse("team:certificate", args=[assignment.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # bob may not take alice's quiz nor read her certificate
    client.force_login(cast.bob)
    assert client.get(reverse("team:certificate", args=[assignment.pk])).status_code == 404
    assert client.get(reverse("team:quiz", args=[second.pk])).status_code == 404
    matrix = compliance_matrix(managed_people(cast.mia), dt.date(2026, 12, 2))
    cells = {p.name: cells[0] for p, cells in matrix.rows}
    assert (cells["Alice Owner"].state, cells["Alice Owner"].date) == (
        "current",
        dt.date(2027, 12, 1),
    )
    assert cells["Bob Teammate"].state == "missing"


def test_reminders_mail_once_a_week_and_yearly_courses_come_back(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    team(cast)
    course = hipaa(cast)
    bob_open = TrainingAssignment.objects.create(
        user=cast.bob,
        course=course,
        assigned_on=dt.date(2026, 11, 1),
        due_on=dt.date(2026, 11, 30),
    )
    TrainingAssignment.objects.create(
        user=cast.alice,
        course=course,
        assigned_on=dt.date(2025, 12, 1),
        due_on=dt.date(2025, 12, 31),
        completed_on=dt.date(2025, 12, 20),
        score=90,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = run_reminders(dt.date(2026, 12, 1))
    # alice's completion lapses on 2026-12-20, within 30 days: assigned again, due then.
    assert run.reassigned == 1
    again = TrainingAssignment.objects.get(user=cast.alice, completed_on=None)
    assert (again.reason, again.due_on) == (AssignmentReason.YEARLY, dt.date(2026, 12, 20))
    assert (run.overdue, run.mails, run.manager_mails) == (1, 1, 1)
    assert mail.outbox[0].to == ["bob@example.org"]
    assert "HIPAA privacy and security" in mail.outbox[0].body
    assert "1 days overdue" in mail.outbox[0].body
    assert f"/team/training/{bob_open.pk}/" in mail.outbox[0].body
    # bob's manager gets one digest of the reports reminded.
    assert mail.outbox[1].to == ["mia@example.org"]
    assert mail.outbox[1].subject == "Your team: 1 with overdue training"
    assert "- Bob: 1 overdue, the oldest due Nov 30, 2026" in mail.outbox[1].body
    # The same day again: nothing new, no second mail; a week later, a reminder again.
    with django_capture_on_commit_callbacks(execute=True):
        assert run_reminders(dt.date(2026, 12, 1)).mails == 0
        assert run_reminders(dt.date(2026, 12, 8)).mails == 1
    assert [m.to for m in mail.outbox[2:]] == [["bob@example.org"], ["mia@example.org"]]
    assert AuditEvent.objects.filter(action="team.training.remind").count() == 3


def test_a_learning_path_assigns_its_courses(cast: Cast, client: Client) -> None:
    team(cast)
    course = hipaa(cast)
    client.force_login(cast.mia)
    client.post(
        reverse("team:courses"),
        {
            "code": "ONB",
            "title": "Acme onboarding",
            "recurrence": "once",
            "days_to_complete": "30",
            "passing_score": "80",
        },
    )
    onboarding = Course.objects.get(code="ONB")
    client.post(
        reverse("team:path_create"),
        {"name": "Acme onboarding", "account": cast.acme.pk, "courses": [course.pk, onboarding.pk]},
    )
    path = LearningPath.objects.get()
    assert path.account == cast.acme
    client.post(
        reverse("team:path_assign", args=[path.pk]),
        {"people": [cast.bob.pk], "due_on": "2027-01-15"},
    )
    made = TrainingAssignment.objects.filter(user=cast.bob, reason=AssignmentReason.PATH)
    assert sorted(made.values_list("course__code", flat=True)) == ["HIPAA", "ONB"]
    assert set(made.values_list("due_on", flat=True)) == {dt.date(2027, 1, 15)}
    page = client.get(reverse("team:courses")).content.decode()
    assert "onboarding to Acme Steel Works" in page


def test_a_certificate_is_made_at_completion_and_kept_as_issued(cast: Cast, client: Client) -> None:
    """Made when the course is completed (numbered, dated, the name as it was then); a
    rename before the first open does not change it: the PDF is printed from what it
    stored, kept with its SHA-256 and handed out as kept; a changed file is refused."""
    assignment_id = completed(cast)["assignment_id"]  # completed 2026-01-06 as Alice Owner
    made = Certificate.objects.get(assignment_id=assignment_id)
    assert (made.number, made.holder_name, made.completed_on) == (
        f"CD-COC-{assignment_id:06d}",
        "Alice Owner",
        dt.date(2026, 1, 6),
    )
    assert (made.course_title, made.issued_by, made.sha256) == ("Code of conduct", cast.alice, "")
    completion = AuditEvent.objects.get(action="team.course.complete").after or {}
    assert (completion["certificate"], completion["holder_name"]) == (made.number, "Alice Owner")

    # Renamed, and the course retitled, before anyone opened the certificate.
    cast.alice.last_name = "Renamed"
    cast.alice.save()
    Course.objects.filter(code="COC").update(title="Code of conduct, 2027 edition")
    url = reverse("team:certificate", args=[assignment_id])
    client.force_login(cast.alice)
    page = reverse("team:assignment", args=[assignment_id])
    assert (
        "printed from what it holds the first time it is opened"
        in client.get(page).content.decode()
    )
    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(first.content)).pages[0].extract_text()
    assert "Alice Owner" in text and "Renamed" not in text
    assert "Code of conduct (COC" in text and "2027 edition" not in text
    assert f"Certificate {made.number}" in text and "January 6, 2026" in text
    printed = Certificate.objects.get(pk=made.pk)
    assert printed.sha256 == hashlib.sha256(first.content).hexdigest()
    assert printed.size == len(first.content) and printed.printed_at is not None
    assert printed.sha256 in client.get(page).content.decode()

    client.force_login(cast.mia)  # her manager reads the same file
    assert client.get(url).content == first.content
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="team.certificate.print").count() == 1

    with printed.file.open("wb") as handle:
        handle.write(b"%PDF-1.7 something else")
    altered = client.get(url)
    assert altered.status_code == 409 and b"does not match" in altered.content


def test_joining_an_account_team_assigns_its_paths(
    cast: Cast, frozen: time_machine.Traveller
) -> None:
    """Put on Bayside's team (the accounts app's action), bob gets Bayside's onboarding path,
    each course due its days from today; a change of role adds nothing, nor does joining an
    account without a path, and someone without a team record gets nothing."""
    people = team(cast)
    onboarding = do_create_course(
        {"code": "ONB-B", "title": "Bayside onboarding", "days_to_complete": 14},
        acting_user=cast.mia,
    )
    do_create_path(
        "Onboarding to Bayside",
        [onboarding, hipaa(cast)],
        account=cast.bayside,
        acting_user=cast.mia,
    )
    do_assign(cast.bayside, cast.bob, "backup", acting_user=cast.mia)
    made = TrainingAssignment.objects.filter(user=cast.bob, reason=AssignmentReason.PATH)
    assert sorted((a.course.code, a.due_on) for a in made) == [
        ("HIPAA", dt.date(2026, 12, 31)),
        ("ONB-B", dt.date(2026, 12, 15)),
    ]
    joined = AuditEvent.objects.get(action="team.path.assign_on_joining")
    assert (joined.account, joined.object_id) == (cast.bayside, str(people["bob"].pk))
    do_assign(cast.bayside, cast.bob, "lead", acting_user=cast.mia)  # a new role, same team
    do_assign(cast.acme, cast.oscar, "backup", acting_user=cast.mia)  # Acme has no path
    do_assign(cast.bayside, cast.mia, "backup", acting_user=cast.ada)  # no team record
    assert TrainingAssignment.objects.filter(reason=AssignmentReason.PATH).count() == 2


def test_license_alerts_are_mailed_once_each_to_the_holder_and_their_manager(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    team(cast)
    license_ = do_save_license(
        cast.bob,
        {
            "state": "OH",
            "number": "OH-77",
            "line": "health",
            "issued_on": dt.date(2025, 1, 15),
            "expires_on": dt.date(2027, 1, 15),
            "ce_required": 24,
            "ce_earned": 24,
        },
        acting_user=cast.mia,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = run_reminders(dt.date(2026, 12, 1))  # 45 days left: the 60-day alert
        assert (run.license_alerts, run.mails, run.manager_mails) == (1, 0, 1)
        assert run_reminders(dt.date(2026, 12, 2)).license_alerts == 0  # mailed already
        assert run_reminders(dt.date(2026, 12, 17)).license_alerts == 1  # 29 days: 30
        assert run_reminders(dt.date(2027, 1, 16)).license_alerts == 1  # lapsed
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["bob@example.org"], "Your license expires soon"),
        (["mia@example.org"], "Your team: 1 license to renew"),
        (["bob@example.org"], "Your license expires soon"),
        (["mia@example.org"], "Your team: 1 license to renew"),
        (["bob@example.org"], "Your license has lapsed"),
        (["mia@example.org"], "Your team: 1 license to renew"),
    ]
    assert "OH license OH-77 expires on Jan 15, 2027 (within 60 days)" in mail.outbox[0].body
    assert "- Bob: OH license OH-77 lapsed on Jan 15, 2027" in mail.outbox[5].body
    # Renewed: the alert is cleared, and the next expiry will be announced again.
    License.objects.filter(pk=license_.pk).update(expires_on=dt.date(2029, 1, 15))
    assert run_reminders(dt.date(2027, 1, 20)).license_alerts == 0
    assert License.objects.get(pk=license_.pk).alerted is None
