"""Chart specs are kept by the numbers they draw: the same numbers give the same spec (built
once), other numbers another, and every spec is valid Vega-Lite."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest

from clientdesk.utilization import charts


def _report(medical: str, pharmacy: str, *, trend: str = "4.00") -> Any:
    months = [
        SimpleNamespace(
            month=dt.date(2026, m, 1),
            member_months=1200,
            medical_paid_pmpm=Decimal(medical),
            pharmacy_paid_pmpm=Decimal(pharmacy),
        )
        for m in (1, 2, 3)
    ]
    categories = [
        SimpleNamespace(
            service_category_2="emergency department",
            pmpm=Decimal("31.50"),
            prior_pmpm=Decimal("29.00"),
        ),
        SimpleNamespace(service_category_2="inpatient", pmpm=Decimal(medical), prior_pmpm=None),
    ]
    return cast(
        Any,
        SimpleNamespace(
            monthly=months,
            period=SimpleNamespace(
                start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), label="Q1 2026"
            ),
            paid_pmpm=SimpleNamespace(
                by_service_category=categories,
                pharmacy=Decimal(pharmacy),
                prior_pharmacy=Decimal("88.00"),
            ),
            trend=SimpleNamespace(
                paid=SimpleNamespace(
                    utilization=Decimal(trend),
                    mix=Decimal("-1.25"),
                    unit_cost=Decimal("2.00"),
                    change=Decimal("4.75"),
                )
            ),
        ),
    )


def _values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for rows in spec["datasets"].values() for row in rows]


@pytest.fixture(autouse=True)
def _forget() -> Any:
    charts.forget_kept_specs()
    yield
    charts.forget_kept_specs()


def test_the_same_numbers_are_drawn_once_and_other_numbers_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    real = charts._monthly_spec

    def counted(*args: Any) -> dict[str, Any]:
        built.append("monthly")
        return real(*args)

    monkeypatch.setattr(charts, "_monthly_spec", counted)
    first = charts.monthly_pmpm_chart(_report("410.00", "95.00"))
    first["datasets"].clear()  # a caller's change stays with the caller
    again = charts.monthly_pmpm_chart(_report("410.00", "95.00"))
    assert built == ["monthly"]
    assert {"month": "2026-02-01", "part": "medical", "pmpm": 410.0} in _values(again)

    other = charts.monthly_pmpm_chart(_report("515.25", "95.00"))  # e.g. a new lake batch
    assert built == ["monthly", "monthly"]
    assert {"month": "2026-02-01", "part": "medical", "pmpm": 515.25} in _values(other)
    assert {"month": "2026-02-01", "part": "medical", "pmpm": 410.0} not in _values(other)

    trend = charts.trend_chart(_report("410.00", "95.00", trend="-3.50"))
    assert trend is not None
    assert {"effect": "utilization", "amount": -3.5} in _values(trend)
    categories = charts.category_chart(_report("120.00", "95.00"))
    assert {"category": "Inpatient", "period": "current", "pmpm": 120.0} in _values(categories)


def test_every_spec_is_valid_vega_lite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "VALIDATE_SPECS", True)  # Altair raises on an invalid spec
    report = _report("410.00", "95.00")
    for spec in (
        charts.monthly_pmpm_chart(report),
        charts.category_chart(report),
        charts.trend_chart(report),
        charts.book_chart(cast(Any, [SimpleNamespace(name="Acme", paid_pmpm=Decimal("512.40"))])),
    ):
        assert spec is not None and spec["$schema"].startswith("https://vega.github.io/schema/")


def test_the_monthly_chart_says_what_it_shades_and_shades_whole_months() -> None:
    """The stewardship PDF shaded Jul to Sep with nothing to say so, and the shade stopped at
    Sep 30's midnight, short of September's bar (which runs to Oct 1)."""
    spec = charts.monthly_pmpm_chart(_report("410.00", "95.00"))
    assert spec["title"]["text"] == "Shaded: Q1 2026, the period reported"
    band = next(row for row in _values(spec) if "start" in row)
    assert (band["start"], band["end"]) == ("2026-01-01", "2026-04-01")
