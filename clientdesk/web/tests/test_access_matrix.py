"""Every URL pattern and API route, for every role: who gets in, who gets 403, who gets 404.

A new route that is not listed in ROUTES or API_ROUTES fails `test_every_route_is_covered`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clientdesk.api import api
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

ROLES = ["ada", "mia", "alice", "bob", "oscar", "eve", "sam", "anonymous"]
OK = "ok"  # 200, 201, 204, 302-to-somewhere-other-than-login, or 200/422 with field errors

# Who may do what, as the design says (DESIGN.md §1).
READ = {"ada": OK, "mia": OK, "alice": OK, "bob": OK, "eve": OK, "oscar": 404, "sam": 404}
WRITE = {"ada": OK, "mia": OK, "alice": OK, "bob": OK, "eve": 403, "oscar": 404, "sam": 404}
MANAGE = {"ada": OK, "mia": OK, "alice": 403, "bob": 403, "eve": 403, "oscar": 404, "sam": 404}
CREATE = {"ada": OK, "mia": OK, "alice": 403, "bob": 403, "eve": 403, "oscar": 403, "sam": 403}
AUDIT = {"ada": OK, "mia": OK, "alice": 403, "bob": 403, "eve": 403, "oscar": 403, "sam": 403}
SIGNED_IN = dict.fromkeys(ROLES[:-1], OK)


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    kwargs: Callable[[Cast], dict[str, int]]
    expect: dict[str, int | str]
    data: dict[str, str] | None = None
    anonymous: int | str = 302  # web pages send strangers to the login page


def acme(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk}


def contact(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "contact_id": c.acme_contact.pk}


def contract(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "contract_id": c.acme_contract.pk}


def assignment(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk, "assignment_id": c.acme.assignments.get(user=c.bob).pk}


def no_args(c: Cast) -> dict[str, int]:
    return {}


def user_ref(c: Cast) -> dict[str, int]:
    return {"user_id": c.alice.pk}


ROUTES = [
    Route("home", "get", no_args, SIGNED_IN),
    Route("healthz", "get", no_args, dict.fromkeys(ROLES[:-1], OK), anonymous=OK),
    Route("login", "get", no_args, SIGNED_IN, anonymous=OK),
    Route("logout", "post", no_args, dict.fromkeys(ROLES[:-1], 302)),
    Route("accounts:list", "get", no_args, {**SIGNED_IN}),
    Route("accounts:create", "get", no_args, CREATE),
    Route("accounts:detail", "get", acme, READ),
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
    Route("audit:list", "get", no_args, AUDIT),
    Route("audit:account", "get", acme, AUDIT),
    Route("audit:user", "get", user_ref, AUDIT),
]

# Wrong methods answer 405 (signed in as the manager, who may do everything else).
WRONG_METHODS = [
    ("accounts:detail", "post", acme),
    ("accounts:list", "post", no_args),
    ("accounts:contact_delete", "get", contact),
    ("accounts:team_remove", "get", assignment),
    ("accounts:activity_create", "get", acme),
    ("audit:list", "post", no_args),
    ("home", "post", no_args),
]


@dataclass(frozen=True)
class ApiRoute:
    path: str
    method: str
    kwargs: Callable[[Cast], dict[str, int]]
    expect: dict[str, int | str]
    body: dict[str, object] | None = None


API_ROUTES = [
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
    ApiRoute("/accounts/{account_id}/team", "get", acme, READ),
    ApiRoute("/accounts/{account_id}/team", "post", acme, MANAGE, body={"user_id": 0}),
    ApiRoute("/accounts/{account_id}/team/{assignment_id}", "delete", assignment, MANAGE),
]

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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method}-{r.name}")
def test_web_route(route: Route, role: str, cast: Cast, client: Client) -> None:
    if role != "anonymous":
        client.force_login(cast.users()[role])
    url = reverse(route.name, kwargs=route.kwargs(cast))
    response = getattr(client, route.method)(url, route.data or {})
    expected = route.anonymous if role == "anonymous" else route.expect[role]
    assert _outcome(response.status_code, response.get("Location", "")) == expected


@pytest.mark.parametrize(("name", "method", "kwargs"), WRONG_METHODS)
def test_wrong_method_is_405(name: str, method: str, kwargs: Callable[[Cast], dict[str, int]],
                             cast: Cast, client: Client) -> None:  # fmt: skip
    client.force_login(cast.mia)
    response = getattr(client, method)(reverse(name, kwargs=kwargs(cast)))
    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: f"{r.method}-{r.path}")
def test_api_route(route: ApiRoute, role: str, cast: Cast, client: Client) -> None:
    headers = {}
    if role != "anonymous":
        user = cast.users()[role]
        _, raw = do_create_api_token(user, "test", acting_user=user)
        headers["Authorization"] = f"Bearer {raw}"
    path = "/api" + route.path.format(**route.kwargs(cast))
    response = getattr(client, route.method)(
        path, route.body or {}, content_type="application/json", headers=headers
    )
    expected = 401 if role == "anonymous" else route.expect[role]
    assert _outcome(response.status_code, "") == expected, response.content


def test_api_rejects_a_made_up_token(cast: Cast, client: Client) -> None:
    response = client.get("/api/accounts/", headers={"Authorization": "Bearer cd_not-a-token"})
    assert response.status_code == 401
