"""Scoring detection against known truth (service-guarantees-detection.md §2.6).

Truth is the synthetic book's `ground_truth.json` incidents (account, start, end, series feed
and dimension, baseline per day, multiplier), optionally plus semi-synthetic steps injected
into the loaded book's own dense series (`inject_steps`), since most of a book's incidents sit
on sparse series: x2/x3 steps on account count series of >= 5 a day, and where a small book
has too few of those, book-wide steps (every account's series of a dense book-level count
series rises; their incident account is the book: found by a book-level issue, and
account-level alerts on that series in its window are not false alarms). Steps keep clear of
the truth's incidents on the same series and of each other.

Definitions (event level):
* an incident is *detected* by an issue of its account whose series match its feed and
  dimension and whose first alert falls between 3 days before its start and its end;
  delay = first alert - start (at least 0); POD7 / POD14 = share detected with delay <= 7 / 14;
* *precision* = issues that overlap an incident of their account (first alert between 7 days
  before its start and 21 days after its end, any series: incidents ripple into related
  series) / all issues; a book-level issue counts when an incident's account is among its
  top three contributors;
* *false alarms per 1,000 series-days* = alerting series-days outside every incident window of
  the series' account (book level: of any account) per 1,000 scored series-days outside them;
* *top contributor accuracy*: for each detected incident, the top contributor of the issue
  that found it must name the injected dimension (and the localized provider and procedure
  when the truth gives them), and a book-level issue on the same cause at the same time must
  rank the incident's account first (ahead of it only accounts with their own incident on
  that series at that time).
Results are broken down by volume band of the incident's baseline (sparse < 0.5 / day, low
0.5-5, high >= 5) and for the target group "doubling or more of a series of >= 5 / day".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from clientdesk.insights.detection import BAND_EDGES, BAND_NAMES
from clientdesk.insights.episodes import DetectedIssue
from clientdesk.insights.families import BY_NAME
from clientdesk.insights.pipeline import DetectionResult
from clientdesk.insights.series import SeriesKey, SeriesPanel
from clientdesk.lake.marts.operations import BOOK

EARLY_TOLERANCE = 3
OVERLAP_BEFORE = 7
OVERLAP_AFTER = 21
CLEAR_BEFORE = 14
CLEAR_AFTER = 28
"""An injected step keeps this far from the book's own incidents on the same series (days
before their start, after their end): a step laid over a real incident is not a new one."""
PLACEMENT_TRIES = 20


@dataclass
class TruthIncident:
    id: str
    account_id: int
    kind: str
    start: dt.date
    end: dt.date
    feed: str
    dimension: dict[str, object]
    baseline_per_day: float
    multiplier: float
    localized: dict[str, object]

    @property
    def band(self) -> str:
        return BAND_NAMES[int(np.digitize(self.baseline_per_day, BAND_EDGES))]

    def matches(self, key: SeriesKey) -> bool:
        fam = BY_NAME[key.family]
        if key.account_id != self.account_id or fam.feed != self.feed:
            return False
        truth = fam.truth_dimension(key.dims_dict)
        return all(str(truth.get(c)) == str(v) for c, v in self.dimension.items())


def incidents_from_truth(truth: dict[str, Any], account_ids: dict[str, int]) -> list[TruthIncident]:
    """The ground truth's incidents on accounts that are loaded."""
    out = []
    for inc in truth.get("incidents", []):
        if inc["account"] not in account_ids:
            continue
        observed = inc.get("observed_baseline_per_day")
        baseline = float(observed if observed is not None else inc.get("baseline_per_day", 0))
        multiplier = inc.get("observed_multiplier") or inc.get("multiplier") or 0.0
        localized = dict(inc.get("localized") or {})
        params = inc.get("parameters") or {}
        if inc["kind"] == "prior_auth_config_denials":
            localized.setdefault("billing_npi", params.get("billing_npi"))
            localized.setdefault("hcpcs_code", params.get("hcpcs_code"))
        out.append(
            TruthIncident(
                id=inc["id"],
                account_id=account_ids[inc["account"]],
                kind=inc["kind"],
                start=dt.date.fromisoformat(inc["start"]),
                end=dt.date.fromisoformat(inc["end"]),
                feed=inc["series"]["feed"],
                dimension=dict(inc["series"]["dimension"]),
                baseline_per_day=baseline,
                multiplier=float(multiplier),
                localized={
                    k: v for k, v in localized.items() if k in ("billing_npi", "hcpcs_code")
                },
            )
        )
    return out


