"""Medical events for one block of members, turned into professional and institutional claims.

Grain of the result: one ``ClaimSet`` (claims + lines) for the block. Each service family
(office visits, ED, inpatient stays, deliveries, ...) draws Poisson event counts per member
from rates that depend on age, sex, chronic conditions and frailty, places events on
enrolled days, and fills claims with lines through ``Slot`` lists. Rates and prices are
tuned so that the book meets the calibration targets in ``claims-analytics.md`` §4 (see
``tests/test_calibration.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.blocks import BlockMembers
from clientdesk.synth.claim_sets import (
    CS_ED,
    CS_PCP,
    CS_PREVENTIVE,
    CS_SPECIALIST,
    CS_TELEHEALTH,
    CS_URGENT,
    INSTITUTIONAL,
    PROFESSIONAL,
    ClaimSet,
    Slot,
    SlotLines,
    allocate,
    attach_lines,
    concat,
    expand_slots,
    new_claims,
)
from clientdesk.synth.conditions import CONDITION_INDEX, CONDITIONS
from clientdesk.synth.diagnoses import DxDictionary, draw
from clientdesk.synth.population import Population
from clientdesk.synth.procedures import (
    BILL_INDEX,
    DELIVERIES,
    DISPOSITION_WEIGHTS,
    HCPCS_INDEX,
    HCPCS_PRICE,
    INPATIENT,
    MOD_INDEX,
    NEWBORNS,
    PCS_INDEX,
    POS_INDEX,
    REV_INDEX,
)
from clientdesk.synth.providers import ProviderDirectory

CALIBRATION = 1.07
"""Global price factor that lands total allowed PMPM on the §4 target (tuned by test)."""
PROFESSIONAL_FACTOR = 1.45
"""Professional fee level relative to the price table (commercial pays well above CMS)."""
OUTPATIENT_FACTOR = 1.4
"""Outpatient facility price level relative to the price table."""
INPATIENT_FACTOR = 1.2
"""Inpatient facility price level relative to the DRG base prices."""
OUTLIER_SHARE = 0.09
"""Share of medical/surgical stays with complications: longer and 2-4x as costly."""

FACILITY_MARKUP = 2.4
"""Facility price of a coded outpatient line relative to its professional price."""

ED_FACILITY = {"99281": 480.0, "99282": 820.0, "99283": 1400.0, "99284": 2350.0, "99285": 3600.0}
REV_FLAT = {"0250": 95.0, "0258": 60.0, "0270": 75.0, "0272": 110.0, "0730": 120.0, "0636": 60.0}

DRG_CODES: tuple[str, ...] = tuple(
    sorted({s.drg for s in INPATIENT} | {d.drg for d in DELIVERIES} | {n.drg for n in NEWBORNS})
)
DRG_INDEX = {d: i for i, d in enumerate(DRG_CODES)}

RX_NONE, RX_ANTIBIOTIC, RX_ANALGESIC, RX_ANTIVIRAL, RX_ANTIEMETIC, RX_OPIOID, RX_STEROID = range(7)


@dataclass
class RxTriggers:
    """Acute prescriptions written at medical encounters (grain: one row per prescription)."""

    member: np.ndarray
    day: np.ndarray
    prescriber: np.ndarray
    kind: np.ndarray


def weekday(day: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday for day numbers (1970-01-01 was a Thursday)."""
    return (day + 3) % 7


def to_weekday(day: np.ndarray) -> np.ndarray:
    """Move Saturday to Friday and Sunday to Monday (office-hours services)."""
    wd = weekday(day)
    return np.where(wd == 5, day - 1, np.where(wd == 6, day + 1, day)).astype(np.int32)


class Context:
    """Shared inputs of the event generators for one block."""

    def __init__(
        self,
        members: BlockMembers,
        directory: ProviderDirectory,
        dx: DxDictionary,
        rng: np.random.Generator,
        first_day: int,
        last_day: int,
    ) -> None:
        self.m = members
        self.d = directory
        self.dx = dx
        self.rng = rng
        self.first_day = first_day
        self.last_day = last_day
        self.rx: list[RxTriggers] = []
        self.rx_class = self._rx_classes()

    def _rx_classes(self) -> np.ndarray:
        out = np.full(len(self.dx.codes), RX_NONE, dtype=np.int8)
        for i, code in enumerate(self.dx.codes):
            if code.startswith(("J0", "J1", "J20", "H66", "N39", "L03", "J01", "J02", "N10")):
                out[i] = RX_ANTIBIOTIC
            if code.startswith(("J10", "J11", "U071")):
                out[i] = RX_ANTIVIRAL
            elif code.startswith(("S", "M25", "M54", "T14")):
                out[i] = RX_ANALGESIC
            elif code.startswith(("R112", "K529")):
                out[i] = RX_ANTIEMETIC
            elif code.startswith(("J30", "L30", "L20", "T78", "J45")):
                out[i] = RX_STEROID
        return out

    # ---- event placement ------------------------------------------------------------------
    def events(self, rate_per_year: np.ndarray) -> np.ndarray:
        """Member indices, one per event, from Poisson counts over each member's exposure."""
        counts = self.rng.poisson(np.maximum(rate_per_year, 0.0) * self.m.years())
        return np.repeat(np.arange(self.m.n), counts)

    def days(self, who: np.ndarray, office: bool = False) -> np.ndarray:
        """A uniformly drawn enrolled day for each event."""
        m = self.m
        u = (self.rng.random(len(who)) * m.enrolled[who]).astype(np.int64)
        first = u < m.len1[who]
        day = np.where(first, m.s1[who] + u, m.s2[who] + u - m.len1[who]).astype(np.int32)
        if office:
            day = np.clip(to_weekday(day), self.first_day, self.last_day).astype(np.int32)
        return np.asarray(day)

    def lognormal(self, n: int, sigma: float) -> np.ndarray:
        """Mean-one log-normal noise."""
        return self.rng.lognormal(-0.5 * sigma * sigma, sigma, n)

    def prof_price(
        self, lines_hcpcs: np.ndarray, units: np.ndarray, who: np.ndarray, sigma: float = 0.18
    ) -> np.ndarray:
        """Professional allowed per line: code price x units x state index x noise."""
        base = HCPCS_PRICE[np.maximum(lines_hcpcs, 0)] * np.where(lines_hcpcs >= 0, 1.0, 0.0)
        return np.asarray(
            base
            * units
            * self.m.cost_index[who]
            * CALIBRATION
            * PROFESSIONAL_FACTOR
            * self.lognormal(len(lines_hcpcs), sigma)
        )

    def secondary_dx(self, cs: ClaimSet, first_col: int = 1, count: int = 3) -> None:
        """Fill dx columns from the member's chronic diagnoses, skipping the principal."""
        chronic = self.m.chronic_dx[cs.member]
        principal = cs.dx[:, 0:1]
        chronic = np.where(chronic == principal, -1, chronic)
        order = np.argsort(chronic < 0, axis=1, kind="stable")
        chronic = np.take_along_axis(chronic, order, axis=1)
        cols = min(count, chronic.shape[1], cs.dx.shape[1] - first_col)
        cs.dx[:, first_col : first_col + cols] = chronic[:, :cols]

    def add_rx(
        self,
        member: np.ndarray,
        day: np.ndarray,
        prescriber: np.ndarray,
        dx1: np.ndarray,
        probability: float,
    ) -> None:
        """Record acute prescriptions for encounters whose diagnosis usually gets one."""
        kind = self.rx_class[np.maximum(dx1, 0)]
        take = (kind != RX_NONE) & (self.rng.random(len(member)) < probability)
        self.rx.append(
            RxTriggers(member[take], day[take], prescriber[take], kind[take].astype(np.int8))
        )


def _age_rate(age: np.ndarray, points: list[float], values: list[float]) -> np.ndarray:
    return np.asarray(np.interp(age, points, values))


def _em_slots(
    new_mask: np.ndarray,
    established: tuple[float, ...] = (0.06, 0.47, 0.39, 0.08),
    new: tuple[float, ...] = (0.05, 0.45, 0.4, 0.1),
) -> list[tuple[Slot, np.ndarray | None]]:
    return [
        (Slot(1.0, ("99212", "99213", "99214", "99215"), established), ~new_mask),
        (Slot(1.0, ("99202", "99203", "99204", "99205"), new), new_mask),
    ]


SPECIALTY_ROUTING: dict[str, tuple[str, float]] = {
    "hypertension": ("cardiology", 0.08),
    "hyperlipidemia": ("cardiology", 0.05),
    "diabetes": ("endocrinology", 0.25),
    "asthma": ("pulmonology", 0.15),
    "copd": ("pulmonology", 0.35),
    "depression": ("behavioral", 0.25),
    "anxiety": ("behavioral", 0.2),
    "ckd": ("nephrology", 0.5),
    "cad": ("cardiology", 0.6),
    "heart_failure": ("cardiology", 0.7),
    "cancer": ("oncology", 0.8),
    "obesity": ("primary_care", 0.0),
    "hypothyroidism": ("endocrinology", 0.15),
    "autoimmune": ("rheumatology", 0.6),
    "musculoskeletal": ("orthopedics", 0.35),
    "adhd": ("behavioral", 0.2),
    "sleep_apnea": ("pulmonology", 0.4),
}


def _pick_condition(ctx: Context, who: np.ndarray) -> np.ndarray:
    """A random present condition per event (-1 when the member has none)."""
    flags = ctx.m.conditions[who]
    keys = ctx.rng.random(flags.shape) * flags
    chosen = np.argmax(keys, axis=1)
    return np.where(flags.any(axis=1), chosen, -1)


def office_visits(ctx: Context) -> ClaimSet:
    """Office E/M visits with primary care or specialists (professional, POS 11)."""
    m, rng = ctx.m, ctx.rng
    base = np.where(
        m.age < 18,
        _age_rate(m.age, [0, 2, 17], [2.2, 1.4, 1.1]),
        np.where(
            m.female,
            _age_rate(m.age, [18, 45, 65], [1.5, 1.9, 2.4]),
            _age_rate(m.age, [18, 45, 65], [0.8, 1.5, 2.2]),
        ),
    )
    rate = (0.85 * base + 1.15 * m.n_chronic) * np.exp(0.35 * m.frailty - 0.06)
    who = ctx.events(rate)
    n = len(who)
    day = ctx.days(who, office=True)
    nc = m.n_chronic[who]
    chronic_reason = rng.random(n) < nc / (nc + 1.3)
    cond = np.where(chronic_reason, _pick_condition(ctx, who), -1)
    dx1 = np.where(cond >= 0, m.condition_dx[who, np.maximum(cond, 0)], -1)
    acute = dx1 < 0
    kids = acute & (m.age[who] < 18)
    adults = acute & ~kids
    dx1[kids] = draw(ctx.dx.pools["acute_child"], int(kids.sum()), rng)
    dx1[adults] = draw(ctx.dx.pools["acute_adult"], int(adults.sum()), rng)
    rendering = m.pcp[who].copy()
    other_pcp = ctx.d.pick_clinician("primary_care", m.state[who], rng.integers(0, 2**31, n))
    rendering = np.where(rng.random(n) < 0.15, other_pcp, rendering)
    specialist = np.zeros(n, dtype=bool)
    for ci, condition in enumerate(CONDITIONS):
        role, p = SPECIALTY_ROUTING[condition.key]
        if p <= 0:
            continue
        sel = (cond == ci) & (rng.random(n) < p)
        if sel.any():
            rendering[sel] = ctx.d.pick_clinician(
                role, m.state[who[sel]], m.person_key(ci + 10)[who[sel]]
            )
            specialist |= sel
    cs = new_claims(
        who,
        "office_visit",
        PROFESSIONAL,
        day,
        ctx.d.org[rendering],
        rendering=rendering,
        dx1=dx1,
        cost_class=CS_PCP,
    )
    cs.cost_class[specialist] = CS_SPECIALIST
    ctx.secondary_dx(cs)
    new_pt = rng.random(n) < np.where(specialist, 0.25, 0.07)
    month = ((day - 0) // 30.44).astype(np.int64) % 12
    flu_season = np.isin(month, [9, 10, 11, 0, 1, 2])
    diabetic = m.has("diabetes")[who]
    msk = cond == CONDITION_INDEX["musculoskeletal"]
    slots = [
        *_em_slots(new_pt),
        (Slot(0.18, ("36415",)), None),
        (Slot(0.08, ("85025",)), None),
        (Slot(0.07, ("80053",)), None),
        (Slot(0.3, ("83036",)), diabetic),
        (Slot(0.06, ("93000",)), m.age[who] >= 40),
        (Slot(0.05, ("81002",)), None),
        (Slot(0.2, ("87880",)), kids),
        (Slot(0.2, ("90471",)), flu_season),
        (Slot(0.03, ("96372",)), None),
        (Slot(0.15, ("20610",)), msk),
        (Slot(0.01, ("17110",)), None),
    ]
    lines = expand_slots(n, slots, rng)
    # vaccine product follows its administration code; drug follows its injection
    lines = _pair_lines(lines, "90471", "90686", rng)
    lines = _pair_lines(lines, "96372", "J1030", rng)
    _modifier_25(lines, ("20610", "17110", "96372"))
    allowed = ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim])
    attach_lines(cs, lines, allowed, pos=POS_INDEX["11"])
    ctx.add_rx(who, day, rendering, dx1, 0.5)
    return cs


