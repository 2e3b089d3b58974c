"""The issue's path end to end: a manager sends, the contact answers through the link in the
mail, a detractor opens a follow-up that is worked, and the account's figures move."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from clientdesk.audit.models import AuditEvent
from clientdesk.inquiries import actions as inquiry_actions
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.lib.calls import CALL_RULES
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.lib.work import WORK_LISTS
from clientdesk.surveys import actions, conf
from clientdesk.surveys.models import FollowUpStatus, InvitationStatus, SurveyResponse
from clientdesk.surveys.tests.cast import (
    link_path,
    relationship_survey,
    sent_to_acme,
    transactional_survey,
)
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

# Friday Dec 4, 2026, 15:00 New York: two business days later is Tuesday Dec 8.
FRIDAY = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)


def test_manager_sends_contact_answers_detractor_is_followed_up(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(FRIDAY, tick=False):
        survey = relationship_survey(cast)
        manager = Client()
        manager.force_login(cast.mia)
        with django_capture_on_commit_callbacks(execute=True):
            page = manager.post(
                reverse("surveys:account_send", args=[cast.acme.pk]),
                {"survey": survey.pk, "contacts": [cast.acme_contact.pk], "language": "en"},
            )
        assert page.status_code == 302
        # The tests' queue is the immediate backend: the worker delivered after the commit.
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["dana.whitfield@acme.example"]
        assert "Acme" not in message.body  # no account or member data in the mail
        assert "List-Unsubscribe" in message.extra_headers
        path = link_path(str(message.body))

        respondent = Client()
        form = respondent.get(path)
        assert form.status_code == 200
        assert b"How likely are you to recommend" in form.content
        assert b"What is the main reason" not in form.content  # the branch is not asked yet
        assert b"Acme" not in form.content

        # A low score opens the "why": the survey stays open and asks it.
        more = respondent.post(path, {"recommend": "3", "_shown": ["recommend"]})
        assert more.status_code == 200
        assert b"What is the main reason" in more.content
        invitation = cast.acme.survey_invitations.get()
        assert invitation.status == InvitationStatus.STARTED

        done = respondent.post(
            path,
            {
                "recommend": "3",
                "why": "Reports arrive late",
                "action": "submit",
                "_shown": ["recommend", "why", "satisfaction", "drivers", "comment"],
            },
        )
        assert done.status_code == 200
        assert b"Thank you" in done.content
        response = SurveyResponse.objects.get()
        assert (response.nps, response.verbatim) == (3, "Reports arrive late")
        assert response.contact_role == "benefits_manager"
        assert response.associate_id == cast.alice.pk  # Acme's lead

        # Used link: a clear page.
        again = respondent.get(path)
        assert again.status_code == 410
        assert b"already been answered" in again.content

        follow_up = response.follow_up
        assert follow_up.owner_id == cast.alice.pk
        assert follow_up.due == dt.date(2026, 12, 8)

        # The call to action the strategy app will open, and the home list.
        causes = list(CALL_RULES.get("survey_detractor").find(FRIDAY))  # type: ignore[union-attr]
        assert [(c.account_id, c.key, c.due, c.owner_id) for c in causes] == [
            (cast.acme.pk, f"survey_response:{response.pk}", dt.date(2026, 12, 8), cast.alice.pk)
        ]
        home = {w.key: w for w in WORK_LISTS.for_reader(cast.alice, FRIDAY)}
        assert home["survey_follow_ups"].total == 1
        assert "NPS 3" in home["survey_follow_ups"].items[0].detail

        # The account's health reads NPS -100 (one detractor) through ACCOUNT_MEASURES.
        nps = ACCOUNT_MEASURES.get("nps").compute([cast.acme.pk], dt.date(2026, 12, 4))  # type: ignore[union-attr]
        assert nps[cast.acme.pk].value == -100.0
        assert "from 1 answers" in nps[cast.acme.pk].detail
        assert nps[cast.acme.pk].basis == 1  # the score weighs it by its credibility

        # The owner works the follow-up; it leaves the list and the rule.
        owner = Client()
        owner.force_login(cast.alice)
        url = reverse("surveys:follow_up", args=[follow_up.pk])
        refused = owner.post(url, {"status": "closed", "notes": "Called Dana", "outcome": ""})
        assert refused.status_code == 422
        worked = owner.post(
            url, {"status": "closed", "notes": "Called Dana", "outcome": "Monthly report moved up"}
        )
        assert worked.status_code == 302
        follow_up.refresh_from_db()
        assert follow_up.status == FollowUpStatus.CLOSED
        assert list(CALL_RULES.get("survey_detractor").find(FRIDAY)) == []  # type: ignore[union-attr]

    trail = list(
        AuditEvent.objects.filter(action__startswith="surveys.").values_list("action", flat=True)
    )
    for action in (
        "surveys.create",
        "surveys.send",
        "surveys.deliver",
        "surveys.respond",
        "surveys.follow_up_open",
        "surveys.follow_up",
    ):
        assert action in trail


def test_transactional_survey_after_resolved_inquiries(cast: Cast) -> None:
    survey = transactional_survey(cast)
    inquiry = acme_inquiry(cast)
    actions_now = dt.datetime.now(dt.UTC)
    assert (
        actions.do_send_transactional(
            survey, since=actions_now - dt.timedelta(days=7), acting_user=cast.mia
        )
        is None
    )
    inquiry = inquiry_actions.do_change_status(
        inquiry,
        "resolved",
        expected_version=inquiry.version,
        acting_user=cast.alice,
        resolution_code="answered",
        resolution_summary="Explained the pending MRI claim.",
    )
    send = actions.do_send_transactional(
        survey, since=actions_now - dt.timedelta(days=7), acting_user=cast.mia
    )
    assert send is not None
    invitation = send.invitations.get()
    assert (invitation.inquiry_id, invitation.associate_id) == (inquiry.pk, cast.alice.pk)
    actions.deliver_send(send.pk)
    # Asked once per inquiry: a second run finds nothing new.
    assert (
        actions.do_send_transactional(
            survey, since=actions_now - dt.timedelta(days=7), acting_user=cast.mia
        )
        is None
    )
    saved = actions.do_save_answers(
        invitation, {"satisfaction": ["5"], "effort": ["6"], "resolved": ["yes"]}, finish=True
    )
    assert saved.completed and saved.follow_up is None
    assert (saved.response.csat, saved.response.ces, saved.response.kind) == (5, 6, "transactional")


def test_throttle_unsubscribe_and_one_reminder(cast: Cast) -> None:
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        invitation, path = sent_to_acme(cast)
    survey = invitation.version.survey
    # 7 days later the reminder goes, once.
    with time_machine.travel(start + dt.timedelta(days=6), tick=False):
        assert actions.do_send_reminders() == 0
    with time_machine.travel(start + dt.timedelta(days=7), tick=False):
        mail.outbox = []
        assert actions.do_send_reminders() == 1
        assert link_path(str(mail.outbox[0].body)) == path  # the same link again
        assert mail.outbox[0].subject.startswith("Reminder")
        assert actions.do_send_reminders() == 0
        # Within the throttle window, by any survey: not sent, with the reason.
        other = relationship_survey(cast)
        send = actions.do_send_survey(other, cast.acme, [cast.acme_contact], acting_user=cast.mia)
        skipped = send.invitations.get()
        assert (send.invited, send.skipped) == (0, 1)
        assert skipped.skip_reason == f"surveyed in the last {conf.THROTTLE_DAYS} days"
    # Past the expiry the link says so.
    with time_machine.travel(start + dt.timedelta(days=conf.EXPIRY_DAYS, hours=1), tick=False):
        expired = Client().get(path)
        assert expired.status_code == 410
        assert b"expired" in expired.content
        # Unsubscribing still works from an expired link, and is honoured by every send.
        assert Client().post(path + "unsubscribe/").status_code == 200
    with time_machine.travel(start + dt.timedelta(days=conf.THROTTLE_DAYS + 1), tick=False):
        send = actions.do_send_survey(survey, cast.acme, [cast.acme_contact], acting_user=cast.mia)
        assert send.invitations.get().skip_reason == "unsubscribed"


def test_partial_answers_are_saved_and_shown_again(cast: Cast) -> None:
    _, path = sent_to_acme(cast)
    client = Client()
    saved = client.post(path, {"recommend": "9", "drivers": ["claims", "cost"], "action": "save"})
    assert saved.status_code == 200
    assert b"saved" in saved.content
    response = SurveyResponse.objects.get()
    assert response.submitted_at is None
    assert response.answers == {"recommend": 9, "drivers": ["claims", "cost"]}
    page = client.get(path).content.decode()
    assert 'value="9" checked' in page
    assert 'value="cost" checked' in page
    # A partial answer is no result yet.
    nps = ACCOUNT_MEASURES.get("nps").compute([cast.acme.pk], dt.datetime.now(dt.UTC).date())  # type: ignore[union-attr]
    assert cast.acme.pk not in nps


def test_required_question_and_out_of_scale_values_are_refused(cast: Cast) -> None:
    _, path = sent_to_acme(cast)
    client = Client()
    empty = client.post(path, {"_shown": ["recommend"], "action": "submit"})
    assert empty.status_code == 422
    assert b"this question needs an answer" in empty.content
    wrong = client.post(path, {"recommend": "11", "action": "submit"})
    assert wrong.status_code == 422
    assert b"choose a number on the scale" in wrong.content


def test_spanish_page_and_unknown_token(cast: Cast) -> None:
    _, path = sent_to_acme(cast)
    page = Client().get(path + "?lang=es")
    assert b'lang="es"' in page.content
    assert "¿Qué probabilidad hay".encode() in page.content
    unknown = Client().get("/s/" + "A" * 43 + "/")
    assert unknown.status_code == 404
    assert b"not valid" in unknown.content


def test_public_page_is_rate_limited(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    _, path = sent_to_acme(cast)
    monkeypatch.setattr(conf, "PUBLIC_RATE_LIMIT", 2)
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 429


def test_behind_a_trusted_proxy_each_respondent_has_a_limit_of_their_own(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    # Every request reaches the app from the proxy (10.0.0.5): counted by REMOTE_ADDR, one
    # busy respondent would lock every other one out.
    _, path = sent_to_acme(cast)
    monkeypatch.setattr(conf, "PUBLIC_RATE_LIMIT", 2)
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    busy = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert [busy.get(path).status_code for _ in range(3)] == [200, 200, 429]
    assert other.get(path).status_code == 200
