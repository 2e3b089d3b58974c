"""Generated books shared by the tests of a session: one book per set of parameters.

A pytest plugin (the root `conftest.py` and `clientdesk/synth/pytest.ini` load it). The
`generated_books` fixture is the session's shelf: `generated_books(params)` generates the book
the first time a test asks for those parameters, into the session's temporary directory, and
hands every later test the same folder. Generation is deterministic from the parameters, so the
shared book is the one each test would have generated itself. Under pytest-xdist the workers
share one shelf on disk: the first worker to ask generates the book under a file lock while
another asking for it waits, then reads it. Tests read a shared book and never write into it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
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
    """The books generated so far in this session, by their parameters: kept in this process,
    and on disk under `root` for the other processes of the session that share the folder."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._books: dict[SynthParams, GeneratedBook] = {}

    def __call__(self, params: SynthParams) -> GeneratedBook:
        book = self._books.get(params)
        if book is None:
            book = self._shared(params)
            self._books[params] = book
        return book

    def _shared(self, params: SynthParams) -> GeneratedBook:
        """The book on disk, generated here unless another process already did (its summary,
        written last, says the book is whole)."""
        key = hashlib.sha256(repr(params).encode()).hexdigest()[:16]
        path, summary_file = self._root / f"book-{key}", self._root / f"book-{key}.json"
        self._root.mkdir(parents=True, exist_ok=True)
        with open(self._root / f"book-{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if summary_file.exists():
                return GeneratedBook(path, _summary(json.loads(summary_file.read_text())))
            summary = generate_book(params, path, progress=False)
            partial = summary_file.with_suffix(f".{os.getpid()}.part")
            partial.write_text(json.dumps(summary.as_dict()))
            partial.replace(summary_file)
            return GeneratedBook(path, summary)

    def __len__(self) -> int:
        return len(self._books)


def _summary(saved: dict[str, object]) -> BookSummary:
    return BookSummary(**saved)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def generated_books(tmp_path_factory: pytest.TempPathFactory) -> BookShelf:
    """generated_books(SynthParams(...)) -> GeneratedBook(path, summary), once per session:
    under pytest-xdist in the run's folder that every worker shares (the pattern pytest-xdist
    documents for session data), else in the session's own."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return BookShelf(shared / "generated_books")
