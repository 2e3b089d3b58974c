"""What the access matrix is made of (``test_access_matrix.py``): the roles of the cast, what
each answers for each kind of route, and the routes' shapes.

A domain app lists its own routes in ``clientdesk/<app>/tests/routes.py`` (``ROUTES``,
``API_ROUTES`` and ``WRONG_METHODS``, each optional; its account tab is a ``Route("accounts:tab",
"get", acme_tab("growth"), ...)`` with the tab's own audience), built from these names; the
matrix gathers every installed app's lists, so a new app adds no line to the matrix.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType

from django.apps import apps

from clientdesk.testing import Cast

ROLES = ["ada", "mia", "alice", "bob", "oscar", "eve", "sam", "anonymous"]
Expect = dict[str, int | str]  # role -> status code, or OK
OK = "ok"  # 200, 201, 204, 302-to-somewhere-other-than-login, or 200/422 with field errors

# Who may do what, as the design says (DESIGN.md §1).
READ: Expect = {"ada": OK, "mia": OK, "alice": OK, "bob": OK, "eve": OK, "oscar": 404, "sam": 404}
WRITE: Expect = {"ada": OK, "mia": OK, "alice": OK, "bob": OK, "eve": 403, "oscar": 404, "sam": 404}
MANAGE: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": 403,
    "bob": 403,
    "eve": 403,
    "oscar": 404,
    "sam": 404,
}
CREATE: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": 403,
    "bob": 403,
    "eve": 403,
    "oscar": 403,
    "sam": 403,
}
AUDIT: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": 403,
    "bob": 403,
    "eve": 403,
    "oscar": 403,
    "sam": 403,
}
SIGNED_IN: Expect = dict.fromkeys(ROLES[:-1], OK)


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    kwargs: Callable[[Cast], Mapping[str, object]]
    expect: Mapping[str, int | str]
    data: dict[str, str] | None = None
    anonymous: int | str = 302  # web pages send strangers to the login page


BOOK: Expect = {"ada": OK, "mia": OK, "alice": 403, "bob": 403, "eve": OK, "oscar": 403, "sam": 403}


@dataclass(frozen=True)
class ApiRoute:
    path: str
    method: str
    kwargs: Callable[[Cast], dict[str, int]]
    expect: dict[str, int | str]
    body: dict[str, object] | Callable[[Cast], dict[str, object]] | None = None


def acme(c: Cast) -> dict[str, int]:
    return {"account_id": c.acme.pk}


def no_args(c: Cast) -> dict[str, int]:
    return {}


def acme_tab(key: str) -> Callable[[Cast], dict[str, object]]:
    """An account tab of Acme's (lib/panels.py): every tab follows the account's access."""

    def kwargs(c: Cast) -> dict[str, object]:
        return {"account_id": c.acme.pk, "tab": key}

    return kwargs


def app_route_modules() -> list[ModuleType]:
    """Every installed clientdesk app's ``tests/routes.py``, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("clientdesk."):
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.tests.routes"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.tests.routes":
                raise
    return found