def _pair_lines(
    lines: SlotLines, trigger: str, follower: str, rng: np.random.Generator
) -> SlotLines:
    """Insert a ``follower`` code line right after every ``trigger`` line."""
    t = HCPCS_INDEX[trigger]
    idx = np.nonzero(lines.hcpcs == t)[0]
    if idx.size == 0:
        return lines
    f = HCPCS_INDEX[follower]
    claim = np.concatenate([lines.claim, lines.claim[idx]])
    order_key = np.concatenate([np.arange(lines.claim.size) * 2, idx * 2 + 1])
    hcpcs = np.concatenate([lines.hcpcs, np.full(idx.size, f, dtype=np.int32)])
    rev = np.concatenate([lines.rev, lines.rev[idx]])
    mod = np.concatenate([lines.mod, np.full(idx.size, -1, dtype=np.int8)])
    units = np.concatenate([lines.units, np.ones(idx.size, dtype=np.int32)])
    share = np.concatenate([lines.share, lines.share[idx]])
    slot = np.concatenate([lines.slot, lines.slot[idx]])
    perm = np.argsort(order_key, kind="stable")
    return SlotLines(
        claim[perm], hcpcs[perm], rev[perm], mod[perm], units[perm], share[perm], slot[perm]
    )


def _modifier_25(lines: SlotLines, procedures: tuple[str, ...]) -> None:
    """Modifier 25 on the E/M line of claims that also carry a procedure."""
    proc = np.isin(lines.hcpcs, [HCPCS_INDEX[p] for p in procedures])
    claims_with = np.unique(lines.claim[proc])
    em = (lines.slot <= 1) & np.isin(lines.claim, claims_with)
    lines.mod[em] = MOD_INDEX["25"]


PREVENTIVE_NEW = ("99381", "99382", "99383", "99384", "99385", "99386", "99387")
PREVENTIVE_EST = ("99391", "99392", "99393", "99394", "99395", "99396", "99397")
PREVENTIVE_AGES = np.array([0, 1, 5, 12, 18, 40, 65])


def preventive_visits(ctx: Context) -> ClaimSet:
    """Well visits and annual physicals with vaccines (no member cost share)."""
    m, rng = ctx.m, ctx.rng
    rate = np.where(
        m.age < 1,
        5.0,
        np.where(
            m.age < 3,
            2.5,
            np.where(
                m.age < 18,
                0.75,
                np.where(
                    m.female, np.where(m.age < 40, 0.55, 0.65), np.where(m.age < 40, 0.33, 0.5)
                ),
            ),
        ),
    )
    who = ctx.events(rate)
    n = len(who)
    day = ctx.days(who, office=True)
    age = m.age[who]
    band = np.searchsorted(PREVENTIVE_AGES, age, side="right") - 1
    child = age < 18
    gyn = (~child) & m.female[who] & (age < 66) & (rng.random(n) < 0.3)
    dx1 = np.where(
        child,
        draw(ctx.dx.pools["preventive_child"], n, rng),
        draw(ctx.dx.pools["preventive_adult"], n, rng),
    )
    dx1 = np.where(gyn, draw(ctx.dx.pools["gyn_exam"], n, rng), dx1)
    rendering = m.pcp[who].copy()
    ob = ctx.d.pick_clinician("ob_gyn", m.state[who], m.person_key(30)[who])
    rendering = np.where(gyn, ob, rendering)
    cs = new_claims(
        who,
        "preventive_visit",
        PROFESSIONAL,
        day,
        ctx.d.org[rendering],
        rendering=rendering,
        dx1=dx1,
        cost_class=CS_PREVENTIVE,
    )
    new_pt = rng.random(n) < 0.1
    em_idx = np.where(
        new_pt,
        np.array([HCPCS_INDEX[c] for c in PREVENTIVE_NEW])[band],
        np.array([HCPCS_INDEX[c] for c in PREVENTIVE_EST])[band],
    )
    infant = age < 2
    tween = (age >= 11) & (age <= 13)
    month = (day // 30.44).astype(np.int64) % 12
    flu = np.isin(month, [9, 10, 11, 0, 1, 2]) & ~infant
    slots: list[tuple[Slot, np.ndarray | None]] = [
        (Slot(1.0, ("99391",)), None),
        (Slot(1.0, ("90460",)), infant),
        (Slot(0.9, ("90461",), units=(1, 3)), infant),
        (Slot(0.6, ("90700",)), infant),
        (Slot(0.5, ("90670",)), infant),
        (Slot(0.4, ("90744",)), infant),
        (Slot(0.4, ("90713",)), infant),
        (Slot(0.3, ("90680",)), infant),
        (Slot(0.25, ("90707",)), infant),
        (Slot(0.2, ("90716",)), infant),
        (Slot(0.6, ("90460",)), tween),
        (Slot(0.5, ("90651",)), tween),
        (Slot(0.4, ("90715",)), tween),
        (Slot(0.35, ("90471",)), flu),
        (Slot(0.1, ("36415",)), ~child),
    ]
    lines = expand_slots(n, slots, rng)
    lines = _pair_lines(lines, "90471", "90686", rng)
    first = lines.slot == 0
    lines.hcpcs[first] = em_idx[lines.claim[first]]
    allowed = ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim])
    attach_lines(cs, lines, allowed, pos=POS_INDEX["11"])
    return cs


def telehealth_visits(ctx: Context) -> ClaimSet:
    """Video visits (POS 10 home / 02 other, modifier 95)."""
    m, rng = ctx.m, ctx.rng
    mental = m.has("depression") | m.has("anxiety")
    rate = np.where(m.age < 18, 0.1, 0.24) + 0.2 * mental
    who = ctx.events(rate)
    n = len(who)
    day = ctx.days(who)
    cond = _pick_condition(ctx, who)
    chronic = (cond >= 0) & (rng.random(n) < 0.35)
    dx1 = np.where(
        chronic, m.condition_dx[who, np.maximum(cond, 0)], draw(ctx.dx.pools["telehealth"], n, rng)
    )
    national = ctx.d.national["telehealth_clinician"]
    virtual = rng.random(n) < 0.5
    rendering = np.where(virtual, national[rng.integers(0, national.size, n)], m.pcp[who])
    cs = new_claims(
        who,
        "telehealth_visit",
        PROFESSIONAL,
        day,
        ctx.d.org[rendering],
        rendering=rendering,
        dx1=dx1,
        cost_class=CS_TELEHEALTH,
    )
    ctx.secondary_dx(cs)
    lines = expand_slots(
        n, [(Slot(1.0, ("99212", "99213", "99214"), (0.25, 0.55, 0.2), mod="95"), None)], rng
    )
    pos = np.where(rng.random(len(lines.claim)) < 0.7, POS_INDEX["10"], POS_INDEX["02"])
    attach_lines(cs, lines, ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim]), pos=pos)
    ctx.add_rx(who, day, rendering, dx1, 0.45)
    return cs


def urgent_care(ctx: Context) -> ClaimSet:
    """Urgent-care centre visits (POS 20)."""
    m, rng = ctx.m, ctx.rng
    rate = np.where(m.age < 18, 0.26, 0.19)
    who = ctx.events(rate)
    n = len(who)
    day = ctx.days(who)
    dx1 = draw(ctx.dx.pools["urgent"], n, rng)
    rendering = ctx.d.pick_clinician("urgent_care", m.state[who], m.key(40)[who])
    cs = new_claims(
        who,
        "urgent_care",
        PROFESSIONAL,
        day,
        ctx.d.org[rendering],
        rendering=rendering,
        dx1=dx1,
        cost_class=CS_URGENT,
    )
    ctx.secondary_dx(cs, count=2)
    slots: list[tuple[Slot, np.ndarray | None]] = [
        (Slot(1.0, ("99203", "99213", "99214"), (0.25, 0.35, 0.4)), None),
        (Slot(0.15, ("87880",)), None),
        (Slot(0.15, ("87635",)), None),
        (Slot(0.12, ("71046",)), None),
        (Slot(0.05, ("12001",)), None),
        (Slot(0.04, ("29515",)), None),
        (Slot(0.05, ("81002",)), None),
    ]
    lines = expand_slots(n, slots, rng)
    attach_lines(
        cs, lines, ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim]), pos=POS_INDEX["20"]
    )
    ctx.add_rx(who, day, rendering, dx1, 0.55)
    return cs


def laboratory(ctx: Context) -> ClaimSet:
    """Independent-laboratory claims (POS 81, billed by a national lab)."""
    m, rng = ctx.m, ctx.rng
    rate = (
        0.55
        + 0.35 * m.n_chronic
        + 0.9 * m.has("diabetes")
        + 0.8 * m.has("ckd")
        + 0.25 * (m.age >= 40)
    )
    who = ctx.events(rate)
    n = len(who)
    day = ctx.days(who, office=True)
    cond = _pick_condition(ctx, who)
    use_cond = (cond >= 0) & (rng.random(n) < 0.7)
    dx1 = np.where(
        use_cond,
        m.condition_dx[who, np.maximum(cond, 0)],
        draw(ctx.dx.pools["lab_screening"], n, rng),
    )
    age, female = m.age[who], m.female[who]
    sti = female & (age >= 16) & (age <= 24) & (rng.random(n) < 0.25)
    dx1 = np.where(sti, draw(ctx.dx.pools["sti_screening"], n, rng), dx1)
    labs = ctx.d.national["lab"]
    billing = labs[m.key(50)[who] % labs.size]
    cs = new_claims(who, "laboratory", PROFESSIONAL, day, billing, dx1=dx1)
    ctx.secondary_dx(cs, count=2)
    diabetic = m.has("diabetes")[who]
    ckd = m.has("ckd")[who]
    slots: list[tuple[Slot, np.ndarray | None]] = [
        (Slot(1.0, ("80053", "80048", "85025"), (0.6, 0.2, 0.2)), None),
        (Slot(0.6, ("85025",)), None),
        (Slot(0.35, ("80061",)), None),
        (Slot(0.25, ("84443",)), None),
        (Slot(0.12, ("82306",)), None),
        (Slot(0.2, ("81001",)), None),
        (Slot(0.85, ("83036",)), diabetic),
        (Slot(0.5, ("82043",)), diabetic | ckd),
        (Slot(0.5, ("80069",)), ckd),
        (Slot(0.25, ("84153",)), (~female) & (age >= 50)),
        (Slot(1.0, ("87491",)), sti),
        (Slot(1.0, ("87591",)), sti),
        (Slot(0.05, ("87086",)), None),
    ]
    lines = expand_slots(n, slots, rng)
    attach_lines(
        cs, lines, ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim]), pos=POS_INDEX["81"]
    )
    return cs


