"""Renewal outcomes for the ground truth: which sponsors go to RFP or lapse at a renewal.

Grain: one entry per sponsor with a renewal anniversary whose date less 90 days falls in the
window's last months (at least 270 days after its start, so a year of history precedes it).
The outcome is drawn from the sponsor's hidden drivers as of 90 days before the renewal, on its
own random stream (``Stream.RENEWALS``, draws in the order of ``hidden_drivers``). Each driver
reaches the data the product reads:

- service failures: injected incidents that started in the 365 days before (they move the
  operational feeds, so issue detection finds them);
- guarantee misses those incidents caused (the guarantee results show them);
- cost trend: a hidden yearly trend per sponsor, N(6 %, 3 %), applied to the prices of the
  sponsor's claims (``BookContext.price_index``, compounded from the window's middle day);
- disengagement: a hidden flag, one sponsor in four, seen in the book as sparse touches with
  the sponsor's decision maker (``activity.json``, synth/engagement.py);

logit p(lost) = -4.5 + 4.0 x disengaged + 2.5 x incidents + 1.0 x misses
+ 10 x (trend - 6 %) + N(0, 0.6). A lost sponsor goes to RFP (70 %) or lapses.

The drivers dominate, as the health issue describes the book: an engaged sponsor with no
failure renews 99 times in 100 (p = 1.1 %), a disengaged one is lost about 4 times in 10, one
failure on top of that makes a loss likely (88 %). The noise N(0, 0.6) and the draw of the
outcome keep it a chance: a score that knew every driver exactly would reach an AUC of about
0.90, not 1 (``drivers_logit``, written with each outcome, is that score; the backtest prints
its AUC beside the health score's). SCHEMA.md says why these values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from clientdesk.synth.incident_model import Incident
from clientdesk.synth.params import SynthParams, from_day_number
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.sponsors import Sponsor

LEAD_DAYS = 90
MIN_HISTORY_DAYS = 270


INTERCEPT = -4.5
PER_DISENGAGED = 4.0
PER_FAILURE = 2.5
PER_MISS = 1.0
PER_TREND = 10.0  # per unit of yearly trend above MEAN_TREND (0.03 above: +0.3)
MEAN_TREND = 0.06


def drivers_logit(failures: int, misses: int, trend: float, disengaged: bool) -> float:
    """The drivers' part of the log-odds of a loss (without the intercept and the noise)."""
    return (
        PER_DISENGAGED * float(disengaged)
        + PER_FAILURE * failures
        + PER_MISS * misses
        + PER_TREND * (trend - MEAN_TREND)
    )


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


def cost_trends(seed: int, sponsors: Sequence[Sponsor]) -> np.ndarray:
    """Each sponsor's hidden yearly cost trend, by sponsor index (the claims generators apply
    it to prices: BookContext.price_index)."""
    out = np.zeros(max((s.index for s in sponsors), default=-1) + 1)
    for sponsor in sponsors:
        out[sponsor.index] = hidden_drivers(seed, sponsor.index)[0]
    return out


def trend_factor(trend: np.ndarray, days: np.ndarray, anchor: int) -> np.ndarray:
    """(1 + trend) compounded over the years from day number `anchor` to each day (below 1
    before the anchor)."""
    return np.power(1.0 + np.asarray(trend, dtype=np.float64), (np.asarray(days) - anchor) / 365.25)


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
        drivers = drivers_logit(failures, misses, trend, disengaged)
        logit = INTERCEPT + drivers + noise
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
                "drivers_logit": round(drivers, 4),
                "p_lost": round(p_lost, 4),
            }
        )
    return out
