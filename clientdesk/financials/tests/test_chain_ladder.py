"""The chain ladder on a small triangle computed by hand.

Incremental paid dollars (valuation 2025-04):

    incurred   lag 0  lag 1  lag 2  lag 3    cumulative
    2025-01      100     50     20     10    100 150 170 180
    2025-02      110     60     22            110 170 192
    2025-03      120     55                   120 175
    2025-04      130                          130

Link ratios over all paid months: f0 = (150+170+175)/(100+110+120) = 495/330 = 1.5;
f1 = (170+192)/(150+170) = 362/320 = 1.13125; f2 = 180/170 = 18/17.
To ultimate: lag 3 = 1; lag 2 = 18/17; lag 1 = 1.13125 x 18/17 = 20.3625/17;
lag 0 = 1.5 x 20.3625/17 = 30.54375/17.
Ultimate: 180; 192 x 18/17 = 3456/17; 175 x 20.3625/17 = 3563.4375/17;
130 x 30.54375/17 = 3970.6875/17. Paid 677.
"""

from __future__ import annotations

import math

import pytest

from clientdesk.financials.chain_ladder import (
    YEAR,
    Factors,
    LagTableError,
    blend_with_pmpm,
    chain_ladder,
    ibnr_spread,
    lag_table_from_cells,
    read_lag_rows,
    stated_range,
    with_paid_to_date,
)

ROWS = [
    ("2025-01", "2025-01", "100"),
    ("2025-01", "2025-02", "50"),
    ("2025-01", "2025-03", "20"),
    ("2025-01", "2025-04", "10"),
    ("2025-02", "2025-02", "110"),
    ("2025-02", "2025-03", "60"),
    ("2025-02", "2025-04", "22"),
    ("2025-03", "2025-03", "120"),
    ("2025-03", "2025-04", "55"),
    ("2025-04", "2025-04", "130"),
]
ULTIMATES = [180.0, 3456 / 17, 3563.4375 / 17, 3970.6875 / 17]


def table(rows: list[tuple[str, str, str]] = ROWS):  # type: ignore[no-untyped-def]
    return read_lag_rows(
        {"incurred_period": i, "paid_period": p, "paid_amount": a} for i, p, a in rows
    )


def test_volume_weighted_link_ratios_and_ultimates() -> None:
    estimate = chain_ladder(table())
    assert estimate.factors.link == pytest.approx((1.5, 1.13125, 18 / 17))
    assert [o.ultimate for o in estimate.origins] == pytest.approx(ULTIMATES)
    assert estimate.paid_total == 677
    assert estimate.ibnr_total == pytest.approx(sum(ULTIMATES) - 677)
    assert [o.period for o in estimate.origins] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert estimate.origins[3].completion == pytest.approx(17 / 30.54375)
    data = estimate.as_dict()
    assert data["ibnr_total"] == round(sum(ULTIMATES) - 677, 2)
    assert data["factors"][0] == {
        "lag": 0,
        "link_ratio": 1.5,
        "to_ultimate": round(30.54375 / 17, 6),
        "completion": round(17 / 30.54375, 6),
    }


def test_average_over_the_latest_paid_month_and_a_tail() -> None:
    # Only the latest diagonal: f0 = 175/120, f1 = 192/170, f2 = 180/170; tail 1.05.
    estimate = chain_ladder(table(), average=1, tail=1.05)
    assert estimate.factors.link == pytest.approx((175 / 120, 192 / 170, 180 / 170))
    assert estimate.origins[0].ultimate == pytest.approx(180 * 1.05)
    assert estimate.origins[3].ultimate == pytest.approx(
        130 * 175 / 120 * 192 / 170 * 180 / 170 * 1.05
    )
    assert "over 1 paid periods, tail 1.05" in estimate.method()


def test_years_work_like_months() -> None:
    years = [(i.replace("2025-0", "202"), p.replace("2025-0", "202"), a) for i, p, a in ROWS]
    estimate = chain_ladder(table(years))
    assert [o.period for o in estimate.origins] == ["2021", "2022", "2023", "2024"]
    assert [o.ultimate for o in estimate.origins] == pytest.approx(ULTIMATES)


