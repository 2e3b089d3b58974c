"""A forecast is as of the data's paid-through day, not the wall clock: run again later on the
same data (nothing new loaded), it gives the same answer.

Acme's IVR in the first quarter of 2025, as in test_forecast: ten sessions on every US business
day from Jan 2 to Fri Mar 14 (the data's last day), all contained on every other business day.
As of Mar 14: 50 business days observed (250 of 500 contained), 11 to come; the quarter ends at
(250 + 10 X) / 610, X ~ Binomial(11, 1/2), missed against 48 % when X <= 4: P = 0.2744. Asked on
Mar 24 (or Mar 16, a Sunday) the days after Mar 14 are not seen yet, not seen as empty: the same
0.2744, not the certain miss that 6 empty business days would make (at most 250 + 50 of 610).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from clientdesk.guarantees.forecasting import forecast
from clientdesk.guarantees.models import GuaranteeForecast
from clientdesk.guarantees.runs import run_forecast
from clientdesk.guarantees.tests.lakerows import write_csv
from clientdesk.guarantees.tests.test_forecast import business_days
from clientdesk.guarantees.tests.test_metrics import make
from clientdesk.lake.ingestion import ingest_files
from clientdesk.testing import Cast

LAST_DAY = dt.date(2025, 3, 14)


@pytest.fixture
def ivr_to_mar_14(cast: Cast, tmp_path: Path) -> None:
    days = business_days(dt.date(2025, 1, 2), LAST_DAY)
    rows = [
        {
            "session_id": f"S{index}-{n}",
            "group_id": "G100001",
            "started_at": f"{day.isoformat()}T15:{n:02d}:00Z",
            "outcome": "contained" if index % 2 == 0 else "transferred",
        }
        for index, day in enumerate(days)
        for n in range(10)
    ]
    ingest_files("ivr_session", [write_csv(tmp_path / "ivr.csv", rows)], acting_user=None)


def test_the_same_data_gives_the_same_forecast_later(cast: Cast, ivr_to_mar_14: None) -> None:
    g = make(cast, "ivr_containment", "48", at_risk_value=D("1000"))
    (on_the_day,), _ = run_forecast([cast.acme], acting_user=None, as_of=LAST_DAY)
    exact = (1 + 11 + 55 + 165 + 330) / 2048
    assert on_the_day.p_miss is not None
    assert float(on_the_day.p_miss) == pytest.approx(exact, abs=0.04)
    assert (on_the_day.as_of, on_the_day.observed_days, on_the_day.remaining_days) == (
        LAST_DAY,
        73,
        17,
    )
    for later in (dt.date(2025, 3, 16), LAST_DAY + dt.timedelta(days=10)):
        (again,), summary = run_forecast([cast.acme], acting_user=None, as_of=later)
        assert again.as_of == LAST_DAY, later
        assert (again.p_miss, again.expected_penalty) == (
            on_the_day.p_miss,
            on_the_day.expected_penalty,
        )
        assert (again.observed_actual, again.expected_actual) == (
            on_the_day.observed_actual,
            on_the_day.expected_actual,
        )
        assert (again.observed_days, again.remaining_days) == (73, 17)
        assert summary.changed == 0  # stored once, as of the paid-through day
    assert list(GuaranteeForecast.objects.filter(guarantee=g).values_list("as_of", flat=True)) == [
        LAST_DAY
    ]


@pytest.mark.spark
def test_the_paid_through_day_is_the_same_on_duckdb_and_spark(
    cast: Cast, ivr_to_mar_14: None
) -> None:
    make(cast, "ivr_containment", "48", at_risk_value=D("1000"))
    later = LAST_DAY + dt.timedelta(days=10)
    duck = forecast([cast.acme], as_of=later, engine="duckdb", simulations=200)
    spark = forecast([cast.acme], as_of=later, engine="spark", simulations=200)
    assert [(f.as_of, f.p_miss, f.observed_days) for f in duck] == [
        (f.as_of, f.p_miss, f.observed_days) for f in spark
    ]
    assert duck[0].as_of == LAST_DAY
