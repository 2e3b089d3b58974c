"""Fixtures of the report tests: the utilization tests' hand-made book, tasks run at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clientdesk.testing import Cast
from clientdesk.utilization.analysis import clear_caches
from clientdesk.utilization.tests.fixture import BOOK


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: object) -> None:
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture
def book(cast: Cast, tmp_path: Path) -> Iterator[Cast]:
    """The cast with the utilization fixture book (2025Q1 and Q2) in its lake.

    Built once per process and laid down again for each test (`lake.tests.snapshot`): the
    same rows, the same files, and the derived tables a test built are kept."""
    clear_caches()
    BOOK.lay_down(tmp_path)
    yield cast
    BOOK.keep_derived()
