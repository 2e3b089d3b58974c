"""The one satisfaction metric, whatever the source: our own surveys, the lake's
`survey_response` feed, or an imported export of another survey tool.

Every source is reduced to the same counts (`Counts`), and every figure is computed here:

* response rate = invitations answered ÷ invitations (imported answers, whose invitations we
  do not know, count in every score but not in the rate);
* NPS = % promoters (9-10) - % detractors (0-6) of the answers with an NPS score, with its 95 %
  interval: SE = √((p + d - (p - d)²) ÷ n), NPS ± 1.96 · SE · 100, clipped to -100..100;
* CSAT = % satisfied, the top two boxes (4-5 of 5), of the answers with a CSAT score
  (`lib.survey_answers.SATISFIED_CSAT`), and the mean CSAT;
* CES = the mean of the 1-7 agreement with "made it easy" (CES 2.0), labelled as a mean.

A detractor, for the closed loop, is an NPS of 6 or less or a CSAT of 2 or less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from clientdesk.lib.small_cells import is_small_cell
from clientdesk.lib.survey_answers import (
    DETRACTOR_CSAT_MAX,
    DETRACTOR_NPS_MAX,
    SATISFIED_CSAT,
)
from clientdesk.lib.survey_answers import is_detractor as is_detractor  # the app's one rule

PROMOTER_MIN = 9
DETRACTOR_MAX = DETRACTOR_NPS_MAX  # the one detractor rule (lib.survey_answers)
SATISFIED_MIN = SATISFIED_CSAT  # the one satisfied rule (lib.survey_answers)
LOW_CSAT_MAX = DETRACTOR_CSAT_MAX
Z95 = 1.96


@dataclass(frozen=True)
class Counts:
    """The sums every satisfaction figure is computed from, for one group of answers."""

    sent: int = 0  # invitations
    answered: int = 0  # invitations answered (the response rate's numerator)
    responses: int = 0  # every answer, invited or imported
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0
    csat_n: int = 0
    satisfied: int = 0
    csat_sum: int = 0
    ces_n: int = 0
    ces_sum: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @classmethod
    def of_answer(cls, *, nps: int | None, csat: int | None, ces: int | None) -> Counts:
        """The counts of one answered survey (one response, of one invitation)."""
        return cls(
            sent=1,
            answered=1,
            responses=1,
            nps_n=int(nps is not None),
            promoters=int(nps is not None and nps >= PROMOTER_MIN),
            detractors=int(nps is not None and nps <= DETRACTOR_MAX),
            csat_n=int(csat is not None),
            satisfied=int(csat is not None and csat >= SATISFIED_MIN),
            csat_sum=csat or 0,
            ces_n=int(ces is not None),
            ces_sum=ces or 0,
        )


def _round(value: float, places: str) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """The figures of one group's counts. ``None`` where there is nothing to compute from."""

    counts: Counts

    @property
    def response_rate(self) -> Decimal | None:
        c = self.counts
        return _round(100 * c.answered / c.sent, "0.1") if c.sent else None

    @property
    def nps(self) -> Decimal | None:
        c = self.counts
        return _round(100 * (c.promoters - c.detractors) / c.nps_n, "0.1") if c.nps_n else None

    @property
    def nps_interval(self) -> tuple[Decimal, Decimal] | None:
        """The 95 % interval of the NPS (normal approximation of the +1/0/-1 scores)."""
        c = self.counts
        if not c.nps_n:
            return None
        p, d = c.promoters / c.nps_n, c.detractors / c.nps_n
        se = math.sqrt(max(p + d - (p - d) ** 2, 0.0) / c.nps_n)
        centre = 100 * (p - d)
        low = max(-100.0, centre - Z95 * se * 100)
        high = min(100.0, centre + Z95 * se * 100)
        return _round(low, "0.1"), _round(high, "0.1")

    @property
    def csat(self) -> Decimal | None:
        """% satisfied (4-5 of 5)."""
        c = self.counts
        return _round(100 * c.satisfied / c.csat_n, "0.1") if c.csat_n else None

    @property
    def csat_mean(self) -> Decimal | None:
        c = self.counts
        return _round(c.csat_sum / c.csat_n, "0.01") if c.csat_n else None

    @property
    def ces(self) -> Decimal | None:
        """Mean CES (1-7)."""
        c = self.counts
        return _round(c.ces_sum / c.ces_n, "0.01") if c.ces_n else None

    @property
    def suppressed(self) -> bool:
        """1 to 10 responses: withheld from anything that leaves the team."""
        return is_small_cell(self.counts.responses)
