"""A manager moves a candidate through interviews to hire; candidate files are the hiring
manager's, every read audited, erased on request; self-identification only in aggregate."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.team.actions import do_record_self_id
from clientdesk.team.models import Candidate, Offer, Requisition, Scorecard, StageChange
from clientdesk.team.queries import recruiting_summary, self_id_report
from clientdesk.team.runs import run_purge
from clientdesk.team.tests.cast import mia_candidate
from clientdesk.testing import Cast


def _at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC), tick=False)


def test_a_candidate_moves_through_interviews_to_hire(cast: Cast, client: Client) -> None:
    candidate = mia_candidate(cast)  # applied 2026-10-12 to a requisition approved 2026-10-01
    url = reverse("team:candidate", args=[candidate.pk])
    with _at(dt.date(2026, 10, 14)):
        client.force_login(cast.mia)
        client.post(reverse("team:candidate_move", args=[candidate.pk]), {"stage": "screened"})
        client.post(
            reverse("team:interview_schedule", args=[candidate.pk]),
            {"interviewer": cast.mia.pk, "on": "2026-10-20"},
        )
    with _at(dt.date(2026, 10, 20)):
        client.force_login(cast.mia)
        home = client.get(reverse("home")).content.decode()
        assert "Interviews to score" in home
        client.post(reverse("team:candidate_move", args=[candidate.pk]), {"stage": "interviewed"})
        # No offer before a scorecard is in.
        client.post(reverse("team:candidate_move", args=[candidate.pk]), {"stage": "offer"})
        assert Candidate.objects.get().stage == "interviewed"
        card = Scorecard.objects.get()
        client.post(
            reverse("team:scorecard_submit", args=[card.pk]),
            {"recommend": "yes", "c0": "5", "c1": "4", "c2": "4", "c3": "3"},
        )
        card.refresh_from_db()
        assert card.scores == {
            "Customer focus": 5,
            "Benefits knowledge": 4,
            "Problem solving": 4,
            "Communication": 3,
        }
        client.post(reverse("team:candidate_move", args=[candidate.pk]), {"stage": "offer"})
        client.post(
            reverse("team:offer", args=[candidate.pk]),
            {"salary": "58000", "start_on": "2026-11-16"},
        )
    with _at(dt.date(2026, 10, 26)):
        client.force_login(cast.mia)
        client.post(reverse("team:candidate_move", args=[candidate.pk]), {"stage": "hired"})
        page = client.get(url).content.decode()
    candidate.refresh_from_db()
    assert candidate.stage == "hired"
    assert Offer.objects.get().accepted_on == dt.date(2026, 10, 26)
    requisition = Requisition.objects.get()
    assert requisition.filled_on == dt.date(2026, 10, 26)
    assert "Jordan Ellis" in page
    assert list(StageChange.objects.values_list("to_stage", flat=True)) == [
        "applied",
        "screened",
        "interviewed",
        "offer",
        "hired",
    ]
    summary = recruiting_summary(cast.mia, dt.date(2026, 10, 26))
    assert summary["time_to_fill"] == 25.0  # Oct 1 -> Oct 26
    # applied 12 -> 14 (2 days), screened 14 -> 20 (6), interviewed 20 -> 20 (0), offer 20 -> 26
    assert summary["days_in_stage"] == {
        "applied": 2.0,
        "screened": 6.0,
        "interviewed": 0.0,
        "offer": 6.0,
    }
    assert [(s.source, s.candidates, s.hired, s.hire_rate) for s in summary["sources"]] == [
        ("Employee referral", 1, 1, "100%")
    ]
    reads = AuditEvent.objects.filter(action="team.candidate.read", object_id=str(candidate.pk))
    assert reads.count() >= 1 and reads.first().actor_id == cast.mia.pk  # type: ignore[union-attr]
    assert set(reads.values_list("kind", flat=True)) == {AuditEvent.Kind.HR_READ}
    # No one but the hiring manager and admins opens the file.
    for name in ("alice", "eve", "sam"):
        client.force_login(cast.users()[name])
        assert client.get(url).status_code == 403
    client.force_login(cast.ada)
    assert client.get(url).status_code == 200


def test_a_file_is_erased_on_request_and_after_retention(cast: Cast, client: Client) -> None:
    candidate = mia_candidate(cast)
    client.force_login(cast.mia)
    client.post(reverse("team:candidate_erase", args=[candidate.pk]), {"reason": "asked by mail"})
    assert not Candidate.objects.exists()
    erased = AuditEvent.objects.get(action="team.candidate.erase")
    assert "Jordan" not in str(erased.detail) and "Jordan" not in erased.object_label
    assert erased.detail["reason"] == "asked by mail"

    second = mia_candidate(cast)
    Candidate.objects.filter(pk=second.pk).update(stage="rejected", stage_since=dt.date(2024, 1, 2))
    assert run_purge(dt.date(2025, 12, 31)) == 0  # 729 days: kept
    assert run_purge(dt.date(2026, 1, 2)) == 1  # 731 days
    assert not Candidate.objects.exists()


def test_self_identification_is_reported_in_aggregate_with_small_cells_withheld(
    cast: Cast,
) -> None:
    requisition = mia_candidate(cast).requisition
    for gender in ["Woman"] * 6 + ["Man"] * 5 + ["Non-binary"] * 2:
        do_record_self_id(requisition, {"gender": gender}, acting_user=cast.mia)
    report = self_id_report()
    # 2 non-binary answers are withheld, and so is the next smallest count (5), which with
    # the total would give them away.
    assert report["Gender"] == [("Woman", 6), ("Man", None), ("Non-binary", None)]
    assert report["Veteran"] == [("Not answered", 13)]


def test_the_team_api_schemas_have_names_of_their_own(client: Client) -> None:
    # growth has a StageIn too: under one name, one of the two bodies would be described
    # wrongly in the OpenAPI document.
    schema = client.get("/api/openapi.json").json()
    body = schema["paths"]["/api/team/candidates/{candidate_id}/stage"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/TeamStageIn")
    team_names = {n for n in schema["components"]["schemas"] if n.startswith("Team")}
    assert {"TeamStageIn", "TeamMeOut", "TeamRequestOut", "TeamCandidateOut"} <= team_names
