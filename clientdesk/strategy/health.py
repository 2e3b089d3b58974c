"""The health score of many accounts as of a day: every registered measure with a rule read
once for all the accounts (lib/measures.py), then scored per account with its segment's
weights (scoring.py)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

from clientdesk.lib.measures import ACCOUNT_MEASURES, Value
from clientdesk.strategy.models import HealthWeights
from clientdesk.strategy.scoring import DEFAULT_WEIGHTS, RULES, Health, score_account


def weights_by_segment() -> dict[str, dict[str, float]]:
    """{segment: weights}, "" the default; the manager's stored weights over the defaults."""
    stored = {w.segment: w.weights for w in HealthWeights.objects.all()}
    default = {**DEFAULT_WEIGHTS, **stored.get("", {})}
    out: dict[str, dict[str, float]] = {"": {k: float(v) for k, v in default.items()}}
    for segment, weights in stored.items():
        if segment:
            out[segment] = {k: float(v) for k, v in {**default, **weights}.items()}
    return out


def measure_values(
    account_ids: Sequence[int], as_of: dt.date, *, timings: dict[str, float] | None = None
) -> dict[int, dict[str, Value]]:
    """{account: {measure key: value}} for every registered measure the score has a rule for
    (NPS and CSAT when the surveys app registers them). `timings`, when given, gets each
    measure's seconds (the benchmark prints where the time goes)."""
    values: dict[int, dict[str, Value]] = {a: {} for a in account_ids}
    for measure in ACCOUNT_MEASURES:
        if measure.key not in RULES:
            continue
        started = time.perf_counter()
        for account_id, value in measure.compute(account_ids, as_of).items():
            if account_id in values:
                values[account_id][measure.key] = value
        if timings is not None:
            timings[measure.key] = timings.get(measure.key, 0.0) + time.perf_counter() - started
    return values


def compute_health(
    accounts: Sequence[tuple[int, str]],
    as_of: dt.date,
    *,
    timings: dict[str, float] | None = None,
) -> dict[int, Health]:
    """The health of each (account id, segment) as of the day."""
    weights = weights_by_segment()
    values = measure_values([a for a, _ in accounts], as_of, timings=timings)
    return {
        account_id: score_account(values[account_id], weights.get(segment, weights[""]))
        for account_id, segment in accounts
    }


def snapshot_measures(health: Health) -> dict[str, dict[str, float | str]]:
    return {
        k: {"value": m.value, "score": m.score, "weight": m.weight, "detail": m.detail}
        for k, m in health.measures.items()
    }