STUDY_REV = {
    "71046": "0324",
    "73562": "0320",
    "72100": "0320",
    "73030": "0320",
    "73610": "0320",
    "76700": "0402",
    "76856": "0402",
    "76536": "0402",
    "93880": "0402",
    "77067": "0401",
    "77063": "0401",
    "77080": "0320",
    "72148": "0612",
    "73721": "0614",
    "70553": "0611",
    "74177": "0352",
    "71250": "0352",
    "70450": "0351",
    "71275": "0352",
    "78815": "0404",
    "78452": "0341",
    "93306": "0483",
    "76801": "0402",
    "76805": "0402",
    "76815": "0402",
    "76817": "0402",
}
STUDY_DX = {
    "71046": "chest_xray",
    "73562": "knee",
    "72100": "low_back",
    "73030": "shoulder",
    "73610": "ankle",
    "76700": "abdomen",
    "76856": "pelvis",
    "76536": "thyroid",
    "93880": "carotid",
    "77067": "mammography",
    "77080": "dexa",
    "72148": "low_back",
    "73721": "mri_knee",
    "70553": "mri_brain",
    "74177": "abdomen",
    "71250": "ct_chest",
    "70450": "mri_brain",
    "71275": "ct_chest",
    "78452": "heart_test",
    "93306": "heart_test",
}


def _imaging_claims(
    ctx: Context,
    who: np.ndarray,
    day: np.ndarray,
    codes: np.ndarray,
    kind: str,
    dx1: np.ndarray,
    add_on: np.ndarray | None = None,
) -> list[ClaimSet]:
    """Imaging studies: freestanding centre (global claim) or hospital outpatient (facility
    claim + radiologist's reading with modifier 26)."""
    m, rng = ctx.m, ctx.rng
    n = len(who)
    hospital = rng.random(n) < 0.55
    out: list[ClaimSet] = []
    radiologist = ctx.d.pick_clinician("radiology", m.state[who], rng.integers(0, 2**31, n))
    # freestanding centre, global fee billed by the imaging organisation
    fs = np.nonzero(~hospital)[0]
    if fs.size:
        center = ctx.d.pick_org("imaging", m.state[who[fs]], m.key(60)[who[fs]])
        cs = new_claims(
            who[fs], kind, PROFESSIONAL, day[fs], center, rendering=radiologist[fs], dx1=dx1[fs]
        )
        ctx.secondary_dx(cs, count=2)
        lines = _study_lines(codes[fs], None if add_on is None else add_on[fs])
        allowed = ctx.prof_price(lines.hcpcs, lines.units, who[fs][lines.claim]) * 1.25
        out.append(attach_lines(cs, lines, allowed, pos=POS_INDEX["11"]))
    hs = np.nonzero(hospital)[0]
    if hs.size:
        hosp = np.where(
            rng.random(hs.size) < 0.8,
            m.hospital[who[hs]],
            ctx.d.pick_org("hospital", m.state[who[hs]], rng.integers(0, 2**31, hs.size)),
        )
        fac = new_claims(who[hs], kind, INSTITUTIONAL, day[hs], hosp, facility=hosp, dx1=dx1[hs])
        fac.bill_type[:] = BILL_INDEX["131"]
        ctx.secondary_dx(fac, count=2)
        lines = _study_lines(codes[hs], None if add_on is None else add_on[hs], rev=True)
        allowed = ctx.prof_price(lines.hcpcs, lines.units, who[hs][lines.claim]) * 1.7
        out.append(attach_lines(fac, lines, allowed))
        read = new_claims(
            who[hs],
            "radiology_professional",
            PROFESSIONAL,
            day[hs],
            ctx.d.org[radiologist[hs]],
            rendering=radiologist[hs],
            dx1=dx1[hs],
        )
        rl = _study_lines(codes[hs], None if add_on is None else add_on[hs])
        rl.mod[:] = MOD_INDEX["26"]
        allowed = ctx.prof_price(rl.hcpcs, rl.units, who[hs][rl.claim]) * 0.35
        out.append(attach_lines(read, rl, allowed, pos=POS_INDEX["22"]))
    return out


def _study_lines(codes: np.ndarray, add_on: np.ndarray | None, rev: bool = False) -> SlotLines:
    n = len(codes)
    claim = np.arange(n, dtype=np.int64)
    hcpcs = codes.astype(np.int32)
    slot = np.zeros(n, dtype=np.int32)
    if add_on is not None:
        extra = np.nonzero(add_on >= 0)[0]
        claim = np.concatenate([claim, extra])
        hcpcs = np.concatenate([hcpcs, add_on[extra].astype(np.int32)])
        slot = np.concatenate([slot, np.ones(extra.size, dtype=np.int32)])
        perm = np.lexsort((slot, claim))
        claim, hcpcs, slot = claim[perm], hcpcs[perm], slot[perm]
    code_names = np.array([*HCPCS_INDEX])
    revs = np.full(len(claim), -1, dtype=np.int16)
    if rev:
        revs = np.array([REV_INDEX[STUDY_REV[c]] for c in code_names[hcpcs]], dtype=np.int16)
    return SlotLines(
        claim,
        hcpcs,
        revs,
        np.full(len(claim), -1, dtype=np.int8),
        np.ones(len(claim), dtype=np.int32),
        np.ones(len(claim)),
        slot,
    )


def _study_dx(ctx: Context, who: np.ndarray, codes: np.ndarray) -> np.ndarray:
    out = np.full(len(who), -1, dtype=np.int32)
    names = np.array([*HCPCS_INDEX])[codes]
    for code in np.unique(names):
        sel = names == code
        pool = STUDY_DX.get(str(code))
        if pool is not None:
            out[sel] = draw(ctx.dx.pools[pool], int(sel.sum()), ctx.rng)
    missing = out < 0
    if missing.any():
        cond = _pick_condition(ctx, who[missing])
        chronic = np.where(
            cond >= 0,
            ctx.m.condition_dx[who[missing], np.maximum(cond, 0)],
            draw(ctx.dx.pools["abdomen"], int(missing.sum()), ctx.rng),
        )
        out[missing] = chronic
    return out


def _choose(
    codes: tuple[str, ...], weights: tuple[float, ...], n: int, rng: np.random.Generator
) -> np.ndarray:
    idx = np.array([HCPCS_INDEX[c] for c in codes], dtype=np.int32)
    w = np.array(weights, dtype=np.float64)
    return idx[rng.choice(len(codes), size=n, p=w / w.sum())]


def imaging(ctx: Context) -> list[ClaimSet]:
    """Standard imaging (x-ray, ultrasound, echo, mammography, DEXA)."""
    m, rng = ctx.m, ctx.rng
    out: list[ClaimSet] = []
    rate = 0.26 + 0.07 * m.n_chronic + 0.1 * (m.age >= 40)
    who = ctx.events(rate)
    day = ctx.days(who, office=True)
    female = m.female[who]
    codes = _choose(
        ("71046", "73562", "72100", "73030", "73610", "76700", "76536", "93880", "93306"),
        (0.3, 0.11, 0.11, 0.08, 0.08, 0.09, 0.04, 0.04, 0.1),
        len(who),
        rng,
    )
    pelvic = female & (rng.random(len(who)) < 0.15)
    codes = np.where(pelvic, HCPCS_INDEX["76856"], codes).astype(np.int32)
    echo = codes == HCPCS_INDEX["93306"]
    dx1 = _study_dx(ctx, who, codes)
    out += _imaging_claims(ctx, who[~echo], day[~echo], codes[~echo], "imaging", dx1[~echo])
    if echo.any():
        w = who[echo]
        card = ctx.d.pick_clinician("cardiology", m.state[w], m.person_key(12)[w])
        cs = new_claims(
            w, "imaging", PROFESSIONAL, day[echo], ctx.d.org[card], rendering=card, dx1=dx1[echo]
        )
        ctx.secondary_dx(cs, count=2)
        lines = expand_slots(len(w), [(Slot(1.0, ("93306",)), None)], rng)
        out.append(
            attach_lines(
                cs,
                lines,
                ctx.prof_price(lines.hcpcs, lines.units, w[lines.claim]),
                pos=POS_INDEX["11"],
            )
        )
    # screening mammography (women 40+) with tomosynthesis add-on half the time
    mammo_rate = np.where(m.female & (m.age >= 40), 0.55, 0.0)
    mw = ctx.events(mammo_rate)
    if mw.size:
        md = ctx.days(mw, office=True)
        codes = np.full(len(mw), HCPCS_INDEX["77067"], dtype=np.int32)
        add_on = np.where(rng.random(len(mw)) < 0.5, HCPCS_INDEX["77063"], -1)
        dx1 = draw(ctx.dx.pools["mammography"], len(mw), rng)
        out += _imaging_claims(ctx, mw, md, codes, "imaging", dx1, add_on)
    dexa_rate = np.where(m.female & (m.age >= 60), 0.12, 0.0)
    dw = ctx.events(dexa_rate)
    if dw.size:
        dd = ctx.days(dw, office=True)
        codes = np.full(len(dw), HCPCS_INDEX["77080"], dtype=np.int32)
        out += _imaging_claims(
            ctx, dw, dd, codes, "imaging", draw(ctx.dx.pools["dexa"], len(dw), rng)
        )
    return out


PRIOR_AUTH_IMAGING = (
    "72148",
    "73721",
    "70553",
    "74177",
    "71250",
    "70450",
    "71275",
    "78815",
    "78452",
)


def advanced_imaging(ctx: Context) -> list[ClaimSet]:
    """CT, MRI, PET and nuclear cardiology (prior-authorisation services)."""
    m, rng = ctx.m, ctx.rng
    cancer = m.has("cancer")
    rate = (
        0.05
        + 0.035 * m.n_chronic
        + 0.002 * np.maximum(m.age - 30, 0)
        + 1.4 * cancer
        + 0.1 * m.has("musculoskeletal")
    )
    who = ctx.events(rate)
    n = len(who)
    day = ctx.days(who, office=True)
    codes = _choose(
        ("72148", "73721", "70553", "74177", "71250", "70450", "71275", "78452"),
        (0.22, 0.13, 0.13, 0.18, 0.1, 0.1, 0.04, 0.05),
        n,
        rng,
    )
    pet = cancer[who] & (rng.random(n) < 0.3)
    codes = np.where(pet, HCPCS_INDEX["78815"], codes).astype(np.int32)
    cancer_scan = cancer[who] & ~pet & (rng.random(n) < 0.6)
    codes = np.where(cancer_scan, HCPCS_INDEX["74177"], codes).astype(np.int32)
    dx1 = _study_dx(ctx, who, codes)
    cancer_dx = m.condition_dx[who, CONDITION_INDEX["cancer"]]
    dx1 = np.where(pet | cancer_scan, cancer_dx, dx1)
    return _imaging_claims(ctx, who, day, codes, "advanced_imaging", dx1)


