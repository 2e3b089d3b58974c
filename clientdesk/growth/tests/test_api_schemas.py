"""Growth's API schemas have names no other app's router uses: django-ninja keys OpenAPI
components by class name, so a shared name (team has a `StageIn` too) makes one document's
request body describe the other's."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from ninja import Schema

import clientdesk
from clientdesk.api import api


def _schema_names(module_name: str) -> set[str]:
    module = importlib.import_module(module_name)
    return {
        name
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and issubclass(value, Schema)
        and value.__module__ == module.__name__
    }


def test_growth_schema_names_are_its_own() -> None:
    growth = _schema_names("clientdesk.growth.api")
    assert {"OpportunityStageIn", "LibraryAnswerOut"} <= growth
    others: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(clientdesk.__path__):
        if info.ispkg and info.name != "growth":
            spec = importlib.util.find_spec(f"clientdesk.{info.name}.api")
            if spec is not None:
                others[info.name] = _schema_names(f"clientdesk.{info.name}.api")
    assert "team" in others
    clashes = {app: sorted(growth & names) for app, names in others.items() if growth & names}
    assert clashes == {}


def test_stage_move_body_is_growth_own_in_the_document() -> None:
    document = api.get_openapi_schema()
    body = document["paths"]["/api/growth/opportunities/{opportunity_id}/stage"]["post"]
    ref = body["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/OpportunityStageIn"
    fields = document["components"]["schemas"]["OpportunityStageIn"]["properties"]
    assert set(fields) == {"stage", "reason", "next_step", "version"}
