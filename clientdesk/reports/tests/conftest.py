"""Fixtures of the report tests: the utilization tests' hand-made book, tasks run at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientdesk.testing import Cast
from clientdesk.utilization.analysis import clear_caches
from clientdesk.utilization.tests.fixture import load_fixture


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: object) -> None:
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture
def book(cast: Cast, tmp_path: Path) -> Cast:
    """The cast with the utilization fixture book (2025Q1 and Q2) in its lake."""
    clear_caches()
    load_fixture(tmp_path)
    return cast