def test_newest_month_blended_with_the_pmpm_projection() -> None:
    estimate = chain_ladder(table())
    months = {"2025-01": 10.0, "2025-02": 10.0, "2025-03": 10.0, "2025-04": 10.0}
    flat = blend_with_pmpm(estimate, months, immature=1, trend_pct=0)
    pmpm = (180 + 3456 / 17 + 3563.4375 / 17) / 30
    completion = 17 / 30.54375
    assert flat.pmpm == pytest.approx(pmpm)
    newest = flat.origins[3]
    assert newest.method == "pmpm_blend"
    assert newest.ultimate == pytest.approx(130 + (1 - completion) * pmpm * 10)
    assert [o.method for o in flat.origins[:3]] == ["chain_ladder"] * 3
    assert flat.origins[2].ultimate == pytest.approx(ULTIMATES[2])
    assert flat.reference_periods == ("2025-01", "2025-02", "2025-03")
    # By default each reference month's dollars are trended at 8.5 % a year to April: January
    # 3 months on, February 2, March 1.
    blended = blend_with_pmpm(estimate, months, immature=1)
    trended = (
        180 * 1.085 ** (3 / 12) + 3456 / 17 * 1.085 ** (2 / 12) + 3563.4375 / 17 * 1.085 ** (1 / 12)
    ) / 30
    assert trended == pytest.approx(pmpm * 1.0134, abs=0.005)  # some 1.3 % above the flat one
    assert blended.origins[3].expected == pytest.approx(trended * 10)
    assert blended.origins[3].ultimate == pytest.approx(130 + (1 - completion) * trended * 10)
    assert blended.pmpm == pytest.approx(pmpm)  # the reference months' own PMPM, shown
    assert blended.as_dict()["pmpm_trend_pct"] == 8.5
    assert "trended at 8.5 % a year to each period" in blended.method()
    # Yearly periods trend by whole years: 2023 and 2024 at 10 % to 2025.
    years = chain_ladder(
        lag_table_from_cells(YEAR, {(2023, 2023): 100.0, (2024, 2024): 100.0, (2025, 2025): 50.0})
    )
    yearly = blend_with_pmpm(years, {"2023": 1, "2024": 1, "2025": 1}, immature=1, trend_pct=10)
    assert yearly.origins[2].expected == pytest.approx((100 * 1.1**2 + 100 * 1.1) / 2)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("2025-02", "2025-01", "5")], "line 2: paid period 2025-01 is before its incurred"),
        ([("2025-01", "2025-01", "5"), ("2025-01", "2025-01", "6")], "line 3: duplicate row"),
        (
            [("2025-01", "2025-01", "5"), ("2025-03", "2025-03", "6")],
            "gap: no rows for incurred period(s) 2025-02",
        ),
        ([("2025-01", "2025-01", "five")], "line 2: paid_amount 'five' is not a number"),
        ([("2025-01", "2025-01", "")], "line 2: paid_amount '' is not a number"),
        ([("2025-13", "2025-13", "1")], "line 2: '2025-13' is not a month"),
        ([("2025-01", "2025-01", "1"), ("2025", "2025", "1")], "line 3: months and years mixed"),
        ([], "the lag table has no rows"),
    ],
)
def test_bad_tables_are_refused_with_the_line(
    rows: list[tuple[str, str, str]], message: str
) -> None:
    with pytest.raises(LagTableError, match=None) as error:
        table(rows)
    assert message in str(error.value)


def test_average_and_tail_must_make_sense() -> None:
    with pytest.raises(LagTableError, match="at least 1"):
        chain_ladder(table(), average=0)
    with pytest.raises(LagTableError, match="tail"):
        chain_ladder(table(), tail=0.9)


MACK_ROWS = [
    ("2025-01", "2025-01", "100"),
    ("2025-01", "2025-02", "50"),
    ("2025-01", "2025-03", "10"),
    ("2025-02", "2025-02", "200"),
    ("2025-02", "2025-03", "80"),
    ("2025-03", "2025-03", "120"),
]


