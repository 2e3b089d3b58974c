"""Inquiries logged by the account team (``inquiry_import``).

Two sources, one grain (one row per inquiry):

* ``claim_inquiries`` (per block): claims-category inquiries tied to real claims - members
  asking about denials, payments and slow claims; incident denials and backlogs raise them.
* ``account_inquiries`` (per account): every other category, at daily rates proportional to
  enrolled members with business-day effects; volume incidents multiply their category.

Baseline volume is about six inquiries per 100 members per year, a third of them claims.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.calendar_effects import (
    business_seconds,
    contact_factor,
    local_seconds_to_utc_micros,
    utc_offsets,
)
from clientdesk.synth.incident_model import Incident
from clientdesk.synth.names import FEMALE_FIRST, LAST, MALE_FIRST
from clientdesk.synth.narratives import CATEGORIES, SUBCATEGORIES, describe
from clientdesk.synth.params import Window
from clientdesk.synth.sponsors import Sponsor

CHANNELS = ("phone", "email", "portal", "onsite")
REQUESTERS = ("member", "sponsor", "broker")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("resolved", "closed", "open", "in_progress", "waiting_on_sponsor")

CATEGORY_RATES: dict[str, float] = {
    "eligibility_enrollment": 0.9,
    "id_cards": 0.45,
    "benefits": 0.9,
    "pharmacy": 0.6,
    "provider_network": 0.4,
    "billing_fees": 0.12,
    "reports": 0.12,
    "other": 0.5,
}
"""Inquiries per 100 enrolled members per year by category (claims come from claims)."""

SUB_WEIGHTS: dict[str, tuple[float, ...]] = {
    "eligibility_enrollment": (0.35, 0.05, 0.2, 0.2, 0.12, 0.08),
    "id_cards": (0.35, 0.1, 0.45, 0.1),
    "benefits": (0.35, 0.4, 0.15, 0.1),
    "pharmacy": (0.3, 0.25, 0.15, 0.1, 0.2),
    "provider_network": (0.7, 0.1, 0.2),
    "billing_fees": (0.3, 0.5, 0.2),
    "reports": (0.5, 0.3, 0.2),
    "other": (0.6, 0.3, 0.1),
}

FIRST_RESPONSE_HOURS = (6.0, 2.0, 1.0, 0.3)
"""Median hours from opening to the first answer, by priority (low, normal, high, urgent),
lognormal with `FIRST_RESPONSE_SPREAD`: a team mostly on time, with a tail of late answers
(against the default SLA policies, about 9 in 10 first answers are within target: 92.5 % on
the demo book)."""
FIRST_RESPONSE_SPREAD = 0.8
UNRECORDED_SHARE = 0.12
"""Share of inquiries whose first answer the source system did not record."""
TEAM_SIZE = 3
"""Account-team members who work one account's inquiries in the CRM."""
SERVICE_TEAM = 12
"""People on the book's service team (the CRM's inquiry owners)."""
OWNER_DOMAIN = "insurer.example"

INCIDENT_CATEGORY: dict[str, tuple[str, str]] = {
    "id_card_misprint": ("id_cards", "pharmacy_rejected_card"),
    "eligibility_load_error": ("eligibility_enrollment", "termination_error"),
    "pharmacy_formulary_change": ("pharmacy", "formulary_question"),
    "provider_directory_error": ("provider_network", "directory_incorrect"),
    "invoice_error": ("billing_fees", "invoice_discrepancy"),
    "call_center_understaffing": ("other", "complaint"),
    "ivr_outage": ("other", "complaint"),
}


@dataclass
class InquiryRows:
    """Inquiries before Arrow conversion (grain: one row per inquiry)."""

    account: np.ndarray
    opened: np.ndarray
    channel: np.ndarray
    requester: np.ndarray
    category: np.ndarray
    subcategory: list[str]
    priority: np.ndarray
    member_row: np.ndarray
    claim_ref: list[str | None]
    description: list[str]
    status: np.ndarray
    resolved: np.ndarray
    incident: np.ndarray


