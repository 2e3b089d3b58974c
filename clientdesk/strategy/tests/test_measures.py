"""Strategy's own measures: the cost trend from financials' stored P&L, the decision-maker
touches in 12 months, the next renewal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from clientdesk.accounts.actions import do_add_contact, do_log_activity
from clientdesk.accounts.models import Account
from clientdesk.financials.models import PnlMonth
from clientdesk.insights.actions import do_record_detection
from clientdesk.insights.tests.cast import START, issue_record
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


def test_decision_maker_touches_count_the_days_of_12_months(cast: Cast) -> None:
    other = do_add_contact(
        cast.acme,
        {"name": "Pat Payroll", "role": "benefits_manager", "email": "pat@acme.example"},
        acting_user=cast.mia,
    )

    def touch(day: dt.date, contact: object = cast.acme_contact, hour: int = 15) -> None:
        do_log_activity(
            cast.acme,
            kind="meeting",
            subject="Review",
            occurred_at=dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC),
            contacts=[contact],  # type: ignore[list-item]
            acting_user=cast.alice,
        )

    as_of = dt.date(2026, 11, 15)
    touch(dt.date(2025, 11, 15))  # 365 days before: outside the 12 months
    touch(dt.date(2025, 11, 16))  # the first day inside
    touch(dt.date(2026, 3, 2))
    touch(dt.date(2026, 3, 2), hour=17)  # a second touch the same day counts once
    touch(dt.date(2026, 11, 15))  # as_of itself
    touch(dt.date(2026, 11, 16))  # after as_of
    touch(dt.date(2026, 6, 1), other)  # not the decision maker (the primary contact is)
    measure = ACCOUNT_MEASURES.get("decision_maker_touches")
    assert measure is not None
    values = measure.compute([cast.acme.pk, cast.bayside.pk], as_of)
    # Bayside has no contact, so no decision maker and no figure.
    assert set(values) == {cast.acme.pk}
    assert values[cast.acme.pk].value == 3
    assert values[cast.acme.pk].detail == "3 decision-maker touches in 12 months"
    # The rule: 100 at 8 or more, 0 at 4 or fewer, straight between: 3 scores 0, 6 scores 50.
    assert (RULES["decision_maker_touches"].score(3), RULES["decision_maker_touches"].score(6)) == (
        0.0,
        50.0,
    )


def test_issues_of_12_months_count_what_alerted_in_the_year(cast: Cast) -> None:
    # Two issues at Acme: alerting Mar 4-6, 2026 (START + 2..4) and Dec 3-5, 2025.
    for first, carc in ((dt.date(2025, 12, 1), "27"), (START, "197")):
        do_record_detection(
            [issue_record(cast.acme.pk, carc=carc, first=first)],
            as_of=first + dt.timedelta(days=5),
            since=first,
            stats={},
            acting_user=None,
        )
    year = ACCOUNT_MEASURES.get("emerging_issues_12m")
    quarter = ACCOUNT_MEASURES.get("emerging_issues")
    assert year is not None and quarter is not None
    ids = [cast.acme.pk, cast.bayside.pk]
    # On Nov 1, 2026 the March issue's last alert is 240 days back, December's 331: both in
    # the 12 months, neither in the 90 days. On Dec 6, 2026 December's is 366 days back.
    assert {a: v.value for a, v in year.compute(ids, dt.date(2026, 11, 1)).items()} == {
        cast.acme.pk: 2,
        cast.bayside.pk: 0,
    }
    assert quarter.compute(ids, dt.date(2026, 11, 1))[cast.acme.pk].value == 0
    assert year.compute(ids, dt.date(2026, 12, 6))[cast.acme.pk].value == 1
    # Before the first alert of either: none yet (a backtest day sees only what had alerted).
    assert year.compute(ids, dt.date(2025, 12, 2))[cast.acme.pk].value == 0
    # The rule: 100 less 40 each.
    assert RULES["emerging_issues_12m"].score(2) == 20.0
