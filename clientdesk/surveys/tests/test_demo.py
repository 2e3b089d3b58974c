"""The demo's surveys on the cast: sent, partly answered, the detractor followed up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from clientdesk.accounts import actions as account_actions
from clientdesk.demo.surveys import seed_surveys
from clientdesk.guarantees.models import Guarantee
from clientdesk.surveys.models import FollowUp, Invitation, Survey, SurveyResponse
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def test_demo_surveys(cast: Cast) -> None:
    account_actions.do_add_contact(
        cast.acme,
        {"name": "Lee Park", "role": "cfo", "email": "lee@acme.example"},
        acting_user=cast.mia,
    )
    mail.outbox = []
    said = seed_surveys(acting_user=cast.ada)
    assert said.startswith(
        "surveys: relationship survey to 2 contacts of Acme Steel Works, 1 answered, "
        "a sponsor satisfaction guarantee ("
    )
    [guarantee] = Guarantee.objects.filter(
        contract__account=cast.acme, metric="sponsor_satisfaction"
    )
    assert (guarantee.target, guarantee.period) == (Decimal("3"), "annual")
    assert Survey.objects.count() == 3
    assert len(mail.outbox) == 2  # the console mail in the demo: the links a visitor follows
    assert Invitation.objects.filter(status="sent").count() == 1  # left for the visitor
    detractor = SurveyResponse.objects.get()
    assert detractor.nps is not None and detractor.nps <= 6
    follow_up = FollowUp.objects.get()
    assert (follow_up.status, follow_up.owner_id) == ("contacted", cast.alice.pk)
    assert seed_surveys(acting_user=cast.ada) == "surveys: already seeded"