def expected_inquiries(active: np.ndarray, window: Window, category: str) -> np.ndarray:
    """Expected inquiries per window day of one category at one account (no incidents)."""
    rate = CATEGORY_RATES[category] / 100.0
    return np.asarray(active * rate / 365.0 * contact_factor(window, business=True))


def _resolution(
    opened: np.ndarray, priority: np.ndarray, extract_micros: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    n = len(opened)
    median_hours = np.array([60.0, 40.0, 20.0, 6.0])[priority]
    hours = rng.lognormal(np.log(median_hours), 0.8, n)
    resolved = opened + (hours * 3_600_000_000).astype(np.int64)
    done = resolved <= extract_micros
    status = np.where(
        done,
        np.where(rng.random(n) < 0.7, 0, 1),
        rng.choice(np.array([2, 3, 4]), size=n, p=[0.3, 0.5, 0.2]),
    )
    return np.where(done, resolved, -1), status.astype(np.int8)


def service_team(seed: int) -> tuple[str, ...]:
    """The e-mail addresses of the book's service team, as the CRM records owners."""
    rng = np.random.default_rng([seed, SERVICE_TEAM])
    firsts = [*FEMALE_FIRST, *MALE_FIRST]
    team: list[str] = []
    while len(team) < SERVICE_TEAM:
        first = firsts[int(rng.integers(len(firsts)))]
        last = LAST[int(rng.integers(len(LAST)))]
        address = f"{first}.{last}@{OWNER_DOMAIN}".lower().replace(" ", "").replace("'", "")
        if address not in team:
            team.append(address)
    return tuple(team)


def inquiry_work(
    rows: InquiryRows, team: tuple[str, ...], extract_micros: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[str | None]]:
    """Each inquiry's first answer (UTC microseconds; -1 when none is recorded) and owner.

    The first answer comes a lognormal number of hours after opening (median by priority,
    `FIRST_RESPONSE_HOURS`), never after the resolution; one answered after the extract is
    not answered yet, and `UNRECORDED_SHARE` of the answers were not recorded at all. The
    owner is one of the account's `TEAM_SIZE` people of `team`; an open inquiry nobody has
    answered waits in the queue without one."""
    n = len(rows.opened)
    median = np.asarray(FIRST_RESPONSE_HOURS)[rows.priority.astype(np.int64)]
    hours = rng.lognormal(np.log(median), FIRST_RESPONSE_SPREAD, n)
    responded = rows.opened + (hours * 3_600_000_000).astype(np.int64)
    done = rows.resolved >= 0
    responded = np.where(done, np.minimum(responded, rows.resolved), responded)
    answered = done | (responded < extract_micros)
    recorded = rng.random(n) >= UNRECORDED_SHARE
    seat = rng.integers(0, TEAM_SIZE, n)
    queued = (rows.status == STATUSES.index("open")) & ~answered
    owners = [
        None if waiting else team[(int(account) * TEAM_SIZE + int(k)) % len(team)]
        for account, k, waiting in zip(rows.account, seat, queued, strict=True)
    ]
    return np.where(answered & recorded, responded, -1), owners


def account_inquiries(
    sponsor: Sponsor,
    active: np.ndarray,
    member_rows: np.ndarray,
    member_enrolled: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    window: Window,
    incidents: list[Incident],
    extract_micros: int,
    rng: np.random.Generator,
) -> InquiryRows:
    """Non-claims inquiries of one account for the whole window."""
    days_l: list[np.ndarray] = []
    cat_l: list[np.ndarray] = []
    sub_l: list[np.ndarray] = []
    inc_l: list[np.ndarray] = []
    for c, category in enumerate(CATEGORIES):
        if category == "claims":
            continue
        expected = expected_inquiries(active, window, category)
        if category in ("billing_fees", "reports"):
            expected = expected * 0.6 + 0.004 * contact_factor(window, business=True)
        counts = rng.poisson(expected)
        d = np.repeat(np.arange(window.days), counts)
        subs = SUBCATEGORIES[category]
        w = np.array(SUB_WEIGHTS[category])
        days_l.append(d)
        cat_l.append(np.full(d.size, c))
        sub_l.append(
            np.array(subs, dtype=object)[rng.choice(len(subs), size=d.size, p=w / w.sum())]
        )
        inc_l.append(np.full(d.size, -1))
        for k, inc in enumerate(incidents):
            target = INCIDENT_CATEGORY.get(inc.kind)
            if target is None or target[0] != category:
                continue
            mult = float(inc.params.get("inquiry_multiplier", inc.multiplier))
            extra = np.zeros(window.days)
            lo, hi = inc.start - window.first_day, inc.end - window.first_day
            extra[lo : hi + 1] = expected[lo : hi + 1] * (mult - 1.0)
            e_counts = rng.poisson(extra)
            ed = np.repeat(np.arange(window.days), e_counts)
            days_l.append(ed)
            cat_l.append(np.full(ed.size, c))
            sub_l.append(np.full(ed.size, target[1], dtype=object))
            inc_l.append(np.full(ed.size, int(inc.params.get("index", k))))
    day_idx = np.concatenate(days_l)
    category_idx = np.concatenate(cat_l)
    subcategory = np.concatenate(sub_l)
    incident = np.concatenate(inc_l)
    n = len(day_idx)
    first = window.first_day
    offsets = utc_offsets(sponsor.timezone, window.first_day, window.last_day)
    wd = (day_idx + first + 3) % 7
    local = np.clip(business_seconds(n, wd, rng), 8 * 3600, 18 * 3600)
    opened = local_seconds_to_utc_micros(day_idx + first, local, offsets, first)
    order = np.argsort(opened, kind="stable")
    day_idx, category_idx, subcategory, incident, opened = (
        day_idx[order],
        category_idx[order],
        subcategory[order],
        incident[order],
        opened[order],
    )
    sponsor_side = np.isin(
        category_idx, [CATEGORIES.index("billing_fees"), CATEGORIES.index("reports")]
    )
    requester = np.where(
        sponsor_side,
        np.where(rng.random(n) < 0.75, 1, 2),
        rng.choice(3, size=n, p=[0.78, 0.17, 0.05]),
    )
    channel = np.where(
        requester == 0,
        rng.choice(4, size=n, p=[0.55, 0.15, 0.3, 0.0]),
        rng.choice(4, size=n, p=[0.35, 0.45, 0.12, 0.08]),
    )
    priority = rng.choice(4, size=n, p=[0.12, 0.7, 0.15, 0.03])
    urgent_sub = np.isin(subcategory, ["termination_error", "pharmacy_rejected_card"])
    priority = np.where(urgent_sub & (rng.random(n) < 0.5), 3, priority)
    member = _pick_members(day_idx + first, member_rows, member_enrolled, rng)
    member = np.where((requester == 0) | (rng.random(n) < 0.3), member, -1)
    member = np.where(sponsor_side, -1, member)
    resolved, status = _resolution(opened, priority, extract_micros, rng)
    details = {"employer": [sponsor.name] * n, "city": [sponsor.state.cities[0].name] * n}
    text = describe(subcategory, requester, day_idx + first, rng, details)
    return InquiryRows(
        account=np.full(n, sponsor.index, dtype=np.int64),
        opened=opened,
        channel=channel.astype(np.int8),
        requester=requester.astype(np.int8),
        category=category_idx.astype(np.int8),
        subcategory=[str(s) for s in subcategory],
        priority=priority.astype(np.int8),
        member_row=member,
        claim_ref=[None] * n,
        description=text,
        status=status,
        resolved=resolved,
        incident=incident,
    )


def _pick_members(
    day: np.ndarray,
    rows: np.ndarray,
    spans: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """A member of the account enrolled on each day (-1 if none found in a few tries)."""
    n = len(day)
    out = np.full(n, -1, dtype=np.int64)
    if rows.size == 0:
        return out
    s1, e1, s2, e2 = spans
    todo = np.arange(n)
    for _ in range(6):
        if todo.size == 0:
            break
        cand = rng.integers(0, rows.size, todo.size)
        d = day[todo]
        ok = ((s1[cand] <= d) & (d <= e1[cand])) | ((s2[cand] <= d) & (d <= e2[cand]))
        out[todo[ok]] = rows[cand[ok]]
        todo = todo[~ok]
    return out


def claim_inquiries(
    account: np.ndarray,
    member_row: np.ndarray,
    claim_ref: np.ndarray,
    finalized: np.ndarray,
    received: np.ndarray,
    denied: np.ndarray,
    carc: list[str | None],
    service: list[str],
    provider: list[str],
    incident_claim: np.ndarray,
    forced_delay: np.ndarray,
    sponsors: list[Sponsor],
    window: Window,
    extract_micros: int,
    rng: np.random.Generator,
) -> InquiryRows:
    """Claims-category inquiries raised about the block's claims."""
    n = len(account)
    p = np.where(denied, 0.018, 0.0011)
    p = np.where(incident_claim >= 0, np.where(denied, 0.25, 0.04), p)
    ask = rng.random(n) < p
    idx = np.nonzero(ask)[0]
    lag = np.where(denied[idx], rng.integers(4, 25, idx.size), rng.integers(2, 20, idx.size))
    base_day = np.where(
        forced_delay[idx], received[idx] + rng.integers(12, 25, idx.size), finalized[idx] + lag
    )
    keep = base_day <= window.last_day
    idx, base_day = idx[keep], base_day[keep]
    m = idx.size
    sub = np.where(denied[idx], "denial_other", "payment_amount").astype(object)
    sub = np.where(
        denied[idx] & (np.array([carc[i] for i in idx], dtype=object) == "197"),
        "denial_prior_auth",
        sub,
    )
    sub = np.where(~denied[idx] & (rng.random(m) < 0.35), "eob_question", sub)
    sub = np.where(forced_delay[idx], "claim_status", sub)
    sub = np.where(
        ~denied[idx] & ~forced_delay[idx] & (rng.random(m) < 0.1), "coordination_of_benefits", sub
    )
    requester = rng.choice(3, size=m, p=[0.82, 0.15, 0.03])
    channel = np.where(
        requester == 0,
        rng.choice(4, size=m, p=[0.6, 0.1, 0.3, 0.0]),
        rng.choice(4, size=m, p=[0.4, 0.45, 0.1, 0.05]),
    )
    priority = rng.choice(4, size=m, p=[0.1, 0.68, 0.18, 0.04])
    acct = account[idx]
    opened = np.zeros(m, dtype=np.int64)
    wd = (base_day + 3) % 7
    local = np.clip(business_seconds(m, wd, rng), 8 * 3600, 18 * 3600)
    for a in np.unique(acct):
        sel = acct == a
        offsets = utc_offsets(sponsors[int(a)].timezone, window.first_day, window.last_day)
        opened[sel] = local_seconds_to_utc_micros(
            base_day[sel], local[sel], offsets, window.first_day
        )
    resolved, status = _resolution(opened, priority, extract_micros, rng)
    details = {
        "carc": [carc[i] or "" for i in idx],
        "service": [service[i] for i in idx],
        "provider": [provider[i] for i in idx],
        "employer": [sponsors[int(a)].name for a in acct],
    }
    text = describe(sub, requester, base_day, rng, details)
    return InquiryRows(
        account=acct.astype(np.int64),
        opened=opened,
        channel=channel.astype(np.int8),
        requester=requester.astype(np.int8),
        category=np.full(m, CATEGORIES.index("claims"), dtype=np.int8),
        subcategory=[str(s) for s in sub],
        priority=priority.astype(np.int8),
        member_row=member_row[idx],
        claim_ref=[str(claim_ref[i]) for i in idx],
        description=text,
        status=status,
        resolved=resolved,
        incident=incident_claim[idx].astype(np.int64),
    )
