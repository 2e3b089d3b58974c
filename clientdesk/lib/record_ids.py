"""Record ids typed by people (search boxes, references, query strings), read safely.

`"²".isdigit()` is true and `int("²")` raises; `"9" * 30` is digits yet no database column holds
it. Both reached the database or `int()` and answered a 500: read ids through here instead.
"""

from __future__ import annotations

import re

# The largest value of a 64-bit signed column (BigAutoField, SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2**63 - 1

_ASCII_DIGITS = re.compile(r"[0-9]+")


def parse_record_id(text: str) -> int | None:
    """The id written in `text` (ASCII digits only, 1 to MAX_ID), or None."""
    text = text.strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
