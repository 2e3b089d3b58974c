"""What the guarantee pages add up and draw: the monitors' contractual targets (on
the page and in the stewardship report) and the portfolio's totals."""

from __future__ import annotations

from clientdesk.guarantees.queries import monitor_targets
from clientdesk.guarantees.tests.cast import acme_guarantee
from clientdesk.testing import Cast


def test_the_targets_are_the_contracts(cast: Cast) -> None:
    assert monitor_targets(cast.acme) == {}
    acme_guarantee(cast)  # IVR containment >= 20 %
    assert monitor_targets(cast.acme) == {"ivr_containment": 20.0}
    assert monitor_targets(cast.bayside) == {}


def test_the_portfolio_sums_its_rows() -> None:
    from decimal import Decimal

    from clientdesk.accounts.models import Account
    from clientdesk.guarantees.queries import PortfolioRow, portfolio_totals

    rows = [
        PortfolioRow(
            Account(name="A"), 3, Decimal("4000"), Decimal("1672.10"), Decimal("250"), 2, 1
        ),
        PortfolioRow(Account(name="B"), 1, Decimal("1000"), Decimal("0"), Decimal("12.40"), 0, 0),
    ]
    totals = portfolio_totals(rows)
    assert (totals.accounts, totals.guarantees, totals.missed, totals.alerts) == (2, 4, 2, 1)
    assert (totals.at_risk, totals.owed, totals.expected_penalty) == (
        Decimal("5000"),
        Decimal("1672.10"),
        Decimal("262.40"),
    )
