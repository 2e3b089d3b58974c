"""Members: households, demographics, enrollment spans, chronic conditions, births.

Grain: one row per person (member) in the ``Population`` arrays, ordered by account, then
household, then position in the household (subscriber, spouse, children oldest first,
newborns). Each member has one or two enrollment spans (two when coverage has a gap).

Enrollment follows the pattern of the Tuva synthetic-data generator's commercial cohort
(``claims-analytics.md`` §1.5): about 86 % of households enrolled from the first day, about
13 % terminating early, 3.5 % with a one- or two-month gap; new hires join on the first of a
month; children leave at the end of the month they turn 26; babies join at birth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.conditions import (
    CONDITION_INDEX,
    ESRD_SHARE_OF_CKD,
    N_CONDITIONS,
    cancer_pool,
    condition_pools,
    sample_conditions,
)
from clientdesk.synth.names import FEMALE_FIRST, LAST, MALE_FIRST, STREET_SUFFIXES, STREETS
from clientdesk.synth.params import Window
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.sponsors import Sponsor, coverage_start_day

RELATION_SELF, RELATION_SPOUSE, RELATION_CHILD = 0, 1, 2
RELATIONS = ("self", "spouse", "child")

SUBSCRIBER_AGE_BANDS = np.array([20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70])
SUBSCRIBER_AGE_WEIGHTS = np.array([0.07, 0.11, 0.12, 0.12, 0.12, 0.11, 0.11, 0.11, 0.09, 0.04])
"""Employed-subscriber age mix in 5-year bands 20-69 (a typical employer census)."""

DELIVERY_RATE = ((18, 0.040), (25, 0.080), (30, 0.090), (35, 0.052), (40, 0.012), (45, 0.0))
"""Annual probability of a delivery for an enrolled woman by age (US fertility by age)."""


@dataclass
class Population:
    """Every member of the book as parallel numpy arrays (grain: one row per member)."""

    account: np.ndarray
    household: np.ndarray
    relation: np.ndarray
    member_no: np.ndarray
    female: np.ndarray
    birth_day: np.ndarray
    age: np.ndarray
    first_name: np.ndarray
    middle_initial: np.ndarray
    last_name: np.ndarray
    conditions: np.ndarray
    frailty: np.ndarray
    dx_choice: np.ndarray
    esrd: np.ndarray
    plan: np.ndarray
    affinity: np.ndarray
    city: np.ndarray
    street_no: np.ndarray
    street: np.ndarray
    street_suffix: np.ndarray
    zip_suffix: np.ndarray
    phone_line: np.ndarray
    has_email: np.ndarray
    span1_start: np.ndarray
    span1_end: np.ndarray
    span2_start: np.ndarray
    span2_end: np.ndarray
    delivery_mother: np.ndarray
    delivery_day: np.ndarray
    delivery_newborn: np.ndarray
    account_offsets: np.ndarray

    @property
    def size(self) -> int:
        """Number of members."""
        return len(self.account)

    def enrolled_days(self) -> np.ndarray:
        """Enrolled days in the window per member."""
        first = self.span1_end - self.span1_start + 1
        second = np.maximum(0, self.span2_end - self.span2_start + 1)
        return np.asarray(first + second, dtype=np.int64)

    def enrolled_on(self, day: int) -> np.ndarray:
        """Whether each member is enrolled on ``day``."""
        in1 = (self.span1_start <= day) & (day <= self.span1_end)
        in2 = (self.span2_start <= day) & (day <= self.span2_end)
        return np.asarray(in1 | in2)

    def active_by_day(self, window: Window, n_accounts: int) -> np.ndarray:
        """Members enrolled per account per window day, shape (accounts, days)."""
        days = window.days
        diff = np.zeros(n_accounts * (days + 1), dtype=np.int64)
        for start, end in ((self.span1_start, self.span1_end), (self.span2_start, self.span2_end)):
            ok = end >= start
            base = self.account[ok].astype(np.int64) * (days + 1)
            np.add.at(diff, base + (start[ok] - window.first_day), 1)
            np.add.at(diff, base + (end[ok] - window.first_day + 1), -1)
        return np.cumsum(diff.reshape(n_accounts, days + 1), axis=1)[:, :days]


def _month_starts_between(window: Window, lo: int, hi: int) -> np.ndarray:
    starts = window.month_starts
    return starts[(starts > lo) & (starts <= hi)]


def _month_end_after(window: Window, day: np.ndarray) -> np.ndarray:
    """Last day of the month containing ``day`` (clipped to the window)."""
    idx = np.searchsorted(window.month_starts, day, side="right")
    idx = np.minimum(idx, len(window.month_starts) - 1)
    return np.asarray(np.minimum(window.month_starts[idx] - 1, window.last_day))


def _random_month_start(
    rng: np.random.Generator, window: Window, lo: int, hi: int, n: int
) -> np.ndarray:
    choices = _month_starts_between(window, lo, hi)
    if choices.size == 0:
        return np.full(n, lo, dtype=np.int32)
    return choices[rng.integers(0, choices.size, n)].astype(np.int32)


def _account_members(sponsor: Sponsor, window: Window, seed: int) -> dict[str, np.ndarray]:
    """Members of one account before global numbering (see ``Population`` for fields)."""
    rng = stream(seed, Stream.POPULATION, sponsor.index)
    target = sponsor.member_target
    cov_start = coverage_start_day(sponsor, window.first_day)
    last = window.last_day
    n_hh = target // 2 + 40

    band = rng.choice(
        len(SUBSCRIBER_AGE_WEIGHTS),
        size=n_hh,
        p=SUBSCRIBER_AGE_WEIGHTS / SUBSCRIBER_AGE_WEIGHTS.sum(),
    )
    sub_age = SUBSCRIBER_AGE_BANDS[band] + rng.integers(0, 5, n_hh)
    sub_female = rng.random(n_hh) >= sponsor.male_share
    p_spouse = np.select([sub_age < 30, sub_age < 40, sub_age < 55], [0.3, 0.55, 0.62], 0.6)
    spouse = rng.random(n_hh) < p_spouse
    kid_mean = np.interp(
        sub_age,
        [20, 27, 32, 37, 42, 47, 52, 57, 62],
        [0.15, 0.5, 1.0, 1.45, 1.5, 1.2, 0.7, 0.3, 0.1],
    )
    n_kids = np.minimum(rng.poisson(kid_mean * np.where(spouse, 1.25, 0.6)), 6)

    joins_late = rng.random(n_hh) < 0.14
    hh_start = np.full(n_hh, cov_start, dtype=np.int32)
    late_start = _random_month_start(rng, window, cov_start, last - 60, n_hh)
    hh_start = np.where(joins_late, late_start, hh_start).astype(np.int32)
    terminates = rng.random(n_hh) < 0.13
    term_day = (
        hh_start + 45 + (rng.random(n_hh) * np.maximum(1, last - hh_start - 45)).astype(np.int32)
    )
    hh_end = np.where(terminates, _month_end_after(window, np.minimum(term_day, last)), last)
    hh_end = np.maximum(hh_end, hh_start + 27).astype(np.int32)
    hh_end = np.minimum(hh_end, last)
    gap = rng.random(n_hh) < 0.035
    gap_start = (
        _month_end_after(
            window,
            hh_start
            + 40
            + (rng.random(n_hh) * np.maximum(1, hh_end - hh_start - 120)).astype(np.int32),
        )
        + 1
    )
    gap_len = rng.integers(1, 3, n_hh)
    gap_end_month = np.searchsorted(window.month_starts, gap_start) + gap_len
    gap_end_month = np.minimum(gap_end_month, len(window.month_starts) - 1)
    resume = window.month_starts[gap_end_month]
    gap = gap & (resume + 30 < hh_end) & (gap_start > hh_start + 30)

    sizes = 1 + spouse.astype(np.int64) + n_kids
    hh_of = np.repeat(np.arange(n_hh), sizes)
    first_of_hh = np.cumsum(sizes) - sizes
    pos = np.arange(len(hh_of)) - first_of_hh[hh_of]
    relation = np.where(
        pos == 0,
        RELATION_SELF,
        np.where((pos == 1) & spouse[hh_of], RELATION_SPOUSE, RELATION_CHILD),
    )
    n = len(hh_of)
    parent_age = sub_age[hh_of]
    spouse_age = np.clip(parent_age + rng.normal(-1.5, 4.0, n), 19, 75).astype(np.int64)
    max_kid = np.clip(parent_age - 19, 1, 26)
    kid_age = (rng.random(n) * max_kid).astype(np.int64)
    age = np.where(
        relation == RELATION_SELF,
        parent_age,
        np.where(relation == RELATION_SPOUSE, spouse_age, kid_age),
    )
    female = np.where(
        relation == RELATION_SELF,
        sub_female[hh_of],
        np.where(
            relation == RELATION_SPOUSE,
            np.where(rng.random(n) < 0.97, ~sub_female[hh_of], sub_female[hh_of]),
            rng.random(n) < 0.49,
        ),
    )
    # children oldest first within the household
    order = np.lexsort((-age, relation, hh_of))
    age, female, relation, hh_of = age[order], female[order], relation[order], hh_of[order]
    birth_day = (
        window.first_day - (age * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    ).astype(np.int32)
    # a child must still be under 26 a couple of months after the household joins
    youngest_allowed = hh_start[hh_of] + 60 - int(26 * 365.25)
    birth_day = np.where(
        relation == RELATION_CHILD, np.maximum(birth_day, youngest_allowed), birth_day
    ).astype(np.int32)

    # deliveries: enrolled women 18-44 (self or spouse)
    rate = np.zeros(n)
    for lower, r in DELIVERY_RATE:
        rate = np.where(age >= lower, r, rate)
    rate = np.where(female & (relation != RELATION_CHILD), rate, 0.0)
    years = (hh_end[hh_of] - hh_start[hh_of] + 1) / 365.25
    mothers = np.nonzero(rng.random(n) < np.minimum(0.9, rate * years))[0]
    span_len = hh_end[hh_of[mothers]] - hh_start[hh_of[mothers]]
    delivery_day = (
        hh_start[hh_of[mothers]]
        + 30
        + (rng.random(mothers.size) * np.maximum(1, span_len - 30)).astype(np.int32)
    )
    mh = hh_of[mothers]
    in_gap = gap[mh] & (delivery_day >= gap_start[mh]) & (delivery_day < resume[mh])
    delivery_day = np.where(in_gap, np.minimum(resume[mh] + 3, hh_end[mh]), delivery_day)

    # households with their newborns appended, then trimmed to the exact member target
    nb_hh = hh_of[mothers]
    all_hh = np.concatenate([hh_of, nb_hh])
    all_age = np.concatenate([age, np.zeros(mothers.size, dtype=np.int64)])
    all_female = np.concatenate([female, rng.random(mothers.size) < 0.49])
    all_rel = np.concatenate([relation, np.full(mothers.size, RELATION_CHILD)])
    all_birth = np.concatenate([birth_day, delivery_day.astype(np.int32)])
    is_newborn = np.concatenate([np.zeros(n, bool), np.ones(mothers.size, bool)])
    mother_local = np.concatenate([np.full(n, -1), mothers])
    order = np.lexsort((np.arange(all_hh.size), is_newborn, all_hh))
    all_hh, all_age, all_female = all_hh[order], all_age[order], all_female[order]
    all_rel, all_birth = all_rel[order], all_birth[order]
    is_newborn, mother_local = is_newborn[order], mother_local[order]
    old_to_new = np.empty(all_hh.size, dtype=np.int64)
    old_to_new[order] = np.arange(all_hh.size)
    keep = np.arange(all_hh.size) < target
    last_hh = all_hh[target - 1]
    keep &= all_hh <= last_hh
    # a newborn whose mother was trimmed away is dropped too
    mother_new = np.where(mother_local >= 0, old_to_new[np.maximum(mother_local, 0)], -1)
    keep &= ~(is_newborn & ((mother_new < 0) | ~keep[np.maximum(mother_new, 0)]))
    idx = np.nonzero(keep)[0]
    if idx.size < target:
        extra = np.setdiff1d(np.arange(all_hh.size)[all_hh <= last_hh + 50], idx)
        extra = extra[~is_newborn[extra]][: target - idx.size]
        idx = np.sort(np.concatenate([idx, extra]))
    idx = idx[:target]
    hh = all_hh[idx]
    # renumber households densely in order of appearance
    hh_unique, hh_dense = np.unique(hh, return_inverse=True)
    m_age, m_female, m_rel, m_birth = all_age[idx], all_female[idx], all_rel[idx], all_birth[idx]
    m_newborn = is_newborn[idx]
    pos_new = np.full(all_hh.size, -1, dtype=np.int64)
    pos_new[idx] = np.arange(idx.size)
    newborn_rows = np.nonzero(m_newborn)[0]
    mothers_rows = pos_new[mother_new[idx[newborn_rows]]]
    deliveries_kept = mothers_rows >= 0

    # every delivery keeps its mother; babies may be missing only if trimmed
    kept_mother_rows = pos_new[old_to_new[mothers]]
    has_mother = kept_mother_rows >= 0
    d_mother = kept_mother_rows[has_mother]
    d_day = delivery_day[has_mother].astype(np.int32)
    d_baby = np.full(d_mother.size, -1, dtype=np.int64)
    baby_by_mother = dict(
        zip(
            mothers_rows[deliveries_kept].tolist(),
            newborn_rows[deliveries_kept].tolist(),
            strict=True,
        )
    )
    for k, mother_row in enumerate(d_mother.tolist()):
        d_baby[k] = baby_by_mother.get(mother_row, -1)

    src_hh = hh_unique[hh_dense]
    start = hh_start[src_hh].copy()
    end = hh_end[src_hh].copy()
    start = np.where(m_newborn, np.maximum(m_birth, start), start)
    # children leave at the end of the month they turn 26
    turns_26 = m_birth + int(26 * 365.25)
    ages_out = (m_rel == RELATION_CHILD) & (turns_26 <= end)
    end = np.where(ages_out, _month_end_after(window, np.maximum(turns_26, window.first_day)), end)
    end = np.maximum(end, start)
    has_gap = gap[src_hh] & ~m_newborn
    g_start = gap_start[src_hh]
    g_resume = resume[src_hh]
    has_gap &= (g_start > start + 30) & (g_resume + 30 < end)
    span1_end = np.where(has_gap, g_start - 1, end).astype(np.int32)
    span2_start = np.where(has_gap, g_resume, 0).astype(np.int32)
    span2_end = np.where(has_gap, end, -1).astype(np.int32)

    size = idx.size
    first_of = np.r_[0, np.nonzero(np.diff(hh_dense))[0] + 1]
    member_no = np.arange(size) - np.repeat(first_of, np.diff(np.r_[first_of, size])) + 1

    conditions, frailty = sample_conditions(m_age, m_female, rng)
    conditions[m_newborn] = False
    dx_choice = np.full((size, N_CONDITIONS), -1, dtype=np.int16)
    pools = condition_pools()
    cancer = CONDITION_INDEX["cancer"]
    for ci, pool in enumerate(pools):
        who = np.nonzero(conditions[:, ci])[0]
        if who.size == 0:
            continue
        if ci == cancer:
            for is_f in (True, False):
                sub = who[m_female[who] == is_f]
                cp = cancer_pool(is_f)
                dx_choice[sub, ci] = rng.choice(len(cp.codes), size=sub.size, p=cp.weights)
        else:
            dx_choice[who, ci] = rng.choice(len(pool.codes), size=who.size, p=pool.weights)
    esrd = (
        conditions[:, CONDITION_INDEX["ckd"]]
        & (m_age >= 25)
        & (rng.random(size) < ESRD_SHARE_OF_CKD)
    )

    n_hh_kept = hh_unique.size
    plan_pick = np.zeros(n_hh_kept, dtype=np.int64)
    if len(sponsor.plans) > 1:
        plan_pick = (rng.random(n_hh_kept) < 0.35).astype(np.int64)
    plans = np.asarray(sponsor.plans, dtype=np.int8)[plan_pick]
    affinity = rng.integers(0, 2**31 - 1, n_hh_kept, dtype=np.int64)
    n_cities = len(sponsor.state.cities)
    city_w = np.r_[0.4, np.full(n_cities - 1, 0.6 / max(1, n_cities - 1))][:n_cities]
    city = rng.choice(n_cities, size=n_hh_kept, p=city_w / city_w.sum())
    last_name = rng.integers(0, len(LAST), n_hh_kept)
    own_last = rng.integers(0, len(LAST), size)
    keeps_name = ~((m_rel == RELATION_SPOUSE) & (rng.random(size) < 0.15))
    first_female = rng.integers(0, len(FEMALE_FIRST), size)
    first_male = rng.integers(0, len(MALE_FIRST), size)

    return {
        "household_local": hh_dense.astype(np.int64),
        "relation": m_rel.astype(np.int8),
        "member_no": member_no.astype(np.int8),
        "female": m_female.astype(bool),
        "birth_day": m_birth.astype(np.int32),
        "age": m_age.astype(np.int16),
        "first_name": np.where(m_female, first_female, first_male).astype(np.int16),
        "middle_initial": rng.integers(0, 18, size).astype(np.int8),
        "last_name": np.where(keeps_name, last_name[hh_dense], own_last).astype(np.int16),
        "conditions": conditions,
        "frailty": frailty.astype(np.float32),
        "dx_choice": dx_choice,
        "esrd": esrd,
        "plan": plans[hh_dense],
        "affinity": affinity[hh_dense],
        "city": city[hh_dense].astype(np.int8),
        "street_no": rng.integers(100, 9900, n_hh_kept)[hh_dense].astype(np.int32),
        "street": rng.integers(0, len(STREETS), n_hh_kept)[hh_dense].astype(np.int16),
        "street_suffix": rng.integers(0, len(STREET_SUFFIXES), n_hh_kept)[hh_dense].astype(np.int8),
        "zip_suffix": rng.integers(0, 100, n_hh_kept)[hh_dense].astype(np.int8),
        "phone_line": rng.integers(0, 100, n_hh_kept)[hh_dense].astype(np.int8),
        "has_email": (rng.random(size) < 0.4) & (m_age >= 18),
        "span1_start": start.astype(np.int32),
        "span1_end": span1_end,
        "span2_start": span2_start,
        "span2_end": span2_end,
        "delivery_mother": d_mother.astype(np.int64),
        "delivery_day": d_day,
        "delivery_newborn": d_baby,
    }


def build_population(sponsors: list[Sponsor], window: Window, seed: int) -> Population:
    """Generate every account's members and number them globally (account order)."""
    parts = [_account_members(s, window, seed) for s in sponsors]
    counts = np.array([p["relation"].shape[0] for p in parts], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(counts)]
    hh_counts = np.array([int(p["household_local"].max()) + 1 for p in parts], dtype=np.int64)
    hh_offsets = np.r_[0, np.cumsum(hh_counts)]
    account = np.repeat(np.arange(len(sponsors), dtype=np.int32), counts)
    household = np.concatenate([p["household_local"] + hh_offsets[i] for i, p in enumerate(parts)])

    def cat(key: str) -> np.ndarray:
        return np.concatenate([p[key] for p in parts])

    def cat_rows(key: str) -> np.ndarray:
        return np.concatenate(
            [np.where(p[key] >= 0, p[key] + offsets[i], -1) for i, p in enumerate(parts)]
        )

    return Population(
        account=account,
        household=household.astype(np.int64),
        relation=cat("relation"),
        member_no=cat("member_no"),
        female=cat("female"),
        birth_day=cat("birth_day"),
        age=cat("age"),
        first_name=cat("first_name"),
        middle_initial=cat("middle_initial"),
        last_name=cat("last_name"),
        conditions=cat("conditions"),
        frailty=cat("frailty"),
        dx_choice=cat("dx_choice"),
        esrd=cat("esrd"),
        plan=cat("plan"),
        affinity=cat("affinity"),
        city=cat("city"),
        street_no=cat("street_no"),
        street=cat("street"),
        street_suffix=cat("street_suffix"),
        zip_suffix=cat("zip_suffix"),
        phone_line=cat("phone_line"),
        has_email=cat("has_email"),
        span1_start=cat("span1_start"),
        span1_end=cat("span1_end"),
        span2_start=cat("span2_start"),
        span2_end=cat("span2_end"),
        delivery_mother=cat_rows("delivery_mother"),
        delivery_day=cat("delivery_day"),
        delivery_newborn=cat_rows("delivery_newborn"),
        account_offsets=offsets,
    )
