"""What the sponsor reads: nothing internal in the client edition's files, the short executive
deck beside the full one, and the static charts on the same months as the web page."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest

from clientdesk.accounts.models import Account
from clientdesk.financials.models import PnlMonth
from clientdesk.inquiries.tests.cast import acme_escalation
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.lib.periods import parse_period
from clientdesk.reports.financials import financial_section
from clientdesk.reports.stewardship import Edition, gather_stewardship
from clientdesk.reports.tests.files import deck_slides, pdf_text, workbook
from clientdesk.testing import Cast
from clientdesk.utilization import charts
from clientdesk.utilization.analysis import Request, account_report

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 10)  # Acme renews on Jan 1, 2027

# Our margin is for senior management (the portfolio report), never in a stewardship report.
OUR_MARGIN = re.compile(r"margin|loss ratio|\bMLR\b|admin expense", re.IGNORECASE)


def _losing_quarter(account: Account) -> None:
    """Stored P&L months of 2026Q1 with a loss (fees 10,000 against 17,000 of costs)."""
    PnlMonth.objects.bulk_create(
        PnlMonth(account=account, month=dt.date(2026, m, 1), funding="aso",
                 admin_fees=Decimal(10_000), stop_loss_claims=Decimal(14_000),
                 admin_expense=Decimal(3_000))
        for m in (1, 2, 3)
    )  # fmt: skip


# What only the team may read, and what no reader should: code, queries and logins.
INTERNAL = (
    re.compile(r"\b(accounts|guarantees|inquiries|insights|lake|reports|utilization)\.[a-z_]+"),
    re.compile(r"\bobjects\."),
    re.compile(r"\w\(\.\.\.\)|\w\((account|user|period|request)\b"),
    re.compile(r"\b(mia|alice|bob|sam)\b"),  # the cast's logins (their names are capitalised)
    re.compile(r"Prepare the renewal"),
    re.compile(r"Resolve the account escalation"),
    re.compile(r"Renewal at risk after claim backlog"),  # an internal escalation's title
    re.compile(r"Nothing to show for this period"),
    re.compile(r"\$-"),
    re.compile(r"\bclientdesk [a-z]+"),  # a command of ours: what to do is for the team
    OUR_MARGIN,
)


def _texts(files: dict[str, bytes]) -> dict[str, str]:
    slides = deck_slides(files["pptx"])
    wb = workbook(files["xlsx"])
    cells = [
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    ]
    return {
        "deck": "\n".join(s["title"] + "\n" + s["text"] + "\n" + str(s["tables"]) for s in slides),
        "speaker notes": "\n".join(s["notes"] for s in slides),
        "workbook": "\n".join(cells),
        "pdf": pdf_text(files["pdf"]),
    }


def test_the_client_edition_carries_nothing_internal(book: Cast) -> None:
    from clientdesk.reports.runs import render_formats

    acme_escalation(book)
    acme_problem(book)  # an issue in March 2026 with an open corrective action
    _losing_quarter(book.acme)
    doc = gather_stewardship(book.acme, parse_period("2026Q1"), user=book.mia, today=TODAY)
    assert doc.generated_by == "Mia Manager"  # a name, not the login "mia"
    files = render_formats(doc, ["pptx", "xlsx", "pdf"])
    for where, text in _texts(files).items():
        for pattern in INTERNAL:
            found = pattern.search(text)
            assert found is None, f"{where}: {found.group(0)!r}"
    steps = doc.section("next_steps").bullets
    assert steps == ["Fix the prior-auth rule (due Mar 20, 2026)."]
    # Sources are in words, in the About sheet and the speaker notes.
    about = list(workbook(files["xlsx"])["About"].iter_rows(values_only=True))
    assert ("Headlines", "Headline figures") in {(r[0], r[1]) for r in about}
    notes = _texts(files)["speaker notes"]
    assert "Final-action medical and pharmacy claim lines" in notes


def test_the_internal_edition_adds_the_teams_own_next_steps(book: Cast) -> None:
    acme_escalation(book)
    acme_problem(book)
    _losing_quarter(book.acme)
    doc = gather_stewardship(
        book.acme, parse_period("2026Q1"), user=book.mia, today=TODAY, edition=Edition.INTERNAL
    )
    # Associates download the team's edition too: our margin stays in the portfolio report.
    cells = [str(v) for t in doc.tables() for row in t.rows for v in row]
    words = [s.title for s in doc.sections] + [b for s in doc.sections for b in s.bullets]
    assert not [w for w in words + cells if OUR_MARGIN.search(w)]
    assert financial_section({book.acme.pk}, parse_period("2026Q1")) is not None
    assert doc.section("next_steps").bullets == [
        "Fix the prior-auth rule (due Mar 20, 2026).",
        "Resolve the account escalation “Renewal at risk after claim backlog”.",
        "Prepare the renewal of Jan 1, 2027.",
    ]


def test_the_executive_deck_is_short_and_beside_the_full_one(book: Cast) -> None:
    from clientdesk.reports.runs import render_formats

    acme_problem(book)
    doc = gather_stewardship(book.acme, parse_period("2025Q2"), user=book.mia, today=TODAY)
    files = render_formats(doc, ["pptx", "brief"])
    full, brief = deck_slides(files["pptx"]), deck_slides(files["brief"])
    # Title, about, each section's points, the brief chart (monthly PMPM) and the headlines.
    points = [s.title for s in doc.sections if s.bullets]
    assert [s["title"] for s in brief] == [
        doc.title,
        "About these figures",
        points[0],
        "Headline figures",
        points[1],
        "Paid PMPM by month",
        *points[2:],
    ]
    assert len(brief) <= 15 < len(full)
    assert not any("Nothing to show" in s["text"] for s in full)


def test_the_static_chart_puts_each_month_in_its_own_slot(book: Cast) -> None:
    """vl-convert renders in the process's time zone; west of UTC a local `yearmonth` put
    April's bar in the March slot. The spec reads months in UTC, so a renderer in Chicago
    labels the bars with the months of the data."""
    period = parse_period("2025Q2")
    report = account_report(book.mia, book.acme, Request(period, period.prior(), as_of=TODAY))
    spec = charts.monthly_pmpm_chart(report)
    bars = spec["layer"][1]["encoding"]["x"]
    assert (bars["timeUnit"], bars["scale"]["type"]) == ("utcyearmonth", "utc")
    months = sorted(
        {row["month"] for rows in spec["datasets"].values() for row in rows if "month" in row}
    )
    assert months == [
        "2025-01-01",
        "2025-02-01",
        "2025-03-01",
        "2025-04-01",
        "2025-05-01",
        "2025-06-01",
    ]
    program = (
        "import json, re, sys; import vl_convert as vlc; "
        "from clientdesk.reports.images import _fixed_width; "
        "svg = vlc.vegalite_to_svg(_fixed_width(json.load(sys.stdin))); "
        "print(json.dumps(re.findall(r'<text[^>]*>([A-Z][a-z]{2} \\d{4})</text>', svg)))"
    )
    rendered = subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", program],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": "America/Chicago"},
    )
    labels = json.loads(rendered.stdout)
    assert labels[0] == "Jan 2025"  # the first bar's month, not December
    assert "Apr 2025" in labels and "Dec 2024" not in labels
