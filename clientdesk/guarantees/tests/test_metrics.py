"""Every lake metric on the hand-made lake (lakerows.py), counted by hand.

Each value is written as the arithmetic on the records the module docstring of lakerows.py
lists, so a reader can check it against the fixture.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clientdesk.guarantees.actions import do_create_guarantee
from clientdesk.guarantees.evaluation import ResultValues, evaluate
from clientdesk.guarantees.models import Guarantee
from clientdesk.guarantees.tests.lakerows import load_lake
from clientdesk.testing import Cast, known

TODAY = dt.date(2026, 11, 27)


def make(cast: Cast, metric: str, target: str, comparator: str = ">=", **extra: Any) -> Guarantee:
    data = {
        "metric": metric,
        "comparator": comparator,
        "target": Decimal(target),
        "period": "quarterly",
        "at_risk_basis": "fixed",
        "at_risk_value": Decimal("1000"),
        **extra,
    }
    return do_create_guarantee(cast.acme_contract, data, acting_user=cast.mia)


def result(values: list[ResultValues], g: Guarantee, period: str) -> ResultValues:
    return next(v for v in values if v.guarantee.pk == g.pk and v.period_label == period)


@pytest.fixture
def lake(cast: Cast, tmp_path: Path) -> Cast:
    load_lake(tmp_path)
    return cast


def test_every_lake_metric_by_hand(lake: Cast) -> None:
    cast = lake
    asa = make(cast, "average_speed_of_answer", "30", "<=", decimals=0)
    sl = make(cast, "service_level", "80", threshold=30)
    aband = make(cast, "abandonment_rate", "3", "<=")
    aband_all = make(cast, "abandonment_rate", "3", "<=", short_abandon_seconds=0)
    fcr = make(cast, "first_contact_resolution", "80")
    tat = make(cast, "claims_turnaround", "90", threshold=10)
    tat30 = make(cast, "claims_turnaround", "95", threshold=30)
    aa = make(cast, "auto_adjudication_rate", "85")
    fin = make(cast, "financial_accuracy", "99")
    pay = make(cast, "payment_accuracy", "99")
    ivr = make(cast, "ivr_containment", "20")
    elig = make(cast, "eligibility_load_timeliness", "100", threshold=5)
    member = make(cast, "member_satisfaction", "85", period="annual")
    sponsor = make(cast, "sponsor_satisfaction", "3", period="annual")
    values = evaluate([cast.acme], today=TODAY)

    # ASA: answered member-line calls K1, K2, K3, K6 (K6 at 23:59:59 local on Mar 31).
    r = result(values, asa, "2025Q1")
    assert (r.numerator, r.denominator, r.sample_size) == (Decimal(20 + 40 + 10 + 50), 4, 4)
    assert float(known(r.actual)) == 30.0 and r.met is True  # 30 <= 30
    variance = (20**2 + 40**2 + 10**2 + 50**2 - 4 * 30**2) / 3
    half = 3.182446305284263 * math.sqrt(variance / 4)  # t(0.975, 3 df)
    assert float(known(r.ci_low)) == pytest.approx(30 - half, abs=1e-5)
    assert float(known(r.ci_high)) == pytest.approx(30 + half, abs=1e-5)
    assert r.within_noise is True
    assert float(known(result(values, asa, "2025Q2").actual)) == 5.0  # K7 alone

    # Service level (30 s): K1, K3 of the offered K1-K6 less the short abandon K4.
    r = result(values, sl, "2025Q1")
    assert (r.numerator, r.denominator) == (2, 6 - 1) and float(known(r.actual)) == 40.0

    # Abandonment: K5 of K1-K6 less K4 (under 5 s); without the exclusion K4 and K5 of six.
    r = result(values, aband, "2025Q1")
    assert (r.numerator, r.denominator) == (1, 5) and float(known(r.actual)) == 20.0
    assert r.met is False
    r = result(values, aband_all, "2025Q1")
    assert (r.numerator, r.denominator) == (2, 6)
    assert float(known(r.actual)) == pytest.approx(100 * 2 / 6, abs=1e-6)

    # FCR: K1, K3, K6 resolved of the answered K1, K2, K3, K6; Wilson interval of 3/4.
    r = result(values, fcr, "2025Q1")
    assert (r.numerator, r.denominator, float(known(r.actual))) == (3, 4, 75.0)
    z = 1.959963984540054
    centre = (0.75 + z * z / 8) / (1 + z * z / 4)
    half = z * math.sqrt(0.75 * 0.25 / 4 + z * z / 64) / (1 + z * z / 4)
    assert float(known(r.ci_low)) == pytest.approx(100 * (centre - half), abs=1e-5)
    assert float(known(r.ci_high)) == pytest.approx(100 * (centre + half), abs=1e-5)

    # Claims: originals C1-C4 finalized in Q1 (C3R is a reversal, C5 finalizes in Q2, C6 not
    # at all); within 10 days C1 (6) and C3 (10); within 30 days all four.
    r = result(values, tat, "2025Q1")
    assert (r.numerator, r.denominator, float(known(r.actual))) == (2, 4, 50.0)
    assert float(known(result(values, tat30, "2025Q1").actual)) == 100.0
    r = result(values, aa, "2025Q1")
    assert (r.numerator, r.denominator, float(known(r.actual))) == (2, 4, 50.0)  # C1, C3
    assert float(known(result(values, aa, "2025Q2").actual)) == 100.0  # C5

    # Financial accuracy: audited C1, C2, C4 paid 1,800.00 with 50.00 + 30.00 in error.
    r = result(values, fin, "2025Q1")
    assert (r.numerator, r.denominator, r.sample_size) == (Decimal("1720"), 1800, 3)
    assert float(known(r.actual)) == pytest.approx(100 * 1720 / 1800, abs=1e-6)
    ratio = 80 / 1800
    residual = (0 - ratio * 1000) ** 2 + (50 - ratio * 500) ** 2 + (30 - ratio * 300) ** 2
    se = math.sqrt(residual / (2 * 3 * 600**2))
    assert float(known(r.ci_low)) == pytest.approx(
        100 * (1 - ratio) - 100 * 4.302652729749464 * se, abs=1e-4
    )
    assert float(known(r.ci_high)) == 100.0  # clipped
    # Payment accuracy: only C1 of the three audited claims was paid right.
    r = result(values, pay, "2025Q1")
    assert (r.numerator, r.denominator) == (1, 3)

    # IVR: S1, S2, S6 and S8 (23:30 local on Mar 31) contained of eight sessions.
    r = result(values, ivr, "2025Q1")
    assert (r.numerator, r.denominator, float(known(r.actual))) == (4, 8, 50.0)
    assert float(known(result(values, ivr, "2025Q2").actual)) == 0.0  # S9

    # Eligibility: jan (1 business day) and feb (5, Presidents' Day not counted) of three.
    r = result(values, elig, "2025Q1")
    assert (r.numerator, r.denominator) == (2, 3)

    # Member satisfaction 2025: csat 5, 4, 5 of the five answers with a csat.
    r = result(values, member, "2025")
    assert (r.numerator, r.denominator, float(known(r.actual))) == (3, 5, 60.0)
    # Sponsor satisfaction 2025: mean of 4, 2, 3.
    r = result(values, sponsor, "2025")
    assert (r.numerator, r.denominator, float(known(r.actual)), r.met) == (9, 3, 3.0, True)


def test_book_of_business_adds_every_account(lake: Cast) -> None:
    cast = lake
    asa = make(cast, "average_speed_of_answer", "30", "<=", level="book_of_business")
    values = evaluate([cast.acme], today=TODAY)
    r = result(values, asa, "2025Q1")
    # Acme's four answered member calls and Bayside's B1 (60 s).
    assert (r.numerator, r.denominator) == (Decimal(120 + 60), 5)
    assert float(known(r.actual)) == 36.0
    assert r.evidence["scope"] == "book of business (every account)"


def test_lines_and_periods(lake: Cast) -> None:
    cast = lake
    sponsor_line = make(cast, "average_speed_of_answer", "30", "<=", line="sponsor")
    all_lines = make(cast, "average_speed_of_answer", "30", "<=", line="*")
    monthly = make(cast, "first_contact_resolution", "80", period="monthly")
    values = evaluate([cast.acme], today=TODAY)
    assert float(known(result(values, sponsor_line, "2025Q1").actual)) == 100.0  # K8
    assert result(values, all_lines, "2025Q1").denominator == 5  # K1-K3, K6, K8
    # March: K6 only (answered 23:59:59 local on the 31st); April: K7.
    march = result(values, monthly, "2025-03")
    assert (march.numerator, march.denominator) == (1, 1)
    april = result(values, monthly, "2025-04")
    assert (april.numerator, april.denominator) == (0, 1)
    # The lake has nothing for 2025-05: no data, no verdict, no penalty.
    may = result(values, monthly, "2025-05")
    assert (may.status, may.met, may.penalty) == ("no_data", None, 0)


def test_the_time_zone_is_the_accounts(lake: Cast) -> None:
    """Moved to Los Angeles, K6 (03:59:59 UTC on Apr 1 = 20:59:59 PDT on Mar 31) and K7
    (04:00 UTC = 21:00 PDT Mar 31) both fall in the first quarter."""
    cast = lake
    cast.acme.timezone = "America/Los_Angeles"
    cast.acme.save()
    asa = make(cast, "average_speed_of_answer", "30", "<=")
    values = evaluate([cast.acme], today=TODAY)
    r = result(values, asa, "2025Q1")
    assert (r.numerator, r.denominator) == (Decimal(20 + 40 + 10 + 50 + 5), 5)
    assert r.evidence["time_zone"] == "America/Los_Angeles"
