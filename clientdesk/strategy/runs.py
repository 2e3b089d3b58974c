"""End-to-end jobs the commands and the clock call: run every call-to-action rule, take the
daily health snapshot, measure the plans' objectives, score renewals for the backtest."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.lake.backup import refuse_a_mismatched_lake
from clientdesk.lib.calls import CALL_RULES
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.strategy.actions import (
    CallRun,
    SnapshotRun,
    do_raise_calls,
    do_record_objective_values,
    do_store_snapshots,
)
from clientdesk.strategy.health import compute_health
from clientdesk.strategy.models import Objective, PlanStatus
from clientdesk.strategy.objectives import objective_status
from clientdesk.strategy.scoring import Health, auc, band_of


@dataclass
class CallsOutcome:
    total: CallRun = field(default_factory=CallRun)
    by_rule: dict[str, CallRun] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def run_calls(
    now: dt.datetime | None = None, *, acting_user: AnyUser | None = None
) -> CallsOutcome:
    """Every rule of CALL_RULES (each app's and strategy's own), each in its own transaction:
    a rule that fails is reported and the others go on."""
    now = now or timezone.now()
    outcome = CallsOutcome()
    for rule in CALL_RULES:
        try:
            causes = list(rule.find(now))
            run = do_raise_calls(rule, causes, now=now, acting_user=acting_user)
        except Exception as error:  # one app's broken rule must not stop the others
            outcome.failed[rule.key] = f"{type(error).__name__}: {error}"
            continue
        outcome.by_rule[rule.key] = run
        outcome.total.rules += 1
        outcome.total.causes += run.causes
        outcome.total.opened += run.opened
        outcome.total.updated += run.updated
    return outcome


def measure_labels() -> dict[str, str]:
    return {m.key: m.label for m in ACCOUNT_MEASURES}


def run_snapshot(
    as_of: dt.date,
    *,
    acting_user: AnyUser | None = None,
    accounts: list[Account] | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[SnapshotRun, float]:
    """The health of every account (or those given) as of the day, stored; and seconds.
    `timings` gets each measure's seconds and the storing's ("store"). Refused (LakeError)
    on a lake that does not hold every committed batch: the stored history would be wrong."""
    refuse_a_mismatched_lake("The health snapshot")
    started = time.perf_counter()
    rows = (
        [(a.pk, a.segment) for a in accounts]
        if accounts is not None
        else list(Account.objects.values_list("pk", "segment"))
    )
    healths = compute_health(rows, as_of, timings=timings)
    stored = time.perf_counter()
    run = do_store_snapshots(healths, as_of, acting_user=acting_user, labels=None)
    if timings is not None:
        timings["store"] = timings.get("store", 0.0) + time.perf_counter() - stored
    return run, time.perf_counter() - started


def run_objectives(
    as_of: dt.date, *, acting_user: AnyUser | None = None, only: list[int] | None = None
) -> int:
    """Measure every objective of the draft and approved plans as of the day: a live measure
    read from lib/measures.py for the plan's account, or the manual value."""
    chosen = Objective.objects.filter(plan__status__in=[PlanStatus.DRAFT, PlanStatus.APPROVED])
    if only is not None:
        chosen = chosen.filter(pk__in=only)
    objectives = list(chosen.select_related("plan"))
    by_key: dict[str, set[int]] = defaultdict(set)
    for o in objectives:
        if o.measure_key:
            by_key[o.measure_key].add(o.plan.account_id)
    live: dict[str, dict[int, Any]] = {}
    for key, account_ids in by_key.items():
        measure = ACCOUNT_MEASURES.get(key)
        live[key] = dict(measure.compute(sorted(account_ids), as_of)) if measure else {}
    values: dict[int, tuple[float | None, str, str]] = {}
    for o in objectives:
        if o.measure_key:
            got = live.get(o.measure_key, {}).get(o.plan.account_id)
            value = float(got.value) if got is not None else None
            detail = got.detail if got is not None else "no figure yet"
        else:
            value = float(o.manual_value) if o.manual_value is not None else None
            detail = f"{o.manual_value:g} ({o.manual_source})" if value is not None else ""
        values[o.pk] = (value, detail, objective_status(value, float(o.target), o.better))
    if not values:
        return 0
    return do_record_objective_values(values, as_of, acting_user=acting_user)


BACKTEST_LEAD_DAYS = 90


@dataclass
class Backtest:
    renewals: int
    lost: int
    auc: float | None
    lost_in_lowest_band: float | None
    accounts_missing: int
    rows: list[dict[str, Any]]
    # How far a score could go on this book: the AUC of the truth's chance of a loss with its
    # drivers seen exactly but not its noise, and with the noise too (the truth's p_lost).
    auc_drivers_known: float | None = None
    auc_p_lost: float | None = None
    # The score's AUC expected over the outcome's draw, each renewal lost with the truth's
    # p_lost: the figure without the luck of which accounts the draw happened to lose.
    auc_expected: float | None = None
    # Each measure's own 0-100 score as the predictor, over the renewals it had a value for.
    measures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        def r4(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "renewals": self.renewals,
            "lost": self.lost,
            "auc": None if self.auc is None else round(self.auc, 4),
            "lost_in_lowest_band": (
                None if self.lost_in_lowest_band is None else round(self.lost_in_lowest_band, 4)
            ),
            "lead_days": BACKTEST_LEAD_DAYS,
            "accounts_missing": self.accounts_missing,
            "auc_drivers_known": r4(self.auc_drivers_known),
            "auc_p_lost": r4(self.auc_p_lost),
            "auc_expected": r4(self.auc_expected),
            "measures": self.measures,
            "rows": self.rows,
        }


