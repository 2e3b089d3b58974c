"""Strategy's own measures: the cost trend from financials' stored P&L."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from clientdesk.accounts.models import Account
from clientdesk.financials.models import PnlMonth
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.strategy.own_measures import renewal_on_or_after
from clientdesk.strategy.scoring import RULES
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def _month(account: Account, day: dt.date, members: int, paid: int, ibnr: int = 0) -> PnlMonth:
    return PnlMonth(
        account=account,
        month=day,
        funding="aso",
        member_months=members,
        paid_claims=D(paid),
        ibnr=D(ibnr),
    )


def test_pmpm_trend_compares_the_same_months_a_year_apart(cast: Cast) -> None:
    rows = []
    # Acme: Jan-Oct 2025 at 400 PMPM; Jan-Oct 2026 at 440 (43,000 paid + 1,000 IBNR on 100).
    for m in range(1, 11):
        rows.append(_month(cast.acme, dt.date(2025, m, 1), 100, 40_000))
        rows.append(_month(cast.acme, dt.date(2026, m, 1), 100, 43_000, 1_000))
    # Nov-Dec 2025 have no month a year before (no Nov-Dec 2024): left out, however high;
    # Nov 2026 is as_of's own month, not over yet: left out.
    rows.append(_month(cast.acme, dt.date(2025, 11, 1), 100, 900_000))
    rows.append(_month(cast.acme, dt.date(2025, 12, 1), 100, 900_000))
    rows.append(_month(cast.acme, dt.date(2026, 11, 1), 100, 900_000))
    # Bayside: two pairs only (three needed): no figure.
    days = (dt.date(2025, 9, 1), dt.date(2025, 10, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    rows.extend(_month(cast.bayside, day, 50, 20_000) for day in days)
    PnlMonth.objects.bulk_create(rows)
    measure = ACCOUNT_MEASURES.get("pmpm_trend")
    assert measure is not None
    values = measure.compute([cast.acme.pk, cast.bayside.pk], dt.date(2026, 11, 15))
    assert set(values) == {cast.acme.pk}
    assert values[cast.acme.pk].value == 10.0
    assert "10 months" in values[cast.acme.pk].detail
    # The health rule: 100 at 5 % or less, 0 at 15 % or more: 10 % scores 50.
    assert RULES["pmpm_trend"].score(10.0) == 50.0


def test_the_next_renewal_reads_the_contracts_terms() -> None:
    stored = dt.date(2028, 7, 1)  # a two-year contract Jul 2026 - Jun 2028
    ends = [dt.date(2026, 7, 1), dt.date(2028, 7, 1)]
    assert renewal_on_or_after(stored, dt.date(2026, 12, 6), ends) == dt.date(2028, 7, 1)
    assert renewal_on_or_after(stored, dt.date(2026, 4, 2), ends) == dt.date(2026, 7, 1)
    # Past every known date: the stored date's yearly anniversary.
    assert renewal_on_or_after(dt.date(2025, 1, 1), dt.date(2026, 3, 1)) == dt.date(2027, 1, 1)
    assert renewal_on_or_after(dt.date(2024, 2, 29), dt.date(2025, 1, 1)) == dt.date(2025, 2, 28)
