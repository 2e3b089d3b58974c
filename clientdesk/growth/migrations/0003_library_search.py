"""Full-text search over the answer library: an FTS5 table kept by triggers on SQLite, a GIN
index over the English text search vector on PostgreSQL (growth/library.py queries both)."""

from typing import Any

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE growth_library_fts USING fts5(question, answer, "
    "content='growth_libraryanswer', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER growth_library_fts_ai AFTER INSERT ON growth_libraryanswer BEGIN "
    "INSERT INTO growth_library_fts(rowid, question, answer) "
    "VALUES (new.id, new.question, new.answer); END",
    "CREATE TRIGGER growth_library_fts_ad AFTER DELETE ON growth_libraryanswer BEGIN "
    "INSERT INTO growth_library_fts(growth_library_fts, rowid, question, answer) "
    "VALUES ('delete', old.id, old.question, old.answer); END",
    "CREATE TRIGGER growth_library_fts_au AFTER UPDATE ON growth_libraryanswer BEGIN "
    "INSERT INTO growth_library_fts(growth_library_fts, rowid, question, answer) "
    "VALUES ('delete', old.id, old.question, old.answer); "
    "INSERT INTO growth_library_fts(rowid, question, answer) "
    "VALUES (new.id, new.question, new.answer); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS growth_library_fts_au",
    "DROP TRIGGER IF EXISTS growth_library_fts_ad",
    "DROP TRIGGER IF EXISTS growth_library_fts_ai",
    "DROP TABLE IF EXISTS growth_library_fts",
]
POSTGRES = [
    "CREATE INDEX growth_library_tsv ON growth_libraryanswer USING GIN "
    "(to_tsvector('english', question || ' ' || answer))"
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS growth_library_tsv"]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("growth", "0002_catalogue")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
