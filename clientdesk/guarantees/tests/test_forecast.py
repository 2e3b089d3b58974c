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
from clientdesk.audit.models import AuditEvent
from clientdesk.guarantees.actions import (
    Attestation,
    do_attest_result,
    do_save_terms,
    do_update_guarantee,
)
from clientdesk.guarantees.models import GuaranteeAlert
from clientdesk.guarantees.runs import run_forecast
from clientdesk.guarantees.tests.lakerows import write_csv
from clientdesk.guarantees.tests.test_metrics import make
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lib.business_calendar import public_holidays
from clientdesk.testing import Cast, known

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
    return days


def test_the_bootstrap_matches_the_binomial_answer(cast: Cast, ivr_lake: list[dt.date]) -> None:
    assert len([d for d in ivr_lake if d <= AS_OF]) == 50
    assert len([d for d in ivr_lake if d > AS_OF]) == 11
    g = make(cast, "ivr_containment", "48", at_risk_value=D("1000"))
    forecasts, _ = run_forecast([cast.acme], acting_user=None, as_of=AS_OF)
    (f,) = forecasts
    exact = (1 + 11 + 55 + 165 + 330) / 2048
    assert float(known(f.p_miss)) == pytest.approx(exact, abs=0.04)
    assert float(f.expected_penalty) == pytest.approx(1000 * exact, abs=40)
    assert float(known(f.observed_actual)) == 50.0  # 250 of 500
    assert float(known(f.expected_actual)) == pytest.approx(100 * 305 / 610, abs=0.5)
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
    # The same forecast again keeps the open alert; it opens no second one and, nothing
    # having changed, writes nothing (the demo may run it on every start).
    trail = AuditEvent.objects.count()
    _, summary = run_forecast([cast.acme], acting_user=cast.alice, as_of=AS_OF)
    assert (summary.alerts_opened, summary.alerts_updated, summary.changed) == (0, 1, 0)
    assert AuditEvent.objects.count() == trail
    # A later day's data (Monday Mar 17; the weekend has none) updates it.
    _, summary = run_forecast([cast.acme], acting_user=cast.alice, as_of=AS_OF + dt.timedelta(3))
    assert (summary.alerts_opened, summary.alerts_updated, summary.changed) == (0, 1, 1)
    alert.refresh_from_db()
    assert alert.latest_as_of == AS_OF + dt.timedelta(3)
    assert GuaranteeAlert.objects.filter(guarantee=g).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        GuaranteeAlert.objects.create(
            guarantee=g,
            period_label="2025Q1",
            threshold=D("0.5"),
            p_miss_opened=D("0.9"),
            p_miss_latest=D("0.9"),
            opened_as_of=AS_OF,
            latest_as_of=AS_OF,
            opened_at=alert.opened_at,
        )
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


def test_the_expected_penalty_respects_the_allocation_cap(
    cast: Cast, ivr_lake: list[dt.date]
) -> None:
    # Acme's fees: $38.50 x 1,200 employees = $46,200 a month; contract year 2025 (12 months)
    # $554,400. Pool 1 % = $5,544.00; no guarantee owes more than 5 % of it = $277.20.
    # Missed (P = 0.7256 against 52 %), the quarter owes its $1,000 before the cap and
    # $277.20 after it: expected $277.20 x P instead of $1,000 x P.
    make(cast, "ivr_containment", "52")
    do_save_terms(
        cast.acme_contract,
        {"pool_pct_of_fees": D("1"), "max_share_pct": D("5")},
        acting_user=cast.mia,
    )
    (f,), _ = run_forecast([cast.acme], acting_user=cast.alice, as_of=AS_OF)
    assert float(known(f.p_miss)) == pytest.approx(0.7256, abs=0.04)
    assert f.expected_penalty_before_caps == (1000 * known(f.p_miss)).quantize(D("0.01"))
    assert f.expected_penalty == (D("277.20") * known(f.p_miss)).quantize(D("0.01"))
    alert = GuaranteeAlert.objects.get(status="open")
    assert alert.expected_penalty == f.expected_penalty


def test_the_expected_penalty_counts_what_the_year_already_owes_against_the_pool(
    cast: Cast, ivr_lake: list[dt.date]
) -> None:
    # Pool 0.25 % of $554,400 = $1,386.00, no allocation cap. January's ID cards (attested
    # 90 of 100 against 98 %) already owe their $1,000, leaving $386.00 of the pool: a missed
    # IVR quarter adds $386.00, not $1,000.
    ivr = make(cast, "ivr_containment", "52")
    cards = make(
        cast,
        "id_card_timeliness",
        "98",
        period="one_time",
        measure_from=dt.date(2025, 1, 1),
        measure_to=dt.date(2025, 1, 31),
    )
    do_attest_result(
        cards,
        Attestation(
            period_label="one-time",
            numerator=D(90),
            denominator=D(100),
            value=None,
            sample_size=100,
            evidence="mailing log",
            reference="",
        ),
        acting_user=cast.alice,
        today=AS_OF,
    )
    do_save_terms(cast.acme_contract, {"pool_pct_of_fees": D("0.25")}, acting_user=cast.mia)
    (f,), _ = run_forecast([cast.acme], acting_user=cast.alice, as_of=AS_OF)
    assert f.guarantee.pk == ivr.pk
    assert f.expected_penalty == (D("386.00") * known(f.p_miss)).quantize(D("0.01"))
    # Once the year owes the whole pool, another miss adds nothing.
    do_save_terms(cast.acme_contract, {"pool_pct_of_fees": D("0.18")}, acting_user=cast.mia)
    (f,), _ = run_forecast([cast.acme], acting_user=cast.alice, as_of=AS_OF)
    assert f.expected_penalty == 0 and f.expected_penalty_before_caps > 500
