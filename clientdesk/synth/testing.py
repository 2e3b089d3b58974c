"""Generated books shared by the tests of a session: one book per set of parameters.

A pytest plugin (the root `conftest.py` and `clientdesk/synth/pytest.ini` load it). The
`generated_books` fixture is the session's shelf: `generated_books(params)` generates the book
the first time a test asks for those parameters, into the session's temporary directory, and
hands every later test the same folder. Generation is deterministic from the parameters, so the
shared book is the one each test would have generated itself. Under pytest-xdist each worker
keeps its own shelf. Tests read a shared book and never write into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from clientdesk.synth.generator import BookSummary, generate_book
from clientdesk.synth.params import SynthParams


@dataclass(frozen=True)
class GeneratedBook:
    path: Path
    summary: BookSummary


class BookShelf:
    """The books generated so far in this session (this worker), by their parameters."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._books: dict[SynthParams, GeneratedBook] = {}

    def __call__(self, params: SynthParams) -> GeneratedBook:
        book = self._books.get(params)
        if book is None:
            path = self._root / f"book-{len(self._books) + 1}"
            book = GeneratedBook(path, generate_book(params, path, progress=False))
            self._books[params] = book
        return book

    def __len__(self) -> int:
        return len(self._books)


@pytest.fixture(scope="session")
def generated_books(tmp_path_factory: pytest.TempPathFactory) -> BookShelf:
    """generated_books(SynthParams(...)) -> GeneratedBook(path, summary), once per session."""
    return BookShelf(tmp_path_factory.mktemp("generated_books"))
