from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """The public pages count requests per address and minute in the cache: each test starts
    with none (frozen clocks would otherwise share a minute across tests)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: object) -> None:
    """Queued deliveries run at once (the worker's job, in the test's process)."""
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
