"""Implementation satisfaction is counted from the implementation survey's answers (through
lib/survey_service.py's reader of that kind), evaluated like every other guarantee: a result
per period, its evidence, the records behind it. Never attested, never a relationship
survey's answer.

Acme (America/New_York; EST, UTC-5, from Nov 1, 2026) goes live Thursday Oct 1, 2026; the
survey goes on day 30, Saturday Oct 31, to Dana, Lee and Kim (the contacts with an address).
The guarantee "implementation satisfaction >= 3" (one-time, $7,500 all or nothing) is
measured Oct 1 - Nov 3, 2026. By hand:

- Dana answers CSAT 4 on Nov 2 (15:00 UTC): counted.
- Lee answers CSAT 1 at 03:30 UTC on Nov 4, which is 22:30 on Nov 3 in New York: counted
  (dated by the account-local day; a UTC date would leave it out and give 4.0, met).
- Kim answers CSAT 5 on Nov 5: after the period, not counted.
- Pat answers the *relationship* survey CSAT 5 on Nov 2: never counted (mixed in, the mean
  would be (4 + 1 + 5) / 3 = 3.33, met).

Mean = (4 + 1) / 2 = 2.5 < 3: missed, $7,500 owed; numerator 5, denominator 2.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientdesk.accounts.actions import do_add_contact
from clientdesk.guarantees.actions import do_create_guarantee, do_store_results
from clientdesk.guarantees.drilldown import has_records, records_behind
from clientdesk.guarantees.evaluation import evaluate
from clientdesk.guarantees.library import template
from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.implementations.actions import do_create_implementation, do_go_live
from clientdesk.implementations.guarantee_events import satisfaction_events
from clientdesk.implementations.models import Template
from clientdesk.implementations.runs import run_implementation_surveys
from clientdesk.surveys.actions import (
    deliver_send,
    do_create_survey,
    do_save_answers,
    do_send_survey,
)
from clientdesk.surveys.library import IMPLEMENTATION, RELATIONSHIP
from clientdesk.surveys.models import Invitation
from clientdesk.testing import Cast, known

LIVE = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 12, 7)


def _utc(month: int, day: int, hour: int = 15, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def answered(cast: Cast) -> None:
    do_create_survey(
        "Implementation review", "implementation", IMPLEMENTATION, acting_user=cast.mia
    )
    relationship = do_create_survey(
        "Relationship", "relationship", RELATIONSHIP, acting_user=cast.mia
    )
    for name, email in (("Lee Park", "lee@acme.example"), ("Kim Ortiz", "kim@acme.example")):
        do_add_contact(
            cast.acme, {"name": name, "role": "hr_director", "email": email}, acting_user=cast.alice
        )
    plan = do_create_implementation(
        cast.acme,
        name="Acme pharmacy carve-in",
        kind="",
        effective_date=LIVE,
        template=Template.objects.get(code="new-self-funded"),
        acting_user=cast.mia,
    )
    plan = do_go_live(plan, on=LIVE, acting_user=cast.mia)
    assert run_implementation_surveys(_utc(10, 31)).sent == 1
    plan.refresh_from_db()
    deliver_send(known(plan.survey_send_id), now=_utc(10, 31, 16))
    asked = {i.email: i for i in Invitation.objects.filter(send_id=plan.survey_send_id)}
    assert sorted(asked) == ["dana.whitfield@acme.example", "kim@acme.example", "lee@acme.example"]
    do_save_answers(
        asked["dana.whitfield@acme.example"], {"satisfaction": ["4"]}, finish=True, now=_utc(11, 2)
    )
    lee = do_save_answers(
        asked["lee@acme.example"],
        {"satisfaction": ["1"], "why": ["ID cards came late"]},
        finish=True,
        now=_utc(11, 4, 3, 30),
    )
    assert lee.completed
    do_save_answers(
        asked["kim@acme.example"], {"satisfaction": ["5"]}, finish=True, now=_utc(11, 5)
    )
    # Pat, added after the implementation survey went, answers the relationship survey.
    pat = do_add_contact(
        cast.acme,
        {"name": "Pat Lee", "role": "broker", "email": "pat@broker.example"},
        acting_user=cast.alice,
    )
    send = do_send_survey(relationship, cast.acme, [pat], acting_user=cast.mia, now=_utc(11, 1))
    deliver_send(send.pk, now=_utc(11, 1, 16))
    [invited] = Invitation.objects.filter(send=send)
    saved = do_save_answers(
        invited, {"recommend": ["10"], "satisfaction": ["5"]}, finish=True, now=_utc(11, 2)
    )
    assert saved.completed and saved.response.csat == 5


def test_the_counter_reads_implementation_answers_by_the_account_local_day(
    cast: Cast, answered: None
) -> None:
    events = satisfaction_events([cast.acme.pk], LIVE, dt.date(2026, 11, 3), None, TODAY)
    assert [(e.day, e.met, e.events, e.squares) for e in events] == [
        (dt.date(2026, 11, 2), 4.0, 1.0, 16.0),
        (dt.date(2026, 11, 3), 1.0, 1.0, 1.0),
    ]
    # Through Nov 5 Kim's 5 comes in; never Pat's relationship answer. Before Nov 5 has
    # come ("today" Nov 4), Kim's answer is not counted.
    later = satisfaction_events(None, LIVE, dt.date(2026, 11, 30), None, TODAY)
    assert sorted(e.met for e in later) == [1.0, 4.0, 5.0]
    assert (
        len(satisfaction_events(None, LIVE, dt.date(2026, 11, 30), None, dt.date(2026, 11, 4))) == 2
    )
    assert satisfaction_events([cast.bayside.pk], LIVE, TODAY, None, TODAY) == []


def test_implementation_satisfaction_is_evaluated_like_every_other_guarantee(
    cast: Cast, answered: None
) -> None:
    data = template("implementation_satisfaction_3").guarantee_data(cast.acme_contract) | {
        "measure_from": LIVE,
        "measure_to": dt.date(2026, 11, 3),
    }
    g = do_create_guarantee(cast.acme_contract, data, acting_user=cast.mia)
    assert g.definition.from_lake and g.definition.feed == "events"
    values = evaluate([cast.acme], today=TODAY)
    period = next(v for v in values if v.guarantee.pk == g.pk and v.kind == "period")
    assert (period.numerator, period.denominator, period.actual) == (
        Decimal(5),
        Decimal(2),
        Decimal("2.5"),
    )
    assert (period.sample_size, period.met, period.status) == (2, False, "final")
    assert period.evidence["feed"] == "events"
    assert len(period.evidence["events"]) == 2
    settlement = next(v for v in values if v.guarantee.pk == g.pk and v.kind == "settlement")
    assert (settlement.met, settlement.penalty) == (False, Decimal("7500.00"))

    # Stored, the result has its records: Lee's 1 below the target
    # first; with every record, Dana's 4 too.
    do_store_results(values, acting_user=cast.mia)
    stored = GuaranteeResult.objects.get(guarantee=g, kind="period")
    assert stored.source == "lake" and has_records(stored)
    missed = records_behind(cast.mia, stored)
    assert missed.total == 1 and missed.description == "events with a value below 3"
    assert [(r["day"], r["value"]) for r in missed.rows] == [(dt.date(2026, 11, 3), 1.0)]
    every = records_behind(cast.mia, stored, breaches_only=False)
    assert [(r["day"], r["value"]) for r in every.rows] == [
        (dt.date(2026, 11, 3), 1.0),
        (dt.date(2026, 11, 2), 4.0),
    ]
    assert "CSAT 1, 2026-11-03" in every.rows[0]["what"]


def test_relationship_readers_leave_the_implementation_answers_out(
    cast: Cast, answered: None
) -> None:
    """The account's health (csat/nps measures), the satisfaction guarantees, the stewardship
    deck and the detractor series read relationship satisfaction: Pat's 5 alone. Mixed in,
    Dana 4, Lee 1 and Kim 5 would make it 3 of 4 satisfied (75 %)."""
    from clientdesk.lib.survey_answers import SURVEY_ANSWER_SOURCES
    from clientdesk.surveys.queries import (
        MEASURE_READER,
        csat_measure,
        satisfaction_by_account,
    )

    health = csat_measure([cast.acme.pk], TODAY)[cast.acme.pk]
    assert health.value == 100.0 and health.detail.startswith("1 of 1 answers satisfied")
    every = satisfaction_by_account(
        MEASURE_READER, [cast.acme.pk], LIVE, TODAY, sources=(), exclude_kinds=()
    )
    assert every == {}  # no source asked: nothing
    mixed = satisfaction_by_account(MEASURE_READER, [cast.acme.pk], LIVE, TODAY, exclude_kinds=())
    assert (mixed[cast.acme.pk].satisfied, mixed[cast.acme.pk].csat_n) == (3, 4)
    # What the guarantees' survey metrics, read_satisfaction (the stewardship deck) and the
    # detractor series read beside the lake's feed: the relationship invitation alone.
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    answers = SURVEY_ANSWER_SOURCES.answers([cast.acme.pk], start, _utc(12, 1))
    assert [(a.csat, a.nps_score) for a in answers] == [(5, 10)]
