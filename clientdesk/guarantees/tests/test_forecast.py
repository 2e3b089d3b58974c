"""The forecast against an exact answer, and the alerts it opens and closes.

Acme's IVR, first quarter of 2025: ten sessions on every US business day from Jan 2, all ten
contained on every other business day and none on the others (50 business days to Friday
Mar 14: 250 of 500 contained); nothing on weekends. As of Mar 14 the 56-day pool holds 38
business days, half of each kind, and 11 business days remain (Mar 17-31). The quarter ends
at (250 + 10 X) / 610 with X ~ Binomial(11, 1/2) full days to come, so against a 48 % target
it is missed when X <= 4: P = (1 + 11 + 55 + 165 + 330) / 2048 = 0.2744.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from clientdesk.accounts.models import ActivityEvent
from clientdesk.guarantees.actions import do_update_guarantee
from clientdesk.guarantees.models import GuaranteeAlert
from clientdesk.guarantees.runs import run_forecast
from clientdesk.guarantees.tests.lakerows import write_csv
from clientdesk.guarantees.tests.test_metrics import make
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lib.business_calendar import public_holidays
from clientdesk.testing import Cast

AS_OF = dt.date(2025, 3, 14)


def business_days(first: dt.date, last: dt.date) -> list[dt.date]:
    holidays = public_holidays("US", 2025)
    days, day = [], first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@pytest.fixture
def ivr_lake(cast: Cast, tmp_path: Path) -> list[dt.date]:
    days = business_days(dt.date(2025, 1, 2), dt.date(2025, 3, 31))
    rows = [
        {"session_id": f"S{index}-{n}", "group_id": "G100001",
         "started_at": f"{day.isoformat()}T15:{n:02d}:00Z",
         "outcome": "contained" if index % 2 == 0 else "transferred"}
        for index, day in enumerate(days)
        for n in range(10)
    ]  # fmt: skip
    ingest_files("ivr_session", [write_csv(tmp_path / "ivr.csv", rows)], acting_user=None)
    return days


def test_the_bootstrap_matches_the_binomial_answer(cast: Cast, ivr_lake: list[dt.date]) -> None:
    assert len([d for d in ivr_lake if d <= AS_OF]) == 50
    assert len([d for d in ivr_lake if d > AS_OF]) == 11
    g = make(cast, "ivr_containment", "48", at_risk_value=D("1000"))
    forecasts, _ = run_forecast([cast.acme], acting_user=None, as_of=AS_OF)
    (f,) = forecasts
    exact = (1 + 11 + 55 + 165 + 330) / 2048
    assert float(f.p_miss) == pytest.approx(exact, abs=0.04)
    assert float(f.expected_penalty) == pytest.approx(1000 * exact, abs=40)
    assert float(f.observed_actual) == 50.0  # 250 of 500
    assert float(f.expected_actual) == pytest.approx(100 * 305 / 610, abs=0.5)
    assert (f.period_label, f.observed_days, f.remaining_days) == ("2025Q1", 73, 17)
    # Same inputs, same seed, same answer.
    again, _ = run_forecast([cast.acme], acting_user=None, as_of=AS_OF)
    assert again[0].p_miss == f.p_miss and g.forecasts.count() == 1
    # Once the quarter is over there is nothing left to chance: 305 of 610 = 50 % >= 48 %.
    (done,) = run_forecast([cast.acme], acting_user=None, as_of=dt.date(2025, 3, 31))[0]
    assert (done.p_miss, done.remaining_days) == (0, 0)


def test_alerts_open_once_and_close_when_the_risk_falls_away(
    cast: Cast, ivr_lake: list[dt.date]
) -> None:
    # Against 52 %: missed when X <= 6, P = 1 - 0.2744 = 0.7256, above the 50 % threshold.
    g = make(cast, "ivr_containment", "52")
    _, summary = run_forecast([cast.acme], acting_user=cast.alice, as_of=AS_OF)
    assert summary.alerts_opened == 1
    alert = GuaranteeAlert.objects.get(guarantee=g, status="open")
    assert float(alert.p_miss_opened) == pytest.approx(0.7256, abs=0.04)
    # A later forecast of the same risk updates the open alert; it opens no second one.
    _, summary = run_forecast([cast.acme], acting_user=cast.alice, as_of=AS_OF)
    assert (summary.alerts_opened, summary.alerts_updated) == (0, 1)
    assert GuaranteeAlert.objects.filter(guarantee=g).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        GuaranteeAlert.objects.create(
            guarantee=g, period_label="2025Q1", threshold=D("0.5"), p_miss_opened=D("0.9"),
            p_miss_latest=D("0.9"), opened_as_of=AS_OF, latest_as_of=AS_OF,
            opened_at=alert.opened_at,
        )  # fmt: skip
    # The target drops to 40 %: the risk falls away and the alert closes.
    do_update_guarantee(g, {"target": D("40")}, acting_user=cast.mia)
    _, summary = run_forecast([cast.acme], acting_user=cast.alice, as_of=AS_OF)
    assert summary.alerts_closed == 1
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.closed_reason.startswith("the chance of a miss")
    subjects = list(
        ActivityEvent.objects.filter(account=cast.acme, kind="guarantee")
        .order_by("id")
        .values_list("subject", flat=True)
    )
    assert subjects == [
        "At risk: IVR containment, 2025Q1",
        "Risk cleared: IVR containment, 2025Q1",
    ]
