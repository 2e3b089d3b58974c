"""IVR sessions and service-centre calls for one account over the whole window.

Grain: ``Sessions`` one row per IVR session; ``Calls`` one row per call offered to a queue.
Member, pharmacy and provider callers enter the IVR; sessions the IVR does not contain are
transferred to a queue (``member_services``, ``pharmacy``, ``provider``) and become calls on
the member line. Sponsor HR staff call the ``sponsor_line`` queue directly.

Volumes follow enrolled members with day-of-week, holiday and January effects
(``calendar_effects``). Baseline containment, abandonment, answer speed and first-contact
resolution are held at the account's operating levels with per (account, quarter) quotas, so
guarantees are met unless an incident (``ivr_outage``, ``call_center_understaffing``,
volume spikes) changes them. Typical values: ASA 12-20 s, abandonment about 1-1.6 %,
containment about 30 % (``service-guarantees-detection.md`` §1.2, §1.8: mean time in IVR
48 s / median 40 s over 3.8 M calls).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.calendar_effects import (
    business_seconds,
    contact_factor,
    local_seconds_to_utc_micros,
    utc_offsets,
    weekdays,
)
from clientdesk.synth.incident_model import Incident
from clientdesk.synth.params import Window
from clientdesk.synth.quotas import dense_groups, quarter_of, select_top, weighted_priority
from clientdesk.synth.service_levels import SHORT_ABANDON_SECONDS
from clientdesk.synth.sponsors import Sponsor

IVR_SESSIONS_PER_MEMBER_YEAR = 1.9
SPONSOR_CALLS_PER_EMPLOYEE_YEAR = 0.06


@dataclass(frozen=True)
class Intent:
    """A reason for calling: where it enters, the IVR path, the queue it transfers to."""

    key: str
    entry_point: str
    menu_path: str
    queue: str
    containment: float
    share: float


INTENTS: tuple[Intent, ...] = (
    Intent("claim_status", "member_main", "main>claims>status", "member_services", 0.55, 0.16),
    Intent("benefits", "member_main", "main>benefits>coverage", "member_services", 0.35, 0.13),
    Intent("id_card", "member_main", "main>id_card>request", "member_services", 0.65, 0.07),
    Intent("eligibility", "member_main", "main>eligibility>verify", "member_services", 0.3, 0.07),
    Intent("find_provider", "member_main", "main>providers>find", "member_services", 0.25, 0.07),
    Intent("billing", "member_main", "main>billing>premium", "member_services", 0.1, 0.02),
    Intent("member_agent", "member_main", "main>agent", "member_services", 0.0, 0.09),
    Intent("refill", "pharmacy_line", "pharmacy>refill_status", "pharmacy", 0.45, 0.07),
    Intent("formulary", "pharmacy_line", "pharmacy>coverage", "pharmacy", 0.2, 0.04),
    Intent("pharmacy_agent", "pharmacy_line", "pharmacy>agent", "pharmacy", 0.0, 0.02),
    Intent("provider_eligibility", "provider_line", "provider>eligibility", "provider", 0.7, 0.12),
    Intent(
        "provider_claim_status", "provider_line", "provider>claim_status", "provider", 0.55, 0.1
    ),
    Intent("provider_agent", "provider_line", "provider>agent", "provider", 0.0, 0.04),
)
INTENT_INDEX = {i.key: k for k, i in enumerate(INTENTS)}
QUEUES = ("member_services", "pharmacy", "provider", "sponsor_line")
OUTCOMES = ("contained", "transferred", "abandoned")

INCIDENT_INTENTS: dict[str, tuple[str, ...]] = {
    "id_card_misprint": ("id_card", "refill", "pharmacy_agent"),
    "pharmacy_formulary_change": ("formulary", "pharmacy_agent", "refill"),
    "eligibility_load_error": ("eligibility", "member_agent", "refill"),
    "claims_backlog": ("claim_status", "provider_claim_status"),
    "prior_auth_config_denials": ("provider_claim_status",),
    "provider_directory_error": ("find_provider",),
    "member_call_surge": tuple(i.key for i in INTENTS if i.queue == "member_services"),
}


@dataclass
class Sessions:
    """IVR sessions (grain: one row per session)."""

    start: np.ndarray
    intent: np.ndarray
    outcome: np.ndarray
    opted_out: np.ndarray
    seconds: np.ndarray
    incident: np.ndarray


@dataclass
class Calls:
    """Calls offered to queues (grain: one row per call)."""

    offered: np.ndarray
    queue: np.ndarray
    answered: np.ndarray
    abandoned: np.ndarray
    wait: np.ndarray
    handle: np.ndarray
    resolved: np.ndarray
    session: np.ndarray
    intent: np.ndarray
    understaffed: np.ndarray


def expected_sessions(active: np.ndarray, window: Window) -> np.ndarray:
    """Expected IVR sessions per window day for an account (no incidents)."""
    return np.asarray(active * IVR_SESSIONS_PER_MEMBER_YEAR / 365.0 * contact_factor(window))


def _nb(mean: np.ndarray, rng: np.random.Generator, shape: float = 15.0) -> np.ndarray:
    lam = rng.gamma(shape, np.maximum(mean, 0.0) / shape)
    return np.asarray(rng.poisson(lam))


def _session_days(expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    counts = _nb(expected, rng)
    return np.repeat(np.arange(len(expected)), counts)


def simulate(
    sponsor: Sponsor,
    active: np.ndarray,
    window: Window,
    incidents: list[Incident],
    rng: np.random.Generator,
) -> tuple[Sessions, Calls]:
    """IVR sessions and calls of one account for the whole window."""
    levels = sponsor.levels
    base = expected_sessions(active, window)
    share = np.array([i.share for i in INTENTS])
    share = share / share.sum()
    day_idx = _session_days(base, rng)
    intent = rng.choice(len(INTENTS), size=len(day_idx), p=share)
    incident = np.full(len(day_idx), -1, dtype=np.int32)
    extra_days: list[np.ndarray] = [day_idx]
    extra_intents: list[np.ndarray] = [intent]
    extra_inc: list[np.ndarray] = [incident]
    first = window.first_day
    for k, inc in enumerate(incidents):
        lo, hi = inc.start - first, inc.end - first
        mult = float(inc.params.get("call_multiplier", 1.0))
        targets = INCIDENT_INTENTS.get(inc.kind, ())
        if inc.kind == "ivr_outage":
            targets = tuple(i.key for i in INTENTS)
            mult = float(inc.params["retry_multiplier"])
        if mult <= 1.0 or not targets:
            continue
        t_idx = np.array([INTENT_INDEX[t] for t in targets])
        t_share = share[t_idx].sum()
        expected = np.zeros_like(base)
        expected[lo : hi + 1] = base[lo : hi + 1] * t_share * (mult - 1.0)
        days = _session_days(expected, rng)
        p = share[t_idx] / t_share
        extra_days.append(days)
        extra_intents.append(t_idx[rng.choice(t_idx.size, size=len(days), p=p)])
        extra_inc.append(np.full(len(days), int(inc.params.get("index", k)), dtype=np.int32))
    day_idx = np.concatenate(extra_days)
    intent = np.concatenate(extra_intents)
    incident = np.concatenate(extra_inc)
    n = len(day_idx)
    day = day_idx + first
    offsets = utc_offsets(sponsor.timezone, window.first_day, window.last_day)
    local = business_seconds(n, weekdays(window)[day_idx], rng)
    start = local_seconds_to_utc_micros(day, local, offsets, first)
    order = np.argsort(start, kind="stable")
    start, intent, incident, day = start[order], intent[order], incident[order], day[order]

    outage = np.zeros(n, dtype=bool)
    for inc in incidents:
        if inc.kind == "ivr_outage":
            outage |= (day >= inc.start) & (day <= inc.end)
    # containment quota per (account, quarter of the UTC start date)
    utc_day = start // 86_400_000_000
    group, n_groups = dense_groups(quarter_of(utc_day))
    baseline = ~outage
    n_base = np.bincount(group[baseline], minlength=n_groups)
    k = np.ceil(levels.ivr_containment_pct / 100.0 * n_base - 1e-9).astype(np.int64)
    propensity = np.array([i.containment for i in INTENTS])[intent]
    prio = np.where(baseline & (propensity > 0), weighted_priority(propensity + 1e-6, rng), -np.inf)
    contained = select_top(group, k, prio) & baseline
    short_fall = contained.sum() < k.sum()
    if short_fall:
        prio2 = np.where(baseline & ~contained, rng.random(n), -np.inf)
        have = np.bincount(group[contained], minlength=n_groups)
        contained |= select_top(group, np.maximum(k - have, 0), prio2) & baseline
    outage_contained = outage & (rng.random(n) < 0.02)
    contained |= outage_contained
    ivr_abandon = ~contained & (rng.random(n) < np.where(outage, 0.1, 0.05))
    transferred = ~contained & ~ivr_abandon
    agent_intent = np.isin(
        intent, [INTENT_INDEX[x] for x in ("member_agent", "pharmacy_agent", "provider_agent")]
    )
    opt = transferred & (agent_intent | (rng.random(n) < np.where(outage, 0.85, 0.45)))
    opt |= ivr_abandon & (rng.random(n) < 0.2)
    outcome = np.where(contained, 0, np.where(transferred, 1, 2)).astype(np.int8)
    seconds = np.where(
        contained,
        rng.lognormal(np.log(70), 0.5, n),
        np.where(opt, rng.lognormal(np.log(22), 0.5, n), rng.lognormal(np.log(42), 0.5, n)),
    )
    seconds = np.where(outage, rng.lognormal(np.log(18), 0.5, n), seconds)
    seconds = np.maximum(3, np.rint(seconds)).astype(np.int32)
    sessions = Sessions(
        start=start,
        intent=intent,
        outcome=outcome,
        opted_out=opt,
        seconds=seconds,
        incident=incident,
    )

    # calls: IVR transfers plus direct sponsor-line calls
    t = np.nonzero(transferred)[0]
    queue_of_intent = np.array([QUEUES.index(i.queue) for i in INTENTS])
    offered = start[t] + seconds[t].astype(np.int64) * 1_000_000
    queue = queue_of_intent[intent[t]]
    call_intent = intent[t]
    session = t.astype(np.int64)
    sponsor_expected = np.zeros(window.days)
    employees_active = active / 2.3
    sponsor_expected += (employees_active * SPONSOR_CALLS_PER_EMPLOYEE_YEAR / 365.0 + 0.08) * (
        contact_factor(window, business=True)
    )
    s_days = _session_days(sponsor_expected, rng)
    s_local = business_seconds(len(s_days), weekdays(window)[s_days], rng)
    s_local = np.clip(s_local, 8 * 3600, 17 * 3600)
    s_offered = local_seconds_to_utc_micros(s_days + first, s_local, offsets, first)
    offered = np.concatenate([offered, s_offered])
    queue = np.concatenate([queue, np.full(len(s_days), QUEUES.index("sponsor_line"))])
    call_intent = np.concatenate([call_intent, np.full(len(s_days), -1)])
    session = np.concatenate([session, np.full(len(s_days), -1)])
    order = np.argsort(offered, kind="stable")
    offered, queue, call_intent, session = (
        offered[order],
        queue[order],
        call_intent[order],
        session[order],
    )
    calls = _queue_outcomes(offered, queue, call_intent, session, sponsor, incidents, window, rng)
    return sessions, calls


def _queue_outcomes(
    offered: np.ndarray,
    queue: np.ndarray,
    intent: np.ndarray,
    session: np.ndarray,
    sponsor: Sponsor,
    incidents: list[Incident],
    window: Window,
    rng: np.random.Generator,
) -> Calls:
    levels = sponsor.levels
    n = len(offered)
    utc_day = offered // 86_400_000_000
    understaffed = np.zeros(n, dtype=bool)
    wait_mult = np.ones(n)
    abandon_p = np.zeros(n)
    for inc in incidents:
        if inc.kind != "call_center_understaffing":
            continue
        hit = (
            (queue == QUEUES.index(str(inc.params["queue"])))
            & (utc_day >= inc.start)
            & (utc_day <= inc.end)
        )
        understaffed |= hit
        wait_mult[hit] = float(inc.params["wait_multiplier"])
        abandon_p[hit] = float(inc.params["abandon_probability"])
    member_line = queue != QUEUES.index("sponsor_line")
    group, n_groups = dense_groups(quarter_of(utc_day), member_line.astype(np.int64))
    base = ~understaffed
    # abandonment: quota of counted abandons (>= 5 s) per group, plus a few short hang-ups
    n_base = np.bincount(group[base], minlength=n_groups)
    k_ab = np.floor(levels.abandonment_pct / 100.0 * n_base + 1e-9).astype(np.int64)
    prio = np.where(base, rng.random(n), -np.inf)
    abandoned = select_top(group, k_ab, prio) & base
    short = base & ~abandoned & (rng.random(n) < 0.004)
    abandoned_inc = understaffed & (rng.random(n) < abandon_p)
    abandoned = abandoned | short | abandoned_inc
    raw_wait = rng.exponential(1.0, n)
    answered = ~abandoned
    # scale baseline answered waits so each group's mean is exactly the account's ASA
    sel = answered & base
    sums = np.bincount(group[sel], weights=raw_wait[sel], minlength=n_groups)
    cnt = np.bincount(group[sel], minlength=n_groups)
    mean_g = np.where(cnt > 0, sums / np.maximum(cnt, 1), 1.0)
    asa = levels.asa_seconds
    wait = raw_wait / mean_g[group] * asa
    wait = np.where(understaffed, raw_wait * asa * wait_mult, wait)
    patience = rng.uniform(SHORT_ABANDON_SECONDS, 150.0, n)
    wait = np.where(abandoned & ~short, patience * np.where(understaffed, 2.0, 1.0), wait)
    wait = np.where(short, rng.uniform(0.5, SHORT_ABANDON_SECONDS - 0.5, n), wait)
    wait_s = np.rint(wait).astype(np.int32)
    wait_s = np.where(abandoned & ~short, np.maximum(wait_s, SHORT_ABANDON_SECONDS), wait_s)
    wait_s = np.where(short, np.minimum(wait_s, SHORT_ABANDON_SECONDS - 1), wait_s)
    median_handle = np.array([380.0, 300.0, 280.0, 620.0])[queue]
    handle = np.where(answered, rng.lognormal(np.log(median_handle), 0.55, n), 0.0)
    handle_s = np.rint(handle).astype(np.int32)
    # first-contact resolution quota over answered baseline calls
    ans_base = answered & base
    n_ans = np.bincount(group[ans_base], minlength=n_groups)
    k_fcr = np.ceil(levels.fcr_pct / 100.0 * n_ans - 1e-9).astype(np.int64)
    resolved = select_top(group, k_fcr, np.where(ans_base, rng.random(n), -np.inf)) & ans_base
    resolved |= answered & understaffed & (rng.random(n) < levels.fcr_pct / 100.0)
    return Calls(
        offered=offered,
        queue=queue.astype(np.int8),
        answered=answered,
        abandoned=abandoned,
        wait=wait_s,
        handle=handle_s,
        resolved=resolved,
        session=session,
        intent=intent.astype(np.int16),
        understaffed=understaffed,
    )