def run_backtest(truth_path: Path) -> Backtest:
    """Score every renewal of the ground truth's `renewal_outcomes` with the health score as of
    90 days before it (computed from the book loaded in the database, not stored): the AUC of
    "a lower score means a loss" and the share of lost accounts that were in the poor band."""
    truth = json.loads(Path(truth_path).read_text())
    outcomes = truth.get("renewal_outcomes")
    if not outcomes:
        raise ValueError(f"{truth_path} has no renewal_outcomes (regenerate the book)")
    by_group = {
        g: (pk, seg) for pk, g, seg in Account.objects.values_list("pk", "group_number", "segment")
    }
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    missing = 0
    for o in outcomes:
        if o["account"] not in by_group:
            missing += 1
            continue
        as_of = dt.date.fromisoformat(o["renewal_date"]) - dt.timedelta(days=BACKTEST_LEAD_DAYS)
        by_day[as_of].append(o)
    rows: list[dict[str, Any]] = []
    row_healths: list[Health] = []
    for as_of, items in sorted(by_day.items()):
        healths = compute_health([by_group[o["account"]] for o in items], as_of)
        for o in items:
            h = healths[by_group[o["account"]][0]]
            row_healths.append(h)
            rows.append(
                {
                    "account": o["account"],
                    "renewal_date": o["renewal_date"],
                    "as_of": as_of.isoformat(),
                    "outcome": o["outcome"],
                    "score": h.score,
                    "band": band_of(h.score),
                }
            )
    scored = [r for r in rows if r["score"] is not None]
    healths_by_row = [h for r, h in zip(rows, row_healths, strict=True) if r["score"] is not None]
    by_account = {o["account"]: o for o in outcomes}
    lost = [float(r["score"]) for r in scored if r["outcome"] != "renewed"]
    kept = [float(r["score"]) for r in scored if r["outcome"] == "renewed"]
    lost_rows = [r for r in scored if r["outcome"] != "renewed"]
    share = sum(1 for r in lost_rows if r["band"] == "poor") / len(lost_rows) if lost_rows else None
    return Backtest(
        len(scored),
        len(lost),
        auc(lost, kept),
        share,
        missing,
        rows,
        auc_drivers_known=_truth_auc(scored, by_account, _drivers_logit),
        auc_p_lost=_truth_auc(scored, by_account, lambda o: o.get("p_lost")),
        auc_expected=expected_auc(
            [float(r["score"]) for r in scored],
            [by_account[r["account"]].get("p_lost") for r in scored],
        ),
        measures=_measure_aucs(scored, healths_by_row),
    )


def _drivers_logit(outcome: dict[str, Any]) -> float | None:
    """The truth's log-odds of a loss from its drivers, without its noise (synth/renewals.py
    writes it with each outcome; a truth without it has no such ceiling)."""
    value = outcome.get("drivers_logit")
    return None if value is None else float(value)


def _truth_auc(
    rows: list[dict[str, Any]],
    by_account: dict[str, dict[str, Any]],
    risk: Any,
) -> float | None:
    """The AUC of a figure of the truth (higher: likelier lost) over the scored renewals."""
    pairs = [(risk(by_account[r["account"]]), r["outcome"] != "renewed") for r in rows]
    if any(value is None for value, _ in pairs):
        return None
    # auc() reads "lower means lost": the negated risk.
    return auc(
        [-float(v) for v, lost in pairs if lost], [-float(v) for v, lost in pairs if not lost]
    )


def expected_auc(scores: list[float], chances: list[Any]) -> float | None:
    """The AUC of "a lower score means a loss" expected when each renewal is lost with its
    chance (independently): every ordered pair weighs chance_i x (1 - chance_j), the chance
    that i is lost and j kept, and counts 1 when i scored lower, 1/2 when equal. None without
    every chance."""
    if not scores or any(c is None for c in chances):
        return None
    p = [float(c) for c in chances]
    won = weight = 0.0
    for i, (score_i, p_i) in enumerate(zip(scores, p, strict=True)):
        for j, (score_j, p_j) in enumerate(zip(scores, p, strict=True)):
            if i == j:
                continue
            w = p_i * (1 - p_j)
            weight += w
            won += w * (1.0 if score_i < score_j else 0.5 if score_i == score_j else 0.0)
    return won / weight if weight > 0 else None


def _measure_aucs(rows: list[dict[str, Any]], healths: list[Health]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    keys = sorted({k for h in healths for k in h.measures})
    for key in keys:
        lost = [
            h.measures[key].score
            for r, h in zip(rows, healths, strict=True)
            if key in h.measures and r["outcome"] != "renewed"
        ]
        kept = [
            h.measures[key].score
            for r, h in zip(rows, healths, strict=True)
            if key in h.measures and r["outcome"] == "renewed"
        ]
        value = auc(lost, kept)
        out[key] = {
            "auc": None if value is None else round(value, 4),
            "renewals": len(lost) + len(kept),
        }
    return out
