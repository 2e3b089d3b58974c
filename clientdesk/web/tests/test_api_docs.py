"""The API's documentation as a client developer reads it on /api/docs (Swagger UI): the
document itself is drawn in a real browser by browser/test_api_docs_in_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clientdesk.api import api


def _nodes(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, f"{where}/{i}")


def test_free_text_shows_an_example_rather_than_one_drawn_from_its_pattern() -> None:
    """Swagger UI draws a patterned string's example from the pattern: for free text ("anything
    but a NUL character") that was random characters in every body and query example (a note's
    body read `8O5wU0]%nx_9lN7]@|hM4~`). Each such schema carries an example of its own."""
    document = api.get_openapi_schema()
    free_text = [
        (where, node)
        for where, node in _nodes(document)
        if r"[^\x00]" in str(node.get("pattern", ""))
    ]
    assert len(free_text) > 20  # bodies and queries of every app (53 when written)
    assert [where for where, node in free_text if not node.get("examples")] == []
    notes = document["components"]["schemas"]["NoteIn"]["properties"]["body"]
    assert notes["examples"] == ["string"]