def emergency(ctx: Context) -> list[ClaimSet]:
    """Treat-and-release ED visits: facility claim (131, revenue 0450), ED physician claim
    (POS 23), radiologist readings and some ambulance transports."""
    m, rng = ctx.m, ctx.rng
    heavy = (
        m.has("asthma")
        + m.has("copd")
        + m.has("heart_failure")
        + m.has("ckd")
        + m.has("diabetes")
        + m.has("depression")
    )
    base = _age_rate(
        m.age,
        [0, 4, 5, 17, 18, 34, 35, 64, 65],
        [0.28, 0.28, 0.13, 0.13, 0.19, 0.19, 0.13, 0.15, 0.19],
    )
    rate = 0.88 * (base + 0.035 * m.n_chronic + 0.05 * heavy) * np.exp(0.35 * m.frailty - 0.06)
    who = ctx.events(rate)
    n = len(who)
    day = ctx.days(who)
    dx1 = draw(ctx.dx.pools["ed"], n, rng)
    asthma_attack = m.has("asthma")[who] & (rng.random(n) < 0.12)
    dx1 = np.where(asthma_attack, ctx.dx.index("J45.901"), dx1)
    hosp = np.where(
        rng.random(n) < 0.8,
        m.hospital[who],
        ctx.d.pick_org("hospital", m.state[who], rng.integers(0, 2**31, n)),
    )
    level = _choose(
        ("99281", "99282", "99283", "99284", "99285"), (0.02, 0.08, 0.3, 0.35, 0.25), n, rng
    )
    lab = rng.random(n) < 0.6
    xray = rng.random(n) < 0.35
    ct = rng.random(n) < 0.2
    ecg = rng.random(n) < 0.25
    fac = new_claims(
        who, "ed_facility", INSTITUTIONAL, day, hosp, facility=hosp, dx1=dx1, cost_class=CS_ED
    )
    fac.bill_type[:] = BILL_INDEX["131"]
    ctx.secondary_dx(fac)
    slots: list[tuple[Slot, np.ndarray | None]] = [
        (Slot(1.0, ("99281",), rev="0450"), None),
        (Slot(1.0, ("80053",), rev="0301"), lab),
        (Slot(0.9, ("85025",), rev="0305"), lab),
        (Slot(0.4, ("81001",), rev="0300"), lab),
        (Slot(0.2, ("87635",), rev="0300"), lab),
        (Slot(1.0, ("71046",), rev="0324"), xray),
        (Slot(1.0, ("74177", "70450"), (0.6, 0.4), rev="0352"), ct),
        (Slot(1.0, ("93005",), rev="0730"), ecg),
        (Slot(0.5, rev="0250"), None),
        (Slot(0.3, rev="0258"), None),
        (Slot(0.35, ("J1885", "J2405", "J1100"), (0.4, 0.4, 0.2), rev="0636", units=(1, 4)), None),
    ]
    lines = expand_slots(n, slots, rng)
    first = lines.slot == 0
    lines.hcpcs[first] = level[lines.claim[first]]
    allowed = _facility_line_prices(ctx, lines, who)
    attach_lines(fac, lines, allowed)
    out = [fac]
    doc = ctx.d.pick_clinician("ed", m.state[who], rng.integers(0, 2**31, n))
    prof = new_claims(
        who, "ed_professional", PROFESSIONAL, day, ctx.d.org[doc], rendering=doc, dx1=dx1
    )
    ctx.secondary_dx(prof, count=2)
    pl = expand_slots(n, [(Slot(1.0, ("99281",)), None), (Slot(1.0, ("93010",)), ecg)], rng)
    first = pl.slot == 0
    pl.hcpcs[first] = level[pl.claim[first]]
    out.append(
        attach_lines(
            prof, pl, ctx.prof_price(pl.hcpcs, pl.units, who[pl.claim]), pos=POS_INDEX["23"]
        )
    )
    reads = np.nonzero(xray | ct)[0]
    if reads.size:
        rc = _reading_claims(
            ctx, "radiology", "radiology_professional", who[reads], day[reads], dx1[reads], rng
        )
        rl = expand_slots(
            reads.size,
            [
                (Slot(1.0, ("71046",), mod="26"), xray[reads]),
                (Slot(1.0, ("74177", "70450"), (0.6, 0.4), mod="26"), ct[reads]),
            ],
            rng,
        )
        out.append(
            attach_lines(
                rc,
                rl,
                ctx.prof_price(rl.hcpcs, rl.units, who[reads][rl.claim]) * 0.35,
                pos=POS_INDEX["23"],
            )
        )
    amb = np.nonzero(rng.random(n) < 0.1)[0]
    if amb.size:
        org = ctx.d.pick_org("ambulance", m.state[who[amb]], m.key(70)[who[amb]])
        ac = new_claims(who[amb], "ambulance", PROFESSIONAL, day[amb], org, dx1=dx1[amb])
        al = expand_slots(
            amb.size,
            [
                (Slot(1.0, ("A0427", "A0429"), (0.6, 0.4)), None),
                (Slot(1.0, ("A0425",), units=(3, 18)), None),
            ],
            rng,
        )
        out.append(
            attach_lines(
                ac, al, ctx.prof_price(al.hcpcs, al.units, who[amb][al.claim]), pos=POS_INDEX["41"]
            )
        )
    ctx.add_rx(who, day, doc, dx1, 0.35)
    return out


def _facility_line_prices(
    ctx: Context, lines: SlotLines, who: np.ndarray, sigma: float = 0.3
) -> np.ndarray:
    """Outpatient facility line prices: ED levels, coded lines at a markup, flat revenue."""
    price = np.where(
        lines.hcpcs >= 0, HCPCS_PRICE[np.maximum(lines.hcpcs, 0)] * FACILITY_MARKUP, 0.0
    )
    for code, value in ED_FACILITY.items():
        price = np.where(lines.hcpcs == HCPCS_INDEX[code], value, price)
    for rev, value in REV_FLAT.items():
        price = np.where((lines.hcpcs < 0) & (lines.rev == REV_INDEX[rev]), value, price)
    member = who[lines.claim]
    return np.asarray(
        price
        * lines.units
        * ctx.m.cost_index[member]
        * CALIBRATION
        * OUTPATIENT_FACTOR
        * ctx.lognormal(len(lines.claim), sigma)
    )


@dataclass(frozen=True)
class Procedure:
    """An outpatient surgical procedure: CPT, dx pool, surgeon role, anesthesia, price."""

    cpt: tuple[str, ...]
    weights: tuple[float, ...]
    dx: str
    role: str
    anesthesia: str
    anesthesia_units: tuple[int, int]
    facility: float
    pathology: float
    laterality: bool = False


PROCEDURES: dict[str, Procedure] = {
    "colonoscopy": Procedure(
        ("45378", "45380", "45385"),
        (0.45, 0.45, 0.1),
        "colon_screening",
        "gastro",
        "00812",
        (4, 7),
        1900,
        0.55,
    ),
    "egd": Procedure(("43239",), (1.0,), "egd", "gastro", "00731", (4, 6), 1700, 0.8),
    "knee_scope": Procedure(
        ("29881",), (1.0,), "knee_scope", "orthopedics", "01400", (6, 9), 5800, 0.0, True
    ),
    "cholecystectomy": Procedure(
        ("47562",), (1.0,), "cholecystitis", "general_surgery", "00790", (8, 12), 9500, 0.9
    ),
    "hernia": Procedure(
        ("49505",), (1.0,), "hernia", "general_surgery", "00830", (6, 9), 6200, 0.0
    ),
    "cataract": Procedure(
        ("66984",), (1.0,), "cataract", "ophthalmology", "00142", (4, 6), 2300, 0.0, True
    ),
    "epidural": Procedure(
        ("64483",), (1.0,), "back_injection", "anesthesia", "", (0, 0), 1600, 0.0
    ),
    "hysteroscopy": Procedure(
        ("58558",), (1.0,), "hysteroscopy", "ob_gyn", "00952", (5, 7), 4200, 0.7
    ),
    "tonsillectomy": Procedure(("42820",), (1.0,), "tonsils", "ent", "00170", (5, 8), 3800, 0.3),
    "ear_tubes": Procedure(("69436",), (1.0,), "ear_tubes", "ent", "00120", (3, 5), 2400, 0.0),
    "cystoscopy": Procedure(("52000",), (1.0,), "cystoscopy", "urology", "", (0, 0), 1300, 0.0),
    "carpal_tunnel": Procedure(
        ("64721",), (1.0,), "carpal_tunnel", "orthopedics", "01810", (4, 6), 3200, 0.0, True
    ),
    "breast_biopsy": Procedure(
        ("19083",), (1.0,), "breast_biopsy", "radiology", "", (0, 0), 2000, 1.0
    ),
}


def _procedure_rates(m: BlockMembers) -> dict[str, np.ndarray]:
    age, female = m.age, m.female
    adult = age >= 18
    msk = m.has("musculoskeletal")
    return {
        "colonoscopy": np.where(age >= 45, 0.09, 0.004),
        "egd": np.where(adult, 0.015, 0.002),
        "knee_scope": 0.004 * adult + 0.03 * msk,
        "cholecystectomy": np.where(adult, np.where(female, 0.004, 0.002), 0.0),
        "hernia": np.where(adult & ~female, 0.004, 0.0005),
        "cataract": np.where(age >= 55, 0.012, 0.0),
        "epidural": 0.05 * msk,
        "hysteroscopy": np.where(female & (age >= 30) & (age <= 55), 0.006, 0.0),
        "tonsillectomy": np.where((age >= 3) & (age <= 12), 0.006, 0.0),
        "ear_tubes": np.where(age < 5, 0.01, 0.0),
        "cystoscopy": np.where(~female & (age >= 50), 0.008, 0.001 * adult),
        "carpal_tunnel": 0.003 * adult,
        "breast_biopsy": np.where(female & (age >= 40), 0.004, 0.0),
    }


def outpatient_surgery(ctx: Context) -> list[ClaimSet]:
    """Outpatient procedures: facility claim (hospital 131 or ASC 831), surgeon, anesthesia
    and pathology claims."""
    m, rng = ctx.m, ctx.rng
    out: list[ClaimSet] = []
    for key, proc in PROCEDURES.items():
        who = ctx.events(_procedure_rates(m)[key] * 1.4)
        n = len(who)
        if n == 0:
            continue
        day = ctx.days(who, office=True)
        dx1 = draw(ctx.dx.pools[proc.dx], n, rng)
        cpt = _choose(proc.cpt, proc.weights, n, rng)
        asc = rng.random(n) < 0.45
        hosp = m.hospital[who]
        center = ctx.d.pick_org("asc", m.state[who], m.key(80)[who])
        billing = np.where(asc, center, hosp)
        fac = new_claims(
            who,
            "outpatient_surgery_facility",
            INSTITUTIONAL,
            day,
            billing,
            facility=billing,
            dx1=dx1,
        )
        fac.bill_type[:] = np.where(asc, BILL_INDEX["831"], BILL_INDEX["131"])
        ctx.secondary_dx(fac, count=2)
        has_anes = np.full(n, bool(proc.anesthesia))
        slots: list[tuple[Slot, np.ndarray | None]] = [
            (Slot(1.0, (proc.cpt[0],), rev="0360", share=0.68), None),
            (Slot(1.0, rev="0370", share=0.08), has_anes),
            (Slot(1.0, rev="0710", share=0.08), None),
            (Slot(1.0, rev="0250", share=0.06), None),
            (Slot(1.0, rev="0272", share=0.07), None),
            (Slot(0.3, ("85025",), rev="0300", share=0.03), None),
        ]
        lines = expand_slots(n, slots, rng)
        first = lines.slot == 0
        lines.hcpcs[first] = cpt[lines.claim[first]]
        total = (
            proc.facility
            * np.where(asc, 0.8, 1.0)
            * m.cost_index[who]
            * CALIBRATION
            * OUTPATIENT_FACTOR
            * ctx.lognormal(n, 0.3)
        )
        out.append(attach_lines(fac, lines, allocate(total, lines)))
        surgeon = ctx.d.pick_clinician(proc.role, m.state[who], m.person_key(81)[who])
        pos = np.where(asc, POS_INDEX["24"], POS_INDEX["22"])
        sc = new_claims(
            who,
            "outpatient_surgery_professional",
            PROFESSIONAL,
            day,
            ctx.d.org[surgeon],
            rendering=surgeon,
            dx1=dx1,
        )
        sl = expand_slots(n, [(Slot(1.0, (proc.cpt[0],)), None)], rng)
        sl.hcpcs[:] = cpt[sl.claim]
        if proc.laterality:
            sl.mod[:] = np.where(rng.random(n) < 0.5, MOD_INDEX["RT"], MOD_INDEX["LT"])
        out.append(
            attach_lines(
                sc, sl, ctx.prof_price(sl.hcpcs, sl.units, who[sl.claim]), pos=pos[sl.claim]
            )
        )
        if proc.anesthesia:
            anes = ctx.d.pick_clinician("anesthesia", m.state[who], rng.integers(0, 2**31, n))
            ac = new_claims(
                who, "anesthesia", PROFESSIONAL, day, ctx.d.org[anes], rendering=anes, dx1=dx1
            )
            al = expand_slots(
                n, [(Slot(1.0, (proc.anesthesia,), units=proc.anesthesia_units), None)], rng
            )
            out.append(
                attach_lines(
                    ac, al, ctx.prof_price(al.hcpcs, al.units, who[al.claim]), pos=pos[al.claim]
                )
            )
        path = np.nonzero(rng.random(n) < proc.pathology)[0]
        if path.size:
            pc = _reading_claims(
                ctx, "pathology", "pathology", who[path], day[path], dx1[path], rng
            )
            pl = expand_slots(path.size, [(Slot(1.0, ("88305",), units=(1, 3)), None)], rng)
            out.append(
                attach_lines(
                    pc,
                    pl,
                    ctx.prof_price(pl.hcpcs, pl.units, who[path][pl.claim]),
                    pos=POS_INDEX["22"],
                )
            )
        ctx.add_rx(who, day, surgeon, np.full(n, -1), 0.0)
        opioid = np.nonzero(rng.random(n) < 0.5)[0]
        ctx.rx.append(
            RxTriggers(
                who[opioid],
                day[opioid],
                surgeon[opioid],
                np.full(opioid.size, RX_OPIOID, dtype=np.int8),
            )
        )
    return out


