"""Chart specs (Vega-Lite, built with Altair) for the utilization pages.

Building a spec with Altair (a pandas frame, the chart objects, `to_dict`) cost 45 of the 75
CPU ms of an account's utilization page, on every view. A spec is a function of the numbers it
draws and nothing else, so each one is kept by those numbers (`_kept`): the same numbers give
the same spec, whoever asks, and new numbers (a new lake batch, another period or account) are
a new key. Nothing needs invalidating, and no reader can receive a spec of numbers they were
not given: the key is those numbers.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import altair as alt
import pandas as pd

from clientdesk.utilization.marts.service_categories import category_title
from clientdesk.utilization.report import AccountOverview, UtilizationReport

# Altair checks every spec against the Vega-Lite JSON Schema as it writes it: two thirds of a
# chart's cost, on every page view, for specs whose shape is this module's code. The tests
# turn the check on (test_charts_are_valid_vega_lite); pages and reports write unchecked.
VALIDATE_SPECS = False


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=VALIDATE_SPECS)
    return spec


_KEPT_SPECS = 512
_kept_lock = threading.Lock()
_kept_specs: OrderedDict[tuple[Hashable, ...], dict[str, Any]] = OrderedDict()


def _kept(key: tuple[Hashable, ...], build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The spec built from exactly these numbers (`key`, which holds all `build` reads),
    built once per process; a copy, so a caller's change never reaches the next one."""
    with _kept_lock:
        spec = _kept_specs.get(key)
        if spec is not None:
            _kept_specs.move_to_end(key)
    if spec is None:
        spec = build()
        with _kept_lock:
            _kept_specs[key] = spec
            while len(_kept_specs) > _KEPT_SPECS:
                _kept_specs.popitem(last=False)
    return copy.deepcopy(spec)


def forget_kept_specs() -> None:
    with _kept_lock:
        _kept_specs.clear()


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
    period = report.period
    # The band ends where the period's last bar does, at the start of the day after it.
    start, end = period.start.isoformat(), (period.end + dt.timedelta(days=1)).isoformat()
    shaded = f"Shaded: {period.label}, the period reported"
    key = ("monthly", tuple(tuple(r.values()) for r in rows), start, end, shaded)
    return _kept(key, lambda: _monthly_spec(rows, start, end, shaded))


def _monthly_spec(rows: list[dict[str, Any]], start: str, end: str, shaded: str) -> dict[str, Any]:
    frame = pd.DataFrame(rows, columns=["month", "part", "pmpm"])
    band = (
        alt.Chart(pd.DataFrame([{"start": start, "end": end}]))
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
    chart = (band + bars).properties(
        width="container",
        height=220,
        # (Vega draws no subtitle under an empty title: the note is the title, set small.)
        title=alt.TitleParams(
            shaded, anchor="start", fontSize=11, fontWeight="normal", color="#5b6b7b"
        ),
    )
    return _spec(chart)


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
    shown = [r for r in rows if r["category"] in order]
    key = ("categories", tuple(tuple(r.values()) for r in shown), tuple(order))
    return _kept(key, lambda: _category_spec(shown, order))


def _category_spec(shown: list[dict[str, Any]], order: list[str]) -> dict[str, Any]:
    frame = pd.DataFrame(shown, columns=["category", "period", "pmpm"])
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
    amounts = (float(t.utilization), float(t.mix), float(t.unit_cost), float(t.change or 0))
    return _kept(("trend", amounts), lambda: _trend_spec(amounts))


def _trend_spec(amounts: tuple[float, float, float, float]) -> dict[str, Any]:
    effects = ("utilization", "mix", "unit cost", "total change")
    frame = pd.DataFrame(
        [{"effect": e, "amount": a} for e, a in zip(effects, amounts, strict=True)]
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
    pairs = tuple((r.name, float(r.paid_pmpm)) for r in rows if r.paid_pmpm is not None)
    return _kept(("book", pairs), lambda: _book_spec(pairs))


def _book_spec(pairs: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    frame = pd.DataFrame(
        [{"account": name, "pmpm": pmpm} for name, pmpm in pairs], columns=["account", "pmpm"]
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