def inject_steps(
    series: SeriesPanel,
    count: int,
    *,
    seed: int = 7,
    min_per_day: float = 5.0,
    multipliers: tuple[float, ...] = (2.0, 3.0),
    first_day: int = 120,
    avoid: list[TruthIncident] | None = None,
) -> tuple[SeriesPanel, list[TruthIncident]]:
    """A copy of the panel with `count` sustained steps (x2, x3; 10-28 days) added to random
    account-level count series of at least `min_per_day` a day, one per account, on real
    baselines clear of the `avoid` incidents on the same series; extra events are
    Poisson(rate x (multiplier - 1)) on the series' own mean of the 28 days before the step,
    shaped by its day of week."""
    rng = np.random.default_rng(seed)
    panel = series.panel
    busy = _busy_days(series, avoid or [])
    counts = panel.counts.copy()
    days = panel.n_days
    eligible = []
    for i, key in enumerate(series.keys):
        if key.account_id == BOOK or BY_NAME[key.family].is_rate or key.family == "inquiry_themes":
            continue
        if counts[i, first_day:].mean() >= min_per_day:
            eligible.append(i)
    rng.shuffle(eligible)
    used_accounts: set[int] = set()
    incidents: list[TruthIncident] = []
    for row in eligible:
        key = series.keys[row]
        if len(incidents) >= count or key.account_id in used_accounts:
            continue
        placed = _place(rng, busy[row], first_day, days)
        if placed is None:
            continue
        start, length = placed
        busy[row, max(start - CLEAR_BEFORE, 0) : start + length + CLEAR_AFTER] = True
        before = counts[row, start - 28 : start]
        dow = (panel.first_day.weekday() + np.arange(days)) % 7
        shape = np.array([before[dow[start - 28 : start] == d].mean() for d in range(7)])
        mult = float(multipliers[len(incidents) % len(multipliers)])
        lam = shape[dow[start : start + length]] * (mult - 1.0)
        counts[row, start : start + length] += rng.poisson(np.maximum(lam, 0.0))
        used_accounts.add(key.account_id)
        fam = BY_NAME[key.family]
        incidents.append(
            TruthIncident(
                id=f"INJ-{len(incidents) + 1:03d}",
                account_id=key.account_id,
                kind=f"injected_step_x{mult:g}",
                start=panel.day(start),
                end=panel.day(start + length - 1),
                feed=fam.feed,
                dimension=fam.truth_dimension(key.dims_dict),
                baseline_per_day=float(before.mean()),
                multiplier=mult,
                localized={},
            )
        )
    if len(incidents) < count:
        incidents += _book_wide_steps(
            series, counts, count - len(incidents), rng, min_per_day, multipliers, first_day, busy
        )
    injected = SeriesPanel(
        panel=type(panel)(
            panel.first_day,
            counts,
            panel.exposure,
            panel.group,
            panel.pool,
            panel.family,
            panel.family_names,
        ),
        keys=series.keys,
        accounts=series.accounts,
        members=series.members,
        themes=series.themes,
    )
    return injected, incidents


def _busy_days(series: SeriesPanel, incidents: list[TruthIncident]) -> np.ndarray:
    """Per series-day, whether an incident of the truth on that series (book rows: on any
    account's) is near: from CLEAR_BEFORE days before its start to CLEAR_AFTER after its end."""
    panel = series.panel
    busy = np.zeros(panel.counts.shape, dtype=bool)
    for inc in incidents:
        lo = max(panel.index(inc.start) - CLEAR_BEFORE, 0)
        hi = max(panel.index(inc.end) + CLEAR_AFTER + 1, 0)
        for i, key in enumerate(series.keys):
            account = inc.account_id if key.account_id == BOOK else key.account_id
            if inc.matches(SeriesKey(key.family, account, key.dims)) and (
                key.account_id in (BOOK, inc.account_id)
            ):
                busy[i, lo:hi] = True
    return busy


def _place(
    rng: np.random.Generator, busy: np.ndarray, first_day: int, days: int
) -> tuple[int, int] | None:
    """A random (start, length) of 10-28 days from `first_day` that touches no busy day."""
    for _ in range(PLACEMENT_TRIES):
        length = int(rng.integers(10, 29))
        start = int(rng.integers(first_day, days - length - 1))
        if not busy[start : start + length].any():
            return start, length
    return None


