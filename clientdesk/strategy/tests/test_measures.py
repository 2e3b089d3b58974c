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
from clientdesk.strategy.actions import do_set_plan_status
from clientdesk.strategy.own_measures import renewal_on_or_after
from clientdesk.strategy.scoring import RULES
from clientdesk.strategy.tests.cast import acme_objective
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
    # The rule: 100 less 34 each, none left at three.
    assert [RULES["emerging_issues_12m"].score(n) for n in (1, 2, 3)] == [66.0, 32.0, 0.0]


def _touch(cast: Cast, day: dt.date) -> None:
    do_log_activity(
        cast.acme,
        kind="call",
        subject="Check-in",
        occurred_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC),
        contacts=[cast.acme_contact],
        acting_user=cast.alice,
    )


def test_touch_rate_reads_24_months_or_the_record_since_it_begins(cast: Cast) -> None:
    as_of = dt.date(2026, 11, 15)
    # Six touch days in the 730 days to Nov 15, 2026 (from Nov 16, 2024), one before them.
    _touch(cast, dt.date(2024, 11, 15))  # 730 days back: outside, but begins the timeline
    for day in ("2024-11-16", "2025-03-01", "2025-09-01", "2026-01-10", "2026-06-30"):
        _touch(cast, dt.date.fromisoformat(day))
    _touch(cast, as_of)
    measure = ACCOUNT_MEASURES.get("decision_maker_touch_rate")
    assert measure is not None
    values = measure.compute([cast.acme.pk, cast.bayside.pk], as_of)
    assert set(values) == {cast.acme.pk}  # Bayside has no decision maker
    # 6 touch days x 365 / 730 days = 3.0 a year.
    assert values[cast.acme.pk].value == 3.0
    assert values[cast.acme.pk].detail == "6 decision-maker touches in 730 days, 3 a year"
    # On Mar 1, 2025 the record (the activity log's first event: Nov 15, 2024) is 107 days
    # long: the touch days Nov 15, Nov 16 and Mar 1, 3 x 365 / 107 = 10.2 a year.
    early = measure.compute([cast.acme.pk], dt.date(2025, 3, 1))[cast.acme.pk]
    assert early.value == round(3 * 365 / 107, 1) == 10.2
    # A timeline shorter than 90 days counts as 90: on Dec 1, 2024 two touches in 17 days
    # read 2 x 365 / 90 = 8.1 a year, not 43.
    assert measure.compute([cast.acme.pk], dt.date(2024, 12, 1))[cast.acme.pk].value == 8.1
    # The rule: 100 at 7 or more a year, 0 at 4 or fewer, straight between: 3.0 scores 0,
    # 5.5 scores 50, 8.1 scores 100.
    rule = RULES["decision_maker_touch_rate"]
    assert (rule.score(3.0), rule.score(5.5), rule.score(8.1)) == (0.0, 50.0, 100.0)


def test_touch_rate_counts_the_quiet_months_before_an_accounts_first_touch(cast: Cast) -> None:
    # The activity log begins with Acme's touch of Nov 15, 2024. Bayside (effective Jul 1,
    # 2020) is first touched four months later: Mar 15, Jul 15 and Nov 1, 2025.
    _touch(cast, dt.date(2024, 11, 15))
    contact = do_add_contact(
        cast.bayside,
        {"name": "Dana Director", "role": "benefits_manager", "email": "dana@bayside.example"},
        acting_user=cast.mia,
    )
    cast.bayside.contacts.filter(pk=contact.pk).update(is_primary=True)
    for day in (dt.date(2025, 3, 15), dt.date(2025, 7, 15), dt.date(2025, 11, 1)):
        do_log_activity(
            cast.bayside,
            kind="meeting",
            subject="Review",
            occurred_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC),
            contacts=[contact],
            acting_user=cast.alice,
        )
    measure = ACCOUNT_MEASURES.get("decision_maker_touch_rate")
    assert measure is not None
    as_of = dt.date(2025, 11, 15)
    # From the log's first day, Nov 15, 2024, to Nov 15, 2025: 366 days, 3 touches:
    # 3 x 365 / 366 = 3.0 a year (counted from its own first touch, Mar 15: 246 days, 4.5).
    got = measure.compute([cast.bayside.pk], as_of)[cast.bayside.pk]
    assert (got.value, got.detail) == (3.0, "3 decision-maker touches in 366 days, 3 a year")
    # An account that became a customer on May 1, 2025 is read from that day: 199 days to
    # Nov 15, the touches of Jul 15 and Nov 1 (not Mar 15's, before it): 2 x 365 / 199 = 3.7.
    Account.objects.filter(pk=cast.bayside.pk).update(effective_date=dt.date(2025, 5, 1))
    got = measure.compute([cast.bayside.pk], as_of)[cast.bayside.pk]
    assert (got.value, got.detail) == (3.7, "2 decision-maker touches in 199 days, 3.7 a year")


