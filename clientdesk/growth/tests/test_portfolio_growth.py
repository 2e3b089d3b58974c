"""The portfolio report's growth section: pipeline, closed deals, leads, RFPs and vendor
savings over the reader's accounts, figures by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientdesk.growth import actions
from clientdesk.growth.models import LeadStatus, Stage
from clientdesk.growth.queries import portfolio_growth
from clientdesk.growth.tests.cast import (
    NOW,
    acme_lead,
    acme_opportunity,
    acme_suggestion,
    acme_vendor_contract,
    product,
    sales_user,
)
from clientdesk.lib.periods import parse_period
from clientdesk.reports.portfolio import PORTFOLIO_SECTIONS, PortfolioContext, growth_section
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def _book(c: Cast) -> None:
    # Disease management for Acme: $3.00 PEPM x 1,200 employees x 12 = $43,200, identified
    # (10 %): $4,320 weighted. EAP for Acme, won in March: $1.75 x 1,200 x 12 = $25,200.
    acme_opportunity(c)
    eap = actions.do_create_opportunity(
        c.acme,
        product("eap"),
        owner=c.alice,
        expected_close=dt.date(2026, 3, 31),
        now=NOW,
        acting_user=c.alice,
    )
    actions.do_move_opportunity(eap, Stage.WON, now=NOW, acting_user=c.alice)
    acme_suggestion(c)
    lead = acme_lead(c)  # passed Monday 2026-03-02 10:00 New York
    sal = sales_user()
    actions.do_update_lead(lead, LeadStatus.ACCEPTED, now=NOW, acting_user=sal)
    # First contact 2 business hours later: within the 20-hour SLA.
    actions.do_update_lead(
        lead, LeadStatus.CONTACTED, now=NOW + dt.timedelta(hours=2), acting_user=sal
    )
    # EAP at $2.50 list, $1.90 negotiated PEPM x 1,200 x 24 months (2026-2027) = $17,280,
    # $8,640 a year.
    acme_vendor_contract(c)


def test_growth_figures_for_the_period(cast: Cast) -> None:
    _book(cast)
    q1 = parse_period("2026Q1")
    g = portfolio_growth(cast.mia, q1.start, q1.last_day, NOW + dt.timedelta(days=30))
    assert (g.pipeline.open_value, g.pipeline.weighted) == (Decimal("43200.00"), Decimal("4320.00"))
    assert [(r.key, r.open_count) for r in g.pipeline.by_product] == [
        ("Disease management (diabetes)", 1)
    ]
    assert (g.won, g.won_value, g.lost, g.win_rate) == (1, Decimal("25200.00"), 0, Decimal("100.0"))
    assert (g.leads_passed, g.leads_converted, g.leads_contacted, g.leads_in_time) == (1, 0, 1, 1)
    assert g.open_suggestions == 1
    assert (g.vendor_savings, g.vendor_savings_annual) == (Decimal("17280.00"), Decimal("8640.00"))
    # The quarter before: nothing closed, no lead passed; the contract had not started.
    q4 = parse_period("2025Q4")
    before = portfolio_growth(cast.mia, q4.start, q4.last_day, NOW)
    assert (before.won, before.leads_passed, before.vendor_contracts) == (0, 0, [])
    # Oscar serves Bayside only: he sees none of Acme's.
    oscar = portfolio_growth(cast.oscar, q1.start, q1.last_day, NOW)
    assert (oscar.pipeline.open_value, oscar.won, oscar.open_suggestions) == (Decimal("0"), 0, 0)
    assert (oscar.leads_passed, oscar.vendor_contracts) == (0, [])


def test_portfolio_report_has_the_growth_section(cast: Cast) -> None:
    _book(cast)
    q1 = parse_period("2026Q1")
    # The report's other readings are left empty: the lake-wide ones take seconds, and this
    # section reads only its own (read_portfolio passes it the same call).
    context = PortfolioContext(
        period=q1,
        today=dt.date(2026, 4, 1),
        account_ids={cast.acme.pk},
        listed=[],
        overview=None,
        guarantees=[],
        escalations=[],
        issues=[],
        sla=[],
        surveys="",
        renewals=[],
        growth=portfolio_growth(cast.mia, q1.start, q1.last_day, NOW + dt.timedelta(days=30)),
    )
    assert growth_section in PORTFOLIO_SECTIONS
    section = growth_section(context)
    assert section is not None and section.key == "growth"
    text = " ".join(section.bullets)
    assert "Open pipeline $43,200 a year, $4,320 weighted" in text
    assert "1 won ($25,200 a year), 0 lost; win rate 100.0 %." in text
    assert "first contact within the SLA for 1 of 1 contacted" in text
    assert "saving $17,280 over their terms ($8,640 a year)" in text
    pipeline, savings = section.tables
    assert pipeline.rows == [
        ["Disease management (diabetes)", 1, Decimal("43200.00"), Decimal("4320.00")]
    ]
    assert savings.rows[0][0:2] == ["Acme Steel Works", "MindBridge EAP"]
    assert savings.rows[0][4:] == [Decimal("17280.00"), Decimal("8640.00")]
