"""The "Done when" path: a manager creates a plan from a template, imports a plan from a
spreadsheet, sees it scheduled back from the effective date with its critical path, marks
tasks done, sees readiness move with the eligibility test loads, and after go-live sees the
hypercare watch. Every expected value below is computed by hand in the comments."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from clientdesk.audit.models import AuditEvent
from clientdesk.implementations.models import Implementation, PlanStatus, TaskStatus
from clientdesk.implementations.panels import RULE_KEY, find_late_critical_tasks
from clientdesk.inquiries.actions import do_create_inquiry
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lib.calls import CALL_RULES
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

EFFECTIVE = dt.date(2027, 1, 1)  # New Year's Day, a Friday and a holiday
NOON = "12:00:00-05:00"

# Imported plan. Forward pass by hand: 1 [0,1); 2 starts 2 days after 1 ends [3,6);
# 3 [1,4); 4 after 2 and 3 [6,8); 5 [8,12); go-live 10 days after 5 ends: 22.
# Critical: 1, 2, 4, 5, 6 (3 has 2 days of slack). Offsets 0..21 are the 22 business days
# before Jan 1, 2027 (Christmas Friday Dec 25 is a holiday): offset 0 = Dec 1, 2026.
PLAN_ROWS = [
    ("ID", "Name", "Duration", "Predecessors", "Owner team", "Kind"),
    ("1", "Kickoff", "1 day", "", "Client management", "task"),
    ("2", "Eligibility test file", "3 days", "1FS+2", "Eligibility", "eligibility_test"),
    ("3", "Benefit build", "3", "1", "Benefit configuration", "task"),
    ("4", "Production eligibility load", "2", "2;3", "Eligibility", "eligibility_load"),
    ("5", "ID cards mailed", "4", "4", "Fulfillment", "id_cards"),
    ("6", "Go-live", "0", "5FS+10", "Client management", "go_live"),
]


def _xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _member(n: int, *, birth_date: str = "1980-06-01", file_name: str) -> dict[str, Any]:
    return {
        "person_id": f"NEW{n}",
        "member_id": f"N{n:09d}01",
        "subscriber_id": f"N{n:09d}",
        "gender": "female",
        "birth_date": birth_date,
        "enrollment_start_date": "2027-01-01",
        "enrollment_end_date": "2027-12-31",
        "payer": "Keystone",
        "payer_type": "commercial",
        "plan": "PPO 1000",
        "group_id": "G100001",
        "group_name": "Acme Steel Works",
        "state": "OH",
        "zip_code": "43004",
        "data_source": "test",
        "file_name": file_name,
        "file_date": "2026-12-04",
        "ingest_datetime": "2026-12-04T15:00:00Z",
    }


def _csv_upload(name: str, rows: list[dict[str, Any]]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    upload = io.BytesIO(text.getvalue().encode())
    upload.name = name
    return upload


def _load(tmp_path: Path, name: str, rows: list[dict[str, Any]], *, test: bool) -> None:
    path = tmp_path / name
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ingest_files("eligibility", [path], acting_user=None, test=test)


def _plan(client: Client, implementation: Implementation) -> Any:
    url = reverse(
        "implementations:detail",
        kwargs={"account_id": implementation.account_id, "implementation_id": implementation.pk},
    )
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_create_from_template_schedules_back_from_the_effective_date(
    cast: Cast, login: Any
) -> None:
    client = login("mia")
    response = client.post(
        reverse("implementations:create", kwargs={"account_id": cast.acme.pk}),
        {"template": "1", "name": "Acme 2027", "effective_date": "2027-01-01"}
        | {"template": str(_template_id("new-self-funded"))},
    )
    assert response.status_code == 302
    implementation = Implementation.objects.get(account=cast.acme)
    tasks = {t.ref: t for t in implementation.tasks.all()}
    assert len(tasks) == 20
    # Go-live (19) on the effective date; its offset is 48 (test_scheduling), so the plan
    # starts 48 business days before Jan 1, 2027: counting back over Christmas (Dec 25),
    # Thanksgiving (Nov 26) and Veterans Day (Nov 11), that is Thursday Oct 22, 2026.
    assert tasks["19"].start_date == EFFECTIVE
    assert implementation.start_date == dt.date(2026, 10, 22)
    assert implementation.project_length == 69
    assert [r for r, t in tasks.items() if t.critical] == [
        "1",
        "2",
        "3",
        "11",
        "12",
        "13",
        "14",
        "19",
        "20",
    ]
    # ID cards (14) work offsets 28..37: mailed by the 38th business day, 10 before go-live.
    assert tasks["14"].finish_date == dt.date(2026, 12, 16)
    audit = AuditEvent.objects.filter(action="implementation.create").get()
    assert audit.actor_id == cast.mia.pk
    page = _plan(client, implementation).content.decode()
    assert "Acme 2027" in page and "chart-gantt" in page
    tab = client.get(
        reverse("accounts:tab", kwargs={"account_id": cast.acme.pk, "tab": "installation"})
    )
    assert "Acme 2027" in tab.content.decode()


def _template_id(code: str) -> int:
    from clientdesk.implementations.models import Template

    return Template.objects.get(code=code).pk


@pytest.mark.django_db
def test_import_mark_done_readiness_moves_with_test_loads_then_hypercare(
    cast: Cast, login: Any, tmp_path: Path
) -> None:
    client = login("mia")
    with time_machine.travel(dt.datetime.fromisoformat(f"2026-11-20T{NOON}"), tick=False):
        client.post(
            reverse("implementations:create", kwargs={"account_id": cast.acme.pk}),
            {"name": "Acme 2027", "effective_date": "2027-01-01", "kind": "new_self_funded"},
        )
        implementation = Implementation.objects.get(account=cast.acme)
        upload = io.BytesIO(_xlsx(PLAN_ROWS))
        upload.name = "acme-plan.xlsx"
        response = client.post(
            reverse("implementations:import", kwargs=_ids(implementation)), {"file": upload}
        )
        assert response.status_code == 302
        tasks = {t.ref: t for t in implementation.tasks.all()}
        assert [r for r, t in tasks.items() if t.critical] == ["1", "2", "4", "5", "6"]
        assert tasks["3"].slack == 2
        assert tasks["1"].start_date == dt.date(2026, 12, 1)
        assert tasks["2"].start_date == dt.date(2026, 12, 4)  # offset 3
        assert tasks["5"].finish_date == dt.date(2026, 12, 16)  # offsets 8..11
        assert tasks["6"].start_date == EFFECTIVE
        client.post(reverse("implementations:approve", kwargs=_ids(implementation)))
        implementation.refresh_from_db()
        assert implementation.status == PlanStatus.APPROVED
        assert implementation.baseline["5"] == ["2026-12-11", "2026-12-16"]

    # Friday Dec 4 (offset 3): kickoff done on time.
    with time_machine.travel(dt.datetime.fromisoformat(f"2026-12-04T{NOON}"), tick=False):
        client = login("mia")
        _task_post(
            client,
            implementation,
            "1",
            {"status": "done", "actual_start": "2026-12-01", "actual_finish": "2026-12-01"},
        )
        state = _api(client, implementation)
        # Critical due by today: kickoff, done (1 of 1) -> 1. Least slack on open work: 0
        # -> (0 + 5) / 10 = 0.5. No test file is due yet (its latest finish is Dec 8).
        # Score = (25 x 1 + 20 x 0.5) / 45 = 77.8 -> 78.
        assert state["readiness"]["score"] == 78
        assert state["readiness"]["components"]["eligibility_tests"] is None

        # Test round 1: 10 rows, 2 with a birth date that is not a date. Accepted 80 %:
        # (0.80 - 0.80) / 0.19 = 0. Score = (25 + 10 + 20 x 0) / 65 = 53.8 -> 54.
        # The manager uploads it on the plan's page (a test load: never counted as members).
        rows = [_member(n, file_name="acme-834-test-1") for n in range(1, 9)]
        rows += [_member(n, birth_date="1980-13-45", file_name="acme-834-test-1") for n in (9, 10)]
        url = reverse("implementations:test_file", kwargs=_ids(implementation))
        # A file with another sponsor's member on line 3 is refused whole, naming the line.
        other = [rows[0], rows[1] | {"group_id": "G100002"}]
        response = client.post(url, {"file": _csv_upload("acme-834-mixed.csv", other)}, follow=True)
        assert "line 3: group_id G100002 is another sponsor" in response.content.decode()
        assert not IngestBatch.objects.exists()
        response = client.post(url, {"file": _csv_upload("acme-834-test-1.csv", rows)}, follow=True)
        assert "Test round loaded from acme-834-test-1.csv: 10 rows, 2 rejected" in (
            response.content.decode()
        )
        assert IngestBatch.objects.get().test
        assert AuditEvent.objects.filter(action="implementation.test_file").count() == 1
        state = _api(client, implementation)
        assert state["readiness"]["score"] == 54
        [round_1] = state["test_rounds"]
        assert (round_1["round"], round_1["rows_read"], round_1["rows_rejected"]) == (1, 10, 2)
        assert round_1["reasons"][0]["rows"] == 2
        assert round_1["reasons"][0]["reason"].startswith("birth_date")
        assert "1980-13-45" not in round_1["reasons"][0]["reason"]  # values stay out

        # Round 2: all 10 accepted -> 1. Score = (25 + 10 + 20) / 65 = 84.6 -> 85.
        _load(
            tmp_path,
            "acme-834-test-2.csv",
            [_member(n, file_name="acme-834-test-2") for n in range(1, 11)],
            test=True,
        )
        state = _api(client, implementation)
        assert state["readiness"]["score"] == 85
        assert [r["rows_rejected"] for r in state["test_rounds"]] == [2, 0]

        # The production file (loaded without --test): 9 members covered on Jan 1 for a
        # census of 10 -> 0.9; and one member ending before Jan 1 does not count.
        cast.acme.members = 10
        cast.acme.save()
        prod = [_member(n, file_name="acme-834-prod") for n in range(1, 10)]
        prod.append(
            _member(10, file_name="acme-834-prod")
            | {"enrollment_start_date": "2026-06-01", "enrollment_end_date": "2026-12-31"}
        )
        _load(tmp_path, "acme-834-prod.csv", prod, test=False)
        state = _api(client, implementation)
        assert state["readiness"]["components"]["members_loaded"] == pytest.approx(0.9)
        assert len(state["test_rounds"]) == 2
        # (25 + 10 + 20 + 15 x 0.9) / 80 = 85.6 -> 86
        assert state["readiness"]["score"] == 86

    # Thursday Dec 10 (offset 7): the test file (2) has not started. Forecast: 2 [7,10),
    # 4 [10,12), 5 [12,16), go-live 26 instead of 22: 4 business days lost; 2's latest
    # finish is 6, so its slack is 6 - 10 = -4.
    with time_machine.travel(dt.datetime.fromisoformat(f"2026-12-10T{NOON}"), tick=False):
        client = login("mia")
        state = _api(client, implementation)
        assert state["business_days_lost"] == 4
        assert state["late_tasks"][0] == "2"
        assert state["forecast_go_live"] == "2027-01-07"  # Jan 4, 5, 6, 7 after Jan 1
        [cause] = [
            c
            for c in find_late_critical_tasks(dt.datetime.now(dt.UTC))
            if c.account_id == cast.acme.pk
        ]
        assert cause.key == f"implementation:{implementation.pk}"
        assert "4 business days lost" in cause.reason
        assert CALL_RULES.get(RULE_KEY) is not None
        page = _plan(client, implementation).content.decode()
        assert "4 business days after the effective date" in page
        home = client.get("/").content.decode()
        assert "late on the critical path" in home

        # The work catches up: every task done, ID cards mailed Dec 16 (11 business days
        # before Jan 1: offsets 11 and 22).
        for ref, start, finish in (
            ("2", "2026-12-04", "2026-12-08"),
            ("3", "2026-12-02", "2026-12-04"),
            ("4", "2026-12-09", "2026-12-10"),
        ):
            _task_post(
                client,
                implementation,
                ref,
                {"status": "done", "actual_start": start, "actual_finish": finish},
            )
        _task_post(
            client,
            implementation,
            "5",
            {"status": "done", "actual_start": "2026-12-11", "actual_finish": "2026-12-16"},
        )
        state = _api(client, implementation)
        assert state["business_days_lost"] == 0
        assert state["readiness"]["components"]["id_cards"] == 1.0
        assert AuditEvent.objects.filter(action="implementation.task.update").count() == 5

    # After go-live: hypercare. Acme's two ID-card inquiries in its first 19 days against a
    # book (Bayside) with none in that category: flagged.
    with time_machine.travel(dt.datetime.fromisoformat(f"2027-01-19T{NOON}"), tick=False):
        client = login("mia")
        client.post(
            reverse("implementations:go_live", kwargs=_ids(implementation)),
            {"went_live_on": "2027-01-01"},
        )
        for day in (5, 6):
            do_create_inquiry(
                cast.acme,
                {
                    "requester_type": "member",
                    "channel": "phone",
                    "category": "id_cards",
                    "subject": "No ID card yet",
                    "opened_at": dt.datetime.fromisoformat(f"2027-01-0{day}T{NOON}"),
                },
                acting_user=cast.alice,
            )
        do_create_inquiry(
            cast.bayside,
            {
                "requester_type": "member",
                "channel": "phone",
                "category": "claims",
                "subject": "Claim",
                "opened_at": dt.datetime.fromisoformat(f"2027-01-05T{NOON}"),
            },
            acting_user=cast.oscar,
        )
        page = _plan(client, implementation).content.decode()
        assert "Hypercare" in page and "unusual" in page
        assert "19 days so far" in page
        # Live: the page and the board state hypercare, no longer a pre-go-live readiness.
        assert "hypercare until Apr 1, 2027" in page
        board = client.get(reverse("implementations:board")).content.decode()
        assert "readiness no longer scored; hypercare watches the account until" in board
        response = client.post(
            reverse("implementations:review", kwargs=_ids(implementation)),
            {
                "review_notes": "ID-card calls in week one",
                "lesson": "Mail ID cards 15 business days ahead",
            },
        )
        assert response.status_code == 302
        implementation.refresh_from_db()
        assert implementation.status == PlanStatus.LIVE
        assert implementation.tasks.get(ref="6").status == TaskStatus.DONE


def _ids(implementation: Implementation) -> dict[str, int]:
    return {"account_id": implementation.account_id, "implementation_id": implementation.pk}


def _task_post(
    client: Client, implementation: Implementation, ref: str, data: dict[str, str]
) -> None:
    task = implementation.tasks.get(ref=ref)
    response = client.post(
        reverse("implementations:task", kwargs={**_ids(implementation), "task_id": task.pk}), data
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == data["status"], task.status


def _api(client: Client, implementation: Implementation) -> Any:
    user = implementation.created_by
    assert user is not None
    _, raw = do_create_api_token(user, "test", acting_user=user)
    url = f"/api/implementations/accounts/{implementation.account_id}/{implementation.pk}"
    response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_team_task_lists_and_a_task_owner_outside_the_account(cast: Cast, login: Any) -> None:
    from clientdesk.implementations.actions import do_create_implementation
    from clientdesk.implementations.models import Template

    implementation = do_create_implementation(
        cast.acme,
        name="Acme 2027",
        kind="",
        effective_date=EFFECTIVE,
        template=Template.objects.get(code="new-self-funded"),
        acting_user=cast.mia,
    )
    special = implementation.tasks.get(ref="16")  # special handling: service operations
    special.owner = cast.sam
    special.save()
    url = reverse("implementations:tasks")
    # Sam (service operations, no accounts) sees the operations teams' tasks, not the
    # client-management ones; Oscar (Bayside only) sees none of Acme's.
    sam = login("sam").get(url, {"team": "service_operations"}).content.decode()
    assert "Special-handling instructions loaded" in sam
    assert "Kickoff" not in login("sam").get(url, {"team": "client_management"}).content.decode()
    assert "Special-handling" not in login("oscar").get(url).content.decode()
    assert (
        "Kickoff meeting" in login("alice").get(url, {"team": "client_management"}).content.decode()
    )
    # Sam may mark the task he owns done, not another one.
    client = login("sam")
    done = client.post(
        reverse("implementations:task", kwargs={**_ids(implementation), "task_id": special.pk}),
        {"status": "done"},
    )
    assert done.status_code == 302
    special.refresh_from_db()
    assert special.status == TaskStatus.DONE and special.actual_finish is not None
    other = implementation.tasks.get(ref="15")
    refused = client.post(
        reverse("implementations:task", kwargs={**_ids(implementation), "task_id": other.pk}),
        {"status": "done"},
    )
    assert refused.status_code == 404
