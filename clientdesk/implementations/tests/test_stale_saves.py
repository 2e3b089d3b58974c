"""Nothing lost to a second editor: a plan's tasks, its name/date/survey day and its review
refuse a stale save (the pattern of accounts, guarantees and corrective actions).

Two people have the plan page open (task and plan at version 1); the first saves (version 2);
the second's save answers 409 with both versions and their values kept, carrying version 2,
so saving again from there goes through. The API answers 409 `{detail, version, saved}`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.implementations.actions import do_create_implementation, do_go_live
from clientdesk.implementations.models import Implementation, Task, Template
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def _plan(cast: Cast) -> Implementation:
    return do_create_implementation(
        cast.acme,
        name="Acme 2027",
        kind="",
        effective_date=dt.date(2027, 1, 1),
        template=Template.objects.get(code="new-self-funded"),
        acting_user=cast.mia,
    )


def _ids(plan: Implementation) -> dict[str, int]:
    return {"account_id": plan.account_id, "implementation_id": plan.pk}


def _clients(cast: Cast) -> tuple[Client, Client]:
    first, second = Client(), Client()
    first.force_login(cast.mia)
    second.force_login(cast.alice)
    return first, second


def test_a_stale_task_save_is_refused_with_both_versions(cast: Cast) -> None:
    plan = _plan(cast)
    task = plan.tasks.get(ref="1")
    url = reverse("implementations:task", kwargs={**_ids(plan), "task_id": task.pk})
    first, second = _clients(cast)
    page = second.get(reverse("implementations:detail", kwargs=_ids(plan))).content.decode()
    assert f'action="{url}" class="inline"><input type="hidden" name="csrfmiddlewaretoken"' in page
    assert 'name="version" value="1"' in page

    saved = first.post(url, {"status": "blocked", "blocker": "Broker late", "version": "1"})
    assert saved.status_code == 302
    refused = second.post(url, {"status": "in_progress", "blocker": "", "version": "1"})

    assert refused.status_code == 409
    body = refused.content.decode()
    assert "Someone else saved first" in body
    assert "Blocked" in body and "In progress" in body  # the saved status beside the editor's
    assert "Broker late" in body
    assert ">Status <strong>(differs)</strong>" in body  # the fields sent, by their labels
    assert ">Percent done" not in body  # not sent: not compared
    assert 'name="version" value="2"' in body
    task.refresh_from_db()
    assert (task.status, task.blocker, task.version) == ("blocked", "Broker late", 2)
    assert AuditEvent.objects.filter(action="implementation.task.update").count() == 1

    again = second.post(url, {"status": "in_progress", "blocker": "", "version": "2"})
    assert again.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.blocker, task.version) == ("in_progress", "", 3)


def test_a_stale_plan_or_review_save_is_refused(cast: Cast) -> None:
    plan = _plan(cast)
    url = reverse("implementations:update", kwargs=_ids(plan))
    first, second = _clients(cast)
    sent = {"name": "", "effective_date": "", "survey_after_days": "21", "version": "1"}
    assert first.post(url, sent).status_code == 302
    refused = second.post(url, {**sent, "survey_after_days": "45"})
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "21" in body and "45" in body and 'name="version" value="2"' in body
    plan.refresh_from_db()
    assert (plan.survey_after_days, plan.version) == (21, 2)

    plan = do_go_live(plan, on=dt.date(2027, 1, 1), acting_user=cast.mia)
    review = reverse("implementations:review", kwargs=_ids(plan))
    notes = {"review_notes": "ID cards late", "lesson": "", "version": "2"}
    assert first.post(review, notes).status_code == 302
    stale = second.post(review, {**notes, "review_notes": "All fine"})
    assert stale.status_code == 409 and "ID cards late" in stale.content.decode()
    plan.refresh_from_db()
    assert (plan.review_notes, plan.version) == ("ID cards late", 3)


def test_the_api_answers_409_to_a_stale_task(cast: Cast, client: Client) -> None:
    plan = _plan(cast)
    task = plan.tasks.get(ref="1")
    _, raw = do_create_api_token(cast.mia, "test", acting_user=cast.mia)
    url = f"/api/implementations/accounts/{plan.account_id}/{plan.pk}/tasks/{task.pk}"

    def patch(body: dict[str, Any]) -> Any:
        return client.patch(
            url, body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
        )

    ok = patch({"percent_done": 40, "status": "in_progress", "version": 1})
    assert ok.status_code == 200, ok.content
    [row] = [t for t in ok.json()["tasks"] if t["id"] == task.pk]
    assert (row["percent_done"], row["version"]) == (40, 2)
    stale = patch({"percent_done": 10, "version": 1})
    assert stale.status_code == 409
    answer = stale.json()
    assert answer["version"] == 2 and answer["saved"]["percent_done"] == 40
    assert "version 1" in answer["detail"]
    assert Task.objects.get(pk=task.pk).percent_done == 40
    # Without a version the save is not checked (a client that holds none).
    assert patch({"percent_done": 50}).status_code == 200


def test_a_second_go_live_from_a_stale_page_is_refused(cast: Cast) -> None:
    """Going live is a move of the plan's state, on its locked row: the second, made from a
    page read before the first, is refused and the first's date and hypercare stay."""
    plan = _plan(cast)
    url = reverse("implementations:go_live", kwargs=_ids(plan))
    first, second = _clients(cast)
    assert first.post(url, {"went_live_on": "2027-01-01"}).status_code == 302
    refused = second.post(url, {"went_live_on": "2027-02-01"}, follow=True)
    assert "This implementation is live (hypercare) already (live since Jan 1, 2027)" in (
        refused.content.decode()
    )
    plan.refresh_from_db()
    assert (plan.status, plan.went_live_on) == ("live", dt.date(2027, 1, 1))
    assert AuditEvent.objects.filter(action="implementation.go_live").count() == 1
