"""The stewardship report: the files open, and their numbers are the metric functions'.

The utilization fixture book (see utilization/tests/fixture.py) gives Acme, for 2025Q2,
8 member months (5 in 2025Q1) and a paid PMPM of $2,691.25, worked out by hand there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientdesk.accounts import actions as account_actions
from clientdesk.guarantees.tests.cast import acme_guarantee
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.lib.periods import parse_period
from clientdesk.reports.runs import build_document, render_formats
from clientdesk.reports.stewardship import gather_stewardship
from clientdesk.reports.tests.files import (
    deck_slides,
    pdf_text,
    row_by_label,
    sheet_rows,
    workbook,
)
from clientdesk.testing import Cast
from clientdesk.utilization.analysis import Request, account_report
from clientdesk.utilization.pseudonyms import member_pseudonym

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 12, 31)


def test_deck_workbook_and_pdf_carry_the_metric_functions_numbers(book: Cast) -> None:
    period = parse_period("2025Q2")
    expected = account_report(book.mia, book.acme, Request(period, period.prior(), as_of=TODAY))
    assert expected.paid_pmpm.total == Decimal("2691.25")  # hand-computed in the fixture
    assert expected.member_months.total == 8

    doc = build_document(
        "stewardship", account=book.acme, period_code="2025Q2", user=book.mia, today=TODAY
    )
    files = render_formats(doc, ["pptx", "xlsx", "pdf"])

    slides = deck_slides(files["pptx"])
    assert slides[0]["title"] == "Acme Steel Works — stewardship report"
    assert (
        "Q2 2025 · group G100001 · prepared for Dana Whitfield, Director, Total Rewards"
        in slides[0]["text"]
    )
    titles = [s["title"] for s in slides]
    for section in (
        "Executive summary",
        "Membership and member months",
        "PMPM trend and its drivers",
        "Utilization against benchmarks",
        "High-cost claimants",
        "Pharmacy",
    ):
        assert section in titles
    # The fixture has no guarantees, inquiries, issues, surveys or next steps in 2025Q2: those
    # sections are left out, not printed empty.
    for section in (
        "Performance guarantees",
        "Emerging issues and the actions taken",
        "Satisfaction",
        "Next steps",
    ):
        assert section not in titles
    assert not any("Nothing to show" in s["text"] for s in slides)
    headline = next(s for s in slides if s["title"] == "Headline figures")
    table = headline["tables"][0]
    assert table[0] == ["Figure", "Current", "Prior"]
    assert row_by_label(table, "Paid PMPM ($)")[1] == "2,691.25"
    assert row_by_label(table, "Member months")[1:] == ["8", "5"]
    assert "Source: Final-action medical and pharmacy claim lines" in headline["notes"]
    charts = [s["title"] for s in slides if s["pictures"]]
    assert charts == [
        "Paid PMPM by month",
        "What moved the paid PMPM",
        "Paid PMPM by service category",
    ]
    summary = next(s for s in slides if s["title"] == "Executive summary")
    assert "Paid PMPM $2,691.25 on 8 member months" in summary["text"]

    wb = workbook(files["xlsx"])
    assert wb.sheetnames[0] == "About"
    about = list(wb["About"].iter_rows(values_only=True))
    assert ("Data period", doc.data_period, None) in about
    sources = {r[0]: r[2] for r in about if r[0] and r[2]}
    assert sources["Headlines"].startswith("Final-action medical and pharmacy claim lines")
    assert "Guarantees" not in sources  # no guarantee results in the period: no sheet
    headlines = sheet_rows(wb, "Headlines")
    assert row_by_label(headlines, "Paid PMPM ($)")[1] == 2691.25
    assert row_by_label(headlines, "Member months")[1:] == [8, 5]
    ws = wb["PMPM by category"]
    assert ws.freeze_panes == "A5"
    # The utilization export's table, as the account page's CSV has it.
    assert [c.value for c in ws[4]][:5] == [
        "Category 1",
        "Category 2",
        "Category 3",
        "Paid",
        "PMPM",
    ]
    assert ws["D5"].number_format == '"$"#,##0.00;"\u2212$"#,##0.00'
    total = row_by_label(sheet_rows(wb, "PMPM by category"), "Total")
    assert total[4] == float(expected.paid_pmpm.total)
    benchmarks = sheet_rows(wb, "Benchmarks")
    paid_row = row_by_label(benchmarks, "Paid PMPM")
    bench = next(b for b in expected.benchmarks if b.metric == "paid_pmpm")
    assert paid_row[2:4] == [2691.25, None if bench.book is None else float(bench.book)]
    monthly = sheet_rows(wb, "Monthly")
    april = next(r for r in monthly if r[0].date() == dt.date(2025, 4, 1))
    assert april[1] == 3  # P1, P2 and P3 enrolled in April

    text = pdf_text(files["pdf"])
    assert "Acme Steel Works — stewardship report" in text
    assert "2,691.25" in text
    assert "Apr 1, 2025 – Jun 30, 2025" in text
    assert "Only 8 member months" in text  # the plausibility warning is stated


def test_high_cost_claimants_are_de_identified_and_small_cells_suppressed(book: Cast) -> None:
    period = parse_period("2025Q2")
    report = account_report(
        book.mia,
        book.acme,
        Request(period, period.prior(), high_cost_threshold=Decimal(10000), as_of=TODAY),
    )
    assert report.high_cost_claimants.count == 1  # P3's hip replacement
    doc = gather_stewardship(
        book.acme, period, user=book.mia, today=TODAY, high_cost_threshold=Decimal(10000)
    )
    files = render_formats(doc, ["pptx", "xlsx"])
    wb = workbook(files["xlsx"])
    claimants = sheet_rows(wb, "High-cost claimants")
    assert claimants == [["<11", None, None, None]]
    chronic = sheet_rows(wb, "Chronic conditions")
    diabetes = row_by_label(chronic, "Diabetes")
    assert diabetes[1] == "<11" and diabetes[2] is None
    pseudonym = member_pseudonym("P3")
    everything = files["pptx"] + files["xlsx"]
    assert pseudonym.encode() not in everything
    slides = deck_slides(files["pptx"])
    section = next(s for s in slides if s["title"] == "High-cost claimants")
    assert (
        "<11 members over $10,000 paid: fewer than 11, so the detail is suppressed."
        in (section["text"])
    )
    all_text = "\n".join(s["text"] + str(s["tables"]) for s in slides)
    assert "P3" not in all_text and "M3" not in all_text


def test_an_account_with_no_claims_renders_with_its_issues_and_actions(book: Cast) -> None:
    """2026Q1: P3 is still enrolled (3 member months) but there are no claims at all."""
    problem = acme_problem(book)  # a denial issue in March 2026, one open action
    doc = gather_stewardship(
        book.acme, parse_period("2026Q1"), user=book.mia, today=dt.date(2026, 4, 10)
    )
    implausible = (
        "Paid PMPM $0.00 is outside the plausible range $50–$5,000: check the claims and "
        "eligibility loads."
    )
    assert doc.warnings[0] == implausible
    files = render_formats(doc, ["pptx", "xlsx", "pdf"])
    wb = workbook(files["xlsx"])
    issues = sheet_rows(wb, "Emerging issues")
    assert [r[1] for r in issues] == ["Denials — CARC 197 up"]
    actions = sheet_rows(wb, "Problems and actions")
    assert actions[0][0] == f"{problem.reference} {problem.title}"
    assert actions[0][3] == "Fix the prior-auth rule"
    headlines = sheet_rows(wb, "Headlines")
    assert row_by_label(headlines, "Member months")[1] == 3
    assert row_by_label(headlines, "Paid PMPM ($)")[1] == 0
    steps = next(s for s in deck_slides(files["pptx"]) if s["title"] == "Next steps")
    assert "Fix the prior-auth rule (due Mar 20, 2026)." in steps["text"]
    assert "Paid PMPM $0.00 is outside the plausible range" in pdf_text(files["pdf"])


def test_a_new_account_without_any_data(book: Cast) -> None:
    cedar = account_actions.do_create_account(
        {
            "name": "Cedar County Schools",
            "group_number": "G100009",
            "segment": "public_sector",
            "funding": "fully_insured",
            "employees": 10,
            "members": 20,
            "state": "IA",
            "region": "Midwest",
            "effective_date": dt.date(2025, 1, 1),
            "renewal_date": dt.date(2025, 7, 1),
        },
        acting_user=book.mia,
    )
    doc = gather_stewardship(cedar, parse_period("2025Q2"), user=book.mia, today=TODAY)
    files = render_formats(doc, ["pptx", "xlsx"])
    slides = deck_slides(files["pptx"])
    assert slides[0]["title"] == "Cedar County Schools — stewardship report"
    assert sum(s["pictures"] for s in slides) == 0  # no data, no empty charts
    titles = [s["title"] for s in slides]
    # Nothing due, no claims: no next steps, no pharmacy section; the headline figures stay.
    assert "Next steps" not in titles and "Pharmacy" not in titles
    assert not any("Nothing to show" in s["text"] for s in slides)
    assert row_by_label(sheet_rows(workbook(files["xlsx"]), "Headlines"), "Member months")[1] == 0


def test_one_month_of_data(book: Cast) -> None:
    doc = gather_stewardship(book.acme, parse_period("2025-04"), user=book.mia, today=TODAY)
    files = render_formats(doc, ["xlsx"])
    headlines = sheet_rows(workbook(files["xlsx"]), "Headlines")
    # April: P1, P2 and P3 enrolled; March (the prior month): P1 and P2.
    assert row_by_label(headlines, "Member months")[1:] == [3, 2]
    assert doc.period_label == "Apr 2025"


def _store_ivr_results(book: Cast) -> None:
    """Acme's IVR containment guarantee (>= 20 %, $1,000 at risk a quarter): 2025Q1 met
    (25.0 %), 2025Q2 missed (15.0 %, the whole $1,000 owed), 2025Q3 still open (provisional,
    12.0 % so far)."""
    from clientdesk.guarantees.actions import do_store_results
    from clientdesk.guarantees.evaluation import base_values, plan_results
    from clientdesk.guarantees.models import ResultKind, ResultStatus

    today = dt.date(2025, 8, 15)
    planned = {p.label: p for p in plan_results([acme_guarantee(book)], today=today)}
    rows = []
    for label, actual, met, status in (
        ("2025Q1", "25.0", True, ResultStatus.FINAL),
        ("2025Q2", "15.0", False, ResultStatus.FINAL),
        ("2025Q3", "12.0", None, ResultStatus.PROVISIONAL),
    ):
        row = base_values(planned[label], today=today)
        assert row.kind == ResultKind.PERIOD
        row.status, row.actual, row.met = status, Decimal(actual), met
        row.penalty = Decimal("1000.00") if met is False else Decimal("0.00")
        rows.append(row)
    do_store_results(rows, acting_user=book.mia)


def test_the_guarantee_section_is_the_report_periods_results(book: Cast) -> None:
    """A quarter with a miss: the miss is in the bullets and the table, with the same penalty;
    the met quarter before and the open quarter after are not in a 2025Q2 report."""
    _store_ivr_results(book)
    doc = gather_stewardship(
        book.acme, parse_period("2025Q2"), user=book.mia, today=dt.date(2025, 8, 15)
    )
    table = next(t for t in doc.tables() if t.key == "Guarantees")
    assert [c.label for c in table.columns] == [
        "Guarantee",
        "Target",
        "Period",
        "Actual",
        "Met",
        "At risk",
        "Penalty",
    ]
    assert len(table.rows) == 1
    name, target, period, actual, met, at_risk, penalty = table.rows[0]
    guarantee = acme_guarantee(book)
    assert (name, target) == (guarantee.display_name, f"≥ {guarantee.target_display}")
    assert (period, met) == ("2025Q2", "no")
    assert str(actual).startswith("15.0")
    assert (at_risk, penalty) == (Decimal("1000.00"), Decimal("1000.00"))
    bullets = doc.section("guarantees").bullets
    assert (
        bullets[0]
        == "Performance guarantees in Q2 2025: 1 of 1 results missed, $1,000 in penalties."
    )
    assert bullets[1].startswith(f"Missed: {name}, 15.0")
    assert bullets[1].endswith(f"against {target} (2025Q2); penalty $1,000.")
    assert bullets[0] in doc.section("summary").bullets  # the summary says the same

    q3 = gather_stewardship(
        book.acme, parse_period("2025Q3"), user=book.mia, today=dt.date(2025, 8, 15)
    )
    # 2025Q3 is still open: no row, so no guarantee section at all.
    assert "guarantees" not in [s.key for s in q3.sections]
    year = gather_stewardship(
        book.acme, parse_period("2025"), user=book.mia, today=dt.date(2025, 8, 15)
    )
    rows = next(t for t in year.tables() if t.key == "Guarantees").rows
    assert [(r[2], r[4], r[6]) for r in rows] == [
        ("2025Q1", "yes", Decimal(0)),
        ("2025Q2", "no", Decimal("1000.00")),
    ]
    assert year.section("guarantees").bullets[0] == (
        "Performance guarantees in 2025: 1 of 2 results missed, $1,000 in penalties."
    )
