"""The portfolio report: every visible account, figures from the other apps' functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientdesk.inquiries.tests.cast import acme_escalation
from clientdesk.insights.tests.cast import acme_issue
from clientdesk.lib.periods import parse_period
from clientdesk.reports.portfolio import gather_portfolio
from clientdesk.reports.runs import render_formats
from clientdesk.reports.tests.files import deck_slides, pdf_text, row_by_label, sheet_rows, workbook
from clientdesk.testing import Cast
from clientdesk.utilization.analysis import Request, book_overview

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 8, 1)


def test_portfolio_files_hold_every_section(book: Cast) -> None:
    acme_escalation(book)
    acme_issue(book)  # alerts in March 2026
    period = parse_period("2025Q2")
    doc = gather_portfolio(period, user=book.eve, today=TODAY)
    files = render_formats(doc, ["pptx", "xlsx", "pdf"])
    wb = workbook(files["xlsx"])

    headlines = sheet_rows(wb, "Headlines")
    assert row_by_label(headlines, "Accounts")[1] == 2
    assert row_by_label(headlines, "Open account escalations")[1] == 1
    assert row_by_label(headlines, "Emerging issues in the period")[1] == 0  # March 2026
    # Acme renews on Jan 1, 2027: 153 days after Aug 1, 2026; Bayside on Jul 1, 2027: later.
    assert row_by_label(headlines, "Renewals in the next 180 days")[1] == 1
    assert [r[1] for r in sheet_rows(wb, "Renewals")] == ["Acme Steel Works"]
    assert [r[2] for r in sheet_rows(wb, "Escalations")] == ["Renewal at risk after claim backlog"]

    overview = book_overview(book.eve, Request(period, period.prior(), as_of=TODAY))
    book_pmpm = overview.book.paid_pmpm.total
    assert row_by_label(headlines, "Book paid PMPM ($)")[1] == float(book_pmpm)
    everyone = sheet_rows(wb, "All accounts")
    acme = row_by_label(everyone, "Acme Steel Works")
    assert acme[2:4] == [8, 2691.25]
    outliers = sheet_rows(wb, "Utilization outliers")
    expected = [
        r.name
        for r in overview.accounts
        if r.paid_pmpm is not None
        and abs((r.paid_pmpm - book_pmpm) / book_pmpm * 100) >= Decimal(15)
    ]
    assert sorted(r[0] for r in outliers) == sorted(expected)
    assert expected  # Bayside's one visit is far below the book

    slides = deck_slides(files["pptx"])
    assert slides[0]["title"] == "Portfolio report"
    assert "Q2 2025 · 2 accounts" in slides[0]["text"]
    assert "Portfolio report" in pdf_text(files["pdf"])


def test_issues_in_the_period_are_listed(cast: Cast) -> None:
    acme_issue(cast)
    doc = gather_portfolio(parse_period("2026Q1"), user=cast.mia, today=dt.date(2026, 4, 1))
    issues = next(t for t in doc.tables() if t.key == "Emerging issues")
    assert [r[1:3] for r in issues.rows] == [["Acme Steel Works", "Denials — CARC 197 up"]]
    # No claims in the lake: the utilization section is left out, not printed empty.
    assert "utilization" not in [s.key for s in doc.sections]


def test_quiet_guarantees_are_counted_not_listed(cast: Cast) -> None:
    from clientdesk.guarantees.tests.cast import acme_guarantee

    acme_guarantee(cast)  # defined, never evaluated: nothing at risk, owed or expected yet
    doc = gather_portfolio(parse_period("2026Q1"), user=cast.mia, today=dt.date(2026, 4, 1))
    section = doc.section("guarantees")
    assert section.bullets == [
        "Accounts with performance guarantees: 1; with fees at risk, penalties owed or "
        "expected, missed periods or open alerts: 0."
    ]
    assert section.tables == []  # no account to list: no empty table
