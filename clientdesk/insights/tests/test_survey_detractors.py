"""The detractor rate of survey answers as a detector series: the mart by hand, and a rise in
detractors opening an emerging issue like any other rate series."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd

from clientdesk.insights.pipeline import run_detection
from clientdesk.insights.series import PanelBuilder, issues_daily_survey_answers
from clientdesk.lake.local_time import zone_rows
from clientdesk.lake.marts.operations import BOOK
from clientdesk.lib.periods import epoch_day

DAY = dt.date(2026, 3, 2)


def _answer(at: str | None, nps: int | None, csat: int | None) -> dict[str, object]:
    return {
        "account_id": 7,
        "answered_at": pd.Timestamp(at, tz="UTC") if at else pd.NaT,
        "nps_score": nps,
        "csat": csat,
    }


def test_answers_and_detractors_per_account_local_day() -> None:
    rows = pd.DataFrame(
        [
            _answer("2026-03-02 15:00", 3, None),  # detractor by NPS
            _answer("2026-03-02 16:00", 9, 2),  # detractor by CSAT
            _answer("2026-03-02 17:00", 8, None),  # passive, not a detractor
            _answer("2026-03-02 18:00", 6, 4),  # NPS 6: a detractor
            _answer("2026-03-03 02:00", 10, 5),  # 21:00 on Mar 2 in New York
            _answer("2026-03-03 15:00", None, 3),  # CSAT 3: not a detractor
            _answer("2026-03-03 16:00", None, None),  # no score: not an answer to count
            _answer(None, None, None),  # sent, never answered
        ]
    )
    rows["nps_score"] = rows["nps_score"].astype("Int32")
    rows["csat"] = rows["csat"].astype("Int32")
    zones = zone_rows({7: "America/New_York"}, DAY, DAY + dt.timedelta(days=1))
    mart = issues_daily_survey_answers(ibis.memtable(rows), zones, DAY, DAY + dt.timedelta(1))
    got = ibis.duckdb.connect().execute(mart.order_by("day"))
    assert got.to_dict("records") == [
        {"account_id": 7, "day": epoch_day(DAY), "answers": 5, "detractors": 3},
        {"account_id": 7, "day": epoch_day(DAY) + 1, "answers": 1, "detractors": 0},
    ]


def test_a_rise_in_detractors_opens_an_issue() -> None:
    days = 200
    first = DAY - dt.timedelta(days=days - 1)
    rng = np.random.default_rng(3)
    answered = rng.poisson(6.0, days).astype(float)
    detractors = rng.binomial(answered.astype(int), 0.1).astype(float)
    rise = slice(days - 10, days)  # the last ten days: 60 % detractors instead of 10 %
    detractors[rise] = rng.binomial(answered[rise].astype(int), 0.6)
    frame = pd.DataFrame(
        {
            "account_id": 7,
            "day": [epoch_day(first) + i for i in range(days)],
            "answers": answered,
            "detractors": detractors,
        }
    )
    builder = PanelBuilder(first, DAY, [7])
    exposure = builder.account_matrix(builder.per_account(frame, "answers"))
    builder.add("survey_detractors", frame, (), "detractors", exposure)
    series = builder.finish(np.full((1, days), 100.0), {})
    assert [(k.family, k.account_id) for k in series.keys] == [
        ("survey_detractors", 7),
        ("survey_detractors", BOOK),
    ]
    assert series.panel.counts[0].sum() == detractors.sum()
    assert series.panel.exposure[0].sum() == answered.sum()
    result = run_detection(series, since=DAY - dt.timedelta(days=30))
    opened = [(i.account_id, i.cause_family) for i in result.issues]
    assert (7, "survey_detractors") in opened
    [issue] = [i for i in result.issues if i.account_id == 7]
    assert days - 10 <= issue.first_alert < days
