"""Every URL pattern and API route, for every role: who gets in, who gets 403, who gets 404.

A new route that is not listed in ROUTES or API_ROUTES fails `test_every_route_is_covered`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clientdesk.api import api
from clientdesk.guarantees.tests.cast import (
    acme_attested_guarantee,
    acme_guarantee,
    acme_result,
)
from clientdesk.inquiries.tests.cast import (
    acme_attachment,
    acme_escalation,
    acme_inquiry,
    first_policy,
)
from clientdesk.insights.actions import do_link_inquiries
from clientdesk.insights.tests.cast import acme_action, acme_issue, acme_problem
from clientdesk.lake.tests.cast import rejected_batch
from clientdesk.people.tokens import do_create_api_token
from clientdesk.reports.tests.cast import acme_run, portfolio_schedule
from clientdesk.testing import Cast, make_cast
from clientdesk.web.tests.access import (
    AUDIT,
    BOOK,
    CREATE,
    MANAGE,
    OK,
    READ,
    ROLES,
    SIGNED_IN,
    WRITE,
    ApiRoute,
    Expect,
    Route,
    acme,
    acme_tab,
    app_route_modules,
    no_args,
)


def contact(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "contact_id": c.acme_contact.pk}


def contract(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "contract_id": c.acme_contract.pk}


def assignment(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "assignment_id": c.acme.assignments.get(user=c.bob).pk}


ACCOUNT_TAB_KEYS = ["overview", "service", "guarantees", "utilization", "documents", "timeline"]


def user_ref(c: Cast) -> dict[str, int]:
    return {"user_id": c.alice.pk}


def insight_issue(c: Cast) -> dict[str, int]:
    return {"issue_id": acme_issue(c).pk}


def insight_problem(c: Cast) -> dict[str, int]:
    return {"problem_id": acme_problem(c).pk}


def insight_link(c: Cast) -> dict[str, int]:
    problem = acme_problem(c)
    inquiry = acme_inquiry(c)
    do_link_inquiries(problem, [inquiry], acting_user=c.mia)
    return {"problem_id": problem.pk, "inquiry_id": inquiry.pk}


def insight_action(c: Cast) -> dict[str, int]:
    action = acme_action(c)
    return {"problem_id": action.problem_id, "action_id": action.pk}


ADMIN_ONLY: Expect = {**dict.fromkeys(ROLES[:-1], 403), "ada": OK}

# Emerging issues and problems (insights/access.py): service operations work only what is theirs.
ISSUES: Expect = {**SIGNED_IN, "sam": 403}
ISSUE_READ: Expect = {**READ, "sam": 404}
ISSUE_WRITE: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": OK,
    "bob": OK,
    "eve": 403,
    "oscar": 404,
    "sam": 404,
}
PROBLEM_READ: Expect = {**READ, "sam": OK}
# Linking inquiries: managers and the account's team; the service-operations owner sees the
# problem but not inquiries.
PROBLEM_LINK: Expect = {**WRITE, "eve": 403, "sam": 403}
PROBLEM_WRITE: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": 403,
    "bob": 403,
    "eve": 403,
    "oscar": 404,
    "sam": OK,
}


def inquiry(c: Cast) -> dict[str, int]:
    return {"inquiry_id": acme_inquiry(c).pk}


def attachment(c: Cast) -> dict[str, int]:
    file = acme_attachment(c)
    return {"inquiry_id": file.inquiry_id, "attachment_id": file.pk}


def escalation(c: Cast) -> dict[str, int]:
    return {"escalation_id": acme_escalation(c).pk}


def sla_policy(c: Cast) -> dict[str, int]:
    return {"policy_id": first_policy(c).pk}


# Inquiries (inquiries/access.py): opening one needs an account to work on; the dashboard is for
# the roles that see every account; queues, SLA policies and routing are the managers'.
OPEN_INQUIRY: Expect = {**WRITE, "oscar": OK, "sam": 403}
DASHBOARD: Expect = {
    "ada": OK,
    "mia": OK,
    "eve": OK,
    "alice": 403,
    "bob": 403,
    "oscar": 403,
    "sam": 403,
}


def guarantee(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "guarantee_id": acme_guarantee(c).pk}


def attested_guarantee(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "guarantee_id": acme_attested_guarantee(c).pk}


def guarantee_result(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "result_id": acme_result(c).pk}


def acme_export(c: Cast) -> dict[str, object]:
    return {"account_id": c.acme.pk, "fmt": "xlsx"}


def portfolio_export(c: Cast) -> dict[str, object]:
    return {"fmt": "csv"}


# Utilization (utilization/access.py): reading follows the account; member ids behind a
# number are for the account team only; the book page is for managers, executives, admins.
TEAM: Expect = {
    "ada": 403,
    "mia": 403,
    "alice": OK,
    "bob": OK,
    "eve": 403,
    "oscar": 404,
    "sam": 404,
}


# Claim lines (even pseudonymised) are PHI: the account's readers but executives.
CLAIM_LINES: Expect = {**READ, "eve": 403}


def acme_leaf(c: Cast) -> dict[str, object]:
    return {"account_id": c.acme.pk, "leaf": "ed"}


def acme_leaf_export(c: Cast) -> dict[str, object]:
    return {"account_id": c.acme.pk, "leaf": "ed", "fmt": "csv"}


def acme_table_export(c: Cast) -> dict[str, object]:
    return {"account_id": c.acme.pk, "table": "categories", "fmt": "xlsx"}


def report_run(c: Cast) -> dict[str, int]:
    return {"run_id": acme_run(c).pk}


def report_file(c: Cast) -> dict[str, object]:
    return {"run_id": acme_run(c).pk, "fmt": "xlsx"}


def report_schedule(c: Cast) -> dict[str, int]:
    return {"schedule_id": portfolio_schedule(c).pk}


# Reports (reports/access.py): a stewardship report follows its account (whoever reads the
# account may make and download it); the portfolio report is for the roles that see the whole
# book; schedules mail reports out, so managers and admins keep them.
PORTFOLIO = BOOK

# Guarantees (guarantees/access.py): reading needs the account; evaluating, forecasting and
# attesting the account team (WRITE); defining guarantees and terms MANAGE; evaluating the
# whole book is for managers and admins (CREATE).

ROUTES = [
    Route("home", "get", no_args, SIGNED_IN),
    Route("search", "get", no_args, SIGNED_IN),
    Route("healthz", "get", no_args, dict.fromkeys(ROLES[:-1], OK), anonymous=OK),
    Route("login", "get", no_args, SIGNED_IN, anonymous=OK),
    Route("logout", "post", no_args, dict.fromkeys(ROLES[:-1], 302)),
    # The second step of signing in is every signed-in user's own (web/tests/test_security_mfa.py).
    Route("mfa:verify", "get", no_args, SIGNED_IN),
    Route("mfa:enrol", "get", no_args, SIGNED_IN),
    Route("mfa:recovery_codes", "post", no_args, SIGNED_IN),
    # Resetting someone's authenticator is user administration (test_security_mfa_admin.py).
    Route("mfa:users", "get", no_args, ADMIN_ONLY),
    Route("mfa:reset", "post", user_ref, ADMIN_ONLY),
    Route("accounts:list", "get", no_args, {**SIGNED_IN}),
    Route("accounts:create", "get", no_args, CREATE),
    Route("accounts:detail", "get", acme, READ),
    *(Route("accounts:tab", "get", acme_tab(key), READ) for key in ACCOUNT_TAB_KEYS),
    Route("accounts:edit", "get", acme, MANAGE),
    Route("accounts:edit", "post", acme, MANAGE, data={"name": ""}),
    Route("accounts:contact_create", "get", acme, WRITE),
    Route("accounts:contact_create", "post", acme, WRITE, data={"name": ""}),
    Route("accounts:contact_edit", "get", contact, WRITE),
    Route("accounts:contact_delete", "post", contact, WRITE),
    Route("accounts:contract_create", "get", acme, MANAGE),
    Route("accounts:contract_edit", "get", contract, MANAGE),
    Route("accounts:team", "get", acme, MANAGE),
    Route("accounts:team_remove", "post", assignment, MANAGE),
    Route("accounts:activity_create", "post", acme, WRITE, data={"kind": "note", "subject": "x"}),
    Route("insights:issues", "get", no_args, ISSUES),
    Route("insights:account_issues", "get", acme, {**ISSUE_READ, "sam": 403}),
    Route("insights:issue_detail", "get", insight_issue, ISSUE_READ),
    Route("insights:issue_open_problem", "post", insight_issue, ISSUE_WRITE),
    Route("insights:issue_dismiss", "post", insight_issue, ISSUE_WRITE, data={"reason": "noise"}),
    Route("insights:problems", "get", no_args, SIGNED_IN),
    Route("insights:problem_detail", "get", insight_problem, PROBLEM_READ),
    Route("insights:problem_edit", "get", insight_problem, PROBLEM_WRITE),
    Route("insights:problem_edit", "post", insight_problem, PROBLEM_WRITE, data={"title": ""}),
    Route("insights:action_create", "post", insight_problem, PROBLEM_WRITE, data={"owner": ""}),
    Route("insights:action_update", "post", insight_action, PROBLEM_WRITE, data={"status": "done"}),
    Route(
        "insights:problem_link_inquiries",
        "post",
        insight_problem,
        PROBLEM_LINK,
        data={"references": ""},
    ),
    Route("insights:problem_unlink_inquiry", "post", insight_link, PROBLEM_LINK),
    Route("inquiries:list", "get", no_args, SIGNED_IN),
    Route("inquiries:mine", "get", no_args, SIGNED_IN),
    Route("inquiries:export", "get", no_args, SIGNED_IN, data={"format": "csv"}),
    Route("inquiries:bulk_assign", "post", no_args, CREATE),
    Route("inquiries:create", "get", no_args, OPEN_INQUIRY),
    Route("inquiries:create", "post", no_args, OPEN_INQUIRY, data={"subject": ""}),
    Route("inquiries:dashboard", "get", no_args, DASHBOARD),
    Route("inquiries:detail", "get", inquiry, READ),
    Route("inquiries:edit", "get", inquiry, WRITE),
    Route("inquiries:edit", "post", inquiry, WRITE, data={"version": "1", "subject": ""}),
    Route("inquiries:status", "post", inquiry, WRITE, data={"version": "1", "status": ""}),
    Route("inquiries:note", "post", inquiry, WRITE, data={"body": ""}),
    Route("inquiries:assign", "post", inquiry, WRITE, data={"version": "1", "owner": "0"}),
    Route("inquiries:escalate", "post", inquiry, WRITE, data={"version": "1", "to": "manager"}),
    Route("inquiries:watch", "post", inquiry, WRITE),
    Route("inquiries:merge", "post", inquiry, WRITE, data={"version": "1", "into": ""}),
    Route("inquiries:member", "post", inquiry, WRITE),
    Route("inquiries:attachment_add", "post", inquiry, WRITE),
    Route("inquiries:attachment", "get", attachment, WRITE),
    Route("inquiries:escalations", "get", no_args, SIGNED_IN),
    Route("inquiries:escalation_create", "get", acme, WRITE),
    Route("inquiries:escalation_create", "post", acme, WRITE, data={"title": ""}),
    Route("inquiries:escalation_detail", "get", escalation, READ),
    Route("inquiries:escalation_update", "post", escalation, WRITE, data={"status": "x"}),
    Route("inquiries:escalation_note", "post", escalation, WRITE, data={"body": ""}),
    Route("inquiries:policies", "get", no_args, CREATE),
    Route("inquiries:policies", "post", no_args, CREATE, data={"name": ""}),
    Route("inquiries:policy_edit", "get", sla_policy, CREATE),
    Route("inquiries:routing", "get", no_args, CREATE),
    Route("inquiries:routing_rule", "post", no_args, CREATE),
    Route("inquiries:competences", "post", no_args, CREATE),
    Route("guarantees:portfolio", "get", no_args, SIGNED_IN),
    Route("guarantees:portfolio_export", "get", portfolio_export, SIGNED_IN),
    Route("guarantees:evaluate_all", "post", no_args, CREATE),
    Route("guarantees:book_monitors", "get", no_args, SIGNED_IN),
    Route("guarantees:scorecard", "get", acme, READ),
    Route("guarantees:scorecard_export", "get", acme_export, READ),
    Route("guarantees:evaluate", "post", acme, WRITE),
    Route("guarantees:forecast", "post", acme, WRITE),
    Route("guarantees:monitors", "get", acme, READ),
    Route("guarantees:templates", "get", acme, MANAGE),
    Route("guarantees:templates", "post", acme, MANAGE, data={"templates": ""}),
    Route("guarantees:create", "get", acme, MANAGE),
    Route("guarantees:create", "post", acme, MANAGE, data={"metric": ""}),
    Route("guarantees:terms", "get", contract, MANAGE),
    Route("guarantees:detail", "get", guarantee, READ),
    Route("guarantees:edit", "get", guarantee, MANAGE),
    Route("guarantees:delete", "post", guarantee, MANAGE),
    Route("guarantees:attest", "get", attested_guarantee, WRITE),
    Route("guarantees:attest", "post", attested_guarantee, WRITE, data={"evidence": ""}),
    Route("guarantees:records", "get", guarantee_result, READ),
    Route("guarantees:records_export", "get", guarantee_result, READ),
    Route("utilization:account", "get", acme, READ),
    Route("utilization:lines", "get", acme_leaf, CLAIM_LINES),
    Route("utilization:lines_open", "post", acme_leaf, TEAM),
    Route("utilization:lines_export", "get", acme_leaf_export, CLAIM_LINES),
    Route("utilization:export", "get", acme_table_export, READ),
    Route("utilization:book", "get", no_args, BOOK),
    Route("utilization:book_export", "get", portfolio_export, BOOK),
    Route("utilization:vega", "get", no_args, SIGNED_IN),
    Route("reports:account", "get", acme, READ),
    Route("reports:account", "post", acme, READ, data={"period": ""}),
    Route("reports:portfolio", "get", no_args, PORTFOLIO),
    Route("reports:portfolio", "post", no_args, PORTFOLIO, data={"period": ""}),
    Route("reports:run", "get", report_run, READ),
    Route("reports:run_status", "get", report_run, READ),
    Route("reports:download", "get", report_file, READ),
    Route("reports:schedule_create", "post", no_args, CREATE, data={"name": ""}),
    Route("reports:schedule_delete", "post", report_schedule, CREATE),
    Route("audit:list", "get", no_args, AUDIT),
    Route("audit:account", "get", acme, AUDIT),
    Route("audit:user", "get", user_ref, AUDIT),
    Route("loads:list", "get", no_args, AUDIT),
    Route("loads:detail", "get", rejected_batch, AUDIT),
    Route("loads:rejected", "get", rejected_batch, AUDIT),
    Route("loads:rejects_file", "get", rejected_batch, AUDIT),
]

# Wrong methods answer 405 (signed in as the manager, who may do everything else).
WRONG_METHODS = [
    ("inquiries:detail", "post", inquiry),
    ("inquiries:status", "get", inquiry),
    ("inquiries:member", "get", inquiry),
    ("inquiries:bulk_assign", "get", no_args),
    ("inquiries:export", "post", no_args),
    ("inquiries:escalation_note", "get", escalation),
    ("inquiries:routing_rule", "get", no_args),
    ("accounts:detail", "post", acme),
    ("accounts:tab", "post", acme_tab("service")),
    ("accounts:list", "post", no_args),
    ("accounts:contact_delete", "get", contact),
    ("accounts:team_remove", "get", assignment),
    ("accounts:activity_create", "get", acme),
    ("guarantees:evaluate", "get", acme),
    ("guarantees:delete", "get", guarantee),
    ("guarantees:scorecard", "post", acme),
    ("utilization:lines_open", "get", acme_leaf),
    ("utilization:account", "post", acme),
    ("audit:list", "post", no_args),
    ("loads:detail", "post", rejected_batch),
    ("reports:run", "post", report_run),
    ("reports:schedule_create", "get", no_args),
    ("reports:schedule_delete", "get", report_schedule),
    ("home", "post", no_args),
]


API_ROUTES = [
    ApiRoute("/inquiries/", "get", no_args, SIGNED_IN),
    # Without an account in the body the schema answers 422 for everyone; the scope of
    # opening an inquiry is checked in clientdesk/inquiries/tests/test_api.py.
    ApiRoute("/inquiries/", "post", no_args, SIGNED_IN, body={}),
    ApiRoute("/inquiries/{inquiry_id}", "get", inquiry, READ),
    ApiRoute("/inquiries/{inquiry_id}", "patch", inquiry, WRITE, body={"version": 1}),
    ApiRoute(
        "/inquiries/{inquiry_id}/status",
        "post",
        inquiry,
        WRITE,
        body={"version": 1, "status": "open"},
    ),
    ApiRoute("/inquiries/{inquiry_id}/notes", "post", inquiry, WRITE, body={"body": "Called."}),
    ApiRoute(
        "/inquiries/{inquiry_id}/escalate",
        "post",
        inquiry,
        WRITE,
        body={"version": 1, "to": "manager", "reason": "The member called three times."},
    ),
    ApiRoute("/insights/issues", "get", no_args, ISSUES),
    ApiRoute("/insights/issues/{issue_id}", "get", insight_issue, ISSUE_READ),
    ApiRoute("/insights/issues/{issue_id}/problem", "post", insight_issue, ISSUE_WRITE),
    ApiRoute("/insights/problems", "get", no_args, SIGNED_IN),
    ApiRoute("/insights/problems/{problem_id}", "get", insight_problem, PROBLEM_READ),
    ApiRoute("/insights/problems/{problem_id}", "patch", insight_problem, PROBLEM_WRITE, body={}),
    ApiRoute("/insights/problems/{problem_id}/actions", "get", insight_problem, PROBLEM_READ),
    ApiRoute(
        "/insights/problems/{problem_id}/actions",
        "post",
        insight_problem,
        PROBLEM_WRITE,
        body=lambda c: {"description": "x", "owner_id": c.alice.pk, "due_date": "2026-04-01"},
    ),
    ApiRoute(
        "/insights/problems/{problem_id}/inquiries",
        "post",
        insight_problem,
        PROBLEM_LINK,
        body={"references": []},
    ),
    ApiRoute(
        "/insights/problems/{problem_id}/actions/{action_id}",
        "patch",
        insight_action,
        PROBLEM_WRITE,
        body={"status": "done"},
    ),
    ApiRoute("/accounts/", "get", no_args, SIGNED_IN),
    ApiRoute(
        "/accounts/",
        "post",
        no_args,
        CREATE,
        body={
            "name": "Cedar County Schools",
            "group_number": "G100003",
            "segment": "public_sector",
            "funding": "fully_insured",
            "employees": 10,
            "members": 20,
            "state": "IA",
            "region": "Midwest",
            "effective_date": "2024-01-01",
            "renewal_date": "2025-01-01",
        },
    ),
    ApiRoute("/accounts/{account_id}", "get", acme, READ),
    ApiRoute("/accounts/{account_id}", "patch", acme, MANAGE, body={"broker": "Mercer"}),
    ApiRoute("/accounts/{account_id}/contacts", "get", acme, READ),
    ApiRoute(
        "/accounts/{account_id}/contacts",
        "post",
        acme,
        WRITE,
        body={"name": "Pat Lee", "role": "cfo"},
    ),
    ApiRoute("/accounts/{account_id}/contacts/{contact_id}", "patch", contact, WRITE, body={}),
    ApiRoute("/accounts/{account_id}/contacts/{contact_id}", "delete", contact, WRITE),
    ApiRoute("/accounts/{account_id}/contracts", "get", acme, READ),
    ApiRoute(
        "/accounts/{account_id}/contracts",
        "post",
        acme,
        MANAGE,
        body={
            "number": "C-2",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "products": ["dental"],
            "admin_fee_pepm": "4.10",
        },
    ),
    ApiRoute("/guarantees/templates", "get", no_args, SIGNED_IN),
    ApiRoute("/guarantees/portfolio", "get", no_args, SIGNED_IN),
    ApiRoute("/guarantees/{account_id}", "get", acme, READ),
    ApiRoute(
        "/guarantees/{account_id}",
        "post",
        acme,
        MANAGE,
        body=lambda c: {
            "contract_id": c.acme_contract.pk,  # an unknown contract answers 404
            "metric": "ivr_containment",
            "comparator": ">=",
            "target": "20",
            "period": "quarterly",
            "at_risk_basis": "fixed",
            "at_risk_value": "1000",
        },
    ),
    ApiRoute("/guarantees/{account_id}/{guarantee_id}", "patch", guarantee, MANAGE, body={}),
    ApiRoute("/guarantees/{account_id}/{guarantee_id}", "delete", guarantee, MANAGE),
    ApiRoute("/guarantees/{account_id}/results", "get", acme, READ),
    ApiRoute("/guarantees/{account_id}/evaluate", "post", acme, WRITE, body={}),
    ApiRoute("/guarantees/{account_id}/forecasts", "get", acme, READ),
    ApiRoute("/guarantees/{account_id}/forecast", "post", acme, WRITE, body={}),
    ApiRoute(
        "/guarantees/{account_id}/{guarantee_id}/attestations",
        "post",
        attested_guarantee,
        WRITE,
        body={"period": "one-time", "numerator": "98", "denominator": "100", "evidence": "R-1"},
    ),
    ApiRoute("/guarantees/{account_id}/alerts", "get", acme, READ),
    ApiRoute("/accounts/{account_id}/team", "get", acme, READ),
    # A user the manager sees (an unknown or unseen one answers 404, as a path id does).
    ApiRoute(
        "/accounts/{account_id}/team", "post", acme, MANAGE, body=lambda c: {"user_id": c.oscar.pk}
    ),
    ApiRoute("/utilization/accounts/{account_id}", "get", acme, READ),
    ApiRoute(
        "/utilization/accounts/{account_id}/lines", "get", acme, CLAIM_LINES, body={"leaf": "ed"}
    ),
    ApiRoute("/utilization/book", "get", no_args, BOOK),
    ApiRoute("/accounts/{account_id}/team/{assignment_id}", "delete", assignment, MANAGE),
    ApiRoute("/reports/runs", "get", no_args, SIGNED_IN),
    ApiRoute("/reports/runs/{run_id}", "get", report_run, READ),
    ApiRoute("/reports/runs/{run_id}/files/{fmt}", "get", report_file, READ),  # type: ignore[arg-type]
    # An unreadable period: access is decided first (404/403), then the form answers 422.
    ApiRoute("/reports/accounts/{account_id}/runs", "post", acme, READ, body={"period": "x"}),
    ApiRoute("/reports/portfolio/runs", "post", no_args, PORTFOLIO, body={"period": "x"}),
]

# Each domain app's own list (clientdesk/<app>/tests/routes.py), gathered.
for _module in app_route_modules():
    ROUTES += getattr(_module, "ROUTES", [])
    WRONG_METHODS += getattr(_module, "WRONG_METHODS", [])
    API_ROUTES += getattr(_module, "API_ROUTES", [])

# Pages that are not ours to test for roles: Django admin checks is_staff itself.
EXEMPT_PREFIXES = ("admin:", "api:")


def _url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _url_names(entry, space)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def _api_routes() -> set[tuple[str, str]]:
    routes: set[tuple[str, str]] = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    full = f"/{prefix.strip('/')}{path}" if prefix.strip("/") else path
                    routes.add((full.replace("//", "/"), method.lower()))
    return routes


def test_every_route_is_covered() -> None:
    covered = {r.name for r in ROUTES}
    missing = {n for n in _url_names() if not n.startswith(EXEMPT_PREFIXES)} - covered
    assert not missing, f"add these URL names to ROUTES: {sorted(missing)}"
    api_covered = {(r.path, r.method) for r in API_ROUTES}
    api_missing = _api_routes() - api_covered
    assert not api_missing, f"add these API routes to API_ROUTES: {sorted(api_missing)}"


def _outcome(status: int, location: str) -> int | str:
    if status in {200, 201, 204, 422}:
        return OK
    if status == 302:
        return 302 if "/login/" in location else OK
    return status


@dataclass(frozen=True)
class Matrix:
    """The module's one cast, with a signed-in session and an API token for each role."""

    cast: Cast
    sessions: dict[str, str]  # role -> session key
    tokens: dict[str, str]  # role -> raw API token


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matrix]:
    """One cast for the module, made in a transaction that is rolled back when the module's
    tests are done: each test runs in a savepoint inside it (pytest-django's `db`), each role's
    request in a savepoint inside that, so no test sees what another changed. Each role signs
    in once (a session) and gets one API token, instead of once per route: the matrix requests
    every route for every role through the same resolver, middleware and access rules, and
    spends its time on those requests rather than on making a cast and signing in (3 of every
    5 CPU seconds before)."""
    data_dir = Path(tmp_path_factory.mktemp("matrix")) / "var"
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DATA_DIR=data_dir,
            LAKE_DIR=data_dir / "lake",
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cast = make_cast()
            sessions, tokens = {}, {}
            for role, user in cast.users().items():
                signer = Client()
                signer.force_login(user)
                sessions[role] = signer.cookies[settings.SESSION_COOKIE_NAME].value
                tokens[role] = do_create_api_token(user, "test", acting_user=user)[1]
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield Matrix(cast, sessions, tokens)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def cast(db: None, matrix: Matrix) -> Cast:
    return matrix.cast


