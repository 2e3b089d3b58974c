"""Every route of the implementations app, for the access matrix (web/tests/access.py)."""

from __future__ import annotations

import datetime as dt

from clientdesk.implementations.actions import do_create_implementation
from clientdesk.implementations.models import Implementation, Task, Template
from clientdesk.testing import Cast
from clientdesk.web.tests.access import (
    CREATE,
    MANAGE,
    READ,
    SIGNED_IN,
    WRITE,
    ApiRoute,
    Expect,
    Route,
    acme,
    acme_tab,
    no_args,
)

# A task's update: the account team's (sam, with no accounts and not the task's owner: 404).
TASK_WRITE: Expect = dict(WRITE)


def acme_plan_object(c: Cast) -> Implementation:
    found = Implementation.objects.filter(account=c.acme).first()
    if found is not None:
        return found
    return do_create_implementation(
        c.acme,
        name="Acme 2027 implementation",
        kind="",
        effective_date=dt.date(2027, 1, 1),
        template=Template.objects.get(code="new-self-funded"),
        acting_user=c.mia,
    )


def plan(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "implementation_id": acme_plan_object(c).pk}


def plan_fmt(c: Cast) -> dict[str, object]:
    return {**plan(c), "fmt": "csv"}


def plan_task(c: Cast) -> dict[str, int]:
    implementation = acme_plan_object(c)
    task = Task.objects.filter(implementation=implementation).order_by("position").first()
    assert task is not None
    return {**plan(c), "task_id": task.pk}


def template_fmt(c: Cast) -> dict[str, object]:
    return {"template_id": Template.objects.get(code="new-self-funded").pk, "fmt": "xlsx"}


ROUTES = [
    Route("accounts:tab", "get", acme_tab("installation"), READ),
    Route("implementations:board", "get", no_args, SIGNED_IN),
    Route("implementations:tasks", "get", no_args, SIGNED_IN),
    Route("implementations:templates", "get", no_args, SIGNED_IN),
    Route("implementations:template_export", "get", template_fmt, SIGNED_IN),
    Route("implementations:template_import", "post", no_args, CREATE, data={"code": "x"}),
    Route("implementations:create", "get", acme, WRITE),
    Route(
        "implementations:create",
        "post",
        acme,
        WRITE,
        data={"name": "Pharmacy carve-in", "effective_date": "2027-04-01", "kind": "new_product"},
    ),
    Route("implementations:detail", "get", plan, READ),
    Route("implementations:import", "post", plan, WRITE, data={}),
    Route("implementations:test_file", "post", plan, WRITE, data={}),
    Route("implementations:update", "post", plan, WRITE, data={"name": "Renamed"}),
    Route("implementations:approve", "post", plan, MANAGE),
    Route("implementations:go_live", "post", plan, WRITE, data={"went_live_on": "2027-01-01"}),
    Route("implementations:review", "post", plan, WRITE, data={"review_notes": "Went well"}),
    Route("implementations:export", "get", plan_fmt, READ),
    Route("implementations:milestones", "get", plan, READ),
    Route("implementations:task", "post", plan_task, TASK_WRITE, data={"status": "done"}),
]

WRONG_METHODS = [
    ("implementations:detail", "post", plan),
    ("implementations:approve", "get", plan),
    ("implementations:test_file", "get", plan),
    ("implementations:task", "get", plan_task),
    ("implementations:template_import", "get", no_args),
]

API_ROUTES = [
    ApiRoute("/implementations/templates", "get", no_args, SIGNED_IN),
    ApiRoute(
        "/implementations/schedule",
        "post",
        no_args,
        SIGNED_IN,
        body={
            "csv": "ID,Name,Duration,Predecessors\n1,A,2,\n2,B,1,1\n",
            "effective_date": "2027-01-01",
        },
    ),
    ApiRoute("/implementations/accounts/{account_id}", "get", acme, READ),
    ApiRoute(
        "/implementations/accounts/{account_id}",
        "post",
        acme,
        WRITE,
        body={"name": "New", "effective_date": "2027-01-01", "template": "new-self-funded"},
    ),
    ApiRoute("/implementations/accounts/{account_id}/{implementation_id}", "get", plan, READ),
    ApiRoute(
        "/implementations/accounts/{account_id}/{implementation_id}/approve", "post", plan, MANAGE
    ),
    ApiRoute(
        "/implementations/accounts/{account_id}/{implementation_id}/test-rounds",
        "post",
        plan,
        WRITE,
        body={"file_name": "round.txt", "content": "neither an 834 nor a CSV"},  # 422
    ),
    ApiRoute(
        "/implementations/accounts/{account_id}/{implementation_id}/tasks/{task_id}",
        "patch",
        plan_task,
        TASK_WRITE,
        body={"status": "in_progress"},
    ),
]
