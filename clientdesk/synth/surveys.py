"""Satisfaction surveys (``survey_response``): transactional member surveys after answered
calls and relationship surveys of sponsor contacts twice a year.

Grain: one row per survey sent by the extract date (``answered_at`` and scores are null when
nobody answered: invitations are exported too, so response rates can be computed).
Member CSAT top-2-box share is held at the account's level per calendar year with a quota,
so the member-satisfaction guarantee is met; calls hit by an understaffing incident lower
it within a bounded budget. Sponsor NPS falls after incidents at the account. Response rates
follow ``service-guarantees-detection.md`` §4.2 (B2B 26-35 %); member transactional surveys
answer about 20 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.calendar_effects import local_seconds_to_utc_micros, utc_offsets
from clientdesk.synth.contact_center import QUEUES, Calls
from clientdesk.synth.incident_model import Incident
from clientdesk.synth.narratives import SURVEY_VERBATIMS
from clientdesk.synth.params import Window
from clientdesk.synth.quotas import dense_groups, select_top, year_of
from clientdesk.synth.sponsors import Sponsor

MICROS_DAY = 86_400_000_000


@dataclass
class SurveyRows:
    """Surveys before Arrow conversion (grain: one row per survey sent)."""

    survey: np.ndarray
    sent: np.ndarray
    answered: np.ndarray
    nps: np.ndarray
    csat: np.ndarray
    verbatim: list[str | None]
    contact_email: list[str | None]


def member_surveys(
    sponsor: Sponsor, calls: Calls, extract_micros: int, rng: np.random.Generator
) -> SurveyRows:
    """Post-call surveys for a sample of answered member-line calls."""
    eligible = calls.answered & (calls.queue != QUEUES.index("sponsor_line"))
    sent_idx = np.nonzero(eligible & (rng.random(len(calls.answered)) < 0.06))[0]
    sent = calls.offered[sent_idx] + MICROS_DAY // 2
    responds = rng.random(sent_idx.size) < 0.21
    answered = sent + (rng.exponential(1.2, sent_idx.size) * MICROS_DAY).astype(np.int64)
    responds &= answered <= extract_micros
    answered = np.where(responds, answered, -1)
    n = sent_idx.size
    year = year_of(np.maximum(answered, 0) // MICROS_DAY)
    group, n_groups = dense_groups(year)
    affected = calls.understaffed[sent_idx] | (calls.wait[sent_idx] > 120)
    base = responds & ~affected
    n_resp = np.bincount(group[responds], minlength=n_groups)
    n_base = np.bincount(group[base], minlength=n_groups)
    target = sponsor.levels.member_satisfaction_pct / 100.0
    k_top = np.ceil(target * n_base - 1e-9).astype(np.int64)
    top = select_top(group, k_top, np.where(base, rng.random(n), -np.inf)) & base
    # affected responses: satisfied unless within a budget of at most 40 % of the gap
    budget = np.floor(0.4 * (target - 0.85) * n_resp).astype(np.int64)
    budget = np.maximum(budget, 0)
    affected_resp = responds & affected
    unhappy = select_top(group, budget, np.where(affected_resp, rng.random(n), -np.inf))
    unhappy &= affected_resp
    top |= affected_resp & ~unhappy
    csat = np.where(
        top,
        np.where(rng.random(n) < 0.68, 5, 4),
        rng.choice(np.array([1, 2, 3]), size=n, p=[0.25, 0.3, 0.45]),
    )
    nps = np.where(
        csat == 5,
        rng.choice(np.array([9, 10]), size=n, p=[0.4, 0.6]),
        np.where(
            csat == 4,
            rng.choice(np.array([7, 8, 9]), size=n, p=[0.35, 0.45, 0.2]),
            rng.integers(0, 7, n),
        ),
    )
    verbatim = _verbatims(
        np.where(csat >= 4, 0, np.where(csat == 3, 1, 2)),
        "member",
        responds & (rng.random(n) < 0.45),
        rng,
    )
    rows = SurveyRows(
        survey=np.zeros(n, dtype=np.int8),
        sent=sent,
        answered=answered,
        nps=np.where(responds, nps, -1),
        csat=np.where(responds, csat, -1),
        verbatim=verbatim,
        contact_email=[None] * n,
    )
    return _sent_by(rows, extract_micros)


def sponsor_surveys(
    sponsor: Sponsor,
    window: Window,
    incidents: list[Incident],
    extract_micros: int,
    rng: np.random.Generator,
) -> SurveyRows:
    """Relationship surveys sent to every sponsor contact in April and October."""
    starts = window.month_starts[:-1]
    months = starts.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    waves = starts[np.isin(months, [4, 10])]
    offsets = utc_offsets(sponsor.timezone, window.first_day, window.last_day)
    rows_wave: list[int] = []
    rows_contact: list[int] = []
    for w in waves.tolist():
        tuesday = int(w) + int((1 - (int(w) + 3) % 7) % 7)
        for c in range(len(sponsor.contacts)):
            rows_wave.append(tuesday)
            rows_contact.append(c)
    n = len(rows_wave)
    day = np.array(rows_wave, dtype=np.int64)
    contact = np.array(rows_contact, dtype=np.int64)
    sent = local_seconds_to_utc_micros(day, np.full(n, 10 * 3600), offsets, window.first_day)
    responds = rng.random(n) < 0.32
    answered = sent + (rng.uniform(0.2, 12.0, n) * MICROS_DAY).astype(np.int64)
    responds &= answered <= extract_micros
    recent = np.zeros(n)
    for inc in incidents:
        hit = (day >= inc.start) & (day <= inc.end + 120)
        recent += hit * (2.5 if inc.misses else 1.2)
    score = rng.normal(8.2, 1.3, n) - recent
    nps = np.clip(np.rint(score), 0, 10).astype(np.int64)
    csat = np.clip(np.rint(1 + nps / 2.5), 1, 5).astype(np.int64)
    tone = np.where(nps >= 9, 0, np.where(nps >= 7, 1, 2))
    verbatim = _verbatims(tone, "sponsor", responds & (rng.random(n) < 0.7), rng)
    emails = [sponsor.contacts[int(c)].email for c in contact]
    rows = SurveyRows(
        survey=np.ones(n, dtype=np.int8),
        sent=sent,
        answered=np.where(responds, answered, -1),
        nps=np.where(responds, nps, -1),
        csat=np.where(responds, csat, -1),
        verbatim=verbatim,
        contact_email=list(emails),
    )
    return _sent_by(rows, extract_micros)


def _sent_by(rows: SurveyRows, extract_micros: int) -> SurveyRows:
    """The invitations sent by the extract (an answer always comes after its invitation)."""
    keep = rows.sent <= extract_micros
    index = np.nonzero(keep)[0].tolist()
    return SurveyRows(
        survey=rows.survey[keep],
        sent=rows.sent[keep],
        answered=rows.answered[keep],
        nps=rows.nps[keep],
        csat=rows.csat[keep],
        verbatim=[rows.verbatim[i] for i in index],
        contact_email=[rows.contact_email[i] for i in index],
    )


def _verbatims(
    tone: np.ndarray, who: str, has: np.ndarray, rng: np.random.Generator
) -> list[str | None]:
    names = ("high", "mid", "low")
    pick = rng.integers(0, 1000, len(tone))
    out: list[str | None] = []
    for t, h, p in zip(tone.tolist(), has.tolist(), pick.tolist(), strict=True):
        if not h:
            out.append(None)
            continue
        pool = SURVEY_VERBATIMS[f"{who}_{names[t]}"]
        out.append(pool[p % len(pool)])
    return out
