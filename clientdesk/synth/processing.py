"""Claim lifecycle for one block: receipt, adjudication (auto or pended), denial reasons,
payment, audits, and adjustment/void chains.

Grain: ``Lifecycle`` holds one row per original claim of the block (same order as the
``ClaimSet``); adjustment rows are derived when tables are built. Baseline service levels
(auto-adjudication, 10-day turnaround, financial accuracy) are enforced with per
(account, quarter) quotas so every account meets its guarantees unless an incident says
otherwise; incidents (``incident_model.CLAIM_SIDE``) change denials, pends, delays and audit
findings for their account and dates.

Claims lag: submission lag is a mixture fitted to the completion table in
``claims-analytics.md`` §1.4/§4 (about 60 % of dollars paid in the incurred month, 84 % by
the next, 92 % +2, 95 % +3, 98 % +6, ~100 % +12); ``tests/test_calibration.py`` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.blocks import BlockMembers
from clientdesk.synth.claim_sets import KIND, ClaimSet
from clientdesk.synth.incident_model import Incident
from clientdesk.synth.procedures import HCPCS_INDEX
from clientdesk.synth.quotas import dense_groups, quarter_of, select_top, weighted_priority
from clientdesk.synth.service_levels import TURNAROUND_DAYS, OperatingLevels

CARC_CODES: tuple[str, ...] = (
    "16",
    "18",
    "29",
    "50",
    "96",
    "97",
    "109",
    "204",
    "22",
    "27",
    "11",
    "4",
    "197",
    "31",
)
CARC_GROUP: tuple[str, ...] = (
    "CO",
    "OA",
    "CO",
    "CO",
    "PR",
    "CO",
    "CO",
    "PR",
    "OA",
    "PR",
    "CO",
    "CO",
    "CO",
    "CO",
)
CARC_WEIGHTS = np.array(
    [0.18, 0.14, 0.0, 0.08, 0.1, 0.12, 0.03, 0.06, 0.08, 0.03, 0.05, 0.05, 0.0, 0.02]
)
CARC = {c: i for i, c in enumerate(CARC_CODES)}
PA_SHARE = 0.12
"""Share of denials on prior-authorisation services that are CARC 197 (auth absent)."""

PEND_REASONS: tuple[str, ...] = (
    "medical_review",
    "cob_investigation",
    "provider_data",
    "pricing",
    "eligibility_verification",
    "duplicate_review",
    "benefit_configuration",
    "coding_edit",
    "high_dollar_review",
    "adjustment",
)
PEND = {p: i for i, p in enumerate(PEND_REASONS)}
PEND_WEIGHTS = np.array([0.2, 0.15, 0.15, 0.12, 0.1, 0.1, 0.08, 0.1, 0.0, 0.0])

AUDIT_FINDINGS: tuple[str, ...] = ("none", "overpayment", "underpayment")

PA_KINDS = (
    "advanced_imaging",
    "outpatient_surgery_facility",
    "infusion",
    "physical_medicine",
    "dme",
)
DENIAL_FACTOR = {
    "inpatient_facility": 0.3,
    "delivery_facility": 0.1,
    "newborn_facility": 0.1,
    "ed_facility": 0.5,
    "laboratory": 1.4,
    "advanced_imaging": 1.2,
    "physical_medicine": 1.3,
    "dme": 1.5,
    "infusion": 0.6,
    "dialysis": 0.3,
    "preventive_visit": 0.6,
    "anesthesia": 1.1,
}
PEND_WEIGHT_BY_KIND = {
    "inpatient_facility": 4.0,
    "delivery_facility": 2.0,
    "newborn_facility": 2.0,
    "infusion": 3.0,
    "dme": 2.0,
    "outpatient_surgery_facility": 2.0,
}

REPLACEMENT_SHARE = 0.035
VOID_SHARE = 0.01
AUDIT_SHARE = 0.03
AUDIT_MINIMUM = 25


@dataclass
class Lifecycle:
    """Per original claim: dates, adjudication, denial, incident flags (see module doc)."""

    account: np.ndarray
    principal: np.ndarray
    received: np.ndarray
    finalized: np.ndarray
    paid_date: np.ndarray
    auto: np.ndarray
    pend_reason: np.ndarray
    denied: np.ndarray
    carc: np.ndarray
    included: np.ndarray
    overpaid: np.ndarray
    focused_audit: np.ndarray
    incident: np.ndarray


def principal_codes(cs: ClaimSet) -> np.ndarray:
    """First coded line's HCPCS index per claim (-1 when no line carries a code)."""
    n, lines = cs.n_claims, cs.n_lines
    starts = np.searchsorted(cs.line_claim, np.arange(n))
    pos = np.where(cs.line_hcpcs >= 0, np.arange(lines), lines)
    has_lines = starts < lines
    first = np.full(n, lines, dtype=np.int64)
    if lines:
        red = np.minimum.reduceat(pos, np.minimum(starts, lines - 1))
        first = np.where(has_lines, red, lines)
    out = np.full(n, -1, dtype=np.int32)
    ok = first < lines
    out[ok] = cs.line_hcpcs[first[ok]]
    return out


