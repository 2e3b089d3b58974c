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

import pytest

from clientdesk.financials.chain_ladder import (
    YEAR,
    LagTableError,
    blend_with_pmpm,
    chain_ladder,
    lag_table_from_cells,
    read_lag_rows,
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
