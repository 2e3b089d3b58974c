from __future__ import annotations

from collections.abc import Iterator

import pytest

from clientdesk.surveys import rate


@pytest.fixture(autouse=True)
def _fresh_rate_limits(_data_dir: None) -> Iterator[None]:
    """The public pages count requests per address and minute: each test starts with none
    (frozen clocks would otherwise share a minute across tests)."""
    rate.forget_counts()
    yield
    rate.forget_counts()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: object) -> None:
    """Queued deliveries run at once (the worker's job, in the test's process)."""
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
