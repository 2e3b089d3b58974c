"""Every route of the strategy app for the access matrix (web/tests/test_access_matrix.py)."""

from __future__ import annotations

from clientdesk.insights.tests.cast import acme_problem
from clientdesk.strategy.tests.cast import (
    acme_call,
    acme_directive,
    acme_objective,
    acme_plan,
    acme_visit,
)
from clientdesk.testing import Cast
from clientdesk.web.tests.access import (
    CREATE,
    MANAGE,
    OK,
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

# Service operations read (and acknowledge) the directives of accounts whose problems they work.
DIRECTIVE_READ: Expect = {**READ, "sam": OK}
ACKNOWLEDGE: Expect = {
    "ada": 403,
    "mia": 403,
    "alice": 403,
    "bob": 403,
    "eve": 403,
    "oscar": 404,
    "sam": OK,
}


def call(c: Cast) -> dict[str, int]:
    return {"call_id": acme_call(c).pk}


def task(c: Cast) -> dict[str, int]:
    found = acme_call(c)
    return {"call_id": found.pk, "task_id": found.tasks.first().pk}  # type: ignore[union-attr]


def plan(c: Cast) -> dict[str, int]:
    return {"plan_id": acme_plan(c).pk}


def objective(c: Cast) -> dict[str, int]:
    o = acme_objective(c)
    return {"plan_id": o.plan_id, "objective_id": o.pk}


def directive(c: Cast) -> dict[str, int]:
    return {"directive_id": acme_directive(c).pk}


def worked_directive(c: Cast) -> dict[str, int]:
    acme_problem(c)  # sam owns a problem of Acme's
    return {"directive_id": acme_directive(c).pk}


def worked_account(c: Cast) -> dict[str, int]:
    acme_problem(c)
    acme_directive(c)
    return {"account_id": c.acme.pk}


def contact(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "contact_id": c.acme_contact.pk}


def visit(c: Cast) -> dict[str, int]:
    return {"visit_id": acme_visit(c).pk}


def csv(c: Cast) -> dict[str, str]:
    return {"fmt": "csv"}


def plan_version(c: Cast) -> dict[str, int]:
    return {"plan_id": acme_plan(c).pk}


ROUTES = [
    Route("accounts:tab", "get", acme_tab("plan"), READ),
    Route("strategy:calls", "get", no_args, SIGNED_IN),
    Route("strategy:call", "get", call, READ),
    Route("strategy:call_close", "post", call, WRITE, data={"status": "done", "note": "ok"}),
    Route("strategy:call_task", "post", task, WRITE, data={"done": "1"}),
    Route("strategy:portfolio", "get", no_args, SIGNED_IN),
    Route("strategy:portfolio_export", "get", csv, SIGNED_IN),
    Route("strategy:weights", "get", no_args, CREATE),
    Route("strategy:health", "get", acme, READ),
    Route(
        "strategy:health_override",
        "post",
        acme,
        MANAGE,
        data={"band": "fair", "note": "Renewal agreed", "expires_on": "2099-01-01"},
    ),
    Route("strategy:plan_create", "post", acme, WRITE, data={"year": "2027"}),
    Route(
        "strategy:plan_edit",
        "post",
        plan,
        WRITE,
        data={"challenges": "Cost", "sponsor_objectives": "", "strategy": "", "version": "1"},
    ),
    Route("strategy:plan_status", "post", plan, MANAGE, data={"status": "approved"}),
    Route(
        "strategy:plan_need",
        "post",
        plan,
        WRITE,
        data={"kind": "need", "text": "Lower trend", "source": "QBR", "noted_on": "2026-11-01"},
    ),
    Route(
        "strategy:plan_objective",
        "post",
        plan,
        WRITE,
        data={"title": "SLA", "measure_key": "sla_attainment", "target": "95", "better": "higher"},
    ),
    Route("strategy:objective_edit", "get", objective, WRITE),
    Route(
        "strategy:objective_edit",
        "post",
        objective,
        WRITE,
        data={
            "title": "Escalations at zero",
            "measure_key": "open_escalations",
            "target": "0",
            "better": "lower",
            "version": "1",
        },
    ),
    Route("strategy:objective_remove", "post", objective, WRITE),
    Route("strategy:directives", "get", no_args, SIGNED_IN),
    Route("strategy:account_directives", "get", worked_account, DIRECTIVE_READ),
    Route(
        "strategy:directive_add",
        "post",
        acme,
        WRITE,
        data={
            "team": "pharmacy",
            "kind": "do_not",
            "text": "No mail-order switch letters.",
            "effective_from": "2026-01-01",
        },
    ),
    Route("strategy:directive_edit", "get", directive, WRITE),
    Route(
        "strategy:directive_edit",
        "post",
        directive,
        WRITE,
        data={
            "team": "claims",
            "kind": "special_handling",
            "text": "Changed.",
            "effective_from": "2026-01-01",
            "version": "1",
        },
    ),
    Route("strategy:directive_acknowledge", "post", worked_directive, ACKNOWLEDGE),
    Route(
        "strategy:stakeholder",
        "post",
        contact,
        WRITE,
        data={"influence": "decision_maker", "sentiment": "positive", "cadence_days": "30"},
    ),
    Route("strategy:visit_create", "get", acme, WRITE),
    Route("strategy:visit", "get", visit, READ),
    Route("strategy:visit_pdf", "get", visit, READ),
    Route("strategy:visit_outcome", "post", visit, WRITE, data={"outcome": "Agreed a pilot."}),
]

WRONG_METHODS = [
    ("strategy:call_close", "get", call),
    ("strategy:plan_status", "get", plan),
    ("strategy:directive_acknowledge", "get", directive),
]

API_ROUTES = [
    ApiRoute("/strategy/calls", "get", no_args, SIGNED_IN),
    ApiRoute("/strategy/calls/{call_id}", "get", call, READ),
    ApiRoute("/strategy/calls/{call_id}/tasks/{task_id}", "post", task, WRITE, body={"done": True}),
    ApiRoute(
        "/strategy/calls/{call_id}/status", "post", call, WRITE, body={"status": "done", "note": ""}
    ),
    ApiRoute("/strategy/health/{account_id}", "get", acme, READ),
    ApiRoute("/strategy/measures/{account_id}", "get", acme, READ),
    ApiRoute("/strategy/accounts/{account_id}/plans", "get", acme, READ),
    ApiRoute("/strategy/plans/{plan_id}", "get", plan_version, READ),
    ApiRoute(
        "/strategy/plans/{plan_id}",
        "put",
        plan_version,
        WRITE,
        body={"challenges": "Cost", "version": 1},
    ),
    ApiRoute(
        "/strategy/plans/{plan_id}/status",
        "post",
        plan_version,
        MANAGE,
        body={"status": "approved"},
    ),
]
