"""Answers collected in clientdesk count in the satisfaction guarantees, the records behind
them and the reports, beside the lake's survey feed (`lib.survey_answers`), by hand.

The feed (guarantees/tests/lakerows.py), Acme, 2025: member answers V1-V6 with csat 5, 4, 2,
3, none, 5 (3 satisfied of 5 with a csat); sponsor answers P1-P3 with csat 4, 2, 3.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine

from clientdesk.guarantees.drilldown import records_behind
from clientdesk.guarantees.evaluation import ResultValues, evaluate
from clientdesk.guarantees.models import Guarantee, GuaranteeResult
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.guarantees.tests.lakerows import load_lake
from clientdesk.guarantees.tests.test_metrics import make
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.marts.survey_answers import survey_answers
from clientdesk.lib.periods import parse_period
from clientdesk.lib.survey_answers import (
    SATISFIED_CSAT,
    SURVEY_ANSWER_SOURCES,
    SurveyAnswer,
    SurveyAnswerSources,
    is_satisfied,
)
from clientdesk.reports.satisfaction import read_satisfaction
from clientdesk.surveys import actions
from clientdesk.surveys.satisfaction import SATISFIED_MIN
from clientdesk.surveys.tests.cast import relationship_survey, sent_to_acme
from clientdesk.testing import Cast, known

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)
MAY_20 = dt.datetime(2025, 5, 20, 15, 0, tzinfo=dt.UTC)
# Imported member answers: Acme csat 5, 4, 1 in 2025 and 5 in 2024 (another year); Bayside 1.
MEMBER_EXPORT = """Group,When,CSAT
G100001,2025-03-02 10:00,5
G100001,2025-06-10 10:00,4
G100001,2025-09-15 10:00,1
G100001,2024-12-10 10:00,5
G100002,2025-03-02 10:00,1
"""


def result(values: list[ResultValues], g: Guarantee, period: str) -> ResultValues:
    return next(v for v in values if v.guarantee.pk == g.pk and v.period_label == period)


def _collect(cast: Cast) -> None:
    """Acme's contact answers our relationship survey on May 20, 2025 (NPS 9, CSAT 5); a
    second invitation is only partly answered; a member export is imported."""
    with time_machine.travel(MAY_20, tick=False):
        survey = relationship_survey(cast)
        invitation, _ = sent_to_acme(cast, survey)
        actions.do_save_answers(
            invitation, {"recommend": ["9"], "satisfaction": ["5"]}, finish=True
        )
    with time_machine.travel(MAY_20 + dt.timedelta(days=120), tick=False):
        started, _ = sent_to_acme(cast, survey)
        actions.do_save_answers(started, {"recommend": ["1"], "satisfaction": ["1"]}, finish=False)
    actions.do_import_responses(
        MEMBER_EXPORT,
        {"account": "Group", "answered_at": "When", "csat": "CSAT"},
        kind="transactional",
        audience="member",
        source_name="member-export.csv",
        acting_user=cast.mia,
    )


def test_one_satisfied_rule() -> None:
    assert SATISFIED_CSAT == SATISFIED_MIN == 4
    assert [is_satisfied(c) for c in (None, 1, 3, 4, 5)] == [False, False, False, True, True]


def test_the_registry_refuses_naive_times_and_unknown_audiences() -> None:
    sources = SurveyAnswerSources()
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    answer = SurveyAnswer("x-1", 7, "member", None, now, None, 5)
    sources.register("x", lambda ids, start, end: [answer])
    assert sources.answers([7], now, now) == [answer]
    assert sources.answers([], now, now) == []  # no account: nothing asked of a source
    with pytest.raises(ValueError, match="aware"):
        sources.answers(None, now.replace(tzinfo=None), now)
    with pytest.raises(ValueError, match="member, sponsor"):
        SurveyAnswer("x-2", 7, "broker", None, now, None, 5)
    sources.unregister("x")
    assert len(sources) == 0
    assert "surveys" in SURVEY_ANSWER_SOURCES  # the surveys app registered its own


def test_satisfaction_guarantees_count_our_answers_with_the_feed(
    cast: Cast, tmp_path: Path
) -> None:
    load_lake(tmp_path, ("survey_response",))
    member = make(cast, "member_satisfaction", "85", period="annual")
    sponsor = make(cast, "sponsor_satisfaction", "3", period="annual")
    before = evaluate([cast.acme], today=TODAY)
    r = result(before, member, "2025")
    assert (r.numerator, r.denominator, float(known(r.actual))) == (3, 5, 60.0)
    r = result(before, sponsor, "2025")
    assert (r.numerator, r.denominator, float(known(r.actual))) == (9, 3, 3.0)

    _collect(cast)
    run_evaluation([cast.acme], acting_user=cast.mia, today=TODAY)
    # Member: the feed's 3 of 5 and the export's 5 and 4 of its three 2025 answers (not the
    # 2024 one, not Bayside's): 5 of 8 = 62.5 %.
    stored = GuaranteeResult.objects.get(guarantee=member, period_label="2025")
    assert (stored.numerator, stored.denominator, stored.actual) == (5, 8, Decimal("62.5"))
    assert stored.met is False
    # Sponsor: the feed's 4 + 2 + 3 and our contact's 5 (the partly answered invitation is
    # not an answer): 14 / 4 = 3.5.
    s = GuaranteeResult.objects.get(guarantee=sponsor, period_label="2025")
    assert (s.numerator, s.denominator, s.actual, s.met) == (14, 4, Decimal("3.5"), True)

    # The records behind the member figure, not satisfied: V3 (2), V4 (3), V5 (no csat) of
    # the feed and the export's csat 1.
    records = records_behind(cast.mia, stored)
    ids = sorted(str(row["response_id"]) for row in records.rows)
    assert records.total == 4
    assert ids[:3] == ["V3", "V4", "V5"] and ids[3].startswith("clientdesk-import-")


def test_the_report_reads_our_invitations_and_answers(cast: Cast, tmp_path: Path) -> None:
    load_lake(tmp_path, ("survey_response",))
    _collect(cast)
    zones = {cast.acme.pk: cast.acme.timezone}
    with open_lake(SystemActor("test"), accounts=[cast.acme.pk]) as lake:
        rows = lake.execute(survey_answers(lake, dt.date(2025, 5, 1), dt.date(2025, 5, 31)))
        mine = rows[rows.response_id.str.startswith("clientdesk-")]
        assert len(mine) == 1  # the May invitation; the September one is another month
        report = read_satisfaction(lake, zones, parse_period("2025-05"), verbatims=False)
    # May 2025: our one invitation, answered (NPS 9, CSAT 5); the feed has none in May.
    figures = report.figures(cast.acme.pk, "sponsor")
    assert (figures.sent, figures.responses, figures.promoters, figures.satisfied) == (1, 1, 1, 1)