# ---- inpatient --------------------------------------------------------------------------


def _scenario_weights(m: BlockMembers, who: np.ndarray) -> np.ndarray:
    """Weights (events x inpatient scenarios) from age and conditions."""
    age = m.age[who]
    k = len(INPATIENT)
    adult_base = {
        "sepsis_mcc": 3,
        "sepsis": 5,
        "pneumonia_cc": 4,
        "pneumonia": 4,
        "copd": 0.5,
        "asthma": 1,
        "heart_failure": 1,
        "ami": 1,
        "pci": 1.5,
        "cellulitis": 4,
        "pyelonephritis": 3,
        "gi_bleed": 2.5,
        "appendectomy": 3,
        "cholecystectomy": 4,
        "knee_replacement": 4,
        "spinal_fusion": 3,
        "bariatric": 0,
        "psychosis": 5,
        "alcohol": 3,
        "dka": 1,
        "stroke": 1.5,
        "syncope": 2,
        "kidney_stone": 2,
        "dehydration": 2,
        "pediatric_bronchiolitis": 0,
        "chemotherapy": 0,
        "bowel_obstruction": 2,
        "pancreatitis": 2,
        "kidney_transplant": 0,
        "liver_transplant": 0.12,
    }
    child_base = {
        "pediatric_bronchiolitis": 0,
        "asthma": 5,
        "pneumonia": 5,
        "appendectomy": 6,
        "cellulitis": 2,
        "dehydration": 4,
        "psychosis": 3,
        "dka": 1.5,
        "pyelonephritis": 1.5,
        "syncope": 1,
        "sepsis": 1,
    }
    boosts: dict[str, dict[str, float]] = {
        "copd": {"copd": 25, "pneumonia_cc": 5},
        "asthma": {"asthma": 6},
        "heart_failure": {"heart_failure": 30},
        "cad": {"ami": 8, "pci": 10},
        "diabetes": {"dka": 3, "cellulitis": 2, "ami": 2},
        "cancer": {"chemotherapy": 20, "sepsis_mcc": 4, "bowel_obstruction": 3},
        "depression": {"psychosis": 12, "alcohol": 3},
        "anxiety": {"psychosis": 2, "alcohol": 2},
        "musculoskeletal": {"knee_replacement": 12, "spinal_fusion": 8},
        "obesity": {"bariatric": 6, "cholecystectomy": 1},
        "ckd": {"sepsis": 3, "heart_failure": 3},
    }
    idx = {s.key: i for i, s in enumerate(INPATIENT)}
    adult_w = np.zeros(k)
    child_w = np.zeros(k)
    for key, w in adult_base.items():
        adult_w[idx[key]] = w
    for key, w in child_base.items():
        child_w[idx[key]] = w
    weights = np.where((age < 18)[:, None], child_w[None, :], adult_w[None, :]).astype(float)
    infant = age < 2
    weights[infant, idx["pediatric_bronchiolitis"]] = 8
    old = (age >= 45)[:, None]
    for key in ("knee_replacement",):
        weights[:, idx[key]] *= old[:, 0]
    for condition, targets in boosts.items():
        has = m.has(condition)[who]
        for key, w in targets.items():
            weights[has, idx[key]] += w
    weights[m.esrd[who], idx["kidney_transplant"]] += 12
    weights[m.esrd[who], idx["sepsis_mcc"]] += 10
    return weights