def _book_wide_steps(
    series: SeriesPanel,
    counts: np.ndarray,
    count: int,
    rng: np.random.Generator,
    min_per_day: float,
    multipliers: tuple[float, ...],
    first_day: int,
    busy: np.ndarray,
) -> list[TruthIncident]:
    """Where too few account series are dense enough (a small book), book-wide steps: every
    account's series of a dense book-level count series rises by the multiplier (extra events
    Poisson on each account's own weekday means of the 28 days before), and the book row, their
    sum, with them. One step per book series, on `counts` in place; the incidents' account is
    BOOK."""
    panel = series.panel
    days = panel.n_days
    dow = (panel.first_day.weekday() + np.arange(days)) % 7
    eligible = [
        i
        for i, key in enumerate(series.keys)
        if key.account_id == BOOK
        and not BY_NAME[key.family].is_rate
        and key.family != "inquiry_themes"
        and counts[i, first_day:].mean() >= min_per_day
    ]
    rng.shuffle(eligible)
    out: list[TruthIncident] = []
    for book_row in eligible[:count]:
        key = series.keys[book_row]
        children = [
            i
            for i, k in enumerate(series.keys)
            if k.account_id != BOOK and k.family == key.family and k.dims == key.dims
        ]
        placed = _place(rng, np.asarray(busy[[book_row, *children]].any(axis=0)), first_day, days)
        if placed is None:
            continue
        start, length = placed
        busy[[book_row, *children], max(start - CLEAR_BEFORE, 0) : start + length + CLEAR_AFTER] = (
            True
        )
        mult = float(multipliers[len(out) % len(multipliers)])
        before_total = counts[book_row, start - 28 : start].mean()
        window = dow[start - 28 : start]
        for row in children:
            before = counts[row, start - 28 : start]
            shape = np.array([before[window == d].mean() for d in range(7)])
            lam = np.maximum(shape[dow[start : start + length]] * (mult - 1.0), 0.0)
            counts[row, start : start + length] += rng.poisson(lam)
        counts[book_row] = counts[children].sum(axis=0)
        fam = BY_NAME[key.family]
        out.append(
            TruthIncident(
                id=f"INJ-B{len(out) + 1:02d}",
                account_id=BOOK,
                kind=f"injected_book_step_x{mult:g}",
                start=panel.day(start),
                end=panel.day(start + length - 1),
                feed=fam.feed,
                dimension=fam.truth_dimension(key.dims_dict),
                baseline_per_day=float(before_total),
                multiplier=mult,
                localized={},
            )
        )
    return out


def _issue_matches(issue: DetectedIssue, inc: TruthIncident, sp: SeriesPanel) -> bool:
    return issue.account_id == inc.account_id and any(inc.matches(sp.keys[r]) for r in issue.rows)


def _names_dimension(issue: DetectedIssue, inc: TruthIncident, sp: SeriesPanel) -> bool:
    if not issue.contributors:
        return False
    top = issue.contributors[0]
    key = sp.keys[top.row]
    probe = SeriesKey(key.family, inc.account_id, key.dims)
    if not inc.matches(probe):
        return False
    return all(str(top.dims.get(k)) == str(v) for k, v in inc.localized.items() if v)


def book_ranks_first(
    issue: DetectedIssue, inc: TruthIncident, incidents: list[TruthIncident]
) -> bool:
    """Whether a book-level issue ranks the incident's account first among the accounts
    without an incident of their own on the same series at the same time (two accounts
    surging together cannot both be first; either ahead of the other is right)."""
    concurrent = {
        other.account_id
        for other in incidents
        if other is not inc
        and other.feed == inc.feed
        and other.dimension == inc.dimension
        and other.start <= inc.end
        and inc.start <= other.end
    }
    for contributor in issue.contributors:
        if contributor.account_id == inc.account_id:
            return True
        if contributor.account_id not in concurrent:
            return False
    return False


