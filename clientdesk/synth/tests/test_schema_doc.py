"""SCHEMA.md documents every column of every table the generator writes."""

from __future__ import annotations

import re
from pathlib import Path

from clientdesk.synth.schemas import TABLES

DOC = Path(__file__).resolve().parents[1] / "SCHEMA.md"


def sections() -> dict[str, str]:
    text = DOC.read_text()
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    return {p.split("\n", 1)[0].split(" ")[0]: p for p in parts[1:]}


def documented(section: str) -> set[str]:
    names: set[str] = set()
    for cell in re.findall(r"^\| ([^|]+) \|", section, flags=re.MULTILINE):
        for name in re.findall(r"`([a-z0-9_]+)`", cell):
            names.add(name)
        ranges = re.findall(r"`([a-z_]+?)_?(\d+)`\.\.`\1_?(\d+)`", cell)
        for stem, lo, hi in ranges:
            names.update(f"{stem}_{k}" for k in range(int(lo), int(hi) + 1))
    return names


def test_every_column_is_documented() -> None:
    found = sections()
    for table, columns in TABLES.items():
        assert table in found, f"SCHEMA.md has no section for {table}"
        names = documented(found[table])
        missing = [c for c, _ in columns if c not in names]
        assert missing == [], f"{table}: undocumented columns {missing}"
