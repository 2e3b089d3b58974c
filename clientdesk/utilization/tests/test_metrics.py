"""Every figure of the metric set, computed by hand from the fixture book (fixture.py)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from clientdesk.lake.gateway import SystemActor
from clientdesk.lib.small_cells import Cell
from clientdesk.testing import Cast, known
from clientdesk.utilization.analysis import Request, account_report, book_report, metric_frames
from clientdesk.utilization.book_benchmark import benchmark_of
from clientdesk.utilization.report import AccountReport
from clientdesk.utilization.tests.fixture import AS_OF, CURRENT, PRIOR

pytestmark = pytest.mark.django_db
JOB = SystemActor("utilization tests")

D = Decimal


def _request(threshold: str = "100000") -> Request:
    return Request(CURRENT, PRIOR, high_cost_threshold=D(threshold), as_of=AS_OF)


@pytest.fixture
def report(book: Cast) -> AccountReport:
    request = _request("10000")
    frames = metric_frames(JOB, request)
    benchmark = benchmark_of(book_report(JOB, request, frames))
    return account_report(JOB, book.acme, request, frames=frames, book=benchmark)


def test_member_months(report: AccountReport) -> None:
    mm = report.member_months
    # Q2: P1 Apr-Jun 3 + P2 Apr-May 2 (span ends May 10; a partial month counts) + P3
    # Apr-Jun 3 (open span runs to as_of) = 8. Q1: P1 3 + P2 Feb-Mar 2 = 5.
    assert (mm.total, mm.prior) == (8, 5)
    assert mm.average_members == D("2.7")  # 8 / 3 months = 2.666...
    assert mm.members == 3


def test_paid_pmpm_and_categories(report: AccountReport) -> None:
    paid = report.paid_pmpm
    # Medical Q2 paid: ED 200+800+300 = 1,300; office visits 80 (P2) + 120 (P3) + 70 (C50A,
    # the replacement; C50 and its reversal drop) = 270; lab 10 + 30 (C60's second version)
    # = 40; hip stay 10,000 + 3,000 = 13,000 surgical + surgeon 1,500 (POS 21: acute
    # inpatient - other); DME 0 (empty amounts); telehealth 50. The June visit of P2 (not
    # enrolled) drops. Total 16,160 / 8 member months = 2,020.00.
    assert paid.medical == D("2020.00")
    # Pharmacy Q2: 10 + 20 + 300 + 5,000 + 40 = 5,370 (RX6 not enrolled) / 8 = 671.25.
    assert paid.pharmacy == D("671.25")
    assert paid.total == D("2691.25")  # 21,530 / 8
    assert paid.amount == D("21530.00")
    # Prior: ED 150 + office 80 + pharmacy 10 = 240 / 5 = 48.00.
    assert paid.prior_total == D("48.00")
    by_leaf = {c.leaf: (c.amount, c.pmpm) for c in paid.by_service_category}
    assert by_leaf == {
        "ed": (D("1300.00"), D("162.50")),  # 1,300 / 8
        "office_visit": (D("270.00"), D("33.75")),
        "lab": (D("40.00"), D("5.00")),
        "acute_surgical": (D("13000.00"), D("1625.00")),
        "acute_other": (D("1500.00"), D("187.50")),
        "dme": (D("0.00"), D("0.00")),
        "telehealth": (D("50.00"), D("6.25")),
    }
    # Contributive: the categories and pharmacy add up to the total exactly.
    assert sum(p for _, p in by_leaf.values()) + paid.pharmacy == paid.total
    ed = next(c for c in paid.by_service_category if c.leaf == "ed")
    assert (ed.service_category_1, ed.service_category_2) == (
        "outpatient",
        "emergency department",
    )
    assert ed.prior_pmpm == D("30.00")  # 150 / 5


def test_allowed_pmpm_and_cost_share(report: AccountReport) -> None:
    allowed = report.allowed_pmpm
    # Allowed Q2: ED 1,650; office 100+150+90 = 340; lab 15+50 = 65; stay 15,000; surgeon
    # 1,800; DME 0; telehealth 60 -> medical 18,915; pharmacy 15+30+330+5,050+50 = 5,475.
    assert allowed.medical == D("2364.38")  # 18,915 / 8 = 2,364.375
    assert allowed.pharmacy == D("684.37")  # 5,475 / 8 = 684.375 (rounded to add up)
    assert allowed.total == D("3048.75")  # 24,390 / 8
    share = report.member_cost_share
    # Cost share: medical 50+200+100+20+5+30+2,000+300+20+20+10 = 2,755; pharmacy 105.
    assert share.amount == D("2860.00")
    assert share.pmpm == D("357.50")
    assert share.share_of_allowed == D("11.7")  # 2,860 / 24,390


def test_per_1000_and_unit_cost(report: AccountReport) -> None:
    per = report.per_1000
    # x 12,000 / 8 member months = x 1,500.
    assert per["admits"] == D("1500.0")  # the two facility claims are one stay
    assert per["admits_excl_maternity"] == D("1500.0")
    assert per["inpatient_days"] == D("9000.0")  # May 1 - May 7: 6 days
    assert per["ed_visits"] == D("1500.0")  # one member-day with ED lines
    assert per["office_visits"] == D("4500.0")  # P2 Apr 20, P3 May 5, P1 Jun 1
    assert per["telehealth_visits"] == D("1500.0")
    assert per["advanced_imaging"] == D("0.0")  # the CT line belongs to the ED claim
    assert per["scripts"] == D("7500.0")  # 5 fills
    cost = report.unit_cost
    assert cost["paid_per_admits"] == D("14500.00")  # 13,000 + 1,500 for one admit
    assert cost["paid_per_inpatient_days"] == D("2416.67")  # 14,500 / 6
    assert cost["paid_per_ed_visits"] == D("1300.00")
    assert cost["paid_per_office_visits"] == D("90.00")  # 270 / 3
    assert cost["paid_per_scripts"] == D("1074.00")  # 5,370 / 5
    assert cost["alos"] == D("6.00")
    ed = next(u for u in report.utilization if u.key == "ed_visits")
    assert ed.prior_per_1000 == D("2400.0")  # 1 x 12,000 / 5


def test_pharmacy(report: AccountReport) -> None:
    rx = report.pharmacy
    assert rx.fills == 5
    # 30-day equivalents: (30 + 90 + 30 + 28 + 30) / 30 = 6.93.
    assert rx.thirty_day_equivalents == D("6.9")
    # GDR over drugs in the reference: generic 120 days / known 178 days = 67.42 %.
    assert rx.generic_dispensing_rate == D("67.4")
    assert rx.prior_generic_dispensing_rate == D("100.0")
    assert rx.unknown_ndc_fills == 1
    assert rx.specialty_share_of_paid == D("93.1")  # 5,000 / 5,370
    assert rx.paid_per_script == D("1074.00")


def test_high_cost_claimants_are_pseudonymous(report: AccountReport) -> None:
    hcc = report.high_cost_claimants
    # Threshold 10,000: only P3 — medical 13,000 + 1,500 + 120 + 50 = 14,670, pharmacy
    # 5,000 + 40 = 5,040, paid 19,710 of 21,530 (91.5 %).
    assert hcc.count == 1
    member = hcc.members[0]
    assert (member.medical_paid, member.pharmacy_paid, member.paid) == (
        D("14670.00"),
        D("5040.00"),
        D("19710.00"),
    )
    assert member.pseudonym.startswith("M-") and "P3" not in str(hcc)
    assert hcc.share_of_paid == D("91.5")
    # Top 1 % and 5 % of 3 members is 1 member (ceil): P3's allowed 22,110 of 24,390.
    assert hcc.top1_share_of_allowed == D("90.7")
    assert hcc.top5_share_of_allowed == D("90.7")


def test_conditions(report: AccountReport) -> None:
    chronic = {c.key: c.members for c in report.conditions.chronic}
    # I10 (2nd diagnosis of P1's ED line), E119 (P3), J45909 (P2).
    assert {k: v for k, v in chronic.items() if v} == {
        "hypertension": 1,
        "diabetes": 1,
        "asthma": 1,
    }
    diabetes = next(c for c in report.conditions.chronic if c.key == "diabetes")
    assert diabetes.prevalence_per_1000 == D("333.3")  # 1 of 3 members
    top = report.conditions.top_diagnosis_groups[0]
    assert (top.category, top.paid) == ("M16", D("14500.00"))
    assert top.description == "Osteoarthritis of hip"


def test_trend_decomposition_adds_up(report: AccountReport) -> None:
    t = known(report.trend.paid)
    # Units (service days; fills): prior ED 1, office 1, pharmacy 1 over 5 member months;
    # current ED 1, office 3, lab 2, surgical 2, other 1, DME 1, telehealth 1, pharmacy 5
    # over 8. U0 = 3/5, U1 = 16/8 = 2; k0 = 150, 80, 10 (new categories take k1).
    # utilization = (2 - 0.6) x (150 + 80 + 10) / 3 = 112
    # mix = 2 x (15,030 / 16 - 80) = 1,718.75
    # unit cost = 1/8 x 1,150 + 3/8 x 10 + 5/8 x 1,064 = 143.75 + 3.75 + 665 = 812.50
    assert (t.utilization, t.mix, t.unit_cost) == (D("112.00"), D("1718.75"), D("812.50"))
    assert t.change == D("2643.25") == t.utilization + t.mix + t.unit_cost
    exact = t.exact
    assert Fraction(exact.utilization) + Fraction(exact.mix) + Fraction(
        exact.unit_cost
    ) == Fraction(exact.change)
    for c in t.categories:
        assert c.utilization + c.mix + c.unit_cost == c.change


def test_warnings_and_benchmarks(book: Cast) -> None:
    request = _request()
    frames = metric_frames(JOB, request)
    book_ = book_report(JOB, request, frames)
    benchmark = benchmark_of(book_)
    bayside = account_report(JOB, book.bayside, request, frames=frames, book=benchmark)
    # Bayside: 30 paid over 3 member months = 10.00 PMPM, outside 50-5,000.
    assert bayside.paid_pmpm.total == D("10.00")
    kinds = {w.kind for w in bayside.warnings}
    assert {"implausible_pmpm", "low_credibility"} <= kinds
    acme = account_report(JOB, book.acme, request, frames=frames, book=benchmark)
    [ndc] = [w for w in acme.warnings if w.kind == "unknown_ndc"]  # 1 of 5 fills
    # What the figures lack is for any reader; how to fix it is for the team's own pages.
    assert ndc.message.startswith("1 of 5 fills have an NDC missing from the drug reference")
    assert "clientdesk" not in ndc.message
    assert ndc.remedy == "Load a current drug reference with `clientdesk ndc FILE`."
    # The book: Acme 21,530 + Bayside 30 over 8 + 3 member months = 1,960.00.
    assert book_.paid_pmpm.total == D("1960.00")
    # But the book has 4 members in Q2 (P1, P2, P3, P9): fewer than 11, so every benchmark
    # cell is suppressed and the account is compared with nothing (test_book_benchmark.py
    # has a book of 11, shown exactly).
    assert benchmark.cells["paid_pmpm"] == Cell(None, None, True)
    rows = {b.metric: b for b in acme.benchmarks}
    pmpm = rows["paid_pmpm"]
    assert (pmpm.value, pmpm.book) == (D("2691.25"), None)
    assert (pmpm.gap_to_book_pct, pmpm.gap_to_book_dollars) == (None, None)
    allowed = rows["allowed_pmpm"]
    assert [n.value for n in allowed.norms] == [D("596"), D("559")]
    assert allowed.norms[0].source.startswith("Milliman")
    # Too few member months for findings (8 < 1,200): none, and the page says why.
    assert acme.findings == ()


def test_book_concentration_ranks_the_whole_books_members(book: Cast) -> None:
    request = _request("10000")
    book_ = book_report(JOB, request, metric_frames(JOB, request))
    hcc = book_.high_cost_claimants
    # Q2 members of the book: Acme's P1, P2, P3 and Bayside's P9 = 4; ceil(1 % x 4) =
    # ceil(5 % x 4) = 1 member: P3, allowed 22,110 of 24,390 + 40 (P9's visit) = 24,430,
    # 90.5 %. Summing each account's top member would give 2 members and (22,110 + 40) /
    # 24,430 = 90.7 %.
    assert (hcc.top1_members, hcc.top5_members) == (1, 1)
    assert hcc.top1_share_of_allowed == D("90.5")
    assert hcc.top5_share_of_allowed == D("90.5")
