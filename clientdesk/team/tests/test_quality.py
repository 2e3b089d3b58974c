"""Quality reviews: a reproducible monthly sample of each associate's resolved inquiries, a
weighted scorecard with auto-fail items, results, trend and calibration between reviewers."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.inquiries.actions import do_change_status
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.team.access import managed_people
from clientdesk.team.actions import TeamRuleError, do_review_inquiry
from clientdesk.team.models import QualityReview
from clientdesk.team.queries import calibration, quality_month
from clientdesk.team.rules import quality_sample, quality_total
from clientdesk.team.tests.cast import team
from clientdesk.testing import Cast

NOVEMBER = dt.date(2026, 11, 1)
SCORES = {"Accuracy": 5, "Completeness": 4, "Compliance": 5, "Courtesy": 3}


def test_scorecard_weights_and_auto_fail() -> None:
    # 40*5 + 25*4 + 25*5 + 10*3 = 455 of 500 = 91%
    assert quality_total(SCORES, []) == 91
    assert (
        quality_total({"Accuracy": 4, "Completeness": 4, "Compliance": 4, "Courtesy": 4}, []) == 80
    )
    assert quality_total(SCORES, ["Wrong benefit or claim information given"]) == 0


def test_the_sample_is_random_but_reproducible() -> None:
    ids = list(range(100, 160))  # 60 resolved: 5% is 3
    first = quality_sample(ids, 0.05, key="7:2026-11")
    assert len(first) == 3 and first == quality_sample(list(reversed(ids)), 0.05, key="7:2026-11")
    assert quality_sample(ids, 0.05, key="7:2026-12") != first
    assert quality_sample([5], 0.05, key="x") == [5]  # at least one
    assert quality_sample([], 0.05, key="x") == []


def test_a_manager_reviews_the_sample_and_sees_results(cast: Cast, client: Client) -> None:
    team(cast)
    resolved = []
    for day in (3, 10, 17):
        moment = dt.datetime(2026, 11, day, 15, tzinfo=dt.UTC)
        with time_machine.travel(moment, tick=False):
            inquiry = acme_inquiry(cast)
            inquiry = do_change_status(
                inquiry,
                "resolved",
                expected_version=None,
                acting_user=cast.alice,
                resolution_code="answered",
                resolution_summary="Explained the claim status.",
                now=moment,
            )
        resolved.append(inquiry)
    rows = {r.person.user_id: r for r in quality_month(managed_people(cast.mia), NOVEMBER, 0.05)}
    assert rows[cast.alice.pk].resolved == 3 and len(rows[cast.alice.pk].sample) == 1
    sampled = rows[cast.alice.pk].sample[0]
    assert sampled.pk in {i.pk for i in resolved}
    client.force_login(cast.mia)
    page = client.get(reverse("team:quality") + "?month=2026-11").content.decode()
    assert sampled.reference in page
    data = {"month": "2026-11-01", "s0": "5", "s1": "4", "s2": "5", "s3": "3"}
    client.post(reverse("team:quality_review", args=[sampled.pk]), data)
    review = QualityReview.objects.get()
    assert (review.total, review.associate_id, review.month) == (91, cast.alice.pk, NOVEMBER)
    # A second reviewer (the admin) for calibration, with an auto-fail.
    do_review_inquiry(
        sampled,
        SCORES,
        ["Wrong benefit or claim information given"],
        month=NOVEMBER,
        now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
        acting_user=cast.ada,
    )
    assert [(i, gap) for i, _, gap in calibration(QualityReview.objects.all())] == [
        (sampled.pk, 91)
    ]
    row = quality_month(managed_people(cast.mia), NOVEMBER, 0.05)[0]
    assert (row.mean, row.fails) == (46, 1)  # (91 + 0) / 2 rounds to 46
    assert row.trend[-1] == (NOVEMBER, 46) and len(row.trend) == 6
    try:
        do_review_inquiry(
            sampled, SCORES, [], month=NOVEMBER, now=dt.datetime.now(dt.UTC), acting_user=cast.alice
        )
        refused = ""
    except TeamRuleError as error:
        refused = str(error)
    assert refused == "No one reviews their own inquiry."
    client.force_login(cast.alice)
    assert client.get(reverse("team:quality")).status_code == 403
