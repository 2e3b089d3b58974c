"""The guarantees portfolio reads its rows once per reader, state of the data and minute."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.accounts.actions import do_update_account
from clientdesk.guarantees import queries, views
from clientdesk.guarantees.tests.cast import acme_guarantee
from clientdesk.testing import Cast


def test_the_portfolio_reads_again_after_a_write_a_minute_or_for_another_reader(
    cast: Cast, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme_guarantee(cast)
    views._PORTFOLIO.clear()
    read: list[str] = []
    real = queries.portfolio

    def counted(user: Any, today: dt.date) -> list[queries.PortfolioRow]:
        read.append(user.username)
        return real(user, today)

    monkeypatch.setattr(queries, "portfolio", counted)
    at = dt.datetime(2026, 11, 27, 15, 0, 10, tzinfo=dt.UTC)
    page = reverse("guarantees:portfolio")
    with time_machine.travel(at, tick=False):
        client.force_login(cast.alice)
        assert "Acme" in client.get(page).content.decode()
        assert "Acme" in client.get(page).content.decode()
        assert read == ["alice"]
        client.force_login(cast.oscar)  # another reader never gets alice's rows
        assert "Acme" not in client.get(page).content.decode()
        assert read == ["alice", "oscar"]
        do_update_account(cast.acme, {"broker": "Marsh"}, acting_user=cast.mia)  # a write
        client.force_login(cast.alice)
        client.get(page)
        client.get(page)
        assert read == ["alice", "oscar", "alice"]
    with time_machine.travel(at + dt.timedelta(seconds=50), tick=False):  # the next minute
        client.get(page)
    assert read == ["alice", "oscar", "alice", "alice"]
    views._PORTFOLIO.clear()
