"""Every survey answer a reader of satisfaction counts: the lake's ``survey_response`` feed
and the answers the apps collected themselves (`lib.survey_answers`), as one table.

The satisfaction guarantees and the stewardship and portfolio reports read this, never the
feed alone, so an answer collected in clientdesk counts in them as an answer from the feed
does, with the same satisfied rule (`lib.survey_answers.SATISFIED_CSAT`).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from clientdesk.lake.gateway import Lake
from clientdesk.lib.survey_answers import SURVEY_ANSWER_SOURCES

COLUMNS = (
    "response_id",
    "account_id",
    "survey",
    "sent_at",
    "answered_at",
    "nps_score",
    "csat",
    "verbatim",
)
# A day either side of the dates asked for: an account-local day is read from UTC moments
# up to a day before and after it (the marts filter the local days again).
MARGIN = dt.timedelta(days=2)


def survey_answers(lake: Lake, first: dt.date, last: dt.date) -> ir.Table:
    """The feed's rows and the registered sources' invitations and answers sent or answered
    about first..last (a margin either side; callers filter their own local days), for the
    accounts of the lake's scope. Grain: one row per invitation (``response_id``).

    Columns: response_id, account_id, survey (member or sponsor), sent_at, answered_at,
    nps_score, csat, verbatim, as in the feed."""
    feed = lake.survey_response.select(*COLUMNS)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC) - MARGIN
    end = dt.datetime.combine(last, dt.time(), tzinfo=dt.UTC) + MARGIN
    ids = lake.scope.account_ids
    answers = SURVEY_ANSWER_SOURCES.answers(ids, start, end)
    if not answers:
        return feed
    frame = pd.DataFrame(
        {
            "response_id": [a.response_id for a in answers],
            "account_id": [a.account_id for a in answers],
            "survey": [a.survey for a in answers],
            "sent_at": pd.to_datetime([a.sent_at for a in answers], utc=True),
            "answered_at": pd.to_datetime([a.answered_at for a in answers], utc=True),
            "nps_score": pd.array([a.nps_score for a in answers], dtype="Int32"),
            "csat": pd.array([a.csat for a in answers], dtype="Int32"),
            "verbatim": [a.verbatim or None for a in answers],
        }
    )
    schema = feed.schema()
    collected = ibis.memtable(frame).cast(schema)
    if ids is not None:
        # A source reads the accounts it is given; the lake's scope holds all the same.
        collected = collected.filter(collected.account_id.isin(list(ids)))
    return feed.union(collected.select(*COLUMNS))
