"""Fixtures of the utilization tests: the hand-made book loaded once per test that asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clientdesk.testing import Cast
from clientdesk.utilization.analysis import clear_caches
from clientdesk.utilization.tests.fixture import BOOK


@pytest.fixture
def book(cast: Cast, tmp_path: Path) -> Iterator[Cast]:
    """The cast with the fixture book in its lake.

    Built once per process and laid down again for each test (`lake.tests.snapshot`): the
    same rows, the same files, and the derived tables a test built are kept."""
    clear_caches()
    BOOK.lay_down(tmp_path)
    yield cast
    BOOK.keep_derived()