def _choose_rows(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.asarray((cum < u[:, None]).sum(axis=1), dtype=np.int64)


def _los(mean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.maximum(1, np.rint(rng.gamma(2.2, mean / 2.2))).astype(np.int32)


def _stay_dates(ctx: Context, day: np.ndarray, los: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    admit = np.minimum(day, ctx.last_day - los).astype(np.int32)
    admit = np.maximum(admit, ctx.first_day)
    return admit, (admit + los).astype(np.int32)


def _inpatient_facility(
    ctx: Context,
    who: np.ndarray,
    admit: np.ndarray,
    discharge: np.ndarray,
    los: np.ndarray,
    base: np.ndarray,
    drg: np.ndarray,
    kind: str,
    hosp: np.ndarray,
    slots: list[tuple[Slot, np.ndarray | None]],
    room_rev: np.ndarray,
    icu_days: np.ndarray,
) -> ClaimSet:
    """An inpatient facility claim (bill type 111) with room-and-board and ancillary lines."""
    rng = ctx.rng
    n = len(who)
    fac = new_claims(who, kind, INSTITUTIONAL, admit, hosp, end=discharge, facility=hosp)
    fac.admit[:] = admit
    fac.discharge[:] = discharge
    fac.bill_type[:] = BILL_INDEX["111"]
    fac.drg[:] = drg
    fac.disposition[:] = rng.choice(
        len(DISPOSITION_WEIGHTS), size=n, p=DISPOSITION_WEIGHTS / DISPOSITION_WEIGHTS.sum()
    )
    ward_days = np.maximum(los - icu_days, 0)
    room = [
        (Slot(1.0, rev="0120", share=0.0), ward_days > 0),
        (Slot(1.0, rev="0200", share=0.0), icu_days > 0),
    ]
    lines = expand_slots(n, room + slots, rng)
    is_room = lines.slot == 0
    is_icu = lines.slot == 1
    lines.rev[is_room] = room_rev[lines.claim[is_room]]
    lines.units[is_room] = ward_days[lines.claim[is_room]]
    lines.units[is_icu] = icu_days[lines.claim[is_icu]]
    lines.share[is_room] = 0.12 * lines.units[is_room]
    lines.share[is_icu] = 0.3 * lines.units[is_icu]
    total = base * ctx.m.cost_index[who] * CALIBRATION * INPATIENT_FACTOR * ctx.lognormal(n, 0.3)
    return attach_lines(fac, lines, allocate(total, lines))


def _daily_visits(
    ctx: Context,
    who: np.ndarray,
    admit: np.ndarray,
    los: np.ndarray,
    rendering: np.ndarray,
    kind: str,
    dx1: np.ndarray,
    first_code: str,
    daily_code: str,
    last_code: str | None,
) -> ClaimSet:
    """One professional claim per stay with a line per hospital day (POS 21)."""
    n = len(who)
    cs = new_claims(
        who,
        kind,
        PROFESSIONAL,
        admit,
        ctx.d.org[rendering],
        end=admit + los,
        rendering=rendering,
        dx1=dx1,
    )
    days_billed = (los + 1).astype(np.int64) if last_code else los.astype(np.int64)
    claim = np.repeat(np.arange(n), days_billed)
    first_idx = np.cumsum(days_billed) - days_billed
    offset = np.arange(len(claim)) - first_idx[claim]
    code = np.full(len(claim), HCPCS_INDEX[daily_code], dtype=np.int32)
    code[offset == 0] = HCPCS_INDEX[first_code]
    if last_code:
        last = offset == los[claim]
        code[last] = HCPCS_INDEX[last_code]
    lines = SlotLines(
        claim.astype(np.int64),
        code,
        np.full(len(claim), -1, np.int16),
        np.full(len(claim), -1, np.int8),
        np.ones(len(claim), np.int32),
        np.ones(len(claim)),
        offset.astype(np.int32),
    )
    allowed = ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim])
    return attach_lines(
        cs, lines, allowed, pos=POS_INDEX["21"], line_start=(admit[claim] + offset).astype(np.int32)
    )


def _reading_claims(
    ctx: Context,
    role: str,
    kind: str,
    who: np.ndarray,
    day: np.ndarray,
    dx1: np.ndarray,
    rng: np.random.Generator,
) -> ClaimSet:
    """Professional claims of a clinician of `role` who reads or examines what another
    encounter produced (an X-ray's radiologist, a specimen's pathologist), one per member."""
    reader = ctx.d.pick_clinician(role, ctx.m.state[who], rng.integers(0, 2**31, len(who)))
    return new_claims(who, kind, PROFESSIONAL, day, ctx.d.org[reader], rendering=reader, dx1=dx1)


def _single_line(
    ctx: Context,
    who: np.ndarray,
    day: np.ndarray,
    rendering: np.ndarray,
    kind: str,
    dx1: np.ndarray,
    code: np.ndarray,
    units: np.ndarray,
    pos: str,
    mod: str = "",
) -> ClaimSet:
    n = len(who)
    cs = new_claims(
        who, kind, PROFESSIONAL, day, ctx.d.org[rendering], rendering=rendering, dx1=dx1
    )
    lines = SlotLines(
        np.arange(n, dtype=np.int64),
        code.astype(np.int32),
        np.full(n, -1, np.int16),
        np.full(n, MOD_INDEX[mod] if mod else -1, np.int8),
        units.astype(np.int32),
        np.ones(n),
        np.zeros(n, np.int32),
    )
    return attach_lines(
        cs, lines, ctx.prof_price(lines.hcpcs, lines.units, who), pos=POS_INDEX[pos]
    )


def inpatient(ctx: Context) -> list[ClaimSet]:
    """Medical and surgical admissions (not deliveries or newborns)."""
    m, rng = ctx.m, ctx.rng
    base = _age_rate(
        m.age,
        [0, 1, 2, 17, 18, 34, 44, 54, 64, 70],
        [0.03, 0.03, 0.01, 0.01, 0.016, 0.02, 0.03, 0.05, 0.075, 0.09],
    )
    heavy = (
        0.2 * m.has("heart_failure")
        + 0.1 * m.has("copd")
        + 0.05 * m.has("ckd")
        + 0.3 * m.has("cancer")
        + 0.5 * m.esrd
    )
    rate = 0.8 * base * (1 + 0.4 * m.n_chronic) * np.exp(0.5 * m.frailty - 0.125) + heavy
    who = ctx.events(rate)
    n = len(who)
    if n == 0:
        return []
    scen = _choose_rows(_scenario_weights(m, who), rng)
    los_mean = np.array([s.los for s in INPATIENT])[scen]
    outlier = rng.random(n) < OUTLIER_SHARE
    los = _los(los_mean * np.where(outlier, 2.0, 1.12), rng)
    admit, discharge = _stay_dates(ctx, ctx.days(who), los)
    price = np.array([s.base for s in INPATIENT])[scen] * (0.65 + 0.35 * los / los_mean)
    price = price * np.where(outlier, rng.uniform(2.0, 5.0, n), 1.0)
    drg = np.array([DRG_INDEX[s.drg] for s in INPATIENT], dtype=np.int16)[scen]
    via_ed = rng.random(n) < np.array([s.via_ed for s in INPATIENT])[scen]
    surgical = np.array([bool(s.cpt) for s in INPATIENT])[scen]
    icu = rng.random(n) < np.array([s.icu for s in INPATIENT])[scen]
    icu_days = np.where(
        icu, np.minimum(los, np.maximum(1, (los * rng.uniform(0.3, 0.7, n)).astype(np.int32))), 0
    )
    hosp = np.where(
        rng.random(n) < 0.85,
        m.hospital[who],
        ctx.d.pick_org("hospital", m.state[who], rng.integers(0, 2**31, n)),
    )
    implants = np.isin(
        scen,
        [
            INPATIENT.index(s)
            for s in INPATIENT
            if s.key in ("knee_replacement", "spinal_fusion", "pci")
        ],
    )
    slots: list[tuple[Slot, np.ndarray | None]] = [
        (Slot(1.0, rev="0250", share=0.12), None),
        (Slot(0.5, rev="0258", share=0.03), None),
        (Slot(1.0, rev="0270", share=0.05), None),
        (Slot(1.0, ("80053",), rev="0301", share=0.05), None),
        (Slot(1.0, ("85025",), rev="0305", share=0.03), None),
        (Slot(0.5, ("71046",), rev="0324", share=0.03), None),
        (Slot(0.35, ("74177", "70450", "71250"), (0.4, 0.3, 0.3), rev="0352", share=0.05), None),
        (Slot(1.0, rev="0360", share=0.25), surgical),
        (Slot(1.0, rev="0370", share=0.05), surgical),
        (Slot(1.0, rev="0710", share=0.04), surgical),
        (Slot(1.0, rev="0278", share=0.2), implants),
        (Slot(1.0, ("99285",), rev="0450", share=0.04), via_ed),
        (Slot(0.5, ("93005",), rev="0730", share=0.01), None),
        (Slot(0.3, rev="0420", share=0.02), None),
    ]
    fac = _inpatient_facility(
        ctx,
        who,
        admit,
        discharge,
        los,
        price,
        drg,
        "inpatient_facility",
        hosp,
        slots,
        np.full(n, REV_INDEX["0120"], dtype=np.int16),
        icu_days,
    )
    dx1 = np.zeros(n, dtype=np.int32)
    for k, s in enumerate(INPATIENT):
        sel = scen == k
        if sel.any():
            dx1[sel] = draw(ctx.dx.pools[f"inpatient:{s.key}"], int(sel.sum()), rng)
    fac.dx[:, 0] = dx1
    ctx.secondary_dx(fac, count=3)
    extra = draw(ctx.dx.pools["secondary_common"], n, rng)
    fac.dx[:, 4] = np.where(rng.random(n) < 0.7, extra, -1)
    cancer = scen == INPATIENT_KEYS["chemotherapy"]
    fac.dx[cancer, 1] = m.condition_dx[who[cancer], CONDITION_INDEX["cancer"]]
    pcs = np.array([PCS_INDEX[s.pcs] if s.pcs else -1 for s in INPATIENT], dtype=np.int16)
    fac.px[:] = pcs[scen]
    fac.admit_type[:] = np.where(via_ed, 0, np.where(surgical, 2, 1))
    fac.admit_source[:] = np.where(
        rng.random(n) < 0.03, 2, np.where(~via_ed & surgical & (rng.random(n) < 0.3), 1, 0)
    )
    out = [fac]
    attending = ctx.d.pick_clinician("hospitalist", m.state[who], rng.integers(0, 2**31, n))
    out.append(
        _daily_visits(
            ctx,
            who,
            admit,
            los,
            attending,
            "inpatient_professional",
            dx1,
            "99223",
            "99232",
            "99239",
        )
    )
    s_idx = np.nonzero(surgical)[0]
    if s_idx.size:
        cpt = np.array([HCPCS_INDEX[s.cpt] if s.cpt else -1 for s in INPATIENT])[scen[s_idx]]
        role = np.array([_surgeon_role(s.key) for s in INPATIENT])[scen[s_idx]]
        surgeon = np.zeros(s_idx.size, dtype=np.int64)
        for r in np.unique(role):
            sel = role == r
            surgeon[sel] = ctx.d.pick_clinician(
                str(r), m.state[who[s_idx[sel]]], rng.integers(0, 2**31, int(sel.sum()))
            )
        out.append(
            _single_line(
                ctx,
                who[s_idx],
                admit[s_idx],
                surgeon,
                "inpatient_professional",
                dx1[s_idx],
                cpt,
                np.ones(s_idx.size),
                "21",
            )
        )
        anes_code = np.array(
            [HCPCS_INDEX[s.anesthesia] if s.anesthesia else -1 for s in INPATIENT]
        )[scen[s_idx]]
        has = anes_code >= 0
        if has.any():
            a = s_idx[has]
            anes = ctx.d.pick_clinician(
                "anesthesia", m.state[who[a]], rng.integers(0, 2**31, a.size)
            )
            out.append(
                _single_line(
                    ctx,
                    who[a],
                    admit[a],
                    anes,
                    "anesthesia",
                    dx1[a],
                    anes_code[has],
                    rng.integers(8, 17, a.size),
                    "21",
                )
            )
        ctx.rx.append(
            RxTriggers(
                who[s_idx], discharge[s_idx], surgeon, np.full(s_idx.size, RX_OPIOID, dtype=np.int8)
            )
        )
    consult_role = np.array([s.consult for s in INPATIENT])[scen]
    wants = (consult_role != "") & (rng.random(n) < 0.6)
    for r in np.unique(consult_role[wants]):
        sel = np.nonzero(wants & (consult_role == r))[0]
        doc = ctx.d.pick_clinician(str(r), m.state[who[sel]], rng.integers(0, 2**31, sel.size))
        out.append(
            _single_line(
                ctx,
                who[sel],
                admit[sel] + 1,
                doc,
                "inpatient_professional",
                dx1[sel],
                np.full(sel.size, HCPCS_INDEX["99253"]),
                np.ones(sel.size),
                "21",
            )
        )
    e_idx = np.nonzero(via_ed)[0]
    if e_idx.size:
        doc = ctx.d.pick_clinician("ed", m.state[who[e_idx]], rng.integers(0, 2**31, e_idx.size))
        out.append(
            _single_line(
                ctx,
                who[e_idx],
                admit[e_idx],
                doc,
                "ed_professional",
                dx1[e_idx],
                _choose(("99284", "99285"), (0.4, 0.6), e_idx.size, rng),
                np.ones(e_idx.size),
                "23",
            )
        )
    return out


INPATIENT_KEYS = {s.key: i for i, s in enumerate(INPATIENT)}


def _surgeon_role(key: str) -> str:
    return {
        "pci": "cardiology",
        "appendectomy": "general_surgery",
        "cholecystectomy": "general_surgery",
        "knee_replacement": "orthopedics",
        "spinal_fusion": "orthopedics",
        "bariatric": "general_surgery",
        "kidney_transplant": "general_surgery",
        "liver_transplant": "general_surgery",
    }.get(key, "general_surgery")


def maternity(ctx: Context, population: Population, lo: int, hi: int) -> list[ClaimSet]:
    """Deliveries (mother), prenatal services and newborn stays (baby) of the block."""
    m, rng = ctx.m, ctx.rng
    mothers = population.delivery_mother
    sel = np.nonzero((mothers >= lo) & (mothers < hi))[0]
    if sel.size == 0:
        return []
    who = (mothers[sel] - lo).astype(np.int64)
    day = population.delivery_day[sel].astype(np.int32)
    baby = population.delivery_newborn[sel]
    n = len(who)
    out: list[ClaimSet] = []
    weights = np.array([d.weight for d in DELIVERIES])
    scen = rng.choice(len(DELIVERIES), size=n, p=weights / weights.sum())
    cesarean = np.array([d.cesarean for d in DELIVERIES])[scen]
    los_mean = np.array([d.los for d in DELIVERIES])[scen]
    los = np.maximum(1, np.rint(los_mean + rng.normal(0, 0.6, n))).astype(np.int32)
    admit, discharge = _stay_dates(ctx, day, los)
    price = np.array([d.base for d in DELIVERIES])[scen] * (0.7 + 0.3 * los / los_mean)
    drg = np.array([DRG_INDEX[d.drg] for d in DELIVERIES], dtype=np.int16)[scen]
    hosp = m.hospital[who]
    slots: list[tuple[Slot, np.ndarray | None]] = [
        (Slot(1.0, rev="0720", share=0.3), ~cesarean),
        (Slot(1.0, rev="0722", share=0.15), None),
        (Slot(1.0, rev="0250", share=0.08), None),
        (Slot(1.0, ("85025",), rev="0305", share=0.02), None),
        (Slot(1.0, ("86900",), rev="0300", share=0.01), None),
        (Slot(1.0, rev="0360", share=0.3), cesarean),
        (Slot(1.0, rev="0370", share=0.08), None),
        (Slot(1.0, rev="0710", share=0.05), cesarean),
        (Slot(1.0, rev="0270", share=0.04), None),
    ]
    fac = _inpatient_facility(
        ctx,
        who,
        admit,
        discharge,
        los,
        price,
        drg,
        "delivery_facility",
        hosp,
        slots,
        np.full(n, REV_INDEX["0112"], dtype=np.int16),
        np.zeros(n, dtype=np.int32),
    )
    vag = draw(ctx.dx.pools["delivery_vaginal"], n, rng)
    ces = draw(ctx.dx.pools["delivery_cesarean"], n, rng)
    fac.dx[:, 0] = np.where(cesarean, ces, vag)
    fac.dx[:, 1] = draw(ctx.dx.pools["delivery_secondary"], n, rng)
    fac.dx[:, 2] = draw(ctx.dx.pools["gestation"], n, rng)
    steril = np.isin(np.array([d.drg for d in DELIVERIES])[scen], ["798", "785", "784"])
    fac.dx[:, 3] = np.where(steril, draw(ctx.dx.pools["sterilization"], n, rng), -1)
    fac.px[:] = np.where(cesarean, PCS_INDEX["10D00Z1"], PCS_INDEX["10E0XZZ"])
    fac.admit_type[:] = 1
    fac.admit_source[:] = 0
    fac.disposition[:] = 0
    out.append(fac)
    ob = ctx.d.pick_clinician("ob_gyn", m.state[who], m.person_key(30)[who])
    out.append(
        _single_line(
            ctx,
            who,
            admit,
            ob,
            "delivery_professional",
            fac.dx[:, 0].copy(),
            np.where(cesarean, HCPCS_INDEX["59510"], HCPCS_INDEX["59400"]),
            np.ones(n),
            "21",
        )
    )
    epidural = cesarean | (rng.random(n) < 0.7)
    a = np.nonzero(epidural)[0]
    anes = ctx.d.pick_clinician("anesthesia", m.state[who[a]], rng.integers(0, 2**31, a.size))
    out.append(
        _single_line(
            ctx,
            who[a],
            admit[a],
            anes,
            "anesthesia",
            fac.dx[a, 0].copy(),
            np.where(cesarean[a], HCPCS_INDEX["01961"], HCPCS_INDEX["01967"]),
            rng.integers(6, 13, a.size),
            "21",
        )
    )
    out += _prenatal(ctx, who, admit, ob)
    # newborns (members of the same block: households never straddle blocks)
    has_baby = baby >= 0
    b = (baby[has_baby] - lo).astype(np.int64)
    if b.size:
        nb_weights = np.array([x.weight for x in NEWBORNS])
        nscen = rng.choice(len(NEWBORNS), size=b.size, p=nb_weights / nb_weights.sum())
        nicu = np.array([x.nicu for x in NEWBORNS])[nscen]
        nlos_mean = np.array([x.los for x in NEWBORNS])[nscen]
        nlos = _los(nlos_mean, rng)
        nadmit, ndis = _stay_dates(ctx, day[has_baby], nlos)
        nprice = np.array([x.base for x in NEWBORNS])[nscen] * (0.6 + 0.4 * nlos / nlos_mean)
        ndrg = np.array([DRG_INDEX[x.drg] for x in NEWBORNS], dtype=np.int16)[nscen]
        nslots: list[tuple[Slot, np.ndarray | None]] = [
            (Slot(1.0, rev="0250", share=0.06), None),
            (Slot(1.0, ("85025",), rev="0305", share=0.02), None),
            (Slot(1.0, rev="0270", share=0.03), None),
        ]
        room = np.where(nicu, REV_INDEX["0174"], REV_INDEX["0171"]).astype(np.int16)
        nfac = _inpatient_facility(
            ctx,
            b,
            nadmit,
            ndis,
            nlos,
            nprice,
            ndrg,
            "newborn_facility",
            hosp[has_baby],
            nslots,
            room,
            np.zeros(b.size, dtype=np.int32),
        )
        ndx = np.zeros(b.size, dtype=np.int32)
        for k, x in enumerate(NEWBORNS):
            s = nscen == k
            if s.any():
                ndx[s] = draw(ctx.dx.pools[f"newborn:{x.drg}"], int(s.sum()), rng)
        born_c = cesarean[has_baby] & (nscen == 0)
        ndx = np.where(born_c, draw(ctx.dx.pools["newborn_cesarean"], b.size, rng), ndx)
        nfac.dx[:, 0] = ndx
        nfac.admit_type[:] = 3
        nfac.admit_source[:] = 3
        nfac.disposition[:] = 0
        out.append(nfac)
        ped = ctx.d.pick_clinician("pediatrics", m.state[b], m.key(2)[b])
        normal = ~nicu
        if normal.any():
            sel = np.nonzero(normal)[0]
            out.append(
                _daily_visits(
                    ctx,
                    b[sel],
                    nadmit[sel],
                    nlos[sel],
                    ped[sel],
                    "newborn_professional",
                    ndx[sel],
                    "99460",
                    "99462",
                    "99238",
                )
            )
        if nicu.any():
            sel = np.nonzero(nicu)[0]
            out.append(
                _daily_visits(
                    ctx,
                    b[sel],
                    nadmit[sel],
                    nlos[sel],
                    ped[sel],
                    "newborn_professional",
                    ndx[sel],
                    "99468",
                    "99469",
                    None,
                )
            )
    return out


def _prenatal(
    ctx: Context, who: np.ndarray, delivery: np.ndarray, ob: np.ndarray
) -> list[ClaimSet]:
    """Ultrasounds and prenatal labs in the months before delivery (while enrolled)."""
    m, rng = ctx.m, ctx.rng
    out: list[ClaimSet] = []
    n = len(who)
    for code, p, lo_days, hi_days in (
        ("76801", 0.6, 200, 250),
        ("76805", 0.95, 120, 150),
        ("76817", 0.4, 20, 100),
    ):
        sel = np.nonzero(rng.random(n) < p)[0]
        day = delivery[sel] - rng.integers(lo_days, hi_days + 1, sel.size)
        ok = (day >= m.s1[who[sel]]) & (day >= ctx.first_day)
        sel, day = sel[ok], day[ok]
        if sel.size == 0:
            continue
        out.append(
            _single_line(
                ctx,
                who[sel],
                to_weekday(day),
                ob[sel],
                "prenatal",
                draw(ctx.dx.pools["prenatal"], sel.size, rng),
                np.full(sel.size, HCPCS_INDEX[code]),
                np.ones(sel.size),
                "11",
            )
        )
    day = delivery - rng.integers(180, 230, n)
    ok = (day >= m.s1[who]) & (day >= ctx.first_day)
    k = np.nonzero(ok)[0]
    if k.size:
        labs = ctx.d.national["lab"]
        billing = labs[m.key(50)[who[k]] % labs.size]
        cs = new_claims(
            who[k],
            "prenatal",
            PROFESSIONAL,
            to_weekday(day[k]),
            billing,
            dx1=draw(ctx.dx.pools["prenatal"], k.size, rng),
        )
        lines = expand_slots(
            k.size,
            [
                (Slot(1.0, ("80081",)), None),
                (Slot(1.0, ("87086",)), None),
                (Slot(1.0, ("86900",)), None),
                (Slot(1.0, ("86901",)), None),
                (Slot(0.8, ("84702",)), None),
                (Slot(0.25, ("81420",)), None),
            ],
            rng,
        )
        out.append(
            attach_lines(
                cs,
                lines,
                ctx.prof_price(lines.hcpcs, lines.units, who[k][lines.claim]),
                pos=POS_INDEX["81"],
            )
        )
    return out


def behavioral_health(ctx: Context) -> ClaimSet:
    """Psychotherapy and psychiatric visits (office or telehealth)."""
    m, rng = ctx.m, ctx.rng
    dep, anx, adhd = m.has("depression"), m.has("anxiety"), m.has("adhd")
    key = m.person_key(90) % 1000
    engaged = (dep & (key < 450)) | (anx & (key < 350)) | (adhd & (key < 300))
    rate = np.where(engaged, np.where(m.age < 18, 6.0, 9.5), 0.0)
    who = ctx.events(rate)
    n = len(who)
    day = ctx.days(who, office=True)
    cond = np.where(
        dep[who],
        CONDITION_INDEX["depression"],
        np.where(anx[who], CONDITION_INDEX["anxiety"], CONDITION_INDEX["adhd"]),
    )
    dx1 = m.condition_dx[who, cond]
    doc = ctx.d.pick_clinician("behavioral", m.state[who], m.person_key(91)[who])
    cs = new_claims(
        who,
        "behavioral_health",
        PROFESSIONAL,
        day,
        ctx.d.org[doc],
        rendering=doc,
        dx1=dx1,
        cost_class=CS_SPECIALIST,
    )
    cs.out_of_network[:] = (m.person_key(92)[who] % 100) < 12
    ctx.secondary_dx(cs, count=2)
    tele = rng.random(n) < 0.45
    lines = expand_slots(
        n,
        [
            (
                Slot(
                    1.0,
                    ("90834", "90837", "90832", "90791", "90853", "99214"),
                    (0.42, 0.32, 0.1, 0.08, 0.04, 0.04),
                ),
                None,
            )
        ],
        rng,
    )
    lines.mod[:] = np.where(tele[lines.claim], MOD_INDEX["95"], -1)
    pos = np.where(
        tele[lines.claim],
        np.where(rng.random(lines.claim.size) < 0.8, POS_INDEX["10"], POS_INDEX["02"]),
        POS_INDEX["11"],
    )
    return attach_lines(
        cs, lines, ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim]), pos=pos
    )


