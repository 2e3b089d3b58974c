"""Fixtures of the utilization tests: the hand-made book loaded once per test that asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientdesk.testing import Cast
from clientdesk.utilization.analysis import clear_caches
from clientdesk.utilization.tests.fixture import load_fixture


@pytest.fixture
def book(cast: Cast, tmp_path: Path) -> Cast:
    """The cast with the fixture book in its lake."""
    clear_caches()
    load_fixture(tmp_path)
    return cast
