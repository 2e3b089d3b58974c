"""The lake's `survey_response` feed (answers collected by another system) as one more source
of the satisfaction metric: the same counts as our own surveys, per account.

Read through the analytics gateway in the caller's scope. An invitation is dated by the
account-local date it was answered (sent, when unanswered), so a period's counts hold the
answers that came back in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ibis.expr.types as ir

from clientdesk.lake.gateway import Lake
from clientdesk.lake.local_time import local_days, zone_rows
from clientdesk.lib.periods import epoch_day
from clientdesk.lib.survey_answers import SATISFIED_CSAT
from clientdesk.surveys.satisfaction import DETRACTOR_MAX, PROMOTER_MIN, Counts


def mart_feed_counts(surveys: ir.Table, zones: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Satisfaction counts of the feed. Grain: account_id.

    Columns: sent, answered, nps_n, promoters (9-10), detractors (0-6), csat_n, satisfied
    (csat 4-5), csat_sum."""
    moment = surveys.answered_at.fill_null(surveys.sent_at)
    t = local_days(surveys, moment, zones, epoch_day(first), epoch_day(last))
    answered = t.answered_at.notnull()
    return t.group_by("account_id").aggregate(
        sent=t.count().cast("int64"),
        answered=t.count(where=answered).cast("int64"),
        nps_n=t.count(where=answered & t.nps_score.notnull()).cast("int64"),
        promoters=t.count(where=answered & (t.nps_score >= PROMOTER_MIN)).cast("int64"),
        detractors=t.count(where=answered & (t.nps_score <= DETRACTOR_MAX)).cast("int64"),
        csat_n=t.count(where=answered & t.csat.notnull()).cast("int64"),
        satisfied=t.count(where=answered & (t.csat >= SATISFIED_CSAT)).cast("int64"),
        csat_sum=t.csat.cast("int64").sum(where=answered).fill_null(0).cast("int64"),
    )


def feed_counts(
    lake: Lake, account_zones: Mapping[int, str], first: dt.date, last: dt.date
) -> dict[int, Counts]:
    """The feed's counts per account of `account_zones` for first..last (accounts with none
    are left out)."""
    if not account_zones:
        return {}
    zones = zone_rows(account_zones, first, last)
    frame = lake.execute(mart_feed_counts(lake.survey_response, zones, first, last))
    out: dict[int, Counts] = {}
    for row in frame.to_dict("records"):
        out[int(row["account_id"])] = Counts(
            sent=int(row["sent"]),
            answered=int(row["answered"]),
            responses=int(row["answered"]),
            nps_n=int(row["nps_n"]),
            promoters=int(row["promoters"]),
            detractors=int(row["detractors"]),
            csat_n=int(row["csat_n"]),
            satisfied=int(row["satisfied"]),
            csat_sum=int(row["csat_sum"]),
        )
    return out


def mart_feed_verbatims(
    surveys: ir.Table, zones: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """The feed's comments answered in first..last (account-local days). Grain: response_id,
    in response_id order (the themes are fitted on the comments in the order they come).

    Columns: response_id, account_id, verbatim."""
    t = surveys.filter(surveys.answered_at.notnull(), surveys.verbatim.notnull())
    t = t.filter(t.verbatim.strip() != "")
    t = local_days(t, t.answered_at, zones, epoch_day(first), epoch_day(last))
    return t.select("response_id", "account_id", "verbatim").order_by("response_id")


def feed_verbatims(
    lake: Lake, account_zones: Mapping[int, str], first: dt.date, last: dt.date
) -> list[tuple[int, str]]:
    """(account_id, comment) of the feed's answers for first..last, in response_id order."""
    if not account_zones:
        return []
    zones = zone_rows(account_zones, first, last)
    frame = lake.execute(mart_feed_verbatims(lake.survey_response, zones, first, last))
    return [(int(a), str(v)) for a, v in zip(frame["account_id"], frame["verbatim"], strict=True)]
