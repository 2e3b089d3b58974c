"""PostgreSQL: keep the answer library's text search vector in a stored generated column
(question weighted A, answer B) with a GIN index, so ranking reads it instead of parsing every
matching answer again (median 1.4 s -> milliseconds over 20,000 answers)."""

from typing import Any

from django.db import migrations

POSTGRES = [
    "DROP INDEX IF EXISTS growth_library_tsv",
    "ALTER TABLE growth_libraryanswer ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(setweight(to_tsvector('english', question), 'A') || "
    "setweight(to_tsvector('english', answer), 'B')) STORED",
    "CREATE INDEX growth_library_search ON growth_libraryanswer USING GIN (search_vector)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS growth_library_search",
    "ALTER TABLE growth_libraryanswer DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX growth_library_tsv ON growth_libraryanswer USING GIN "
    "(to_tsvector('english', question || ' ' || answer))",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("growth", "0003_library_search")]
    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_DROP))]
