"""The implementation survey: sent by the daily clock at go-live + N days, once, to the
sponsor's contacts the survey app sends to; implementation satisfaction counts its answers
alone (never a relationship survey's, never the lake feed's).

Acme (America/New_York) goes live Friday Jan 1, 2027; N = 30 by default: due Sunday Jan 31.
"""

from __future__ import annotations

import datetime as dt

import pytest

from clientdesk.accounts.actions import do_add_contact
from clientdesk.audit.models import AuditEvent
from clientdesk.implementations import conf
from clientdesk.implementations.actions import (
    do_create_implementation,
    do_go_live,
    do_send_implementation_survey,
    do_update_plan,
)
from clientdesk.implementations.models import Implementation, Template
from clientdesk.implementations.queries import hypercare
from clientdesk.implementations.runs import run_implementation_surveys
from clientdesk.implementations.survey_timing import survey_is_due
from clientdesk.surveys.actions import (
    deliver_send,
    do_create_survey,
    do_save_answers,
    do_send_survey,
)
from clientdesk.surveys.library import IMPLEMENTATION, RELATIONSHIP
from clientdesk.surveys.models import Invitation, SurveySend
from clientdesk.testing import Cast
from clientdesk.web.clock import JOBS

LIVE = dt.date(2027, 1, 1)


def _at(day: int, hour: int = 15) -> dt.datetime:
    """Jan/Feb 2027 at 15:00 UTC (10:00 in New York), as day-of-year."""
    return dt.datetime(2027, 1, 1, hour, tzinfo=dt.UTC) + dt.timedelta(days=day - 1)


def _live_plan(cast: Cast) -> Implementation:
    plan = do_create_implementation(
        cast.acme,
        name="Acme 2027",
        kind="",
        effective_date=LIVE,
        template=Template.objects.get(code="new-self-funded"),
        acting_user=cast.mia,
    )
    return do_go_live(plan, on=LIVE, acting_user=cast.mia)


def test_the_survey_is_due_from_day_n_for_the_grace_days_only() -> None:
    assert not survey_is_due(None, 30, None, dt.date(2027, 3, 1))  # not live
    assert not survey_is_due(LIVE, 30, None, dt.date(2027, 1, 30))  # day 29
    assert survey_is_due(LIVE, 30, None, dt.date(2027, 1, 31))  # day 30
    assert survey_is_due(LIVE, 30, None, dt.date(2027, 3, 1))  # day 59: last grace day
    assert not survey_is_due(LIVE, 30, None, dt.date(2027, 3, 2))  # day 60: too late
    assert not survey_is_due(LIVE, 30, _at(31), dt.date(2027, 2, 1))  # sent already
    assert survey_is_due(LIVE, 0, None, LIVE)  # N = 0: on the go-live day


@pytest.mark.django_db
def test_the_clock_sends_it_once_at_go_live_plus_n_days(cast: Cast) -> None:
    plan = _live_plan(cast)
    # No implementation survey exists yet: nothing sent, nothing recorded, tried next day.
    run = run_implementation_surveys(_at(31))
    assert (run.due, run.sent) == (1, 0)
    assert run.not_sent == {plan.pk: "no active implementation survey"}
    plan.refresh_from_db()
    assert plan.survey_sent_at is None

    do_create_survey(
        "Implementation review", "implementation", IMPLEMENTATION, acting_user=cast.mia
    )
    do_create_survey("Relationship", "relationship", RELATIONSHIP, acting_user=cast.mia)
    assert run_implementation_surveys(_at(30)).due == 0  # Jan 30: day 29
    # The clock's job, as `clientdesk clock` runs it, on Jan 31 (day 30).
    [job] = [j for j in JOBS if j.name == "implementation surveys"]
    assert job.run(_at(31)) == "implementation surveys: 1 due, 1 sent (1 invited, 0 left out)"
    plan.refresh_from_db()
    assert plan.survey_sent_at == _at(31) and plan.survey_send_id is not None
    send = SurveySend.objects.get(pk=plan.survey_send_id)
    assert send.version.survey.kind == "implementation" and send.account_id == cast.acme.pk
    # The survey app's rule: every contact of the account with an address (Dana).
    assert list(send.invitations.values_list("email", flat=True)) == ["dana.whitfield@acme.example"]
    audit = AuditEvent.objects.get(action="implementation.survey_sent")
    assert audit.detail["invited"] == 1 and audit.detail["after_days"] == 30

    # Once only: the next day's run finds nothing due; the action itself sends nothing more.
    assert run_implementation_surveys(_at(32)).due == 0
    again = do_send_implementation_survey(plan, now=_at(32))
    assert again.send_id == send.pk and again.reason == "sent already on 2027-01-31"
    assert SurveySend.objects.count() == 1


@pytest.mark.django_db
def test_n_per_plan_and_the_setting(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    do_create_survey(
        "Implementation review", "implementation", IMPLEMENTATION, acting_user=cast.mia
    )
    plan = _live_plan(cast)
    monkeypatch.setattr(conf, "SURVEY_AFTER_DAYS", 45)
    assert run_implementation_surveys(_at(31)).due == 0  # day 30 of 45
    plan = do_update_plan(plan, {"survey_after_days": 10}, acting_user=cast.mia)
    assert run_implementation_surveys(_at(10)).due == 0  # Jan 10: day 9
    assert run_implementation_surveys(_at(11)).sent == 1  # Jan 11: day 10


@pytest.mark.django_db
def test_implementation_satisfaction_counts_implementation_answers_only(cast: Cast) -> None:
    implementation = do_create_survey(
        "Implementation review", "implementation", IMPLEMENTATION, acting_user=cast.mia
    )
    relationship = do_create_survey(
        "Relationship", "relationship", RELATIONSHIP, acting_user=cast.mia
    )
    plan = _live_plan(cast)
    run_implementation_surveys(_at(31))
    plan.refresh_from_db()
    assert plan.survey_send_id is not None
    deliver_send(plan.survey_send_id, now=_at(31, 16))
    [invited] = Invitation.objects.filter(send_id=plan.survey_send_id)
    # Dana: satisfied with the implementation (CSAT 4).
    do_save_answers(invited, {"satisfaction": ["4"]}, finish=True, now=_at(33))
    # Lee, another contact, answers the relationship survey: CSAT 1 (recommend 9).
    lee = do_add_contact(
        cast.acme,
        {"name": "Lee Park", "role": "broker", "email": "lee@broker.example"},
        acting_user=cast.alice,
    )
    send = do_send_survey(relationship, cast.acme, [lee], acting_user=cast.mia, now=_at(34))
    deliver_send(send.pk, now=_at(34, 16))
    [asked] = Invitation.objects.filter(send=send)
    saved = do_save_answers(
        asked, {"recommend": ["9"], "satisfaction": ["1"]}, finish=True, now=_at(35)
    )
    assert saved.completed and saved.response.csat == 1

    care = hypercare(plan, dt.date(2027, 2, 10))
    assert care is not None
    # 1 of 1: the relationship answer (CSAT 1) would make it 1 of 2.
    assert (care.survey_answers, care.survey_satisfied) == (1, 1)
    assert care.survey_sent_at == _at(31) and care.survey_due_on == dt.date(2027, 1, 31)
    assert implementation.kind == "implementation"
