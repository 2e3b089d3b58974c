"""The schema and the seeded rows of clientdesk's own apps, in a form two databases can be
compared by: what the squashed migrations make against what the replaced chain made
(`squashed_schema.json`, written from a database migrated through the replaced files).

Column order is left out (a column added by a later migration comes last in the replaced chain,
in its model's place in the squashed one); everything else a table holds is compared: columns,
types, nullability, defaults, keys, checks, indexes, triggers and the full-text tables.

Run as a script it migrates the (new, empty) database of the settings it is given and prints
the snapshot: `python -m clientdesk.web.tests.schema_snapshot squashed` runs the squashed
migrations, `... replaced` the migrations they replace; the two outputs are equal (checked on
SQLite and on PostgreSQL when the squash was made):

    CLIENTDESK_DATA_DIR=/tmp/a python -m clientdesk.web.tests.schema_snapshot replaced > a.json
    CLIENTDESK_DATA_DIR=/tmp/b python -m clientdesk.web.tests.schema_snapshot squashed > b.json
    cmp a.json b.json
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# Every clientdesk app with tables (its migrations are squashed into one).
APPS = (
    "accounts",
    "audit",
    "financials",
    "growth",
    "guarantees",
    "implementations",
    "inquiries",
    "insights",
    "lake",
    "people",
    "reports",
    "strategy",
    "surveys",
    "team",
    "utilization",
)

# The rows the data migrations seed into every new database.
SEEDED = (
    "inquiries_slapolicy",
    "implementations_template",
    "implementations_templatetask",
    "growth_product",
    "growth_suggestionrule",
)


def _ours(name: str) -> bool:
    return name.split("_", 1)[0] in APPS


def _split_top_level(body: str) -> list[str]:
    """The comma-separated items of a CREATE TABLE body, commas inside parentheses or quotes
    left alone."""
    items: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for i, char in enumerate(body):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(body[start:i].strip())
            start = i + 1
    items.append(body[start:].strip())
    return items


def _sqlite(connection: BaseDatabaseWrapper) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
        rows = cursor.fetchall()
    tables: dict[str, Any] = {}
    others: dict[str, Any] = {}
    for kind, name, table, sql in rows:
        if not _ours(table) or sql is None:
            continue  # an index SQLite makes for a key or a unique column has no SQL
        if kind == "table" and not sql.upper().startswith("CREATE VIRTUAL"):
            body = sql.partition("(")[2]
            tables[name] = sorted(_split_top_level(body.rsplit(")", 1)[0]))
        else:
            others[name] = {"type": kind, "table": table, "sql": " ".join(sql.split())}
    return {"tables": tables, "others": others}


def _postgresql(connection: BaseDatabaseWrapper) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, character_maximum_length,"
            " numeric_precision, numeric_scale, is_nullable, column_default, is_identity,"
            " is_generated, generation_expression FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)"
            " FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid"
            " JOIN pg_namespace ns ON ns.oid = rel.relnamespace WHERE ns.nspname = 'public'"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
        indexes = cursor.fetchall()
    tables: dict[str, Any] = {}
    for table, column, *described in columns:
        if _ours(table):
            tables.setdefault(table, {"columns": {}, "constraints": {}, "indexes": {}})
            tables[table]["columns"][column] = [str(value) for value in described]
    for table, name, kind, definition in constraints:
        if _ours(table):
            tables[table]["constraints"][name] = [kind, definition]
    for table, name, definition in indexes:
        if _ours(table):
            tables[table]["indexes"][name] = definition
    return {"tables": tables}


def snapshot(connection: BaseDatabaseWrapper) -> dict[str, Any]:
    """The schema of clientdesk's tables on this connection and the count of each seeded
    table's rows."""
    if connection.vendor == "sqlite":
        schema = _sqlite(connection)
    elif connection.vendor == "postgresql":
        schema = _postgresql(connection)
    else:
        raise NotImplementedError(connection.vendor)
    counts = {}
    with connection.cursor() as cursor:
        for table in SEEDED:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return {"schema": schema, "seeded": counts}


def main(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader

    executor = MigrationExecutor(connection)
    squashed = executor.loader.replacements
    if argv == ["replaced"]:
        executor.loader = MigrationLoader(connection, replace_migrations=False)
        targets = [migration.replaces[-1] for migration in squashed.values()]
    elif argv == ["squashed"]:
        targets = list(squashed)
    else:
        raise SystemExit(__doc__)
    executor.migrate(targets)
    sys.stdout.write(json.dumps(snapshot(connection), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