def test_cost_trend_over_target_weighs_an_account_by_its_credibility(cast: Cast) -> None:
    rows = []
    # Acme: 100 members, $400 PMPM Jan-Oct 2025, $440 Jan-Oct 2026: +10 % on 1,000 member
    # months. Bayside: 1,000 members, $500 then $510: +2 % on 10,000.
    for m in range(1, 11):
        rows.append(_month(cast.acme, dt.date(2025, m, 1), 100, 40_000))
        rows.append(_month(cast.acme, dt.date(2026, m, 1), 100, 44_000))
        rows.append(_month(cast.bayside, dt.date(2025, m, 1), 1_000, 500_000))
        rows.append(_month(cast.bayside, dt.date(2026, m, 1), 1_000, 510_000))
    PnlMonth.objects.bulk_create(rows)
    measure = ACCOUNT_MEASURES.get("cost_trend_over_target")
    assert measure is not None
    as_of = dt.date(2026, 11, 15)
    # The book: $5,540,000 / 11,000 = $503.64 against $5,400,000 / 11,000 = $490.91, +2.593 %.
    # Acme: Z = sqrt(1,000 / 240,000) = 0.0645; credible 0.0645 x 10 + 0.9355 x 2.593 =
    # 3.071 %; no plan target, so against the book's: +0.478, 0.5 points.
    # Bayside: Z = sqrt(10,000 / 240,000) = 0.204; 0.204 x 2 + 0.796 x 2.593 = 2.472: -0.1.
    values = measure.compute([cast.acme.pk, cast.bayside.pk], as_of)
    assert {a: v.value for a, v in values.items()} == {cast.acme.pk: 0.5, cast.bayside.pk: -0.1}
    assert values[cast.acme.pk].detail == (
        "own trend +10.0 % on 1,000 member months (credibility 0.06), credible +3.1 % "
        "against no plan target: the book's +2.6 %"
    )
    # Acme's approved 2026 plan targets a trend of 2 %: 3.071 - 2 = 1.1 points over it.
    # A draft plan's target does not count yet; and the book's trend reads every account,
    # not only those asked about (a backtest asks for a day's few): Acme alone, same figure.
    objective = acme_objective(cast)
    objective.measure_key, objective.target, objective.better = "pmpm_trend", D("2.0"), "lower"
    objective.save()
    assert measure.compute([cast.acme.pk], as_of)[cast.acme.pk].value == 0.5
    do_set_plan_status(objective.plan, "approved", acting_user=cast.mia)
    got = measure.compute([cast.acme.pk], as_of)[cast.acme.pk]
    assert got.value == 1.1
    assert got.detail.endswith("credible +3.1 % against plan target +2.0 %")
    # The rule: 100 at or below the target, 0 at 10 points over, straight between: 1.1 -> 89.
    assert RULES["cost_trend_over_target"].score(1.1) == 89.0
    assert RULES["cost_trend_over_target"].score(-0.1) == 100.0
