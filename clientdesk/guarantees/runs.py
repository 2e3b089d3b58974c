"""Running an evaluation or a forecast end to end: read the lake, then store through actions.

The pages, the API and the CLI all call these two functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import User

from clientdesk.accounts.models import Account
from clientdesk.guarantees.actions import (
    ForecastSummary,
    StoreSummary,
    do_store_forecasts,
    do_store_results,
)
from clientdesk.guarantees.evaluation import ResultValues, evaluate
from clientdesk.guarantees.forecasting import ForecastValues, forecast
from clientdesk.guarantees.periods import Span

ALERT_THRESHOLD = Decimal("0.5")
"""An alert opens when the chance of ending the span missed reaches this (50 %)."""


def run_evaluation(
    accounts: Sequence[Account],
    *,
    acting_user: User | None,
    today: dt.date,
    window: Span | None = None,
    engine: str | None = None,
) -> tuple[list[ResultValues], StoreSummary]:
    """Evaluate the accounts' guarantees from the lake and upsert the results."""
    values = evaluate(accounts, today=today, window=window, engine=engine)
    return values, do_store_results(values, acting_user=acting_user)


def run_forecast(
    accounts: Sequence[Account],
    *,
    acting_user: User | None,
    as_of: dt.date,
    threshold: Decimal = ALERT_THRESHOLD,
    engine: str | None = None,
) -> tuple[list[ForecastValues], ForecastSummary]:
    """Forecast the accounts' open spans, store the forecasts and open or close alerts."""
    forecasts = forecast(accounts, as_of=as_of, engine=engine)
    if not forecasts:
        return forecasts, ForecastSummary()
    return forecasts, do_store_forecasts(forecasts, threshold=threshold, acting_user=acting_user)
