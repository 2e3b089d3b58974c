"""The home page by role: an executive reads the portfolio (money with totals, the SLA trend,
open escalations, renewals) and no work queue; a manager sees the open account escalations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from django.test import Client
from django.utils import timezone

from clientdesk.accounts.actions import do_update_account
from clientdesk.guarantees.models import GuaranteeForecast, ResultKind
from clientdesk.guarantees.panels import money_work
from clientdesk.guarantees.queries import portfolio
from clientdesk.guarantees.tests.cast import acme_result, bayside_guarantee
from clientdesk.inquiries.panels import escalations_work, inquiries_work, sla_trend_work
from clientdesk.inquiries.tests.cast import acme_escalation
from clientdesk.testing import Cast

NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)


def _settlement(cast: Cast, at_risk: str, owed: str) -> None:
    """A contract-year settlement of Acme's IVR guarantee, copied from its 2025Q1 result."""
    result = acme_result(cast)
    result.pk = None
    result.kind = ResultKind.SETTLEMENT
    result.period_label = "2025"
    result.amount_at_risk = Decimal(at_risk)
    result.owed = Decimal(owed)
    result.save()


def test_the_executive_home_shows_the_money_with_totals(cast: Cast, client: Client) -> None:
    _settlement(cast, "4000.00", "1672.40")
    money = money_work(cast.eve, NOW)
    assert money is not None
    assert money.summary == (
        "At risk $4,000 · owed $1,672 · expected $0 across 1 accounts with guarantees"
    )
    assert [(i.title, i.url, i.urgent) for i in money.items] == [
        ("Acme Steel Works", f"/accounts/{cast.acme.pk}/tab/guarantees/", True)
    ]
    assert money.items[0].detail.startswith("Owed $1,672 · expected $0 · at risk $4,000")
    # Associates work their own accounts: the portfolio's money is not their list.
    assert money_work(cast.alice, NOW) is None
    client.force_login(cast.eve)
    page = client.get("/").content.decode()
    assert "Money at risk and penalties owed" in page
    assert "At risk $4,000 · owed $1,672" in page


def _forecast(cast: Cast, expected: str) -> GuaranteeForecast:
    """Bayside's open quarter forecast to cost `expected` (it owes nothing yet)."""
    return GuaranteeForecast.objects.create(
        guarantee=bayside_guarantee(cast),
        period_label="2026Q4",
        span_start=dt.date(2026, 10, 1),
        span_end=dt.date(2026, 12, 31),
        as_of=NOW.date(),
        p_miss=Decimal("0.0320"),
        expected_penalty=Decimal(expected),
        amount_at_risk=Decimal("9000"),
        method="test",
        computed_at=NOW,
    )


def test_a_penalty_owed_comes_before_a_smaller_one_forecast(cast: Cast) -> None:
    """Acme owes $1,672.40 on a settled year and expects nothing more; Bayside owes nothing and
    is forecast to owe $160: Acme comes first, on the home page and the portfolio (ordered by
    the expected penalty alone, the demo book's accounts owing $3,343 and $1,900 came 7th and
    11th, under five expecting $1 to $160). Forecast at $2,000, Bayside has the more money at
    stake ($2,000 against $1,672.40) and comes first."""
    _settlement(cast, "4000.00", "1672.40")
    forecast = _forecast(cast, "160.00")
    rows = portfolio(cast.eve, NOW.date())
    assert [(r.account.name, r.owed, r.expected_penalty) for r in rows] == [
        ("Acme Steel Works", Decimal("1672.40"), Decimal("0")),
        ("Bayside Carpenters Health Fund", Decimal("0"), Decimal("160.00")),
    ]
    money = money_work(cast.eve, NOW)
    assert money is not None
    assert [(i.title, i.urgent) for i in money.items] == [
        ("Acme Steel Works", True),
        ("Bayside Carpenters Health Fund", False),
    ]
    forecast.expected_penalty = Decimal("2000.00")
    forecast.save()
    assert [r.account.name for r in portfolio(cast.eve, NOW.date())] == [
        "Bayside Carpenters Health Fund",
        "Acme Steel Works",
    ]


def test_the_executive_home_has_no_work_queue_and_no_new_inquiry(
    cast: Cast, client: Client
) -> None:
    assert inquiries_work(cast.eve, NOW) is None
    assert inquiries_work(cast.mia, NOW) is not None
    client.force_login(cast.eve)
    home = client.get("/").content.decode()
    assert 'data-work="inquiries"' not in home
    assert "Next renewals" in home and "Acme Steel Works" in home
    # A renewal already past is not "next": Bayside's moved back to 2025 leaves the card (a
    # write through the action, as the page's own form makes it: the home page's reads are
    # kept until the next write, web/memo.py).
    do_update_account(cast.bayside, {"renewal_date": dt.date(2025, 7, 1)}, acting_user=cast.mia)
    home = client.get("/").content.decode()
    renewals = home[home.index("Next renewals") :]
    assert "Acme Steel Works" in renewals and "Bayside Carpenters" not in renewals
    assert "New inquiry" not in client.get("/inquiries/mine/").content.decode()
    client.force_login(cast.alice)
    assert "New inquiry" in client.get("/inquiries/mine/").content.decode()


def test_the_sla_trend_has_the_last_three_months(cast: Cast) -> None:
    trend = sla_trend_work(cast.eve, NOW)
    assert trend is not None
    assert [(i.title, i.detail, i.url) for i in trend.items] == [
        ("Sep 2026: no outcomes", "0 met, 0 breached", "/inquiries/dashboard/?period=2026-09"),
        ("Oct 2026: no outcomes", "0 met, 0 breached", "/inquiries/dashboard/?period=2026-10"),
        (
            "Nov 2026 to date: no outcomes",
            "0 met, 0 breached",
            "/inquiries/dashboard/?period=2026-11",
        ),
    ]
    assert sla_trend_work(cast.alice, NOW) is None


def test_open_escalations_are_on_the_managers_home(cast: Cast, client: Client) -> None:
    with time_machine.travel(NOW, tick=False):
        escalation = acme_escalation(cast)
    work = escalations_work(cast.mia, timezone.now())
    assert work is not None
    assert work.total == 1
    assert [(i.title, i.detail, i.url) for i in work.items] == [
        (
            "Acme Steel Works: Renewal at risk after claim backlog",
            "High · Open · raised Nov 27, 2026 · Mia Manager",
            f"/inquiries/escalations/{escalation.pk}/",
        )
    ]
    # Oscar works Bayside only: Acme's escalation is not his.
    oscar = escalations_work(cast.oscar, timezone.now())
    assert oscar is not None and oscar.total == 0 and oscar.items == []
    assert escalations_work(cast.sam, timezone.now()) is None
    client.force_login(cast.mia)
    page = client.get("/").content.decode()
    assert "Open account escalations" in page
    assert "Renewal at risk after claim backlog" in page
