"""Renewal outcomes for the ground truth: which sponsors go to RFP or lapse at a renewal.

Grain: one entry per sponsor with a renewal anniversary whose date less 90 days falls in the
window's last months (at least 270 days after its start, so a year of history precedes it).
The outcome is drawn from the sponsor's hidden drivers as of 90 days before the renewal, on its
own random stream (``Stream.RENEWALS``), so every other output stays byte-identical:

- service failures: injected incidents that started in the 365 days before;
- guarantee misses those incidents caused;
- cost trend: a hidden yearly trend per sponsor, N(6 %, 3 %);
- disengagement: a hidden flag, one sponsor in four, seen in the book as sparse touches with
  the sponsor's decision maker (``activity.json``, synth/engagement.py);

logit p(lost) = -2.4 + 0.9 x misses + 0.4 x incidents + 8 x (trend - 6 %) + 0.9 x disengaged
+ N(0, 0.6). A lost sponsor goes to RFP (70 %) or lapses.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from clientdesk.synth.incident_model import Incident
from clientdesk.synth.params import SynthParams, from_day_number
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.sponsors import Sponsor

LEAD_DAYS = 90
MIN_HISTORY_DAYS = 270


def _anniversary(renewal: date, year: int) -> date:
    try:
        return renewal.replace(year=year)
    except ValueError:
        return renewal.replace(year=year, day=28)


def hidden_drivers(seed: int, sponsor_index: int) -> tuple[float, bool, float, float, float]:
    """The sponsor's hidden drivers and draws, in their stream's order: (cost trend,
    disengaged, noise, the draw of the outcome, the draw of its kind). synth/engagement.py
    reads `disengaged` to space the sponsor's decision-maker touches."""
    rng = stream(seed, Stream.RENEWALS, sponsor_index)
    trend = float(rng.normal(0.06, 0.03))
    disengaged = bool(rng.random() < 0.25)
    noise = float(rng.normal(0.0, 0.6))
    return trend, disengaged, noise, float(rng.random()), float(rng.random())


def renewal_outcomes(
    params: SynthParams, sponsors: list[Sponsor], incidents: list[Incident]
) -> list[dict[str, object]]:
    window = params.window
    earliest = window.start_date + timedelta(days=MIN_HISTORY_DAYS)
    latest = window.end_date
    out: list[dict[str, object]] = []
    for sponsor in sponsors:
        trend, disengaged, noise, draw, kind_draw = hidden_drivers(params.seed, sponsor.index)
        chosen = None
        for year in range(latest.year + 1, earliest.year - 1, -1):
            renewal = _anniversary(sponsor.renewal_date, year)
            as_of = renewal - timedelta(days=LEAD_DAYS)
            if earliest <= as_of <= latest and renewal > sponsor.effective_date:
                chosen = (renewal, as_of)
                break
        if chosen is None:
            continue
        renewal, as_of = chosen
        failures = 0
        misses = 0
        for inc in incidents:
            if inc.account != sponsor.index:
                continue
            start = from_day_number(inc.start)
            if as_of - timedelta(days=365) <= start <= as_of:
                failures += 1
                misses += len(inc.misses)
        logit = (
            -2.4 + 0.9 * misses + 0.4 * failures + 8.0 * (trend - 0.06) + 0.9 * disengaged + noise
        )
        p_lost = 1.0 / (1.0 + math.exp(-logit))
        lost = draw < p_lost
        outcome = ("rfp" if kind_draw < 0.7 else "lapsed") if lost else "renewed"
        out.append(
            {
                "account": sponsor.group_number,
                "renewal_date": renewal.isoformat(),
                "scored_as_of": as_of.isoformat(),
                "outcome": outcome,
                "drivers": {
                    "service_failures": failures,
                    "guarantee_misses": misses,
                    "cost_trend": round(trend, 4),
                    "disengaged": disengaged,
                },
                "p_lost": round(p_lost, 4),
            }
        )
    return out