def each_role(matrix: Matrix, client: Client, *, sign_in: bool = True) -> Iterator[str]:
    """Every role in turn against one cast, each request in a savepoint that is rolled back,
    so what one role's request changes (a POST that succeeds, a sign-out, a deleted row) is
    gone before the next role asks: the route's objects, made once before the first role
    (`Route.kwargs`), are there as made for each. The client starts each role with no cookies
    but the role's own session (what `logout` then `force_login` would leave)."""
    for role in ROLES:
        with transaction.atomic():
            client.cookies = SimpleCookie()
            if sign_in and role != "anonymous":
                client.cookies[settings.SESSION_COOKIE_NAME] = matrix.sessions[role]
            yield role
            transaction.set_rollback(True)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method}-{r.name}")
def test_web_route(route: Route, matrix: Matrix, cast: Cast, client: Client) -> None:
    wrong: dict[str, str] = {}
    url = reverse(route.name, kwargs=dict(route.kwargs(cast)))
    for role in each_role(matrix, client):
        response = getattr(client, route.method)(url, route.data or {})
        expected = route.anonymous if role == "anonymous" else route.expect[role]
        answered = _outcome(response.status_code, response.get("Location", ""))
        if answered != expected:
            wrong[role] = f"answered {answered}, expected {expected}"
    assert not wrong, wrong


