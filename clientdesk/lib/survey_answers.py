"""Survey answers collected by an app, for the readers of satisfaction that may not import it
(the satisfaction guarantees, the stewardship and portfolio reports), and the one rule of a
satisfied answer.

The lake's ``survey_response`` feed holds the answers another system collected. An app that
collects answers itself registers a source in its ``AppConfig.ready()``::

    SURVEY_ANSWER_SOURCES.register("surveys", survey_answers)

where ``survey_answers(account_ids, start, end) -> Iterable[SurveyAnswer]`` gives the
invitations sent and the answers given in ``start <= moment < end`` (aware datetimes) for the
accounts of ``account_ids`` (``None``: every account), in the feed's own columns. The
caller has already decided which accounts the reader may see; a source reads those and no
others, and never answers a row that is also in the feed.

`clientdesk.lake.marts.survey_answers.survey_answers` reads the feed and every registered
source as one table, so every reader counts the same answers with the same rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

SATISFIED_CSAT = 4
"""A survey answer is *satisfied* when its CSAT (1-5) is at least this: the top two boxes."""

DETRACTOR_NPS_MAX = 6
DETRACTOR_CSAT_MAX = 2
"""A *detractor* answered NPS 0-6 or CSAT 1-2: the closed loop calls them back and the
emerging-issues detector watches their rate."""

AUDIENCES = ("member", "sponsor")
"""Who answered, in the feed's words: a member (after a call or an inquiry) or the plan
sponsor's people (relationship and sponsor transactional surveys)."""


def is_satisfied(csat: int | None) -> bool:
    """Whether one answer's CSAT counts as satisfied (no CSAT: not an answer to count)."""
    return csat is not None and csat >= SATISFIED_CSAT


def is_detractor(nps: int | None, csat: int | None) -> bool:
    """Whether one answer is a detractor's: NPS ≤ 6 or CSAT ≤ 2."""
    return (nps is not None and nps <= DETRACTOR_NPS_MAX) or (
        csat is not None and csat <= DETRACTOR_CSAT_MAX
    )


@dataclass(frozen=True)
class SurveyAnswer:
    """One invitation and its answer, in the columns of the lake's ``survey_response``.

    ``response_id`` is unique across sources (a source prefixes its own ids); an invitation
    nobody answered has no ``answered_at``; an imported answer whose invitation is unknown
    has no ``sent_at``."""

    response_id: str
    account_id: int
    survey: str  # one of AUDIENCES
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None
    nps_score: int | None
    csat: int | None
    verbatim: str = ""

    def __post_init__(self) -> None:
        if self.survey not in AUDIENCES:
            raise ValueError(f"survey {self.survey!r}: one of {', '.join(AUDIENCES)}")
        for moment in (self.sent_at, self.answered_at):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("survey answer times are aware datetimes")


# (account ids or None for every account, start, end) -> the answers of [start, end)
AnswerSource = Callable[[Sequence[int] | None, dt.datetime, dt.datetime], Iterable[SurveyAnswer]]


class SurveyAnswerSources:
    """The registry, in key order. Registering the same key again replaces the source."""

    def __init__(self) -> None:
        self._sources: dict[str, AnswerSource] = {}

    def register(self, key: str, source: AnswerSource) -> None:
        self._sources[key] = source

    def unregister(self, key: str) -> None:
        self._sources.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._sources))

    def __len__(self) -> int:
        return len(self._sources)

    def answers(
        self, account_ids: Sequence[int] | None, start: dt.datetime, end: dt.datetime
    ) -> list[SurveyAnswer]:
        """Every registered source's invitations and answers of [start, end) for the
        accounts (None: every account), in source key order."""
        if account_ids is not None and not account_ids:
            return []
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end are aware datetimes")
        out: list[SurveyAnswer] = []
        for key in self:
            out.extend(self._sources[key](account_ids, start, end))
        return out


SURVEY_ANSWER_SOURCES = SurveyAnswerSources()
