"""The daily health snapshot from the live measures, its words, and the band-fall call."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from clientdesk.inquiries.actions import do_raise_escalation
from clientdesk.strategy.actions import do_override_band, do_set_weights
from clientdesk.strategy.models import CallToAction, HealthSnapshot
from clientdesk.strategy.runs import run_calls, run_snapshot
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)


def _escalate(c: Cast, account: object, title: str) -> None:
    with time_machine.travel(NOON, tick=False):
        do_raise_escalation(
            account,  # type: ignore[arg-type]
            {"title": title, "reason": "Unhappy.", "severity": "high", "owner": c.mia},
            acting_user=c.mia,
        )


def _two_measures(c: Cast) -> None:
    do_set_weights("", {"open_escalations": 10, "days_to_renewal": 5}, acting_user=c.mia)
    from clientdesk.strategy.scoring import RULES

    # Every other measure weighs 0 so the figures are the two below.
    do_set_weights(
        "",
        {k: (10 if k == "open_escalations" else 5 if k == "days_to_renewal" else 0) for k in RULES},
        acting_user=c.mia,
    )


def test_snapshot_scores_every_account_and_explains_the_change(cast: Cast) -> None:
    _two_measures(cast)
    _escalate(cast, cast.acme, "Claim backlog")
    run, _ = run_snapshot(dt.date(2026, 12, 1))
    assert (run.accounts, run.scored) == (2, 2)
    acme = HealthSnapshot.objects.get(account=cast.acme, day=dt.date(2026, 12, 1))
    # Escalations: one -> 50. Renewal Jan 1, 2027 in 31 days -> 40. (10*50 + 5*40) / 15 = 46.7.
    assert acme.score == 47 and acme.band == "poor"
    assert acme.measures["open_escalations"]["value"] == 1
    assert acme.measures["days_to_renewal"]["detail"] == "renews Jan 1, 2027, in 31 days"
    assert acme.explanation == "first score"
    bayside = HealthSnapshot.objects.get(account=cast.bayside, day=dt.date(2026, 12, 1))
    # No escalation -> 100; 212 days -> 40 + 0.6 * 100 * 152/210 = 83.4; (1000 + 417.1)/15.
    assert bayside.score == 94 and bayside.band == "good"

    _escalate(cast, cast.acme, "ID cards late")
    run_snapshot(dt.date(2026, 12, 2))
    acme = HealthSnapshot.objects.get(account=cast.acme, day=dt.date(2026, 12, 2))
    # Two escalations -> 0; 30 days -> 40: 200/15 = 13.3; escalation points 33.3 -> 0.
    assert acme.score == 13 and acme.change == -34
    assert acme.explanation == "down 34: open escalations 1 → 2, −33"


def test_snapshot_again_replaces_the_days_row(cast: Cast) -> None:
    _two_measures(cast)
    run_snapshot(dt.date(2026, 12, 1))
    run_snapshot(dt.date(2026, 12, 1))
    assert HealthSnapshot.objects.filter(account=cast.acme).count() == 1


def test_a_fall_of_a_band_opens_one_call(cast: Cast) -> None:
    _two_measures(cast)
    run_snapshot(dt.date(2026, 12, 1))  # Bayside 94, good
    _escalate(cast, cast.bayside, "Backlog")
    run_snapshot(dt.date(2026, 12, 2))  # one escalation: (500 + 5*83.1)/15 = 61, fair
    assert HealthSnapshot.objects.get(account=cast.bayside, day=dt.date(2026, 12, 2)).band == "fair"
    now = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)
    run_calls(now)
    run_calls(now)
    calls = CallToAction.objects.filter(account=cast.bayside, rule_key="health_band_fall")
    assert calls.count() == 1
    call = calls.get()
    assert call.cause_key == "fell-to:fair" and call.times_found == 2
    assert call.reason.startswith("Health fell from good to fair (94 → 61 on Dec 2)")
    assert call.owner == cast.oscar  # the account's lead
    assert next(t.text for t in call.tasks.all()).startswith("Read why the score fell")


def test_override_keeps_the_computed_score(cast: Cast, client: object) -> None:
    _two_measures(cast)
    run_snapshot(dt.date(2026, 12, 1))
    do_override_band(
        cast.acme, "fair", "CFO renewed verbally", dt.date(2099, 1, 1), acting_user=cast.mia
    )
    from django.test import Client

    web = Client()
    web.force_login(cast.alice)
    page = web.get(f"/strategy/health/{cast.acme.pk}/").content.decode()
    assert "Manager&#x27;s band: Fair" in page or "Manager's band: Fair" in page
    assert "Score 80 (Good)" in page  # no escalation: (10*100 + 5*40) / 15
    assert "CFO renewed verbally" in page


def test_a_survey_answer_moves_the_score_by_its_credibility(cast: Cast) -> None:
    from clientdesk.strategy.scoring import RULES
    from clientdesk.surveys.actions import do_import_responses
    from clientdesk.surveys.imports import parse_mapping

    # Open escalations 10 (Acme has none: 100), NPS and CSAT 10 each, every other measure 0.
    do_set_weights(
        "",
        {k: (10 if k in ("open_escalations", "nps", "csat") else 0) for k in RULES},
        acting_user=cast.mia,
    )

    def answers(rows: str) -> None:
        do_import_responses(
            "ResponseId,EndDate,Group,Q_NPS,Q_CSAT\n" + rows,
            parse_mapping({"account": "Group", "nps": "Q_NPS", "csat": "Q_CSAT"}, tool="qualtrics"),
            kind="relationship",
            source_name="export.csv",
            acting_user=cast.mia,
        )

    # Two promoters: NPS +100 and CSAT 100 % score 100, each weighed 10 x 2 / (2 + 10) = 1.67.
    answers("R_1,2026-11-02 09:00:00,G100001,10,5\nR_2,2026-11-03 09:00:00,G100001,9,5\n")
    run_snapshot(dt.date(2026, 12, 1))
    before = HealthSnapshot.objects.get(account=cast.acme, day=dt.date(2026, 12, 1))
    assert before.score == 100
    assert before.measures["nps"]["weight"] == 1.67
    assert before.measures["nps"]["detail"].endswith("(credibility 17% of its weight)")
    # A detractor (NPS 2, CSAT 1): NPS (2 - 1) / 3 = +33.3 scores (33.3 + 20) / 70 = 76.1;
    # CSAT 2 of 3 = 66.7 % scores (66.7 - 60) / 30 = 22.3; each weighed 10 x 3 / 13 = 2.31:
    # (1,000 + 2.31 x 76.1 + 2.31 x 22.3) / 14.62 = 1,227.3 / 14.62 = 83.9.
    answers("R_3,2026-12-01 12:00:00,G100001,2,1\n")
    run_snapshot(dt.date(2026, 12, 2))
    after = HealthSnapshot.objects.get(account=cast.acme, day=dt.date(2026, 12, 2))
    assert (after.measures["nps"]["score"], after.measures["csat"]["score"]) == (76.1, 22.3)
    assert after.measures["csat"]["weight"] == 2.31
    assert after.score == 84 and after.change == -16
    # Each measure's move had it alone changed: CSAT alone (2.31 x 22.3): (1,000 + 167 +
    # 51.5) / 13.98 = 87.2, -13; NPS alone (2.31 x 76.1): (1,000 + 175.8 + 167) / 13.98 =
    # 96.1, -4. Escalations stood still and are not named (their share shrank only).
    assert after.explanation == "down 16: CSAT 100 → 66.7, −13; NPS 100 → 33.3, −4"
    # Bayside has no answer: no NPS or CSAT at all, its score from escalations alone.
    bayside = HealthSnapshot.objects.get(account=cast.bayside, day=dt.date(2026, 12, 2))
    assert set(bayside.measures) == {"open_escalations"} and bayside.score == 100
