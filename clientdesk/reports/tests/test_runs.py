"""Report runs from the pages: queued, run in the background, polled, downloaded, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.reports.models import ReportKind, ReportRun, RunStatus
from clientdesk.reports.tests.cast import acme_run
from clientdesk.reports.tests.files import deck_slides, row_by_label, sheet_rows, workbook
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def test_alice_asks_for_a_deck_follows_it_and_downloads_it(
    book: Cast, login: Login, django_capture_on_commit_callbacks: Any
) -> None:
    client = login("alice")
    page = client.get(reverse("reports:account", args=[book.acme.pk]))
    assert page.status_code == 200
    assert b"New stewardship report" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:account", args=[book.acme.pk]),
            {"period": "2025Q2", "formats": ["xlsx"]},
        )
    run = ReportRun.objects.get()
    assert response["Location"] == reverse("reports:run", args=[run.pk])
    assert (run.kind, run.period, run.formats, run.requested_by) == (
        ReportKind.STEWARDSHIP,
        "2025Q2",
        ["xlsx"],
        book.alice,
    )
    assert run.status == RunStatus.DONE and run.progress == 100, run.error
    assert run.task_id
    status = client.get(reverse("reports:run_status", args=[run.pk]))
    assert b"hx-trigger" not in status.content  # finished: the page stops polling
    assert b"Download XLSX" in status.content

    download = client.get(reverse("reports:download", args=[run.pk, "xlsx"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    headlines = sheet_rows(workbook(content), "Headlines")
    assert row_by_label(headlines, "Paid PMPM ($)")[1] == 2691.25
    actions = list(
        AuditEvent.objects.filter(object_type="reports.reportrun", object_id=str(run.pk))
        .order_by("id")
        .values_list("action", "actor_label", "kind")
    )
    assert actions == [
        ("reports.request", "Alice Owner", "write"),
        ("reports.generated", "Alice Owner", "write"),
        ("reports.download", "Alice Owner", "export"),
    ]


def test_a_queued_run_is_polled_until_it_finishes(cast: Cast, login: Login) -> None:
    run = acme_run(cast)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, progress=40, step="Reading guarantees"
    )
    response = login("bob").get(reverse("reports:run", args=[run.pk]))
    assert b'hx-trigger="every 1s"' in response.content
    assert b'<progress max="100" value="40">' in response.content
    assert b"Reading guarantees" in response.content


def test_outsiders_cannot_see_or_download_a_run(cast: Cast, login: Login) -> None:
    run = acme_run(cast)
    client = login("oscar")
    assert client.get(reverse("reports:run", args=[run.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[run.pk, "xlsx"])).status_code == 404
    assert not AuditEvent.objects.filter(action="reports.download").exists()


def test_a_bad_period_answers_422_and_queues_nothing(cast: Cast, login: Login) -> None:
    response = login("alice").post(
        reverse("reports:account", args=[cast.acme.pk]), {"period": "2025Q5", "formats": ["pdf"]}
    )
    assert response.status_code == 422
    assert b"is not a period" in response.content
    assert not ReportRun.objects.exists()


def test_a_run_fails_cleanly_when_the_requester_lost_access(book: Cast) -> None:
    from clientdesk.reports.actions import do_request_report
    from clientdesk.reports.runs import execute_run

    run = do_request_report(
        ReportKind.STEWARDSHIP,
        account=book.bayside,
        period="2025Q2",
        formats=["xlsx"],
        acting_user=book.alice,
    )
    run = execute_run(run.pk)
    assert run.status == RunStatus.FAILED
    assert run.error == "The requester may no longer read this report."
    assert run.files == []


def test_the_portfolio_page_runs_for_executives(
    book: Cast, login: Login, django_capture_on_commit_callbacks: Any
) -> None:
    client = login("eve")
    assert b"Scheduled reports" not in client.get(reverse("reports:portfolio")).content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:portfolio"), {"period": "2025Q2", "formats": ["xlsx"]})
    run = ReportRun.objects.get()
    assert (run.kind, run.account, run.status) == (ReportKind.PORTFOLIO, None, RunStatus.DONE)
    # A portfolio run holds its reader's scope: only they (and admins) may open it.
    assert login("mia").get(reverse("reports:run", args=[run.pk])).status_code == 404


def test_the_account_page_links_to_its_reports(cast: Cast, login: Login) -> None:
    page = login("bob").get(reverse("accounts:tab", args=[cast.acme.pk, "documents"]))
    assert reverse("reports:account", args=[cast.acme.pk]).encode() in page.content
    nav = login("mia").get(reverse("home"))
    assert reverse("reports:portfolio").encode() in nav.content


def test_the_api_queues_a_run_and_lists_only_what_the_caller_may_see(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from clientdesk.people.tokens import do_create_api_token

    acme_run(cast)

    def headers(user: Any) -> dict[str, str]:
        _, raw = do_create_api_token(user, "test", acting_user=user)
        return {"Authorization": f"Bearer {raw}"}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/api/reports/accounts/{cast.acme.pk}/runs",
            {"period": "2025q2", "formats": ["pdf"]},
            content_type="application/json",
            headers=headers(cast.bob),
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["period"], body["formats"], body["status"]) == ("2025Q2", ["pdf"], "queued")
    assert len(callbacks) == 1  # enqueued once the run is committed
    seen = client.get("/api/reports/runs", headers=headers(cast.bob)).json()
    assert len(seen) == 2
    assert client.get("/api/reports/runs", headers=headers(cast.oscar)).json() == []


def test_the_api_queues_a_portfolio_run_with_202(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from clientdesk.people.tokens import do_create_api_token

    _, raw = do_create_api_token(cast.eve, "test", acting_user=cast.eve)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/api/reports/portfolio/runs",
            {"period": "2025q2", "formats": ["xlsx"]},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["kind"], body["period"], body["status"]) == ("portfolio", "2025Q2", "queued")
    assert len(callbacks) == 1


def test_the_team_asks_for_its_own_edition(
    book: Cast, login: Login, django_capture_on_commit_callbacks: Any
) -> None:
    from clientdesk.inquiries.tests.cast import acme_escalation

    acme_escalation(book)  # open: the team edition's next steps name it, the sponsor's do not
    client = login("alice")
    texts = {}
    for edition in ("internal", "client"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("reports:account", args=[book.acme.pk]),
                {"period": "2025Q2", "formats": ["pptx"], "edition": edition},
            )
        run = ReportRun.objects.latest("id")
        assert (run.edition, run.status) == (edition, RunStatus.DONE), run.error
        download = client.get(reverse("reports:download", args=[run.pk, "pptx"]))
        content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
        texts[edition] = " ".join(s["text"] for s in deck_slides(content))
    runs = client.get(reverse("reports:account", args=[book.acme.pk])).content.decode()
    assert runs.count("team edition") == 1
    assert "Resolve the account escalation" in texts["internal"]
    assert "Resolve the account escalation" not in texts["client"]
    request = AuditEvent.objects.filter(action="reports.request").order_by("id").first()
    assert request is not None and request.after is not None
    assert request.after["edition"] == "internal"
