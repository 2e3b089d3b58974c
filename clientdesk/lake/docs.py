"""The table reference of docs/lake.md, generated from the schema objects.

    .venv/bin/python -m clientdesk.lake.docs          # rewrite the generated part of the doc
    .venv/bin/python -m clientdesk.lake.docs --check  # exit 1 when the doc is out of date

Only the text between the BEGIN and END markers is generated; the rest of the page is
written by hand. A test fails when the committed page and the schemas disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from clientdesk.lake.schemas import (
    EARLIEST_DATE,
    KIND_LABELS,
    LAKE_COLUMNS,
    LATEST_DATE,
    TABLES,
    Column,
    Kind,
    TableSchema,
)

DOC_PATH = Path(__file__).resolve().parent.parent.parent / "docs" / "lake.md"
BEGIN = "<!-- BEGIN GENERATED: python -m clientdesk.lake.docs -->"
END = "<!-- END GENERATED -->"


def _check_text(col: Column) -> str:
    parts = []
    if col.kind in (Kind.DATE, Kind.TIMESTAMP):
        parts.append(f"{EARLIEST_DATE[:4]}–{LATEST_DATE[:4]}")
        if col.open_end:
            parts[-1] += " or 9999-12-31"
    elif col.kind == Kind.AMOUNT:
        parts.append("at most 2 decimals")
    if col.normalize is not None:
        parts.append(f"normalised: {col.normalize.label}")
    if col.rule is not None:
        parts.append(col.rule.expects())
        if col.warn:
            parts.append("else emptied with a warning (row kept)")
    return "; ".join(parts)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_table(schema: TableSchema) -> str:
    lines = [
        f"### `{schema.name}` — {schema.title}",
        "",
        schema.description,
        "",
        f"- **Origin:** {schema.origin}",
        f"- **Grain:** {schema.grain}",
        f"- **Key (unique within a file):** {', '.join(f'`{k}`' for k in schema.key)}",
        "- **Sponsor (account):** "
        + (
            "`group_id` when sent, else the member's eligibility"
            if schema.account_source == "group_id_or_eligibility"
            else "`group_id`"
        ),
    ]
    lines += [f"- {note}" for note in schema.lake_notes]
    lines += [
        "",
        "| column | type | required | check | meaning |",
        "|---|---|---|---|---|",
    ]
    for col in schema.columns:
        name = f"`{col.name}`" + (" (ext.)" if col.extension else "")
        lines.append(
            f"| {name} | {KIND_LABELS[col.kind]} | {'yes' if col.required else ''} | "
            f"{_escape(_check_text(col))} | {_escape(col.description)} |"
        )
    for name, meaning in LAKE_COLUMNS:
        lines.append(f"| `{name}` | bigint | set by the load |  | {meaning} |")
    return "\n".join(lines)


def render() -> str:
    """The generated part of docs/lake.md (between the markers)."""
    return "\n\n".join(render_table(t) for t in TABLES.values())


def generated_part(text: str) -> str:
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END)].strip()


def rewrite(path: Path = DOC_PATH) -> bool:
    """Replace the generated part of the doc; True when it changed."""
    text = path.read_text()
    start = text.index(BEGIN) + len(BEGIN)
    end = text.index(END)
    new = text[:start] + "\n\n" + render() + "\n\n" + text[end:]
    if new == text:
        return False
    path.write_text(new)
    return True


def main(argv: list[str]) -> int:
    if "--check" in argv:
        current = generated_part(DOC_PATH.read_text())
        if current != render():
            sys.stderr.write(f"{DOC_PATH} is out of date: run python -m clientdesk.lake.docs\n")
            return 1
        return 0
    changed = rewrite()
    sys.stdout.write(f"{DOC_PATH}: {'rewritten' if changed else 'up to date'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