def submission_lag(n: int, institutional: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days from service end to receipt (mixture tuned to the Tuva completion table)."""
    u = rng.random(n)
    lag = np.where(
        u < 0.78,
        rng.gamma(1.0, 1.2, n),
        np.where(
            u < 0.86,
            rng.gamma(2.0, 14.0, n),
            np.where(u < 0.97, rng.gamma(2.5, 30.0, n), rng.uniform(90, 330, n)),
        ),
    )
    lag = lag + np.where(institutional, 2.0, 0.0)
    return np.rint(lag).astype(np.int32)


def next_check_run(day: np.ndarray) -> np.ndarray:
    """First Tuesday or Friday strictly after ``day`` (weekly payment cycles)."""
    wd = (day + 3) % 7
    to_tue = (1 - wd) % 7
    to_fri = (4 - wd) % 7
    to_tue = np.where(to_tue == 0, 7, to_tue)
    to_fri = np.where(to_fri == 0, 7, to_fri)
    return np.asarray(day + np.minimum(to_tue, to_fri), dtype=np.int32)


def adjudicate(
    cs: ClaimSet,
    members: BlockMembers,
    levels: list[OperatingLevels],
    incidents: list[Incident],
    extract_day: int,
    rng: np.random.Generator,
) -> Lifecycle:
    """Receipt, auto/pend, processing time, denial and payment date for every claim."""
    n = cs.n_claims
    account = members.account[cs.member].astype(np.int64)
    principal = principal_codes(cs)
    received = cs.end + submission_lag(n, cs.claim_type == 1, rng)
    kind = cs.kind
    denial_rate = np.array([lv.denial_rate for lv in levels])[account]
    auto_target = np.array([lv.auto_adjudication_pct for lv in levels])[account] / 100.0
    turnaround = np.array([lv.turnaround_pct for lv in levels])[account] / 100.0
    incident_of = np.full(n, -1, dtype=np.int32)

    # -- denials (baseline) ------------------------------------------------------------------
    factor = np.ones(n)
    for name, f in DENIAL_FACTOR.items():
        factor[kind == KIND[name]] = f
    pa_kind = np.isin(kind, [KIND[k] for k in PA_KINDS])
    denied = rng.random(n) < denial_rate * factor
    weights = np.tile(CARC_WEIGHTS, (n, 1))
    weights[:, CARC["197"]] = np.where(pa_kind, PA_SHARE / (1 - PA_SHARE) * CARC_WEIGHTS.sum(), 0.0)
    late = (received - cs.end) > 180
    weights[:, CARC["29"]] = np.where(late, 2.0, 0.0)
    cum = np.cumsum(weights, axis=1)
    pick = (cum < (rng.random(n) * cum[:, -1])[:, None]).sum(axis=1)
    carc = np.where(denied, pick, -1).astype(np.int16)

    # -- incident effects on denials and pends ------------------------------------------------
    forced_pend = np.zeros(n, dtype=bool)
    forced_days = np.zeros(n, dtype=np.int32)
    overpaid = np.zeros(n)
    focused = np.zeros(n, dtype=bool)
    for inc in incidents:
        p = inc.params
        at = account == inc.account
        if inc.kind == "prior_auth_config_denials":
            codes = [HCPCS_INDEX[c] for c in str(p["hcpcs_codes"]).split(",")]
            hit = (
                at
                & (kind == KIND["advanced_imaging"])
                & (cs.claim_type == 0)
                & np.isin(principal, codes)
                & (cs.start >= inc.start)
                & (cs.start <= inc.end)
            )
            moved = hit & (rng.random(n) < float(p["reroute_share"]))
            cs.billing[moved] = int(p["provider_row"])
            deny = moved & (rng.random(n) < float(p["deny_probability"]))
            denied |= deny
            carc[deny] = CARC["197"]
            incident_of[deny] = int(p["index"])
        elif inc.kind == "eligibility_load_error":
            share = float(p["member_share"])
            affected = (members.person_key(777)[cs.member] % 1000) < share * 1000
            hit = at & affected & (cs.start >= inc.start) & (cs.start <= inc.end)
            deny = hit & (rng.random(n) < float(p["deny_probability"]))
            denied |= deny
            carc[deny] = CARC["27"]
            incident_of[deny] = int(p["index"])
        elif inc.kind == "claims_backlog":
            hit = at & (received >= inc.start) & (received <= inc.end)
            pend = hit & (rng.random(n) < float(p["pend_probability"]))
            forced_pend |= pend
            lo, hi = int(p["delay_min"]), int(p["delay_max"])
            forced_days[pend] = rng.integers(lo, hi + 1, int(pend.sum()))
            incident_of[pend] = int(p["index"])

    # -- auto-adjudication and turnaround quotas per (account, received quarter) -------------
    quarter = quarter_of(received)
    group, n_groups = dense_groups(account, quarter)
    baseline = ~forced_pend
    n_base = np.bincount(group[baseline], minlength=n_groups)
    auto_g = np.bincount(group, weights=auto_target, minlength=n_groups) / np.maximum(
        np.bincount(group, minlength=n_groups), 1
    )
    turn_g = np.bincount(group, weights=turnaround, minlength=n_groups) / np.maximum(
        np.bincount(group, minlength=n_groups), 1
    )
    pend_k = n_base - np.ceil(auto_g * n_base - 1e-9).astype(np.int64)
    w = np.ones(n)
    for name, value in PEND_WEIGHT_BY_KIND.items():
        w[kind == KIND[name]] = value
    w[cs.out_of_network] *= 3.0
    prio = weighted_priority(w, rng)
    prio[~baseline] = -np.inf
    pend_base = select_top(group, pend_k, prio) & baseline
    late_k = np.floor((1.0 - turn_g) * n_base + 1e-9).astype(np.int64)
    late_prio = np.where(pend_base, rng.random(n), -np.inf)
    late = select_top(group, late_k, late_prio) & pend_base

    auto = ~(pend_base | forced_pend)
    days = np.where(
        auto,
        rng.choice(np.array([0, 1, 2]), n, p=[0.6, 0.3, 0.1]),
        rng.integers(2, TURNAROUND_DAYS + 1, n),
    )
    days = np.where(late, rng.integers(TURNAROUND_DAYS + 1, 36, n), days)
    days = np.where(forced_pend, forced_days, days)
    reason = rng.choice(len(PEND_WEIGHTS), size=n, p=PEND_WEIGHTS / PEND_WEIGHTS.sum())
    reason = np.where(kind == KIND["inpatient_facility"], PEND["medical_review"], reason)
    pend_reason = np.where(auto, -1, reason).astype(np.int8)
    pend_reason[forced_pend] = PEND["pricing"]
    finalized = (received + days).astype(np.int32)
    paid_date = next_check_run(finalized)
    included = paid_date <= extract_day

    for inc in incidents:
        if inc.kind != "claims_pricing_error":
            continue
        p = inc.params
        hit = (
            (account == inc.account)
            & (cs.claim_type == 1)
            & (finalized >= inc.start)
            & (finalized <= inc.end)
            & ~denied
        )
        overpaid[hit] = float(p["overpay_fraction"])
        focused |= hit & (rng.random(n) < float(p["audit_share"]))
        incident_of[hit] = int(p["index"])
    return Lifecycle(
        account=account,
        principal=principal,
        received=received.astype(np.int32),
        finalized=finalized,
        paid_date=paid_date,
        auto=auto,
        pend_reason=pend_reason,
        denied=denied,
        carc=carc,
        included=included,
        overpaid=overpaid,
        focused_audit=focused,
        incident=incident_of,
    )


@dataclass
class Audit:
    """Per original claim: audited flag, audited paid cents, error cents, finding index."""

    audited: np.ndarray
    paid_cents: np.ndarray
    error_cents: np.ndarray
    finding: np.ndarray


def audit(
    life: Lifecycle,
    claim_paid_cents: np.ndarray,
    levels: list[OperatingLevels],
    rng: np.random.Generator,
) -> Audit:
    """Random QA sample per (account, finalized quarter) with an error budget that keeps
    baseline financial accuracy at the account's level, plus focused incident audits."""
    n = len(life.account)
    eligible = life.included & ~life.denied & (claim_paid_cents > 0)
    quarter = quarter_of(life.finalized)
    group, n_groups = dense_groups(life.account, quarter)
    counts = np.bincount(group[eligible], minlength=n_groups)
    k = np.maximum(np.ceil(AUDIT_SHARE * counts), np.minimum(counts, AUDIT_MINIMUM))
    prio = np.where(eligible & ~life.focused_audit, rng.random(n), -np.inf)
    sampled = select_top(group, k.astype(np.int64), prio) & eligible & ~life.focused_audit
    audited = sampled | (life.focused_audit & eligible)
    paid = np.where(audited, claim_paid_cents, 0).astype(np.int64)
    accuracy = np.array([lv.financial_accuracy_pct for lv in levels])[life.account] / 100.0
    budget_g = np.bincount(
        group, weights=np.where(sampled, paid * (1 - accuracy), 0.0), minlength=n_groups
    )
    error = np.zeros(n, dtype=np.int64)
    finding = np.zeros(n, dtype=np.int8)
    candidates = sampled & (rng.random(n) < 0.06)
    proposed = np.rint(paid * rng.uniform(0.05, 0.35, n)).astype(np.int64)
    idx = np.nonzero(candidates)[0]
    order = idx[np.lexsort((rng.random(idx.size), group[idx]))]
    if order.size:
        g = group[order]
        amounts = proposed[order]
        start = np.r_[True, g[1:] != g[:-1]]
        total = np.cumsum(amounts)
        base = total - amounts
        start_idx = np.maximum.accumulate(np.where(start, np.arange(order.size), 0))
        running = total - base[start_idx]
        keep = running <= budget_g[g]
        chosen = order[keep]
        error[chosen] = proposed[chosen]
        finding[chosen] = np.where(rng.random(chosen.size) < 0.7, 1, 2)
    over = audited & (life.overpaid > 0)
    error[over] = np.rint(paid[over] * life.overpaid[over] / (1 + life.overpaid[over]))
    finding[over] = 1
    signed = np.where(finding == 2, -error, error)
    return Audit(audited=audited, paid_cents=paid, error_cents=signed, finding=finding)
