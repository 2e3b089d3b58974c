"""Each app's migrations are squashed into one (`0001_squashed_…`, which `replaces` them), so a new
database is made in a few seconds instead of twenty: the squashed migrations must make what the
replaced ones made, and a database migrated with the replaced ones must be taken as migrated.

The database-level comparison (tables, columns, keys, checks, indexes, triggers, seeded rows) of
the two, on SQLite and on PostgreSQL, is `schema_snapshot.py` run twice (see its text); the
tests below hold the models' state, the seeded rows and the loader's choice between the two.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState

from clientdesk.web.tests.schema_snapshot import APPS

Key = tuple[str, str]


def _squashes() -> dict[Key, list[Key]]:
    """Our squashed migrations and, for each, the migrations it replaces, in order."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        key: list(migration.replaces)
        for key, migration in loader.replacements.items()
        if key[0] in APPS
    }


def _described(model: ModelState) -> dict[str, Any]:
    """A model's state with the order of its fields, indexes and constraints left out."""
    options = dict(model.options)
    for kind in ("indexes", "constraints"):
        options[kind] = sorted(
            (str(item.name), item.deconstruct()) for item in options.get(kind, [])
        )
    return {
        "fields": {name: field.deconstruct()[1:] for name, field in model.fields.items()},
        "options": options,
        "bases": model.bases,
        "managers": [(name, manager.deconstruct()) for name, manager in model.managers],
    }


def test_every_app_with_several_migrations_is_squashed() -> None:
    squashed = {app for app, _name in _squashes()}
    assert squashed == set(APPS) - {"utilization"}  # utilization has one migration


def test_the_squashed_migrations_make_the_models_the_replaced_ones_made() -> None:
    graph = MigrationLoader(None, replace_migrations=False).graph
    for (app, name), replaced in _squashes().items():
        old = graph.make_state(nodes=[replaced[-1]], at_end=True)
        new = graph.make_state(nodes=[(app, name)], at_end=True)
        ours = sorted(key for key in old.models if key[0] == app)
        assert ours
        assert ours == sorted(key for key in new.models if key[0] == app), app
        for key in ours:
            assert _described(new.models[key]) == _described(old.models[key]), key


def test_the_squashed_migrations_keep_the_replaced_ones_dependencies_on_other_apps() -> None:
    """Names of other apps' replaced migrations (the loader maps them onto their squash, or
    keeps them while that squash is not used): depending on a whole squash instead would call
    a database half way through the other app inconsistent."""
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    for (app, name), replaced in _squashes().items():
        before: set[Key] = set()
        for key in replaced:
            before |= {dep for dep in loader.disk_migrations[key].dependencies if dep[0] != app}
        after = {dep for dep in loader.disk_migrations[(app, name)].dependencies if dep[0] != app}
        assert after <= before, (app, after - before)


def _module(app: str) -> Any:
    (name,) = [key[1] for key in _squashes() if key[0] == app]
    return importlib.import_module(f"clientdesk.{app}.migrations.{name}")


def test_a_new_database_has_the_seeded_rows_and_the_library_search(db: None) -> None:
    from clientdesk.growth.catalogue import CATALOGUE, DEFAULT_RULES
    from clientdesk.growth.models import Product, SuggestionRule
    from clientdesk.implementations.library import TEMPLATES
    from clientdesk.implementations.models import Template, TemplateTask
    from clientdesk.inquiries.models import SlaPolicy

    assert SlaPolicy.objects.count() == len(_module("inquiries").DEFAULT_SLA_POLICIES) == 6
    assert Template.objects.count() == len(TEMPLATES)
    assert TemplateTask.objects.count() == sum(len(seed.rows) for seed in TEMPLATES)
    assert Product.objects.count() == len(CATALOGUE)
    assert SuggestionRule.objects.count() == len(DEFAULT_RULES)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'growth_library_fts%'")
            names = {row[0] for row in cursor.fetchall()}
            assert {"growth_library_fts", "growth_library_fts_ai"} <= names
            assert {"growth_library_fts_ad", "growth_library_fts_au"} <= names
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'growth_libraryanswer'"
                " AND indexname IN ('growth_library_search', 'growth_library_tsv')"
            )
            assert [row[0] for row in cursor.fetchall()] == ["growth_library_search"]
            cursor.execute(
                "SELECT generation_expression FROM information_schema.columns"
                " WHERE table_name = 'growth_libraryanswer' AND column_name = 'search_vector'"
            )
            assert "setweight" in cursor.fetchone()[0]


def _record_as_applied(applied: list[Key]) -> None:
    """Stands the test database's migration history in for one migrated with these."""
    recorder = MigrationRecorder(connection)
    recorder.migration_qs.filter(app__in={app for app, _name in _squashes()}).delete()
    for app, name in applied:
        recorder.record_applied(app, name)


def _plan() -> list[Key]:
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [(m.app_label, m.name) for m, _backwards in executor.migration_plan(targets)]


@pytest.mark.django_db
def test_a_database_migrated_with_the_replaced_migrations_is_up_to_date() -> None:
    squashes = _squashes()
    _record_as_applied([key for replaced in squashes.values() for key in replaced])
    loader = MigrationLoader(connection)
    assert set(squashes) <= set(loader.applied_migrations)
    assert _plan() == []


@pytest.mark.django_db
def test_a_database_half_way_through_the_replaced_migrations_goes_on_with_them() -> None:
    squashes = _squashes()
    (team,) = [key for key in squashes if key[0] == "team"]
    done = squashes[team][:7]  # team 0001 to 0007; every other app at its newest
    rest = squashes[team][7:]
    applied = [key for squash, replaced in squashes.items() if squash != team for key in replaced]
    _record_as_applied([*applied, *done])
    loader = MigrationLoader(connection)
    assert team not in loader.graph.nodes  # the squash is not used while it is half applied
    assert set(rest) <= set(loader.graph.nodes)
    assert _plan() == rest
