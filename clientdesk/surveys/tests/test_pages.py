"""The staff pages and the API on real data: the account tab, building a survey, the API."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.accounts import actions as account_actions
from clientdesk.people.tokens import do_create_api_token
from clientdesk.surveys.library import TEMPLATES
from clientdesk.surveys.models import Survey
from clientdesk.surveys.questions import QuestionError, parse_questions
from clientdesk.surveys.tests.cast import acme_follow_up, relationship_survey
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["mia", "alice"])
def test_account_tab_shows_figures_and_the_follow_up(cast: Cast, who: str) -> None:
    follow_up = acme_follow_up(cast)
    client = Client()
    client.force_login(cast.users()[who])
    page = client.get(reverse("accounts:tab", args=[cast.acme.pk, "surveys"])).content.decode()
    assert "Detractors to call back" in page
    assert reverse("surveys:follow_up", args=[follow_up.pk]) in page
    assert "NPS 2" in page
    assert "-100.0" in page  # one detractor
    assert reverse("surveys:account_send", args=[cast.acme.pk]) in page


def test_home_lists_the_follow_up_for_the_owner_not_the_outsider(cast: Cast) -> None:
    acme_follow_up(cast)
    alice, oscar = Client(), Client()
    alice.force_login(cast.alice)
    oscar.force_login(cast.oscar)
    assert "Detractors to call back" in alice.get("/").content.decode()
    assert (
        "Sponsor relationship 2026" not in oscar.get(reverse("surveys:follow_ups")).content.decode()
    )


def test_manager_builds_a_survey_and_a_new_version(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.mia)
    made = client.post(
        reverse("surveys:create"), {"name": "Go-live check", "kind": "implementation"}
    )
    survey = Survey.objects.get(name="Go-live check")
    assert made.status_code == 302
    assert survey.current_version().questions == TEMPLATES["implementation"]
    changed = [
        *TEMPLATES["implementation"],
        {"key": "extra", "type": "text", "text": {"en": "Else?"}},
    ]
    bad = client.post(reverse("surveys:edit", args=[survey.pk]), {"questions": "[{]"})
    assert bad.status_code == 422
    ok = client.post(reverse("surveys:edit", args=[survey.pk]), {"questions": json.dumps(changed)})
    assert ok.status_code == 302
    assert survey.current_version().number == 2


def test_question_validation() -> None:
    with pytest.raises(QuestionError, match="earlier scale question"):
        parse_questions(
            [
                {
                    "key": "why",
                    "type": "text",
                    "text": {"en": "Why?"},
                    "show_if": {"question": "nps", "at_most": 6},
                },
                {"key": "nps", "type": "nps", "text": {"en": "Recommend?"}},
            ]
        )
    with pytest.raises(QuestionError, match="two options"):
        parse_questions([{"key": "a", "type": "single", "text": {"en": "A?"}, "options": []}])
    with pytest.raises(QuestionError, match="unknown language"):
        parse_questions([{"key": "a", "type": "text", "text": {"en": "A?", "fr": "A ?"}}])
    questions = parse_questions(TEMPLATES["relationship"])
    assert [q.key for q in questions.asked({"recommend": 7})] == [
        "recommend",
        "satisfaction",
        "drivers",
        "comment",
    ]
    assert "why" in [q.key for q in questions.asked({"recommend": 6})]


def test_api_sends_and_works_the_follow_up(cast: Cast) -> None:
    survey = relationship_survey(cast)
    cfo = account_actions.do_add_contact(
        cast.acme,
        {"name": "Lee Park", "role": "cfo", "email": "lee@acme.example"},
        acting_user=cast.mia,
    )
    _, token = do_create_api_token(cast.alice, "t", acting_user=cast.alice)
    headers = {"Authorization": f"Bearer {token}"}
    client = Client()
    sent = client.post(
        f"/api/surveys/{survey.pk}/accounts/{cast.acme.pk}/sends",
        {"contact_ids": [cfo.pk], "language": "es"},
        content_type="application/json",
        headers=headers,
    )
    assert sent.status_code == 201
    assert sent.json()["invited"] == 1
    follow_up = acme_follow_up(cast)
    listed = client.get("/api/surveys/follow-ups", headers=headers).json()
    assert [f["id"] for f in listed] == [follow_up.pk]
    worked = client.patch(
        f"/api/surveys/follow-ups/{follow_up.pk}",
        {"status": "closed", "notes": "Called", "outcome": "Fixed the report"},
        content_type="application/json",
        headers=headers,
    )
    assert worked.status_code == 200
    assert worked.json()["status"] == "closed"