def physical_medicine(ctx: Context) -> list[ClaimSet]:
    """Physical-therapy and chiropractic episodes: a run of visits a few days apart."""
    m, rng = ctx.m, ctx.rng
    msk = m.has("musculoskeletal")
    out: list[ClaimSet] = []
    for role, rate, mean_visits, kind_slots in (
        ("physical_therapy", 0.04 + 0.25 * msk, 6.0, "pt"),
        ("chiropractic", 0.02 + 0.08 * msk, 4.0, "chiro"),
    ):
        starts = ctx.events(rate * (m.age >= 6))
        n_ep = len(starts)
        if n_ep == 0:
            continue
        visits = 1 + rng.poisson(mean_visits, n_ep)
        ep_day = ctx.days(starts, office=True)
        who = np.repeat(starts, visits)
        ep = np.repeat(np.arange(n_ep), visits)
        first_of = np.cumsum(visits) - visits
        k = np.arange(len(who)) - first_of[ep]
        day = ep_day[ep] + k * 3 + rng.integers(0, 2, len(who))
        end = np.where(ep_day[ep] <= m.e1[who], m.e1[who], m.e2[who])
        keep = day <= np.minimum(end, ctx.last_day)
        who, day, k, ep = who[keep], to_weekday(day[keep]), k[keep], ep[keep]
        day = np.minimum(day, ctx.last_day).astype(np.int32)
        n = len(who)
        dx_ep = np.where(
            msk[starts],
            m.condition_dx[starts, CONDITION_INDEX["musculoskeletal"]],
            draw(ctx.dx.pools["pt"], n_ep, rng),
        )
        doc = ctx.d.pick_clinician(role, m.state[starts], m.person_key(95)[starts])[ep]
        cs = new_claims(
            who,
            "physical_medicine",
            PROFESSIONAL,
            day,
            ctx.d.org[doc],
            rendering=doc,
            dx1=dx_ep[ep],
            cost_class=CS_SPECIALIST,
        )
        first = k == 0
        if kind_slots == "pt":
            slots: list[tuple[Slot, np.ndarray | None]] = [
                (Slot(1.0, ("97161", "97162"), (0.6, 0.4)), first),
                (Slot(1.0, ("97110",), units=(1, 3)), None),
                (Slot(0.6, ("97140",)), None),
                (Slot(0.4, ("97530",)), ~first),
                (Slot(0.2, ("97112",)), ~first),
            ]
        else:
            slots = [
                (Slot(1.0, ("98940", "98941"), (0.8, 0.2)), None),
                (Slot(0.3, ("97140",)), None),
            ]
        lines = expand_slots(n, slots, rng)
        out.append(
            attach_lines(
                cs,
                lines,
                ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim]),
                pos=POS_INDEX["11"],
            )
        )
    return out


CANCER_DRUG = {
    "C50": (("J9355", 42), ("J9267", 250)),
    "C34": (("J9271", 200), ("J9045", 60)),
    "C18": (("J9035", 50), ("", 0)),
    "C20": (("J9035", 50), ("", 0)),
    "C83": (("J9312", 70), ("", 0)),
    "C81": (("J9312", 70), ("", 0)),
    "C85": (("J9312", 70), ("", 0)),
    "C43": (("J9271", 200), ("", 0)),
    "C61": (("J1950", 6), ("", 0)),
    "C67": (("J9271", 200), ("", 0)),
}


