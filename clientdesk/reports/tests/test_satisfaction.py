"""The satisfaction section: survey figures from the lake, by hand (see surveyrows.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import ibis
import pytest

from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lib.local_time import zone_table
from clientdesk.lib.periods import parse_period
from clientdesk.reports.portfolio import gather_portfolio
from clientdesk.reports.runs import render_formats
from clientdesk.reports.satisfaction import (
    SurveyFigures,
    read_satisfaction,
    short_text,
    survey_results,
)
from clientdesk.reports.stewardship import gather_stewardship
from clientdesk.reports.tests.files import deck_slides, pdf_text, sheet_rows, workbook
from clientdesk.reports.tests.surveyrows import (
    LONG_COMMENT,
    MEMBER_COMMENT,
    load_surveys,
    survey_rows,
)
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 12, 31)
Q2 = parse_period("2025Q2")
LONG_CUT = (
    "Renewal pricing was explained clearly and the account team followed up every week until "
    "the open claims were settled; we would still like the monthly utilization pack to arrive "
    "before our own board…"
)
ACME_ROWS = [
    [
        "Member survey",
        "Q2 2025",
        15,
        12,
        Decimal("80.0"),
        Decimal("9.1"),
        Decimal("3.64"),
        Decimal("63.6"),
    ],
    [
        "Member survey",
        "Q1 2025",
        20,
        11,
        Decimal("55.0"),
        Decimal("-18.2"),
        Decimal("3.18"),
        Decimal("45.5"),
    ],
    ["Sponsor survey", "Q2 2025", "<11", "<11", None, None, None, None],
    ["Sponsor survey", "Q1 2025", 0, 0, None, None, None, None],
]


@pytest.fixture
def surveyed(cast: Cast, tmp_path: Path) -> Cast:
    load_surveys(tmp_path)
    return cast


def zones(c: Cast) -> dict[int, str]:
    return {c.acme.pk: c.acme.timezone, c.bayside.pk: c.bayside.timezone}


def test_counts_by_hand_and_the_grain(surveyed: Cast) -> None:
    acme, bayside = surveyed.acme.pk, surveyed.bayside.pk
    with open_lake(SystemActor("tests")) as lake:
        result = read_satisfaction(lake, zones(surveyed), Q2)
        table = ibis.memtable(zone_table(zones(surveyed), Q2.prior().start, Q2.last_day))
        grains = [
            lake.execute(survey_results(lake.survey_response, table, p.start, p.last_day))
            for p in (Q2, Q2.prior())
        ]
    assert result.current[(acme, "member")] == SurveyFigures(
        "member",
        sent=15,
        responses=12,
        nps_n=11,
        promoters=5,
        detractors=4,
        csat_n=11,
        csat_sum=40,
        satisfied=7,
    )
    assert result.prior[(acme, "member")] == SurveyFigures(
        "member",
        sent=20,
        responses=11,
        nps_n=11,
        promoters=3,
        detractors=5,
        csat_n=11,
        csat_sum=35,
        satisfied=5,
    )
    assert result.current[(acme, "sponsor")].sent == 6
    assert result.current[(acme, "sponsor")].responses == 5
    assert (acme, "sponsor") not in result.prior
    assert result.current[(bayside, "member")].responses == 3

    member = result.figures(acme, "member")
    assert (member.response_rate, member.nps, member.csat_mean, member.satisfied_pct) == (
        Decimal("80.0"),
        Decimal("9.1"),
        Decimal("3.64"),
        Decimal("63.6"),
    )
    prior = result.figures(acme, "member", prior=True)
    assert (prior.response_rate, prior.nps, prior.csat_mean, prior.satisfied_pct) == (
        Decimal("55.0"),
        Decimal("-18.2"),
        Decimal("3.18"),
        Decimal("45.5"),
    )
    sponsor = result.figures(acme, "sponsor")
    assert sponsor.suppressed
    assert (sponsor.response_rate, sponsor.nps, sponsor.csat_mean) == (None, None, None)
    both = result.figures(None, "member")
    assert (both.responses, both.nps) == (15, Decimal("28.6"))
    # Sponsor verbatims only: the three newest non-blank ones, the long one cut.
    assert result.verbatims == [
        "Good renewal support.",
        LONG_CUT,
        "Claims backlog in May hurt our employees.",
    ]

    # Grain: one row per account x survey; every invitation lands in exactly one quarter.
    for frame in grains:
        assert not frame.duplicated(["account_id", "survey"]).any()
    assert sum(int(f["sent"].sum()) for f in grains) == len(survey_rows())


def test_short_text() -> None:
    assert short_text(LONG_COMMENT) == LONG_CUT
    assert len(LONG_CUT) <= 200
    assert short_text("  two\n lines ") == "two lines"
    assert short_text("word " * 60) == " ".join(["word"] * 40) + "…"


def _everything(files: dict[str, bytes]) -> str:
    """Every piece of text a reader of the three files can see."""
    slides = deck_slides(files["pptx"])
    parts = [s["text"] + str(s["tables"]) + s["notes"] for s in slides]
    wb = workbook(files["xlsx"])
    parts += [
        str(v)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    parts.append(pdf_text(files["pdf"]))
    return "\n".join(parts)


def test_stewardship_deck_workbook_and_pdf(surveyed: Cast) -> None:
    doc = gather_stewardship(surveyed.acme, Q2, user=surveyed.mia, today=TODAY)
    section = doc.section("satisfaction")
    assert section.bullets == [
        "Member survey, Q2 2025: 15 invitations, 12 responses (80.0\u202f%); NPS +9.1 "
        "(prior \u221218.2); mean CSAT 3.64; 63.6\u202f% satisfied.",
        "Sponsor survey, Q2 2025: <11 invitations, <11 responses: fewer than 11, so the "
        "scores are suppressed.",
    ]
    table = next(t for t in doc.tables() if t.key == "Satisfaction")
    assert table.rows == ACME_ROWS  # Bayside's answers are not Acme's
    assert table.source.startswith("Sponsor and member survey invitations and answers")

    files = render_formats(doc, ["pptx", "xlsx", "pdf"])
    slides = deck_slides(files["pptx"])
    points = next(s for s in slides if s["title"] == "Satisfaction")
    assert "NPS +9.1 (prior \u221218.2); mean CSAT 3.64; 63.6\u202f% satisfied." in points["text"]
    results = next(s for s in slides if s["title"] == table.title)
    assert results["tables"][0][1:] == [
        ["Member survey", "Q2 2025", "15", "12", "80.0\u202f%", "9.1", "3.64", "63.6\u202f%"],
        [
            "Member survey",
            "Q1 2025",
            "20",
            "11",
            "55.0\u202f%",
            "\u221218.2",
            "3.18",
            "45.5\u202f%",
        ],
        ["Sponsor survey", "Q2 2025", "<11", "<11", "—", "—", "—", "—"],
        ["Sponsor survey", "Q1 2025", "0", "0", "—", "—", "—", "—"],
    ]
    assert "Source: Sponsor and member survey invitations and answers" in results["notes"]
    comments = next(s for s in slides if s["title"] == "Sponsor survey comments, Q2 2025")
    assert comments["tables"][0][1:] == [
        ["Good renewal support."],
        [LONG_CUT],
        ["Claims backlog in May hurt our employees."],
    ]

    wb = workbook(files["xlsx"])
    assert sheet_rows(wb, "Satisfaction") == [
        ["Member survey", "Q2 2025", 15, 12, 80.0, 9.1, 3.64, 63.6],
        ["Member survey", "Q1 2025", 20, 11, 55.0, -18.2, 3.18, 45.5],
        ["Sponsor survey", "Q2 2025", "<11", "<11", None, None, None, None],
        ["Sponsor survey", "Q1 2025", 0, 0, None, None, None, None],
    ]
    assert sheet_rows(wb, "Sponsor comments")[0] == ["Good renewal support."]
    sources = {r[0]: r[2] for r in wb["About"].iter_rows(values_only=True) if r[0] and r[2]}
    assert (
        sources["Sponsor comments"]
        == "Sponsor survey comments of the period, cut at a word boundary"
    )

    text = pdf_text(files["pdf"])
    for figure in (
        "80.0\u202f%",
        "\u221218.2",
        "3.64",
        "63.6\u202f%",
        "45.5\u202f%",
        "Good renewal support.",
    ):
        assert figure in text
    assert "Source:" not in text and "reports.satisfaction" not in text  # sources: About sheet

    everything = _everything(files)
    assert "MEMBER-ONLY" not in everything and MEMBER_COMMENT not in everything
    assert "Quarterly reviews are useful." not in everything  # the fourth-newest comment
    assert "dana.whitfield@acme.example" not in everything


def test_no_survey_invitations(cast: Cast) -> None:
    doc = gather_stewardship(cast.acme, Q2, user=cast.mia, today=TODAY)
    # No invitations in the period or the one before: the section is left out.
    assert "satisfaction" not in [s.key for s in doc.sections]


def test_portfolio_nps_by_account(surveyed: Cast) -> None:
    doc = gather_portfolio(Q2, user=surveyed.eve, today=TODAY)
    table = next(t for s in doc.sections if s.key == "satisfaction" for t in s.tables)
    assert table.rows == [
        ["Acme Steel Works", "G100001", 12, Decimal("9.1"), Decimal("-18.2"), "<11", None, None],
        ["Bayside Carpenters Health Fund", "G100002", "<11", None, None, 0, None, None],
        ["All accounts", "", 15, Decimal("28.6"), Decimal("-18.2"), "<11", None, None],
    ]
    files = render_formats(doc, ["xlsx"])
    assert sheet_rows(workbook(files["xlsx"]), "Satisfaction")[2] == [
        "All accounts",
        None,
        15,
        28.6,
        -18.2,
        "<11",
        None,
        None,
    ]

    # Oscar sees Bayside only: its three answers are all there is, and they are suppressed.
    mine = gather_portfolio(Q2, user=surveyed.oscar, today=TODAY)
    rows = next(t for s in mine.sections if s.key == "satisfaction" for t in s.tables).rows
    assert [r[0] for r in rows] == ["Bayside Carpenters Health Fund", "All accounts"]
    assert rows[1][2:4] == ["<11", None]