def test_mack_standard_error_by_hand() -> None:
    """Cumulative: Jan 100 150 160; Feb 200 280; Mar 120.
    f0 = 430/300, f1 = 160/150. sigma2_0 = 100 (1.5 - f0)^2 + 200 (1.4 - f0)^2 = 2/3 (two
    periods, m - 1 = 1); lag 1 has one period: Mack's rule needs two earlier lags, so it takes
    lag 0's 2/3. Volumes S0 = 300, S1 = 150.
    Feb (age 1): U = 280 f1; process U^2 sigma2_1/f1^2 / 280. Mar (age 0): U = 120 f0 f1;
    process U^2 (sigma2_0/f0^2/120 + sigma2_1/f1^2/(120 f0)).
    Parameter: sigma2_0/f0^2/300 x U_mar^2 + sigma2_1/f1^2/150 x (U_feb + U_mar)^2 (the
    square holds Mack's covariance of Feb and Mar through f1)."""
    estimate = chain_ladder(table(MACK_ROWS))
    f0, f1, s2 = 430 / 300, 160 / 150, 2 / 3
    assert estimate.factors.sigma2 == pytest.approx((s2, s2))
    assert estimate.factors.volume == pytest.approx((300, 150))
    u_feb, u_mar = 280 * f1, 120 * f0 * f1
    process = u_feb**2 * s2 / f1**2 / 280 + u_mar**2 * (s2 / f0**2 / 120 + s2 / f1**2 / (120 * f0))
    parameter = s2 / f0**2 / 300 * u_mar**2 + s2 / f1**2 / 150 * (u_feb + u_mar) ** 2
    spread = ibnr_spread(estimate)
    assert spread is not None
    assert process == pytest.approx(186.667 + 205.689, abs=0.01)
    assert spread.process_sd**2 == pytest.approx(process)
    assert spread.parameter_sd**2 == pytest.approx(parameter)
    assert spread.sd == pytest.approx(36.562, abs=0.001)
    assert estimate.ibnr_total == pytest.approx(82.1333, abs=0.0001)
    assert spread.pmpm_sd == 0
    # The range: nothing known on the paid basis, so the IBNR is lognormal with mean 82.1333
    # and sd 36.562: sigma^2 = ln(1 + (36.562/82.1333)^2) = 0.180789, mu = ln 82.1333 -
    # sigma^2/2 = 4.317949; 90 %: exp(mu -/+ 1.644854 sigma) = 37.28, 151.01.
    shown = stated_range(estimate)
    assert shown is not None
    sigma = math.sqrt(math.log(1 + (36.562 / 82.1333) ** 2))
    mu = math.log(82.1333) - sigma**2 / 2
    assert sigma**2 == pytest.approx(0.180789, abs=1e-6)
    assert shown["low"] == pytest.approx(math.exp(mu - 1.644854 * sigma), abs=0.01)
    assert shown["high"] == pytest.approx(math.exp(mu + 1.644854 * sigma), abs=0.01)
    assert (shown["low"], shown["high"]) == pytest.approx((37.28, 151.01), abs=0.01)
    assert shown["known"] == 0 and shown["sd"] == pytest.approx(36.56, abs=0.01)
    assert chain_ladder(table(MACK_ROWS)).as_dict()["range"] == shown


def test_the_range_keeps_the_claims_in_process_as_known() -> None:
    """On the reported basis the claims in process (reported - paid: 30 of Feb's 280, 20 of
    Mar's 120) are known: the lognormal is the rest, 82.1333 - 50 = 32.1333, with the same
    sd; the range is 50 + its quantiles."""
    estimate = with_paid_to_date(
        chain_ladder(table(MACK_ROWS)), {"2025-01": 160, "2025-02": 250, "2025-03": 100}
    )
    assert estimate.ibnr_total == pytest.approx(132.1333, abs=0.0001)
    shown = stated_range(estimate)
    assert shown is not None
    sigma = math.sqrt(math.log(1 + (36.562 / 82.1333) ** 2))
    mu = math.log(82.1333) - sigma**2 / 2
    assert shown["known"] == pytest.approx(50.0)
    assert shown["low"] == pytest.approx(50 + math.exp(mu - 1.644854 * sigma), abs=0.01)
    assert shown["high"] == pytest.approx(50 + math.exp(mu + 1.644854 * sigma), abs=0.01)


def test_typed_in_factors_give_no_spread() -> None:
    estimate = chain_ladder(table(), factors=Factors((1.5, 1.1, 1.0), 1.0, None))
    assert ibnr_spread(estimate) is None


def test_the_blend_adds_the_pmpm_projections_own_uncertainty() -> None:
    """ROWS with member months 10 each, immature 1, reference 3, no trend: April is blended;
    the reference PMPMs are Jan 18, Feb 345.6/17 = 20.3294, Mar 356.34375/17 = 20.9614 (mean
    19.7636, sd 1.5597 with n - 1); cv^2/n = (1.5597/19.7636)^2/3. April's projection part
    (1 - c) x expected = 0.443423 x 197.636 = 87.636, c = 17/30.54375; sd 87.636 x 0.045563."""
    months = dict.fromkeys(("2025-01", "2025-02", "2025-03", "2025-04"), 10.0)
    estimate = blend_with_pmpm(
        chain_ladder(table()), months, immature=1, reference=3, trend_pct=0.0
    )
    april = estimate.origins[3]
    assert april.method == "pmpm_blend"
    pmpms = [18.0, 345.6 / 17, 356.34375 / 17]
    mean = sum(pmpms) / 3
    var = sum((p - mean) ** 2 for p in pmpms) / 2
    part = (1 - 17 / 30.54375) * mean * 10
    spread = ibnr_spread(estimate)
    assert spread is not None
    assert spread.pmpm_sd == pytest.approx(math.sqrt(var / mean**2 / 3) * part)
    assert spread.pmpm_sd == pytest.approx(3.993, abs=0.001)