def infusions(ctx: Context) -> list[ClaimSet]:
    """Chemotherapy and biologic infusions on a fixed cycle (hospital outpatient or office)."""
    m, rng = ctx.m, ctx.rng
    out: list[ClaimSet] = []
    dx_codes = np.array(ctx.dx.codes)
    cancer = m.has("cancer")
    cancer_dx = dx_codes[np.maximum(m.condition_dx[:, CONDITION_INDEX["cancer"]], 0)]
    auto_dx = dx_codes[np.maximum(m.condition_dx[:, CONDITION_INDEX["autoimmune"]], 0)]
    key = m.person_key(100) % 1000
    # (members, drug code, units, cycle days, course days, admin code, role)
    plans: list[tuple[np.ndarray, np.ndarray, np.ndarray, int, int, str, str, str]] = []
    on_chemo = cancer & (key < 550)
    for prefix, ((drug, units), (drug2, units2)) in CANCER_DRUG.items():
        sel = on_chemo & np.char.startswith(cancer_dx.astype(str), prefix.replace(".", ""))
        if sel.any():
            cycle = 90 if drug == "J1950" else 21
            plans.append(
                (
                    np.nonzero(sel)[0],
                    np.full(int(sel.sum()), HCPCS_INDEX[drug]),
                    np.full(int(sel.sum()), units),
                    cycle,
                    400 if cycle == 21 else 720,
                    "96413" if cycle == 21 else "96372",
                    drug2,
                    "oncology",
                )
            )
            if drug2:
                plans[-1] = (*plans[-1][:6], f"{drug2}:{units2}", "oncology")
    autoimmune = m.has("autoimmune") & (key < 180)
    ms = autoimmune & np.char.startswith(auto_dx.astype(str), "G35")
    ibd_ra = (
        autoimmune
        & ~ms
        & (
            np.char.startswith(auto_dx.astype(str), "K5")
            | np.char.startswith(auto_dx.astype(str), "M0")
        )
    )
    for sel, drug, units, cycle in ((ms, "J2350", 600, 182), (ibd_ra, "J1745", 50, 56)):
        if sel.any():
            plans.append(
                (
                    np.nonzero(sel)[0],
                    np.full(int(sel.sum()), HCPCS_INDEX[drug]),
                    np.full(int(sel.sum()), units),
                    cycle,
                    720,
                    "96365",
                    "",
                    "rheumatology",
                )
            )
    for who0, drug_code, drug_units, cycle, course, admin, second, role in plans:
        n0 = len(who0)
        start = ctx.days(who0) - rng.integers(0, course // 2 + 1, n0)
        sessions = np.maximum(1, course // cycle)
        who = np.repeat(who0, sessions)
        idx = np.repeat(np.arange(n0), sessions)
        k = np.arange(len(who)) - (np.cumsum(np.full(n0, sessions)) - sessions)[idx]
        day = start[idx] + k * cycle + rng.integers(-2, 3, len(who))
        enrolled = ((day >= m.s1[who]) & (day <= m.e1[who])) | (
            (day >= m.s2[who]) & (day <= m.e2[who])
        )
        keep = enrolled & (day >= ctx.first_day) & (day <= ctx.last_day)
        who, day, idx = who[keep], to_weekday(day[keep]), idx[keep]
        day = np.clip(day, ctx.first_day, ctx.last_day).astype(np.int32)
        n = len(who)
        if n == 0:
            continue
        cond = CONDITION_INDEX["cancer"] if role == "oncology" else CONDITION_INDEX["autoimmune"]
        dx1 = np.where(role == "oncology", ctx.dx.index("Z51.11"), m.condition_dx[who, cond])
        hospital = (m.person_key(101)[who] % 100) < 55
        drug_n = drug_code[idx]
        units_n = drug_units[idx]
        second_code, second_units = [*second.split(":"), "0"][:2] if second else ("", "0")
        # hospital outpatient facility claims
        h = np.nonzero(hospital)[0]
        if h.size:
            fac = new_claims(
                who[h],
                "infusion",
                INSTITUTIONAL,
                day[h],
                m.hospital[who[h]],
                facility=m.hospital[who[h]],
                dx1=dx1[h],
            )
            fac.bill_type[:] = BILL_INDEX["131"]
            if role == "oncology":
                fac.dx[:, 1] = m.condition_dx[who[h], cond]
            slots: list[tuple[Slot, np.ndarray | None]] = [
                (Slot(1.0, (admin,), rev="0335" if role == "oncology" else "0260"), None),
                (Slot(1.0, ("J9271",), rev="0636"), None),
                (Slot(1.0, ("85025",), rev="0305"), None),
            ]
            if second_code:
                slots.append(
                    (
                        Slot(
                            1.0,
                            (second_code,),
                            rev="0636",
                            units=(int(second_units), int(second_units)),
                        ),
                        None,
                    )
                )
            lines = expand_slots(h.size, slots, rng)
            drug_line = lines.slot == 1
            lines.hcpcs[drug_line] = drug_n[h][lines.claim[drug_line]]
            lines.units[drug_line] = units_n[h][lines.claim[drug_line]]
            allowed = ctx.prof_price(lines.hcpcs, lines.units, who[h][lines.claim], 0.12)
            allowed *= np.where(lines.slot == 0, FACILITY_MARKUP, 1.25)
            out.append(attach_lines(fac, lines, allowed))
        o = np.nonzero(~hospital)[0]
        if o.size:
            doc = ctx.d.pick_clinician(role, m.state[who[o]], m.person_key(102)[who[o]])
            cs = new_claims(
                who[o], "infusion", PROFESSIONAL, day[o], ctx.d.org[doc], rendering=doc, dx1=dx1[o]
            )
            if role == "oncology":
                cs.dx[:, 1] = m.condition_dx[who[o], cond]
            slots = [(Slot(1.0, (admin,)), None), (Slot(1.0, ("J9271",)), None)]
            if second_code:
                slots.append(
                    (Slot(1.0, (second_code,), units=(int(second_units), int(second_units))), None)
                )
            lines = expand_slots(o.size, slots, rng)
            drug_line = lines.slot == 1
            lines.hcpcs[drug_line] = drug_n[o][lines.claim[drug_line]]
            lines.units[drug_line] = units_n[o][lines.claim[drug_line]]
            out.append(
                attach_lines(
                    cs,
                    lines,
                    ctx.prof_price(lines.hcpcs, lines.units, who[o][lines.claim], 0.12),
                    pos=POS_INDEX["11"],
                )
            )
    return out


def dialysis(ctx: Context, month_starts: np.ndarray) -> list[ClaimSet]:
    """Monthly outpatient dialysis claims (bill type 721, revenue 0821 per session) and the
    nephrologist's monthly ESRD service (90960)."""
    m = ctx.m
    esrd = np.nonzero(m.esrd)[0]
    if esrd.size == 0:
        return []
    out: list[ClaimSet] = []
    months = month_starts[:-1]
    ends = month_starts[1:] - 1
    who = np.repeat(esrd, months.size)
    mstart = np.tile(months, esrd.size)
    mend = np.tile(ends, esrd.size)
    lo = np.maximum(mstart, m.s1[who])
    hi = np.minimum(mend, np.where(m.e2[who] >= mstart, m.e2[who], m.e1[who]))
    keep = hi - lo >= 6
    who, lo, hi = who[keep], lo[keep], hi[keep]
    n = len(who)
    if n == 0:
        return out
    center = ctx.d.pick_org("dialysis", m.state[who], m.key(110)[who])
    # Monday/Wednesday/Friday sessions inside [lo, hi]
    days = np.arange(0, 31)
    cand = lo[:, None] + days[None, :]
    valid = (cand <= hi[:, None]) & np.isin(weekday(cand), [0, 2, 4])
    claim_idx, offset = np.nonzero(valid)
    fac = new_claims(
        who,
        "dialysis",
        INSTITUTIONAL,
        lo,
        center,
        end=hi,
        facility=center,
        dx1=np.full(n, ctx.dx.index("N18.6")),
    )
    fac.dx[:, 1] = ctx.dx.index("Z99.2")
    fac.bill_type[:] = BILL_INDEX["721"]
    k = len(claim_idx)
    lines = SlotLines(
        claim_idx.astype(np.int64),
        np.full(k, -1, np.int32),
        np.full(k, REV_INDEX["0821"], np.int16),
        np.full(k, -1, np.int8),
        np.ones(k, np.int32),
        np.ones(k),
        np.zeros(k, np.int32),
    )
    allowed = 1250.0 * m.cost_index[who[claim_idx]] * CALIBRATION * ctx.lognormal(k, 0.1)
    out.append(
        attach_lines(fac, lines, allowed, line_start=(lo[claim_idx] + offset).astype(np.int32))
    )
    neph = ctx.d.pick_clinician("nephrology", m.state[who], m.key(111)[who])
    out.append(
        _single_line(
            ctx,
            who,
            lo,
            neph,
            "dialysis",
            np.full(n, ctx.dx.index("N18.6")),
            np.full(n, HCPCS_INDEX["90960"]),
            np.ones(n),
            "11",
        )
    )
    return out


def durable_equipment(ctx: Context, month_starts: np.ndarray) -> list[ClaimSet]:
    """CPAP rentals and supplies, diabetic supplies, crutches (POS 12, national supplier)."""
    m, rng = ctx.m, ctx.rng
    out: list[ClaimSet] = []
    dme = ctx.d.national["dme"][0]
    cpap = np.nonzero(m.has("sleep_apnea") & ((m.person_key(120) % 100) < 40))[0]
    if cpap.size:
        months = month_starts[:-1]
        who = np.repeat(cpap, months.size)
        day = np.tile(months, cpap.size) + rng.integers(0, 25, len(who))
        enrolled = ((day >= m.s1[who]) & (day <= m.e1[who])) | (
            (day >= m.s2[who]) & (day <= m.e2[who])
        )
        who, day = who[enrolled], to_weekday(day[enrolled])
        day = np.minimum(day, ctx.last_day).astype(np.int32)
        n = len(who)
        cs = new_claims(
            who, "dme", PROFESSIONAL, day, np.full(n, dme), dx1=np.full(n, ctx.dx.index("G47.33"))
        )
        month_no = np.arange(n)
        lines = expand_slots(
            n,
            [
                (Slot(1.0, ("E0601",)), None),
                (Slot(1.0, ("A7030",)), month_no % 3 == 0),
                (Slot(1.0, ("A7035",)), month_no % 6 == 0),
                (Slot(1.0, ("A7037",)), month_no % 6 == 0),
            ],
            rng,
        )
        out.append(
            attach_lines(
                cs,
                lines,
                ctx.prof_price(lines.hcpcs, lines.units, who[lines.claim]),
                pos=POS_INDEX["12"],
            )
        )
    misc = ctx.events(0.012 + 0.4 * (m.has("diabetes") & ((m.person_key(121) % 100) < 10)))
    if misc.size:
        n = len(misc)
        day = ctx.days(misc, office=True)
        diabetic = m.has("diabetes")[misc]
        dx1 = np.where(
            diabetic,
            draw(ctx.dx.pools["diabetes_supplies"], n, rng),
            draw(ctx.dx.pools["injury_dme"], n, rng),
        )
        cs = new_claims(misc, "dme", PROFESSIONAL, day, np.full(n, dme), dx1=dx1)
        lines = expand_slots(
            n,
            [(Slot(1.0, ("A4253",), units=(2, 4)), diabetic), (Slot(1.0, ("E0114",)), ~diabetic)],
            rng,
        )
        out.append(
            attach_lines(
                cs,
                lines,
                ctx.prof_price(lines.hcpcs, lines.units, misc[lines.claim]),
                pos=POS_INDEX["12"],
            )
        )
    return out


def medical_events(
    ctx: Context, population: Population, lo: int, hi: int, month_starts: np.ndarray
) -> ClaimSet:
    """All medical claims of the block, in family order (ordered later by the pipeline)."""
    sets: list[ClaimSet] = [
        office_visits(ctx),
        preventive_visits(ctx),
        telehealth_visits(ctx),
        urgent_care(ctx),
        laboratory(ctx),
    ]
    sets += imaging(ctx)
    sets += advanced_imaging(ctx)
    sets += emergency(ctx)
    sets += outpatient_surgery(ctx)
    sets += inpatient(ctx)
    sets += maternity(ctx, population, lo, hi)
    sets.append(behavioral_health(ctx))
    sets += physical_medicine(ctx)
    sets += infusions(ctx)
    sets += dialysis(ctx, month_starts)
    sets += durable_equipment(ctx, month_starts)
    return concat(sets)
