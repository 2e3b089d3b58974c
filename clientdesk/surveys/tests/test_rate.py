"""The public pages' rate limit is one count per address and minute for the whole site: two
processes add to the same count, no address is written down, old minutes go."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.test import override_settings

from clientdesk.surveys import rate

NOON = dt.datetime(2026, 12, 7, 17, 0, 5, tzinfo=dt.UTC)


def test_two_processes_share_one_count() -> None:
    assert rate.count_request("203.0.113.9", NOON) == 1
    child = os.fork()
    if child == 0:  # another worker of the site
        try:
            for _ in range(3):
                rate.count_request("203.0.113.9", NOON)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    assert status == 0
    assert rate.count_request("203.0.113.9", NOON) == 5
    assert rate.count_request("198.51.100.4", NOON) == 1  # each address its own count
    assert rate.count_request("203.0.113.9", NOON + dt.timedelta(minutes=1)) == 1
    written = [p.name for p in rate._folder().rglob("*")]
    assert not any("203.0.113" in name or "198.51" in name for name in written)


def test_minutes_before_the_last_are_removed() -> None:
    for minutes in range(4):
        rate.count_request("203.0.113.9", NOON + dt.timedelta(minutes=minutes))
    kept = sorted(int(p.name) for p in rate._folder().iterdir())
    last = int((NOON + dt.timedelta(minutes=3)).timestamp() // 60)
    assert kept == [last - 1, last]


def test_a_configured_cache_holds_the_count_instead() -> None:
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "surveys": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    with override_settings(CACHES=caches):
        assert [rate.count_request("203.0.113.9", NOON) for _ in range(3)] == [1, 2, 3]
        assert not rate._folder().exists()
        rate.forget_counts()
        assert rate.count_request("203.0.113.9", NOON) == 1


@pytest.mark.parametrize("client", ["", "unknown", "::1"])
def test_any_address_text_is_a_file_name(client: str) -> None:
    assert rate.count_request(client, NOON) == 1
