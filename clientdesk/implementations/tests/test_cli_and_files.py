"""The `installation schedule` command, plan files in and out, the iCalendar feed, the
readiness score and the hypercare prior, by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from clientdesk.implementations.calendar_feed import Milestone, milestones_ics
from clientdesk.implementations.hypercare import watch
from clientdesk.implementations.plan_files import read_csv, read_xlsx, write_csv, write_xlsx
from clientdesk.implementations.readiness import (
    EligibilityRound,
    Evidence,
    reason_category,
    score_readiness,
)
from clientdesk.implementations.scheduling import ScheduleError
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

SHEET = (
    "ID,Task Name,Duration,Predecessors,Resource Names\n"
    "1,Kickoff,1 day,,Client management\n"
    "2,Build,2 days,1,Benefit configuration\n"
    "3,Test,1 day,2FS+1,Eligibility\n"
    "4,Go-live,0 days,3,Client management\n"
)


def test_cli_schedules_a_file_backward_from_the_effective_date(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(SHEET)
    out = StringIO()
    call_command(
        "installation",
        "schedule",
        str(path),
        "--effective",
        "2026-03-02",
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    # 1 [0,1) 2 [1,3) 3 [4,5) go-live 5, on Monday Mar 2, 2026: offsets 0..4 are Feb 23..27.
    assert data["project_length_business_days"] == 5
    assert data["start_date"] == "2026-02-23"
    tasks = {t["id"]: t for t in data["tasks"]}
    assert tasks["3"]["early_start"] == 4 and tasks["3"]["early_start_date"] == "2026-02-27"
    assert tasks["4"]["early_start_date"] == "2026-03-02"
    assert tasks["2"]["late_finish"] == 3 and tasks["2"]["late_finish_date"] == "2026-02-25"
    assert all(t["critical"] and t["slack"] == 0 for t in data["tasks"])
    assert set(tasks["1"]) >= {
        "id",
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "slack",
        "critical",
    }
    text = StringIO()
    call_command("installation", "schedule", str(path), "--effective", "2026-03-02", stdout=text)
    assert "5 business days" in text.getvalue()


def test_cli_refuses_a_cycle_with_the_row(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("ID,Name,Duration,Predecessors\n1,A,1,3\n2,B,1,1\n3,C,1,2\n")
    with pytest.raises(
        CommandError,
        match=r"plan.csv: row 2 \(task 1\): the predecessors make a cycle: 1 → 2 → 3 → 1",
    ):
        call_command("installation", "schedule", str(path), "--effective", "2026-03-02")


def test_plan_files_round_trip_csv_and_xlsx() -> None:
    plan = read_csv(SHEET.encode())
    assert [r.owner_team for r in plan.rows] == [
        "client_management",
        "benefit_configuration",
        "eligibility",
        "client_management",
    ]
    rows = [
        [r.ref, r.name, r.duration, r.predecessors, r.owner_team, r.kind] + [""] * 12
        for r in plan.rows
    ]
    again = read_csv(write_csv(rows))
    assert [(r.ref, r.duration, r.predecessors) for r in again.rows] == [
        ("1", 1, ""),
        ("2", 2, "1"),
        ("3", 1, "2FS+1"),
        ("4", 0, "3"),
    ]
    from_xlsx = read_xlsx(write_xlsx(rows))
    assert [(r.ref, r.duration, r.predecessors) for r in from_xlsx.rows] == [
        (r.ref, r.duration, r.predecessors) for r in again.rows
    ]


def test_milestone_feed() -> None:
    body = milestones_ics(
        "Acme, 2027",
        [Milestone("m1@x", dt.date(2027, 1, 1), "Go-live; Acme", "Client management")],
        stamp=dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC),
    ).decode()
    assert "DTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270102" in body
    assert "SUMMARY:Go-live\\; Acme" in body and "X-WR-CALNAME:Acme\\, 2027" in body
    assert body.endswith("END:VCALENDAR\r\n")


def test_readiness_weights_and_flags() -> None:
    evidence = Evidence(
        today=dt.date(2026, 12, 10),
        effective_date=dt.date(2027, 1, 1),
        critical_due=4,
        critical_due_done=3,  # 0.75
        least_slack=-2,  # (-2 + 5) / 10 = 0.3
        test_rounds=(
            EligibilityRound(
                1, 7, dt.date(2026, 12, 4), "t.csv", 200, 10, (("birth_date: not a date", 10),)
            ),
        ),
        census=100,
        members_loaded=90,  # 0.9
        id_cards_mailed=dt.date(2026, 12, 21),
        id_card_lead_days=8,  # 0.8
        test_claims_done=False,
        test_claims_due=True,  # 0
    )
    readiness = score_readiness(evidence)
    # Test round: 95 % accepted -> (0.95 - 0.80) / 0.19 = 0.789.
    # (25 x 0.75 + 20 x 0.3 + 20 x 0.789 + 15 x 0.9 + 10 x 0.8 + 10 x 0) / 100 = 61.9 -> 62
    assert readiness.score == 62
    assert readiness.band == "at risk"
    assert len(readiness.flags) == 6
    assert readiness.measured == 6  # every component had data
    # Early on only the slack and a test round are known: the score is over those two.
    early = score_readiness(
        dataclasses.replace(
            evidence,
            critical_due=0,
            critical_due_done=0,
            members_loaded=None,
            id_cards_mailed=None,
            id_card_lead_days=None,
            test_claims_done=None,
            test_claims_due=False,
        )
    )
    assert early.measured == 2


def test_reason_categories_drop_values() -> None:
    assert reason_category("birth_date: not a date: 1980-13-45") == "birth_date: not a date"
    assert reason_category("member_id: required, empty") == "member_id: required, empty"
    assert reason_category("duplicate key (member_id=W1): first on line 3") == "duplicate key"


def test_hypercare_prior_from_the_book() -> None:
    # Book: 300 ID-card inquiries over 10,000 members x 30 days = 0.001 per member-day.
    # New account: 500 members x 20 days -> 10 expected; 25 observed: P(X >= 25) < 0.01.
    [ids, claims] = watch(
        {"id_cards": 25, "claims": 3},
        {"id_cards": 300, "claims": 90},
        book_exposure=300_000,
        exposure=500 * 20,
    )
    assert ids.category == "id_cards" and ids.expected == pytest.approx(10.0)
    assert ids.flagged and ids.p_value < 0.001
    assert claims.expected == pytest.approx(3.0) and not claims.flagged


def test_synthetic_implementations_and_what_readiness_flags() -> None:
    from clientdesk.implementations.synthetic_check import check, evidence_of
    from clientdesk.synth.implementations import SyntheticImplementation, generate_implementations

    assert generate_implementations(19, 30) == generate_implementations(19, 30)
    healthy = SyntheticImplementation(
        "A", "new_self_funded", dt.date(2027, 1, 1), 1000, ((1000, 2),), 995, 12, 8, 8, 3, ()
    )
    # Everything fine: critical 1, slack (3 + 5) / 10 = 0.8, test 99.8 % -> 1, members
    # 0.995, cards 1: (25 + 16 + 20 + 14.925 + 10) / 90 = 95.5 -> not flagged.
    late = SyntheticImplementation(
        "B",
        "new_self_funded",
        dt.date(2027, 1, 1),
        1000,
        ((1000, 200),),
        995,
        5,
        8,
        6,
        -4,
        ("eligibility_file_quality", "id_cards_late", "critical_delay"),
    )
    # critical 0.75, slack 0.1, test (0.8 - 0.8) / 0.19 = 0, members 0.995, cards 0.5:
    # (18.75 + 2 + 0 + 14.925 + 5) / 90 = 45.2 -> flagged.
    result = check([healthy, late])
    assert (result.implementations, result.with_problems, result.flagged) == (2, 1, 1)
    assert result.flagged_with_problems == 1 and result.false_flags == 0
    assert result.by_problem["critical_delay"] == (1, 1)
    assert evidence_of(late).id_card_lead_days == 5
    out = StringIO()
    call_command("installation_evaluate", "--count", "20", stdout=out)
    assert "20 synthetic implementations" in out.getvalue()


def test_the_api_schemas_have_names_of_their_own(client: Client) -> None:
    # strategy has a TaskIn too: under one name, one of the two bodies would be described
    # wrongly in the OpenAPI document.
    schema = client.get("/api/openapi.json").json()
    path = "/api/implementations/accounts/{account_id}/{implementation_id}/tasks/{task_id}"
    body = schema["paths"][path]["patch"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/ImplementationTaskIn")
    body = schema["paths"]["/api/implementations/schedule"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ImplementationScheduleIn"
    )
    assert {"ImplementationTaskIn", "ImplementationScheduleIn", "ImplementationIn"} <= set(
        schema["components"]["schemas"]
    )


@pytest.mark.django_db
def test_the_api_refuses_a_plan_with_field_level_errors(cast: Cast, client: Client) -> None:
    # The 422 every route answers (a list of {loc, msg, type}), the row named, on `csv`.
    _, raw = do_create_api_token(cast.mia, "test", acting_user=cast.mia)

    def schedule(text: str) -> Any:
        return client.post(
            "/api/implementations/schedule",
            {"csv": text, "effective_date": "2026-03-02"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )

    cycle = schedule("ID,Name,Duration,Predecessors\n1,A,1,3\n2,B,1,1\n3,C,1,2\n")
    assert cycle.status_code == 422
    assert cycle.json() == {
        "detail": [
            {
                "loc": ["body", "csv"],
                "msg": "row 2 (task 1): the predecessors make a cycle: 1 → 2 → 3 → 1",
                "type": "value_error",
            }
        ]
    }
    [bad] = schedule("ID,Name,Duration\n1,A,1\n2,B,soon\n").json()["detail"]
    assert bad["loc"] == ["body", "csv"] and bad["msg"].startswith("row 3")
    fine = schedule("ID,Name,Duration,Predecessors\n1,A,2,\n2,Go-live,0,1\n")
    assert fine.status_code == 200 and fine.json()["project_length_business_days"] == 2


def test_a_plan_file_that_is_not_utf8_is_refused_not_a_500() -> None:
    with pytest.raises(ScheduleError, match=r"not UTF-8 text \(byte 12\)"):
        read_csv(b"ID,Name\n1,A\xff,1\n")
