"""The one satisfaction metric, by hand, and every source reaching it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.surveys import actions
from clientdesk.surveys.queries import Dimension, Source, results, satisfaction_by_account
from clientdesk.surveys.satisfaction import Counts, Figures, is_detractor
from clientdesk.testing import Cast


def test_nps_with_its_interval_csat_and_ces_by_hand() -> None:
    # 10 answers: 5 promoters (9, 9, 10, 10, 9), 3 passives (7, 8, 8), 2 detractors (3, 6).
    counts = Counts()
    for nps in (9, 9, 10, 10, 9, 7, 8, 8, 3, 6):
        counts = counts + Counts.of_answer(nps=nps, csat=None, ces=None)
    figures = Figures(counts)
    assert figures.nps == Decimal("30.0")
    # p = .5, d = .2: SE = sqrt((.7 - .09) / 10) = .24698; 1.96 * 24.698 = 48.41.
    assert figures.nps_interval == (Decimal("-18.4"), Decimal("78.4"))
    assert figures.response_rate == Decimal("100.0")
    assert figures.csat is None and figures.ces is None
    assert figures.suppressed  # 10 responses: withheld outside the team

    csat = Counts()
    for score, effort in ((5, 7), (4, 6), (3, 2), (2, 5)):
        csat = csat + Counts.of_answer(nps=None, csat=score, ces=effort)
    f = Figures(csat + Counts(sent=4))  # 8 invitations, 4 answered
    assert (f.csat, f.csat_mean, f.ces, f.response_rate) == (
        Decimal("50.0"),
        Decimal("3.50"),
        Decimal("5.00"),
        Decimal("50.0"),
    )


def test_interval_is_clipped_and_detractor_rule() -> None:
    all_promoters = Figures(Counts(sent=3, answered=3, responses=3, nps_n=3, promoters=3))
    assert all_promoters.nps == Decimal("100.0")
    assert all_promoters.nps_interval == (Decimal("100.0"), Decimal("100.0"))
    assert Figures(Counts()).nps is None and Figures(Counts()).nps_interval is None
    assert is_detractor(6, None) and not is_detractor(7, None)
    assert is_detractor(None, 2) and not is_detractor(9, 3)


EXPORT = """ResponseId,EndDate,Group,Q_NPS,Q_CSAT,Comment
R_1,2026-11-02 09:15:00,G100001,10,5,Great reports
R_2,2026-11-03 10:00:00,G999999,8,4,
R_3,2026-11-04 11:00:00,G100001,9,7,
R_4,yesterday,G100001,9,5,
R_5,2026-11-05 12:00:00,G100001,,,
R_6,2026-11-06 12:00:00,G100001,2,1,Slow claims
R_1,2026-11-07 12:00:00,G100001,10,5,Twice
"""
MAPPING = {
    "account": "Group",
    "nps": "Q_NPS",
    "csat": "Q_CSAT",
    "verbatim": "Comment",
}


@pytest.mark.django_db
def test_import_loads_or_rejects_every_row_and_feeds_the_metric(cast: Cast) -> None:
    from clientdesk.surveys.imports import parse_mapping

    batch = actions.do_import_responses(
        EXPORT,
        parse_mapping(MAPPING, tool="qualtrics"),
        kind="relationship",
        source_name="qualtrics.csv",
        tool="qualtrics",
        acting_user=cast.mia,
    )
    assert (batch.rows_read, batch.loaded, batch.rejected) == (7, 2, 5)
    assert batch.rejections == [
        {"row": 3, "reason": "no account 'G999999'"},
        {"row": 4, "reason": "csat '7' is outside 1-5"},
        {"row": 5, "reason": "answered_at 'yesterday' is not a date and time"},
        {"row": 6, "reason": "no score (nps, csat or ces)"},
        {"row": 8, "reason": "response 'R_1' is already loaded"},
    ]
    # The same export again: every row is refused, none loaded twice.
    again = actions.do_import_responses(
        EXPORT,
        parse_mapping(MAPPING, tool="qualtrics"),
        kind="relationship",
        source_name="qualtrics.csv",
        acting_user=cast.mia,
    )
    assert again.loaded == 0
    counts = satisfaction_by_account(
        cast.mia,
        [cast.acme.pk],
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
        sources=[Source.SURVEYS],
    )[cast.acme.pk]
    # One promoter (10) and one detractor (2): NPS 0; CSAT 5 and 1: 50 % satisfied; no invitations.
    assert (counts.responses, counts.sent, Figures(counts).nps, Figures(counts).csat) == (
        2,
        0,
        Decimal("0.0"),
        Decimal("50.0"),
    )
    assert Figures(counts).response_rate is None
    measure = ACCOUNT_MEASURES.get("csat").compute([cast.acme.pk], dt.date(2026, 11, 30))  # type: ignore[union-attr]
    assert measure[cast.acme.pk].value == 50.0


def test_mapping_errors() -> None:
    from clientdesk.surveys.imports import MappingError, parse_mapping

    with pytest.raises(MappingError, match="needs answered_at"):
        parse_mapping({"account": "A", "nps": "N"})
    with pytest.raises(MappingError, match="unknown field"):
        parse_mapping({"account": "A", "answered_at": "T", "nps": "N", "score": "S"})
    with pytest.raises(MappingError, match="at least one score"):
        parse_mapping({"account": "A", "answered_at": "T"})
    assert parse_mapping('{"account": "token", "nps": "697929X4X21"}', tool="limesurvey") == {
        "response_id": "id",
        "answered_at": "submitdate",
        "account": "token",
        "nps": "697929X4X21",
    }


@pytest.mark.django_db
def test_results_by_role_and_the_export_withholds_small_groups(cast: Cast) -> None:
    rows = "Group,When,NPS,Role\n" + "".join(
        f"G100001,2026-10-{day:02d} 10:00,{9 if day <= 8 else 4},"
        f"{'cfo' if day <= 11 else 'hr_director'}\n"
        for day in range(1, 14)
    )
    actions.do_import_responses(
        rows,
        {"account": "Group", "answered_at": "When", "nps": "NPS", "contact_role": "Role"},
        kind="relationship",
        source_name="x.csv",
        acting_user=cast.mia,
    )
    found, total = results(None, dt.date(2026, 10, 1), dt.date(2026, 10, 31), by=Dimension.ROLE)
    by_role = {r.label: r.figures for r in found}
    # CFO: days 1-11, 8 promoters and 3 detractors -> (8 - 3) / 11 = 45.5.
    assert by_role["CFO / finance"].nps == Decimal("45.5")
    assert by_role["HR director"].nps == Decimal("-100.0")
    assert total.nps == Decimal("23.1")  # (8 - 5) / 13
    client = Client()
    client.force_login(cast.mia)
    page = client.get(
        reverse("surveys:results"), {"by": "role", "first": "2026-10-01", "last": "2026-10-31"}
    )
    assert "45.5" in page.content.decode()
    export = (
        client.get(
            reverse("surveys:results_export"),
            {"by": "role", "first": "2026-10-01", "last": "2026-10-31"},
        )
        .content.decode()
        .splitlines()
    )
    assert export[1].startswith("CFO / finance,0,11,,45.5")
    assert export[2] == "HR director,0,<11,,,,,,"  # 2 responses: withheld
    assert export[3].startswith("All,0,13,,23.1")


def test_the_portfolio_home_shows_satisfaction_lowest_nps_first(cast: Cast) -> None:
    from clientdesk.lib.formatting import THIN
    from clientdesk.surveys.imports import parse_mapping
    from clientdesk.surveys.panels import satisfaction_work

    actions.do_import_responses(
        EXPORT,
        parse_mapping(MAPPING, tool="qualtrics"),
        kind="relationship",
        source_name="qualtrics.csv",
        tool="qualtrics",
        acting_user=cast.mia,
    )
    now = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)
    assert satisfaction_work(cast.alice, now) is None  # an associate's home is their work
    work = satisfaction_work(cast.eve, now)
    assert work is not None
    # Acme: one promoter and one detractor (NPS 0), one of two satisfied; Bayside: no answers.
    assert work.summary == f"NPS 0 · 50{THIN}% satisfied · 2 answers, Dec 2025 to Nov 2026"
    assert [(i.title, i.detail) for i in work.items] == [
        ("Acme Steel Works", "NPS 0 from 2 answers")
    ]
