"""Recurring relationship surveys: the dates by hand, the clock's job sending each due
schedule once, the page, and stale saves of schedules and follow-ups refused with both
versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.people.tokens import do_create_api_token
from clientdesk.surveys import actions
from clientdesk.surveys.models import Invitation, SurveySchedule
from clientdesk.surveys.runs import run_daily, run_schedules
from clientdesk.surveys.schedules import add_months, next_after
from clientdesk.surveys.tasks import enqueue_send
from clientdesk.surveys.tests.cast import (
    acme_follow_up,
    relationship_survey,
    transactional_survey,
)
from clientdesk.testing import Cast

D = dt.date


def test_dates_of_a_schedule_by_hand() -> None:
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2027, 11, 30), 3) == D(2028, 2, 29)  # a leap year
    assert add_months(D(2026, 1, 31), 12) == D(2027, 1, 31)
    # Counted from the due day, so the 31st holds: Apr 30, then Jul 31.
    assert next_after(D(2026, 1, 31), 3, D(2026, 1, 31)) == D(2026, 4, 30)
    assert next_after(D(2026, 1, 31), 3, D(2026, 5, 2)) == D(2026, 7, 31)
    # Two turns missed (the clock was down): the next is after today, sent once.
    assert next_after(D(2026, 1, 15), 6, D(2027, 3, 1)) == D(2027, 7, 15)


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_the_daily_job_sends_a_due_schedule_once_and_moves_it_on(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    survey = relationship_survey(cast)
    schedule = actions.do_create_schedule(
        survey,
        cast.acme,
        cadence="quarterly",
        next_on=D(2026, 3, 2),
        roles=["benefits_manager"],
        acting_user=cast.alice,
    )
    # Not due yet: nothing sent.
    assert run_schedules(D(2026, 3, 1)) == (0, 0, 0)
    mail.outbox = []
    now = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):  # the queued delivery runs
        done = run_daily(now)
    assert (done.due, done.sent, done.invited) == (1, 1, 1)
    schedule.refresh_from_db()
    assert schedule.next_on == D(2026, 6, 2)
    assert schedule.last_run_on == D(2026, 3, 2)
    assert schedule.last_outcome == "sent: 1 invited, 0 not sent"
    assert schedule.version == 2
    invitation = Invitation.objects.get(send=schedule.last_send)
    assert invitation.email == "dana.whitfield@acme.example"
    assert [m.to for m in mail.outbox] == [["dana.whitfield@acme.example"]]
    # The same day again, or a second clock: nothing more.
    assert run_schedules(D(2026, 3, 2), now) == (0, 0, 0)
    assert (
        actions.do_run_schedule(schedule.pk, D(2026, 3, 2), enqueue=enqueue_send, now=now) is None
    )
    assert Invitation.objects.filter(account=cast.acme).count() == 1
    assert AuditEvent.objects.filter(action="surveys.schedule.run").count() == 1


@pytestmark_db
def test_a_schedule_with_nobody_to_ask_moves_on_and_says_why(cast: Cast) -> None:
    schedule = actions.do_create_schedule(
        relationship_survey(cast),
        cast.acme,
        cadence="yearly",
        next_on=D(2026, 3, 2),
        roles=["cfo"],
        acting_user=cast.mia,
    )
    assert run_schedules(D(2026, 3, 9)) == (1, 0, 0)
    schedule.refresh_from_db()
    assert (schedule.next_on, schedule.last_outcome) == (
        D(2027, 3, 2),
        "not sent: no contact with an address in the roles asked",
    )
    with pytest.raises(actions.SurveyError, match="relationship survey"):
        actions.do_create_schedule(
            transactional_survey(cast),
            cast.acme,
            cadence="yearly",
            next_on=D(2026, 3, 2),
            acting_user=cast.mia,
        )
    with pytest.raises(actions.SurveyError, match="already scheduled"):
        actions.do_create_schedule(
            schedule.survey, cast.acme, cadence="yearly", next_on=D(2026, 3, 2), acting_user=None
        )


@pytestmark_db
def test_the_schedule_page_creates_and_refuses_a_stale_save(cast: Cast) -> None:
    survey = relationship_survey(cast)
    alice, oscar = Client(), Client()
    alice.force_login(cast.alice)
    oscar.force_login(cast.oscar)
    made = alice.post(
        reverse("surveys:schedules"),
        {
            "account": cast.acme.pk,
            "survey": survey.pk,
            "cadence": "half_yearly",
            "next_on": "2026-04-01",
            "roles": ["benefits_manager"],
            "language": "en",
        },
    )
    assert made.status_code == 302
    schedule = SurveySchedule.objects.get(account=cast.acme)
    assert (schedule.cadence, schedule.roles) == ("half_yearly", ["benefits_manager"])
    url = reverse("surveys:schedule", args=[schedule.pk])
    assert oscar.get(url).status_code == 404
    edit = {"cadence": "quarterly", "next_on": "2026-04-01", "language": "en", "version": "1"}
    # Someone else pauses it first.
    actions.do_update_schedule(schedule, {"is_active": False}, acting_user=cast.mia)
    stale = alice.post(url, {**edit, "is_active": "on"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Someone else saved first" in page
    assert 'name="version" value="2"' in page
    schedule.refresh_from_db()
    assert (schedule.cadence, schedule.is_active, schedule.version) == ("half_yearly", False, 2)
    saved = alice.post(url, {**edit, "version": "2", "is_active": "on"})
    assert saved.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.cadence, schedule.is_active, schedule.roles, schedule.version) == (
        "quarterly",
        True,
        [],
        3,
    )


@pytestmark_db
def test_a_stale_follow_up_save_is_refused_on_the_page_and_the_api(cast: Cast) -> None:
    follow_up = acme_follow_up(cast)
    assert follow_up.version == 1
    actions.do_work_follow_up(
        follow_up, status="contacted", notes="Left a message.", acting_user=cast.mia
    )
    client = Client()
    client.force_login(cast.alice)
    url = reverse("surveys:follow_up", args=[follow_up.pk])
    stale = client.post(url, {"status": "closed", "notes": "", "outcome": "Fixed", "version": "1"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Left a message." in page  # the saved version beside the editor's
    assert 'name="version" value="2"' in page
    _, token = do_create_api_token(cast.alice, "t", acting_user=cast.alice)
    api = f"/api/surveys/follow-ups/{follow_up.pk}"
    body = {"status": "closed", "notes": "Called", "outcome": "Fixed", "version": 1}
    refused = client.patch(
        api, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["version"] == 2
    assert answer["saved"]["notes"] == "Left a message."
    assert "nothing was saved" in answer["detail"]
    ok = client.patch(
        api,
        {**body, "version": 2},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["version"]) == ("closed", 3)


@pytestmark_db
def test_the_schedules_api_creates_changes_pauses_and_refuses(cast: Cast) -> None:
    survey = relationship_survey(cast)
    client = Client()

    def call(user: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        _, token = do_create_api_token(user, "t", acting_user=user)
        send = getattr(client, method)
        return send(
            f"/api/surveys/schedules{path}",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    body = {
        "account_id": cast.acme.pk,
        "survey_id": survey.pk,
        "cadence": "quarterly",
        "next_on": "2027-01-15",
        "roles": ["hr_director", "benefits_manager", "hr_director"],
    }
    made = call(cast.alice, "post", "", body)
    assert made.status_code == 201, made.content
    out = made.json()
    assert (out["account_id"], out["survey_id"], out["cadence"]) == (
        cast.acme.pk,
        survey.pk,
        "quarterly",
    )
    assert out["roles"] == ["benefits_manager", "hr_director"]  # sorted, once each
    assert (out["next_on"], out["language"], out["is_active"], out["version"]) == (
        "2027-01-15",
        "en",
        True,
        1,
    )
    schedule_id = out["id"]
    assert AuditEvent.objects.filter(action="surveys.schedule.create").count() == 1
    # The same survey for the same account again: 409 (change that schedule); a transactional
    # survey, a bad role: 422.
    taken = call(cast.alice, "post", "", body)
    assert taken.status_code == 409
    assert taken.json() == {
        "detail": "this survey is already scheduled for the account: change that one"
    }
    other = {**body, "survey_id": transactional_survey(cast).pk}
    assert call(cast.alice, "post", "", other).status_code == 422
    assert call(cast.mia, "post", "", {**body, "roles": ["janitor"]}).status_code == 422
    assert call(cast.alice, "post", "", {**body, "cadence": "weekly"}).status_code == 422
    # Bayside is not alice's (404); the executive reads Acme but sends to nothing (403);
    # an unknown survey is named like a path id (404).
    assert call(cast.alice, "post", "", {**body, "account_id": cast.bayside.pk}).status_code == 404
    assert call(cast.eve, "post", "", body).status_code == 403
    assert call(cast.mia, "post", "", {**body, "survey_id": 999999}).status_code == 404

    listed = call(cast.eve, "get", "").json()
    assert [s["id"] for s in listed] == [schedule_id]
    assert call(cast.oscar, "get", "").json() == []  # Acme is not oscar's
    assert call(cast.oscar, "get", f"/{schedule_id}").status_code == 404
    assert call(cast.eve, "patch", f"/{schedule_id}", {"cadence": "yearly"}).status_code == 403

    changed = call(cast.alice, "patch", f"/{schedule_id}", {"cadence": "yearly", "version": 1})
    assert changed.status_code == 200
    assert (changed.json()["cadence"], changed.json()["version"]) == ("yearly", 2)
    assert changed.json()["next_on"] == "2027-01-15"  # fields not named stay
    # mia saved on version 1 too: refused with what is stored, nothing changed.
    stale = call(cast.mia, "patch", f"/{schedule_id}", {"language": "es", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["version"] == 2
    assert stale.json()["saved"]["cadence"] == "yearly"
    assert SurveySchedule.objects.get(pk=schedule_id).language == "en"
    assert call(cast.mia, "patch", f"/{schedule_id}", {"next_on": "not a day"}).status_code == 422

    paused = call(cast.mia, "post", f"/{schedule_id}/pause", {"version": 2})
    assert (paused.status_code, paused.json()["is_active"], paused.json()["version"]) == (
        200,
        False,
        3,
    )
    assert call(cast.alice, "post", f"/{schedule_id}/resume", {"version": 2}).status_code == 409
    resumed = call(cast.alice, "post", f"/{schedule_id}/resume", {})
    assert (resumed.json()["is_active"], resumed.json()["version"]) == (True, 4)
    assert AuditEvent.objects.filter(action="surveys.schedule.update").count() == 3