@pytest.mark.parametrize(("name", "method", "kwargs"), WRONG_METHODS)
def test_wrong_method_is_405(
    name: str, method: str, kwargs: Callable[[Cast], dict[str, int]], cast: Cast, client: Client
) -> None:
    client.force_login(cast.mia)
    response = getattr(client, method)(reverse(name, kwargs=kwargs(cast)))
    assert response.status_code == 405


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: f"{r.method}-{r.path}")
def test_api_route(route: ApiRoute, matrix: Matrix, cast: Cast, client: Client) -> None:
    wrong: dict[str, str] = {}
    path = "/api" + route.path.format(**route.kwargs(cast))
    for role in each_role(matrix, client, sign_in=False):  # the API reads the token alone
        headers = {}
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {matrix.tokens[role]}"
        body = route.body(cast) if callable(route.body) else route.body
        response = getattr(client, route.method)(
            path, body or {}, content_type="application/json", headers=headers
        )
        expected = 401 if role == "anonymous" else route.expect[role]
        answered = _outcome(response.status_code, "")
        if answered != expected:
            wrong[role] = f"answered {answered}, expected {expected}: {response.content[:200]!r}"
    assert not wrong, wrong


def test_api_rejects_a_made_up_token(cast: Cast, client: Client) -> None:
    response = client.get("/api/accounts/", headers={"Authorization": "Bearer cd_not-a-token"})
    assert response.status_code == 401


