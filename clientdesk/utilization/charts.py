"""Chart specs (Vega-Lite, built with Altair) for the utilization pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from clientdesk.utilization.marts.service_categories import category_title
from clientdesk.utilization.report import AccountOverview, UtilizationReport


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def monthly_pmpm_chart(report: UtilizationReport) -> dict[str, Any]:
    """Paid PMPM by month, medical and pharmacy, the current period shaded.

    Months are calendar dates, not instants: the data holds ISO dates ("2026-04-01", which
    Vega reads as UTC midnight) and the axis reads them in UTC (`utcyearmonth`, a `utc`
    scale), so a renderer in a time zone west of UTC (the static PNG of the deck and PDF)
    cannot put April's bar in the March slot."""
    rows = []
    for m in report.monthly:
        if not m.member_months:
            continue
        month = m.month.isoformat()
        rows.append({"month": month, "part": "medical", "pmpm": float(m.medical_paid_pmpm or 0)})
        rows.append({"month": month, "part": "pharmacy", "pmpm": float(m.pharmacy_paid_pmpm or 0)})
    frame = pd.DataFrame(rows, columns=["month", "part", "pmpm"])
    period = report.period
    band = (
        alt.Chart(
            pd.DataFrame([{"start": period.start.isoformat(), "end": period.end.isoformat()}])
        )
        .mark_rect(opacity=0.08, color="#1f5f8b")
        .encode(x=alt.X("start:T", scale=alt.Scale(type="utc")), x2="end:T")
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("utcyearmonth(month):T", title=None, scale=alt.Scale(type="utc")),
            y=alt.Y("sum(pmpm):Q", title="Paid PMPM ($)"),
            color=alt.Color("part:N", title=None, scale=alt.Scale(range=["#1f5f8b", "#9ab7d3"])),
            tooltip=[
                alt.Tooltip("utcyearmonth(month):T", title="month"),
                "part:N",
                alt.Tooltip("pmpm:Q", format="$,.2f"),
            ],
        )
    )
    return _spec((band + bars).properties(width="container", height=220))


def category_chart(report: UtilizationReport) -> dict[str, Any]:
    """Paid PMPM by service category (level 2), current against prior period."""
    rows = []
    totals: dict[str, float] = {}
    for c in report.paid_pmpm.by_service_category:
        name = category_title(c.service_category_2)
        totals[name] = totals.get(name, 0.0) + float(c.pmpm)
        rows.append({"category": name, "period": "current", "pmpm": float(c.pmpm)})
        if c.prior_pmpm is not None:
            rows.append({"category": name, "period": "prior", "pmpm": float(c.prior_pmpm)})
    rows.append(
        {
            "category": "Pharmacy",
            "period": "current",
            "pmpm": float(report.paid_pmpm.pharmacy),
        }
    )
    if report.paid_pmpm.prior_pharmacy is not None:
        rows.append(
            {
                "category": "pharmacy",
                "period": "prior",
                "pmpm": float(report.paid_pmpm.prior_pharmacy),
            }
        )
    totals["pharmacy"] = float(report.paid_pmpm.pharmacy)
    order = sorted(totals, key=lambda k: totals[k], reverse=True)[:14]
    frame = pd.DataFrame(
        [r for r in rows if r["category"] in order], columns=["category", "period", "pmpm"]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=order, title=None),
            x=alt.X("sum(pmpm):Q", title="Paid PMPM ($)"),
            yOffset=alt.YOffset("period:N", sort=["current", "prior"]),
            color=alt.Color(
                "period:N",
                title=None,
                sort=["current", "prior"],
                scale=alt.Scale(range=["#1f5f8b", "#c8d3df"]),
            ),
            tooltip=["category:N", "period:N", alt.Tooltip("sum(pmpm):Q", format="$,.2f")],
        )
    )
    return _spec(chart.properties(width="container", height=alt.Step(9)))


def trend_chart(report: UtilizationReport) -> dict[str, Any] | None:
    """The paid PMPM change split into utilization, mix and unit cost."""
    t = report.trend.paid
    if t is None:
        return None
    frame = pd.DataFrame(
        [
            {"effect": "utilization", "amount": float(t.utilization)},
            {"effect": "mix", "amount": float(t.mix)},
            {"effect": "unit cost", "amount": float(t.unit_cost)},
            {"effect": "total change", "amount": float(t.change or 0)},
        ]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("effect:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("amount:Q", title="PMPM change ($)"),
            color=alt.condition(alt.datum.amount > 0, alt.value("#b42318"), alt.value("#1e7b4f")),
            tooltip=["effect:N", alt.Tooltip("amount:Q", format="$,.2f")],
        )
    )
    return _spec(chart.properties(width="container", height=200))


def book_chart(rows: Sequence[AccountOverview]) -> dict[str, Any]:
    """Paid PMPM of every account against the book average."""
    frame = pd.DataFrame(
        [{"account": r.name, "pmpm": float(r.paid_pmpm)} for r in rows if r.paid_pmpm is not None],
        columns=["account", "pmpm"],
    )
    chart = (
        alt.Chart(frame)
        .mark_bar(color="#1f5f8b")
        .encode(
            y=alt.Y("account:N", sort="-x", title=None),
            x=alt.X("pmpm:Q", title="Paid PMPM ($)"),
            tooltip=["account:N", alt.Tooltip("pmpm:Q", format="$,.2f")],
        )
    )
    return _spec(chart.properties(width="container", height=alt.Step(16)))
