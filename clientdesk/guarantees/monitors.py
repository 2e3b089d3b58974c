"""IVR and auto-adjudication monitors: daily or weekly rates against targets and p-chart limits.

* IVR (`ivr_session`, account-local days): containment (contained / sessions), opt-out
  (opted_out / sessions) and abandonment in the IVR (abandoned / sessions).
* Auto-adjudication (`claim_processing`, by finalized_date, original claims): the rate overall
  and by claim type, and the pended claims by pend reason.
* p-chart (3 sigma): centre line p-bar = the window's successes / trials; each point's limits
  p-bar ± 3 sqrt(p-bar (1 - p-bar) / n_i), clipped to 0-100 %. A point outside its limits on
  the bad side (containment or auto-adjudication below, opt-out or abandonment above) is a
  signal; a point outside on the good side is marked too.

For one account or for the book (every account the reader may see).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from clientdesk.guarantees.components import IVR_COLUMNS, ComponentSpec
from clientdesk.guarantees.evaluation import feed_daily
from clientdesk.guarantees.metrics import Feed
from clientdesk.lake.gateway import Lake
from clientdesk.lake.marts import operations as marts
from clientdesk.lib.periods import epoch_day, from_epoch_day

WINDOW_DAYS = 91
SIGMAS = 3.0


@dataclass(frozen=True)
class ChartPoint:
    label: str
    start: dt.date
    successes: float
    trials: float
    rate: float | None  # percent
    lcl: float | None
    ucl: float | None
    signal: str  # "bad", "good" or ""


@dataclass(frozen=True)
class Chart:
    title: str
    bad: str  # "low" or "high": which side of the limits is a problem
    points: list[ChartPoint]
    center: float | None
    target: float | None = None
    signals: int = 0


@dataclass
class Monitor:
    grain: str
    first: dt.date
    last: dt.date
    charts: list[Chart] = field(default_factory=list)
    table: list[dict[str, object]] = field(default_factory=list)
    pend_reasons: list[dict[str, object]] = field(default_factory=list)
    # Original claims with no auto-adjudication flag (an 835 cannot say): not in any rate.
    unflagged: int = 0


def p_chart(
    title: str,
    labels: Sequence[str],
    starts: Sequence[dt.date],
    successes: Sequence[float],
    trials: Sequence[float],
    *,
    bad: str,
    target: float | None = None,
) -> Chart:
    """A p-chart with 3-sigma limits per point (see the module docstring)."""
    total_x, total_n = float(sum(successes)), float(sum(trials))
    center = total_x / total_n if total_n > 0 else None
    points: list[ChartPoint] = []
    signals = 0
    for label, start, x, n in zip(labels, starts, successes, trials, strict=True):
        if n <= 0 or center is None:
            points.append(ChartPoint(label, start, x, n, None, None, None, ""))
            continue
        rate = x / n
        sigma = math.sqrt(center * (1 - center) / n)
        lcl, ucl = max(0.0, center - SIGMAS * sigma), min(1.0, center + SIGMAS * sigma)
        signal = ""
        if rate < lcl:
            signal = "bad" if bad == "low" else "good"
        elif rate > ucl:
            signal = "bad" if bad == "high" else "good"
        signals += signal == "bad"
        points.append(ChartPoint(label, start, x, n, 100 * rate, 100 * lcl, 100 * ucl, signal))
    return Chart(title, bad, points, None if center is None else 100 * center, target, signals)


def window_start(last: dt.date, grain: str) -> dt.date:
    """The first day of the window ending `last`: whole weeks (from a Monday) when weekly."""
    first = last - dt.timedelta(days=WINDOW_DAYS - 1)
    if grain == "weekly":
        first += dt.timedelta(days=(7 - first.weekday()) % 7)
    return first


def _buckets(first: dt.date, last: dt.date, grain: str) -> list[tuple[str, dt.date, int, int]]:
    """(label, start, first day, last day) of each day or week (Monday to Sunday)."""
    out = []
    if grain == "daily":
        day = first
        while day <= last:
            out.append((day.strftime("%b %-d"), day, epoch_day(day), epoch_day(day)))
            day += dt.timedelta(days=1)
        return out
    monday = first - dt.timedelta(days=first.weekday())
    while monday <= last:
        sunday = monday + dt.timedelta(days=6)
        out.append((f"{monday:%b %-d}", monday, epoch_day(monday), epoch_day(sunday)))
        monday += dt.timedelta(days=7)
    return out


def _sum_by_bucket(
    frame: pd.DataFrame, buckets: list[tuple[str, dt.date, int, int]], columns: Sequence[str]
) -> list[dict[str, float]]:
    sums = []
    for _, _, lo, hi in buckets:
        rows = frame[(frame["day"] >= lo) & (frame["day"] <= hi)] if not frame.empty else frame
        sums.append({c: float(rows[c].sum()) if not rows.empty else 0.0 for c in columns})
    return sums


def ivr_monitor(
    lake: Lake,
    zones: dict[int, str],
    *,
    account_id: int | None,
    last: dt.date,
    grain: str = "weekly",
    target: float | None = None,
) -> Monitor:
    """IVR containment, opt-out and abandonment for an account (or the readable book)."""
    first = window_start(last, grain)
    expr = feed_daily(lake, Feed.IVR, ComponentSpec(), first, last, zones, book=False, today=last)
    frame = lake.execute(expr)
    if account_id is not None:
        frame = frame[frame["account_id"] == account_id]
    frame = frame.groupby("day", as_index=False)[IVR_COLUMNS].sum() if not frame.empty else frame
    buckets = _buckets(first, last, grain)
    sums = _sum_by_bucket(frame, buckets, IVR_COLUMNS)
    labels = [b[0] for b in buckets]
    starts = [b[1] for b in buckets]
    sessions = [s["sessions"] for s in sums]
    monitor = Monitor(grain, first, last)
    monitor.charts = [
        p_chart(
            "IVR containment",
            labels,
            starts,
            [s["contained"] for s in sums],
            sessions,
            bad="low",
            target=target,
        ),
        p_chart(
            "IVR opt-out (zero-out)",
            labels,
            starts,
            [s["opted_out"] for s in sums],
            sessions,
            bad="high",
        ),
        p_chart(
            "Abandonment in the IVR",
            labels,
            starts,
            [s["ivr_abandoned"] for s in sums],
            sessions,
            bad="high",
        ),
    ]
    monitor.table = [
        {
            "label": label,
            "sessions": int(s["sessions"]),
            "containment": _pct(s["contained"], s["sessions"]),
            "opt_out": _pct(s["opted_out"], s["sessions"]),
            "abandonment": _pct(s["ivr_abandoned"], s["sessions"]),
        }
        for label, s in zip(labels, sums, strict=True)
    ]
    return monitor


def _pct(x: float, n: float) -> float | None:
    return 100 * x / n if n > 0 else None


def auto_adjudication_monitor(
    lake: Lake,
    *,
    account_id: int | None,
    last: dt.date,
    grain: str = "weekly",
    target: float | None = None,
) -> Monitor:
    """Auto-adjudication overall (p-chart) and by claim type, and pended claims by reason."""
    first = window_start(last, grain)
    processing = lake.claim_processing
    daily = lake.execute(
        marts.auto_adjudication_daily(processing, epoch_day(first), epoch_day(last))
    )
    pended = lake.execute(marts.pended_claims_weekly(processing, epoch_day(first), epoch_day(last)))
    if account_id is not None:
        daily = daily[daily["account_id"] == account_id]
        pended = pended[pended["account_id"] == account_id]
    buckets = _buckets(first, last, grain)
    overall = daily.groupby("day", as_index=False)[["originals", "auto"]].sum()
    sums = _sum_by_bucket(overall, buckets, ["originals", "auto"])
    monitor = Monitor(grain, first, last)
    monitor.charts = [
        p_chart(
            "Auto-adjudication rate",
            [b[0] for b in buckets],
            [b[1] for b in buckets],
            [s["auto"] for s in sums],
            [s["originals"] for s in sums],
            bad="low",
            target=target,
        ),
    ]
    latest_lo = buckets[-1][2] if buckets else epoch_day(last)
    table = []
    for claim_type, rows in daily.groupby("claim_type"):
        recent = rows[rows["day"] >= latest_lo]
        table.append(
            {
                "claim_type": claim_type or "unknown",
                "originals": int(rows["originals"].sum()),
                "rate": _pct(rows["auto"].sum(), rows["originals"].sum()),
                "latest": _pct(recent["auto"].sum(), recent["originals"].sum()),
            }
        )
    monitor.table = sorted(table, key=lambda r: -int(str(r["originals"])))
    monitor.unflagged = int(daily["unflagged"].sum()) if not daily.empty else 0
    total_pended = float(pended["pended"].sum()) if not pended.empty else 0.0
    latest_week = epoch_day(last - dt.timedelta(days=last.weekday()))
    reasons = []
    for reason, rows in pended.groupby("pend_reason"):
        count = float(rows["pended"].sum())
        weeks = max(1, len(_buckets(first, last, "weekly")))
        reasons.append(
            {
                "pend_reason": reason,
                "pended": int(count),
                "share": _pct(count, total_pended),
                "per_week": count / weeks,
                "latest_week": int(rows[rows["week"] == latest_week]["pended"].sum()),
            }
        )
    monitor.pend_reasons = sorted(reasons, key=lambda r: -float(str(r["pended"])))
    return monitor


def last_data_day(lake: Lake, feed: Feed) -> dt.date | None:
    """The last UTC date with records in the feed (for the monitors' default window)."""
    if feed == Feed.IVR:
        value = lake.execute(lake.ivr_session.started_at.epoch_seconds().max())
        return None if value is None or pd.isna(value) else from_epoch_day(int(value) // 86400)
    value = lake.execute(lake.claim_processing.finalized_date.epoch_days().max())
    return None if value is None or pd.isna(value) else from_epoch_day(int(value))
