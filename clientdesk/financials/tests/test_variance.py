"""Budget against actual, the variance explained: enrollment, utilization, mix, unit cost,
completion and the budget's own assumption, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clientdesk.financials import queries
from clientdesk.financials.exports import budget_records
from clientdesk.financials.models import AccountTerms, PnlMonth
from clientdesk.financials.variance import Trend, explain
from clientdesk.testing import Cast

D = Decimal


def test_variance_by_hand() -> None:
    # Budget 400 PMPM x 100 members x 12 months = 480,000; actual 1,100 member months at
    # 450 PMPM = 495,000; variance 15,000 = enrollment (1,100 - 1,200) x 400 = -40,000
    # + cost per member (450 - 400) x 1,100 = 55,000.
    v = explain(
        budget_pmpm=D(400), actual=D(495_000), member_months=1100, budget_member_months=1200
    )
    assert (v.budget, v.variance, v.enrollment, v.cost_per_member) == (
        D(480_000),
        D(15_000),
        D(-40_000),
        D(55_000),
    )
    assert v.lines() == [("Enrollment", D("-40000.00")), ("Cost per member", D("55000.00"))]
    # The prior year ran 420 PMPM; utilization +10, mix +5, unit cost +12 (27 of the 30
    # PMPM rise); the budget assumed -20 (400 against 420). x 1,100 member months:
    # 11,000 + 5,500 + 13,200 + completion 3 x 1,100 = 3,300 + 20 x 1,100 = 22,000 = 55,000.
    v = explain(
        budget_pmpm=D(400),
        actual=D(495_000),
        member_months=1100,
        budget_member_months=1200,
        prior_pmpm=D(420),
        trend=Trend(D(10), D(5), D(12)),
    )
    lines = dict(v.lines())
    assert lines == {
        "Enrollment": D("-40000.00"),
        "Utilization": D("11000.00"),
        "Mix of services": D("5500.00"),
        "Unit cost": D("13200.00"),
        "Completion (IBNR) and other": D("3300.00"),
        "Less the change the budget assumed": D("22000.00"),
    }
    assert sum(lines.values()) == v.variance == D(15_000)


def test_budget_vs_actual_by_plan_year(cast: Cast) -> None:
    account = cast.acme
    AccountTerms.objects.create(account=account, budget_pmpm=D(400), budget_members=100)
    start = account.renewal_date.month
    months = [dt.date(2024 + (start - 1 + i) // 12, (start - 1 + i) % 12 + 1, 1) for i in range(24)]
    rows = [
        # Prior plan year: 100 members, 42,000 a month (420 PMPM); current: 90 members,
        # 40,000 paid + 500 IBNR a month (450 PMPM).
        PnlMonth(
            account=account,
            month=m,
            funding=account.funding,
            member_months=100,
            paid_claims=D(42_000),
        )
        if i < 12
        else PnlMonth(
            account=account,
            month=m,
            funding=account.funding,
            member_months=90,
            paid_claims=D(40_000),
            ibnr=D(500),
        )
        for i, m in enumerate(months)
    ]
    labels = [y.label for y in queries.plan_years(account, rows)]
    out = queries.budget_vs_actual(account, rows, {labels[1]: Trend(D(10), D(5), D(12))})
    first, second = out
    # First year: budget 480,000, actual 504,000; no year before it: cost per member whole.
    assert (first["budget"], first["actual"], first["prior_pmpm"]) == (D(480_000), D(504_000), None)
    assert first["lines"] == [("Enrollment", D("0.00")), ("Cost per member", D("24000.00"))]
    # Second: 1,080 member months at 450 = 486,000 against 480,000: +6,000 =
    # enrollment -120 x 400 = -48,000; utilization 10,800, mix 5,400, unit cost 12,960,
    # completion (30 - 27) x 1,080 = 3,240; the budget assumed -20: +21,600.
    assert second["prior_pmpm"] == D(420)
    assert second["variance"] == D(6_000)
    assert dict(second["lines"]) == {
        "Enrollment": D("-48000.00"),
        "Utilization": D("10800.00"),
        "Mix of services": D("5400.00"),
        "Unit cost": D("12960.00"),
        "Completion (IBNR) and other": D("3240.00"),
        "Less the change the budget assumed": D("21600.00"),
    }
    # The export (stored figures, no lake): one row per account, plan year and line.
    records = budget_records(rows, [account])
    assert [r[-2:] for r in records] == [
        ["Enrollment", D("0.00")],
        ["Cost per member", D("24000.00")],
        ["Enrollment", D("-48000.00")],
        ["Cost per member", D("54000.00")],
    ]
    assert records[2][:4] == [account.group_number, labels[1], 1080, 1200]


def test_completed_claims_pmpm_measure(cast: Cast) -> None:
    from clientdesk.financials.measures import completed_claims_pmpm
    from clientdesk.lib.measures import ACCOUNT_MEASURES

    a = cast.acme
    # 13 months of 100 members; the oldest (outside the last 12) pays 99,999 and is left out;
    # the others 40,000 paid + 2,000 IBNR: 12 x 42,000 / 1,200 = 420.00. A later month
    # (after as_of) is left out too.
    months = [dt.date(2025 + (i // 12), i % 12 + 1, 1) for i in range(14)]
    PnlMonth.objects.bulk_create(
        PnlMonth(
            account=a,
            month=m,
            funding=a.funding,
            member_months=100,
            paid_claims=D(99_999) if i in (0, 13) else D(40_000),
            ibnr=D(0) if i in (0, 13) else D(2_000),
        )
        for i, m in enumerate(months)
    )
    got = completed_claims_pmpm([a.pk, cast.bayside.pk], dt.date(2026, 1, 15))
    assert list(got) == [a.pk]
    assert got[a.pk].value == 420.0
    assert got[a.pk].detail.startswith("12 months Feb 2025 – Jan 2026")
    measure = ACCOUNT_MEASURES.get("financials_completed_claims_pmpm")
    assert measure is not None and measure.compute is completed_claims_pmpm
