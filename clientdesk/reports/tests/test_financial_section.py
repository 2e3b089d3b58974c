"""The portfolio report's financial section (senior management): margin by account, segment
and funding over the report's period, from stored P&L months computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clientdesk.financials.models import PnlMonth
from clientdesk.lib.periods import Period, month_index
from clientdesk.reports.financials import financial_section
from clientdesk.reports.portfolio import PORTFOLIO_SECTIONS, financials_section
from clientdesk.testing import Cast

D = Decimal
JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def test_margin_by_account_lowest_first(cast: Cast) -> None:
    a, b = cast.acme, cast.bayside
    PnlMonth.objects.bulk_create(
        [
            # acme, self-funded: Jan 10,000 fees - (2,000 stop-loss + 1,000 vendor + 3,000
            # admin) = +4,000; Feb 10,000 - (12,000 + 3,000) = -5,000: margin -1,000 (-5 %).
            PnlMonth(account=a, month=JAN, funding="aso", admin_fees=D(10_000),
                     stop_loss_claims=D(2_000), vendor=D(1_000), admin_expense=D(3_000)),
            PnlMonth(account=a, month=FEB, funding="aso", admin_fees=D(10_000),
                     stop_loss_claims=D(12_000), admin_expense=D(3_000)),
            # before the period: left out
            PnlMonth(account=a, month=dt.date(2025, 12, 1), funding="aso",
                     admin_fees=D(99_999)),
            # bayside, fully insured: 50,000 premium - (30,000 paid + 5,000 IBNR + 1,250
            # taxes + 4,000 admin) = 9,750 (19.5 %); loss ratio 35,000 / 50,000 = 70 %.
            PnlMonth(account=b, month=JAN, funding="fully_insured", premium=D(50_000),
                     paid_claims=D(30_000), ibnr=D(5_000), premium_taxes=D(1_250),
                     admin_expense=D(4_000)),
        ]
    )  # fmt: skip
    period = Period(month_index(JAN), month_index(FEB))
    section = financial_section({a.pk, b.pk}, period)
    assert section is not None
    # 70,000 revenue, 8,750 margin (12.5 %); IBNR 5,000 of 35,000 completed (14.3 %).
    assert "Margin $8,750 on revenue $70,000" in section.bullets[0]
    assert "12.5" in section.bullets[0] and "over 2 accounts" in section.bullets[0]
    assert section.bullets[1].startswith(f"1 accounts lose money: {a.name} (")
    assert "$5,000 not yet paid (IBNR), 14.3" in section.bullets[2]
    by_account = section.tables[0].rows
    assert [r[0] for r in by_account] == [a.name, b.name]
    assert by_account[0][3:8] == [D(20_000), D(0), D(21_000), D(-1_000), -5.0]
    assert by_account[1][3:9] == [D(50_000), D(35_000), D("40250"), D("9750"), 19.5, 70.0]
    assert by_account[0][9] and by_account[1][9] == ""
    # By segment and by funding (the accounts' own): each grouping adds up to 8,750.
    for kind in ("segment", "funding"):
        margins = [r[4] for r in section.tables[1].rows if r[0] == kind]
        assert sum(m for m in margins if isinstance(m, Decimal)) == D(8_750)
    # None without P&L months in the period; the report lists the section second.
    assert financial_section({a.pk}, Period(month_index(JAN) - 24, month_index(JAN) - 13)) is None
    assert PORTFOLIO_SECTIONS[1] is financials_section
