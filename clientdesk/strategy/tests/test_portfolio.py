"""The portfolio health page reads the stored daily snapshots: paged, sorted, filtered and
scoped to the reader's accounts, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.strategy.models import HealthSnapshot
from clientdesk.strategy.queries import portfolio
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def _snap(account: Account, day: dt.date, score: int, escalations: float = 0) -> None:
    band = "poor" if score <= 50 else "fair" if score <= 75 else "good"
    HealthSnapshot.objects.create(
        account=account,
        day=day,
        score=score,
        band=band,
        measures={
            "open_escalations": {"value": escalations, "score": score, "weight": 10, "detail": ""}
        },
        computed_at=timezone.now(),
    )


def _book(c: Cast) -> None:
    # Acme: 60 today, 80 thirty days before (down). Bayside: 90 today, none before.
    _snap(c.acme, TODAY - dt.timedelta(days=30), 80)
    _snap(c.acme, TODAY, 60, escalations=1)
    _snap(c.bayside, TODAY, 90)


def test_rows_sort_page_and_trend(cast: Cast) -> None:
    _book(cast)
    page = portfolio(cast.mia, TODAY, {"sort": "score"}, page=1, per_page=1)
    assert (page.total, page.pages, page.number, page.day) == (2, 2, 1, TODAY)
    (row,) = page.rows
    assert row.account == cast.acme and row.snapshot is not None
    assert (row.snapshot.score, row.previous_score, row.trend) == (60, 80, "down")
    assert page.keys == ["open_escalations"] and page.has_next and not page.has_previous
    second = portfolio(cast.mia, TODAY, {"sort": "score"}, page=2, per_page=1)
    assert [r.account for r in second.rows] == [cast.bayside] and second.rows[0].trend == ""
    # Highest first, and a page past the end answers the last page.
    high = portfolio(cast.mia, TODAY, {"sort": "-score"}, page=9, per_page=1)
    assert (high.number, [r.account for r in high.rows]) == (2, [cast.acme])
    every = portfolio(cast.mia, TODAY, {"sort": "name"}, per_page=None)
    assert [r.account for r in every.rows] == [cast.acme, cast.bayside]


def test_filters_and_renewal_window(cast: Cast) -> None:
    _book(cast)
    # Acme renews Jan 1, 2027 (31 days), Bayside Jul 1, 2027 (212 days).
    within_90 = portfolio(cast.mia, TODAY, {"renewal_within": "90"})
    assert [r.account for r in within_90.rows] == [cast.acme]
    assert within_90.rows[0].renewal == dt.date(2027, 1, 1)
    labor = portfolio(cast.mia, TODAY, {"segment": "labor_fund"})
    assert [r.account for r in labor.rows] == [cast.bayside]
    by_alice = portfolio(cast.mia, TODAY, {"associate": cast.alice.pk})
    assert [r.account for r in by_alice.rows] == [cast.acme]


def test_associate_sees_only_their_accounts(cast: Cast) -> None:
    _book(cast)
    page = portfolio(cast.oscar, TODAY, {})
    assert [r.account for r in page.rows] == [cast.bayside] and page.total == 1


def test_page_pages_and_keeps_filters(
    cast: Cast, django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _book(cast)
    monkeypatch.setattr("clientdesk.strategy.queries.PORTFOLIO_PAGE_SIZE", 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    web = Client()
    web.force_login(cast.mia)
    web.get("/strategy/health/")  # the session and the menus warm
    with django_assert_max_num_queries(25):
        html = web.get("/strategy/health/", {"sort": "score"}).content.decode()
    assert "Acme Steel Works" in html and "Bayside Carpenters" not in html
    assert "2 accounts" in html and "page 1 of 2" in html
    assert "?sort=score&amp;page=2" in html
    html = web.get("/strategy/health/", {"sort": "score", "page": "2"}).content.decode()
    assert "Bayside Carpenters" in html and "Acme Steel Works" not in html
    assert "page=1" in html
    # A page that is not a number answers the first one, never a 500.
    html = web.get("/strategy/health/", {"page": "x"}).content.decode()
    assert "page 1 of 2" in html


def test_export_has_every_row_not_one_page(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    _book(cast)
    monkeypatch.setattr("clientdesk.strategy.queries.PORTFOLIO_PAGE_SIZE", 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    web = Client()
    web.force_login(cast.mia)
    body = web.get("/strategy/health/export.csv", {"sort": "name"}).content.decode()
    lines = body.strip().splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("Acme Steel Works,G100001,commercial,aso,2027-01-01,60,fair,,down,")
    assert lines[2].startswith("Bayside Carpenters Health Fund,G100002,labor_fund,aso,2027-07-01,")