def evaluate(result: DetectionResult, incidents: list[TruthIncident]) -> dict[str, Any]:
    """Score a detection run against incidents (see the module docstring)."""
    sp = result.series
    panel = sp.panel
    issues = result.issues
    first, last = result.first_scored, result.last_scored
    rows: list[dict[str, Any]] = []
    for inc in incidents:
        s, e = panel.index(inc.start), panel.index(inc.end)
        if s < first or s > last:
            continue
        hits = [
            i
            for i in issues
            if _issue_matches(i, inc, sp) and s - EARLY_TOLERANCE <= i.first_alert <= e
        ]
        delay = min((max(0, i.first_alert - s) for i in hits), default=None)
        detecting = min(hits, key=lambda i: i.first_alert, default=None)
        top_ok: bool | None = None
        if detecting is not None:
            top_ok = _names_dimension(detecting, inc, sp)
            book = [
                i
                for i in issues
                if i.account_id == BOOK
                and i.cause_family == detecting.cause_family
                and i.cause == detecting.cause
                and i.contributors
                and s - EARLY_TOLERANCE <= i.first_alert <= e
            ]
            if book and inc.account_id != BOOK:
                top_ok = top_ok and book_ranks_first(book[0], inc, incidents)
        rows.append(
            {
                "id": inc.id,
                "kind": inc.kind,
                "band": inc.band,
                "baseline_per_day": round(inc.baseline_per_day, 3),
                "multiplier": round(inc.multiplier, 2),
                "detected": delay is not None,
                "delay_days": delay,
                "top_contributor_ok": top_ok,
            }
        )

    def summary(subset: list[dict[str, Any]]) -> dict[str, Any]:
        delays = [r["delay_days"] for r in subset if r["detected"]]
        tops = [r["top_contributor_ok"] for r in subset if r["top_contributor_ok"] is not None]
        n = len(subset)
        return {
            "incidents": n,
            "pod7": round(sum(d <= 7 for d in delays) / n, 3) if n else None,
            "pod14": round(sum(d <= 14 for d in delays) / n, 3) if n else None,
            "median_delay_days": float(np.median(delays)) if delays else None,
            "top_contributor_accuracy": round(sum(tops) / len(tops), 3) if tops else None,
        }

    # precision and false alarms
    windows: dict[int, list[tuple[int, int]]] = {}
    for inc in incidents:
        windows.setdefault(inc.account_id, []).append(
            (panel.index(inc.start) - OVERLAP_BEFORE, panel.index(inc.end) + OVERLAP_AFTER)
        )
    all_windows = [w for ws in windows.values() for w in ws]

    def covered(account_id: int, day: int) -> bool:
        spans = all_windows if account_id == BOOK else windows.get(account_id, [])
        return any(a <= day <= b for a, b in spans)

    true_issues = 0
    for issue in issues:
        if issue.account_id == BOOK:
            top = {c.account_id for c in issue.contributors[:3]}
            ok = any(
                (inc.account_id in top and covered(inc.account_id, issue.first_alert))
                or (
                    inc.account_id == BOOK
                    and _issue_matches(issue, inc, sp)
                    and panel.index(inc.start) - OVERLAP_BEFORE
                    <= issue.first_alert
                    <= panel.index(inc.end) + OVERLAP_AFTER
                )
                for inc in incidents
            )
        else:
            ok = covered(issue.account_id, issue.first_alert) or any(
                inc.account_id == BOOK
                and panel.index(inc.start) - OVERLAP_BEFORE
                <= issue.first_alert
                <= panel.index(inc.end) + OVERLAP_AFTER
                and any(
                    inc.matches(SeriesKey(sp.keys[r].family, BOOK, sp.keys[r].dims))
                    for r in issue.rows
                )
                for inc in incidents
            )
        true_issues += ok
    alert = result.scores.alert[:, first : last + 1]
    scored = result.baseline.scored[:, first : last + 1]
    outside = np.ones_like(scored)
    accounts = np.array([k.account_id for k in sp.keys])
    for account_id, spans in windows.items():
        for a, b in spans:
            lo, hi = max(a - first, 0), max(min(b - first + 1, outside.shape[1]), 0)
            outside[accounts == account_id, lo:hi] = False
            outside[accounts == BOOK, lo:hi] = False
    for inc in incidents:
        if inc.account_id != BOOK:
            continue
        a = panel.index(inc.start) - OVERLAP_BEFORE
        b = panel.index(inc.end) + OVERLAP_AFTER
        lo, hi = max(a - first, 0), max(min(b - first + 1, outside.shape[1]), 0)
        for i, key in enumerate(sp.keys):
            probe = SeriesKey(key.family, BOOK, key.dims)
            if inc.matches(probe):
                outside[i, lo:hi] = False
    false_alerts = int((alert & outside).sum())
    clean_days = int((scored & outside).sum())
    bands = {b: summary([r for r in rows if r["band"] == b]) for b in BAND_NAMES}
    target = [r for r in rows if r["band"] == "high" and r["multiplier"] >= 2.0]
    overall = summary(rows)
    return {
        **overall,
        "precision": round(true_issues / len(issues), 3) if issues else None,
        "issues": len(issues),
        "false_alarms_per_1000_series_days": (
            round(1000.0 * false_alerts / clean_days, 3) if clean_days else None
        ),
        "false_alerts": false_alerts,
        "series": sp.panel.n_series,
        "series_days": int(scored.sum()),
        "by_band": bands,
        "doubling_of_5_per_day": summary(target),
        "per_incident": rows,
    }
