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
from clientdesk.lake import backup as lake_backup
from clientdesk.lib.periods import Span

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
    """Evaluate the accounts' guarantees from the lake and upsert the results; refused (a
    LakeError, nothing stored) when the lake does not hold every committed batch whole, e.g.
    after a lake restored older than the database, whose partial data would rewrite results."""
    refuse_a_mismatched_lake()
    values = evaluate(accounts, today=today, window=window, engine=engine)
    return values, do_store_results(values, acting_user=acting_user)


def refuse_a_mismatched_lake() -> None:
    lake_backup.refuse_a_mismatched_lake("Guarantee evaluation")


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


def accounts_with_guarantees() -> list[Account]:
    """Every account with at least one guarantee, in group-number order."""
    return list(
        Account.objects.filter(contracts__guarantees__isnull=False)
        .distinct()
        .order_by("group_number")
    )


def run_book(
    *, acting_user: User | None, today: dt.date, as_of: dt.date, engine: str | None = None
) -> tuple[StoreSummary, ForecastSummary]:
    """Evaluate every guarantee of the book as of `today`, then forecast the spans open on
    `as_of` (normally the last day the lake has data for). Idempotent: run again on the same
    lake with the same dates, it writes no result, forecast, alert, audit row or timeline
    event (the demo runs it after every load)."""
    accounts = accounts_with_guarantees()
    if not accounts:
        return StoreSummary(), ForecastSummary()
    _, stored = run_evaluation(accounts, acting_user=acting_user, today=today, engine=engine)
    _, forecast_summary = run_forecast(
        accounts, acting_user=acting_user, as_of=as_of, engine=engine
    )
    return stored, forecast_summary
