"""A run asked for on a page or through the API is queued by the action after the commit, and
keeps its task id either way; the CLI and the schedules run it themselves (no queue)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.people.tokens import do_create_api_token
from clientdesk.reports import actions
from clientdesk.reports.models import ReportKind, ReportRun, RunStatus
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


class FakeQueue:
    """Stands in for `enqueue_run`: records the run ids and answers task ids."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def __call__(self, run_id: int) -> str:
        self.queued.append(run_id)
        return f"task-{run_id}-" + "x" * 80  # longer than the column: kept to 64


def _patch(monkeypatch: pytest.MonkeyPatch, queue: FakeQueue) -> None:
    monkeypatch.setattr("clientdesk.reports.api.enqueue_run", queue)
    monkeypatch.setattr("clientdesk.reports.views.enqueue_run", queue)


def test_the_api_keeps_the_task_id(
    cast: Cast,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queue = FakeQueue()
    _patch(monkeypatch, queue)
    _, raw = do_create_api_token(cast.bob, "test", acting_user=cast.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/reports/accounts/{cast.acme.pk}/runs",
            {"period": "2025q2", "formats": ["pdf"]},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert queue.queued == []  # nothing queued before the commit
    assert response.status_code == 202, response.content
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert queue.queued == [run.pk]
    assert run.task_id == (f"task-{run.pk}-" + "x" * 80)[:64]
    assert run.status == RunStatus.QUEUED


def test_the_page_and_the_api_queue_through_the_same_action(
    cast: Cast,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queue = FakeQueue()
    _patch(monkeypatch, queue)
    asked: list[dict[str, Any]] = []
    real = actions.do_request_report

    def spy(kind: str, **kw: Any) -> ReportRun:
        asked.append({"kind": kind, **kw})
        return real(kind, **kw)

    monkeypatch.setattr(actions, "do_request_report", spy)
    client.force_login(cast.mia)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("reports:portfolio"), {"period": "2025Q2", "formats": ["xlsx"]})
    assert page.status_code == 302
    _, raw = do_create_api_token(cast.mia, "test", acting_user=cast.mia)
    with django_capture_on_commit_callbacks(execute=True):
        api = client.post(
            "/api/reports/portfolio/runs",
            {"period": "2025q2", "formats": ["xlsx"]},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
    assert api.status_code == 202, api.content
    assert [(a["kind"], a["enqueue"]) for a in asked] == [
        (ReportKind.PORTFOLIO, queue),
        (ReportKind.PORTFOLIO, queue),
    ]
    runs = list(ReportRun.objects.order_by("id"))
    assert [r.task_id for r in runs] == [(f"task-{r.pk}-" + "x" * 80)[:64] for r in runs]
    assert queue.queued == [r.pk for r in runs]


def test_without_a_queue_nothing_is_queued(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = actions.do_request_report(
            ReportKind.STEWARDSHIP,
            account=cast.acme,
            period="2025Q2",
            formats=["xlsx"],
            acting_user=cast.alice,
        )
    assert callbacks == [] and ReportRun.objects.get(pk=run.pk).task_id == ""