# Single sign-on's routes exist only when CLIENTDESK_OIDC_CLIENT_ID is set (the default test
# settings have it unset, so the list above cannot hold them): the start sends anyone to the
# provider, a callback without a state this session started is refused (403) for everyone.
# The flow itself: web/tests/test_security_sso.py.
SSO_ROUTES = [
    Route("sso:start", "get", no_args, SIGNED_IN, anonymous=OK),
    Route("sso:callback", "get", no_args, dict.fromkeys(ROLES[:-1], 403), anonymous=403),
]


@pytest.fixture
def sso_on(settings: Any) -> None:
    settings.OIDC_RP_CLIENT_ID = "clientdesk"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_DISCOVERY_URL = ""
    settings.OIDC_ISSUER = "https://idp.example.org"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example.org/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.org/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example.org/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example.org/jwks"
    settings.ROOT_URLCONF = "clientdesk.web.tests.sso_urlconf"


def test_every_sso_route_is_covered(sso_on: None) -> None:
    added = _url_names(get_resolver("clientdesk.web.tests.sso_urlconf")) - _url_names(
        get_resolver("clientdesk.urls")
    )
    assert added == {r.name for r in SSO_ROUTES}


@pytest.mark.parametrize("route", SSO_ROUTES, ids=lambda r: f"{r.method}-{r.name}")
def test_sso_route(route: Route, matrix: Matrix, cast: Cast, client: Client, sso_on: None) -> None:
    test_web_route(route, matrix, cast, client)
