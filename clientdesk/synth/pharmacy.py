"""Pharmacy fills for one block: chronic regimens with refill sequences, and acute fills
written at medical encounters.

Grain of ``Fills``: one row per dispensing (one ``pharmacy_claim`` line). Maintenance
therapy follows the member's conditions (first-line generics mostly, brands and specialty
drugs at realistic shares), refills at ``days_supply x adherence gap`` intervals, 30- or
90-day supplies (90-day fills go to mail order half the time). Calibrated for a generic
dispensing rate of 85-90 % of fills and pharmacy at 18-25 % of total allowed
(``claims-analytics.md`` §4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from clientdesk.synth.blocks import BlockMembers
from clientdesk.synth.conditions import CONDITION_INDEX
from clientdesk.synth.diagnoses import DxDictionary
from clientdesk.synth.drugs import DRUG_INDEX, DRUGS, ndc_codes
from clientdesk.synth.medical import (
    RX_ANALGESIC,
    RX_ANTIBIOTIC,
    RX_ANTIEMETIC,
    RX_ANTIVIRAL,
    RX_OPIOID,
    RX_STEROID,
    RxTriggers,
)
from clientdesk.synth.providers import ProviderDirectory
from clientdesk.synth.sponsors import PLANS

Regimen = tuple[str, float, tuple[tuple[str, float], ...], str]
"""(condition, treated share, ((drug, probability), ...), prescriber role)."""

REGIMENS: tuple[Regimen, ...] = (
    (
        "hypertension",
        0.85,
        (
            ("lisinopril", 0.35),
            ("amlodipine", 0.3),
            ("losartan", 0.25),
            ("hctz", 0.2),
            ("metoprolol", 0.15),
        ),
        "primary_care",
    ),
    (
        "hyperlipidemia",
        0.7,
        (("atorvastatin", 0.5), ("rosuvastatin", 0.32), ("simvastatin", 0.15), ("repatha", 0.02)),
        "primary_care",
    ),
    (
        "diabetes",
        0.9,
        (
            ("metformin", 0.75),
            ("glipizide", 0.12),
            ("jardiance", 0.23),
            ("farxiga", 0.06),
            ("januvia", 0.05),
            ("ozempic", 0.23),
            ("trulicity", 0.069),
            ("mounjaro", 0.161),
            ("lantus", 0.06),
            ("glargine_unbranded", 0.06),
        ),
        "primary_care",
    ),
    (
        "asthma",
        0.8,
        (
            ("albuterol", 0.8),
            ("montelukast", 0.3),
            ("wixela", 0.25),
            ("breo", 0.12),
            ("dupixent", 0.047),
        ),
        "primary_care",
    ),
    (
        "copd",
        0.85,
        (("trelegy", 0.35), ("spiriva", 0.3), ("albuterol", 0.7), ("breo", 0.1)),
        "pulmonology",
    ),
    (
        "depression",
        0.7,
        (
            ("sertraline", 0.3),
            ("escitalopram", 0.25),
            ("fluoxetine", 0.15),
            ("bupropion", 0.2),
            ("duloxetine", 0.1),
            ("trazodone", 0.15),
            ("trintellix", 0.05),
        ),
        "primary_care",
    ),
    (
        "anxiety",
        0.6,
        (("escitalopram", 0.3), ("sertraline", 0.25), ("buspirone", 0.25)),
        "primary_care",
    ),
    ("ckd", 0.5, (("losartan", 0.4), ("farxiga", 0.12)), "nephrology"),
    (
        "cad",
        0.85,
        (
            ("clopidogrel", 0.35),
            ("atorvastatin", 0.7),
            ("metoprolol", 0.5),
            ("eliquis", 0.15),
            ("xarelto", 0.05),
        ),
        "cardiology",
    ),
    (
        "heart_failure",
        0.9,
        (
            ("entresto", 0.3),
            ("carvedilol", 0.5),
            ("furosemide", 0.6),
            ("spironolactone", 0.35),
            ("farxiga", 0.2),
        ),
        "cardiology",
    ),
    ("hypothyroidism", 0.9, (("levothyroxine", 0.88), ("synthroid", 0.1)), "primary_care"),
    ("musculoskeletal", 0.3, (("meloxicam", 0.6), ("gabapentin", 0.4)), "primary_care"),
    (
        "adhd",
        0.75,
        (("methylphenidate", 0.4), ("amphetamine", 0.35), ("lisdexamfetamine", 0.25)),
        "primary_care",
    ),
    ("obesity", 0.14, (("wegovy", 0.5), ("zepbound", 0.5)), "primary_care"),
)

CANCER_REGIMENS: dict[str, tuple[tuple[str, float], ...]] = {
    "C50": (("anastrozole", 0.25), ("letrozole", 0.15), ("tamoxifen", 0.15), ("ibrance", 0.162)),
    "C61": (("xtandi", 0.338),),
    "C83": (("imbruvica", 0.162),),
    "C85": (("imbruvica", 0.162),),
    "C81": (("imbruvica", 0.108),),
}
AUTOIMMUNE_REGIMENS: dict[str, tuple[tuple[str, float], ...]] = {
    "M05": (
        ("methotrexate", 0.5),
        ("humira", 0.297),
        ("adalimumab_adaz", 0.203),
        ("enbrel", 0.162),
        ("rinvoq", 0.135),
    ),
    "M06": (
        ("methotrexate", 0.5),
        ("humira", 0.297),
        ("adalimumab_adaz", 0.203),
        ("enbrel", 0.162),
        ("rinvoq", 0.135),
    ),
    "K50": (("humira", 0.27), ("stelara", 0.216), ("adalimumab_adaz", 0.162), ("skyrizi", 0.135)),
    "K51": (("humira", 0.216), ("stelara", 0.162), ("adalimumab_adaz", 0.162), ("skyrizi", 0.108)),
    "L40": (("otezla", 0.203), ("skyrizi", 0.243), ("humira", 0.162), ("stelara", 0.135)),
    "G35": (("kesimpta", 0.54), ("dimethyl_fumarate", 0.338), ("teriflunomide", 0.203)),
}

ACUTE_DRUGS: dict[int, tuple[tuple[str, float], ...]] = {
    RX_ANTIBIOTIC: (
        ("amoxicillin", 0.35),
        ("azithromycin", 0.25),
        ("amox_clav", 0.15),
        ("cephalexin", 0.15),
        ("nitrofurantoin", 0.1),
    ),
    RX_ANALGESIC: (("ibuprofen", 0.5), ("meloxicam", 0.2), ("cyclobenzaprine", 0.3)),
    RX_ANTIVIRAL: (("oseltamivir", 0.85), ("paxlovid", 0.15)),
    RX_ANTIEMETIC: (("ondansetron", 1.0),),
    RX_OPIOID: (("hydrocodone_apap", 0.7), ("ibuprofen", 0.3)),
    RX_STEROID: (
        ("prednisone", 0.45),
        ("methylprednisolone", 0.3),
        ("fluticasone_nasal", 0.15),
        ("benzonatate", 0.1),
    ),
}

PRN_INTERVAL = {"albuterol": 100, "fluticasone_nasal": 150, "sumatriptan": 80}
GENERIC_MARKUP = 1.7
"""Commercial generic allowed relative to the catalogue's acquisition-level cost."""
DISPENSING_FEE = 2.0
"""Dispensing fee per fill (dollars)."""


@dataclass
class Fills:
    """Dispensings (grain: one row per fill)."""

    member: np.ndarray
    day: np.ndarray
    drug: np.ndarray
    ndc: np.ndarray
    days_supply: np.ndarray
    quantity: np.ndarray
    refills: np.ndarray
    prescriber: np.ndarray
    pharmacy: np.ndarray
    allowed_cents: np.ndarray
    charge_cents: np.ndarray
    copay_cents: np.ndarray
    coinsurance_cents: np.ndarray
    paid_cents: np.ndarray


def _regimen_rows(
    m: BlockMembers, dx: DxDictionary, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(member, drug index, prescriber role id) for every member-drug regimen."""
    members: list[np.ndarray] = []
    drugs: list[np.ndarray] = []
    roles: list[np.ndarray] = []
    role_names: list[str] = []

    def add(
        who: np.ndarray, options: tuple[tuple[str, float], ...], role: str, at_least_one: bool
    ) -> None:
        if who.size == 0:
            return
        if role not in role_names:
            role_names.append(role)
        got = np.zeros(who.size, dtype=bool)
        for key, p in options:
            take = rng.random(who.size) < p
            got |= take
            members.append(who[take])
            drugs.append(np.full(int(take.sum()), DRUG_INDEX[key]))
            roles.append(np.full(int(take.sum()), role_names.index(role)))
        if at_least_one:
            none = who[~got]
            members.append(none)
            drugs.append(np.full(none.size, DRUG_INDEX[options[0][0]]))
            roles.append(np.full(none.size, role_names.index(role)))

    for condition, share, options, role in REGIMENS:
        ci = CONDITION_INDEX[condition]
        has = m.conditions[:, ci] & ((m.person_key(200 + ci) % 1000) < share * 1000)
        if condition == "obesity":
            has &= ~m.has("diabetes")
        add(np.nonzero(has)[0], options, role, condition != "obesity")
    codes = np.array(dx.codes)
    for ci_name, table, role in (
        ("cancer", CANCER_REGIMENS, "oncology"),
        ("autoimmune", AUTOIMMUNE_REGIMENS, "rheumatology"),
    ):
        ci = CONDITION_INDEX[ci_name]
        code = codes[np.maximum(m.condition_dx[:, ci], 0)].astype(str)
        for prefix, options in table.items():
            who = np.nonzero(m.conditions[:, ci] & np.char.startswith(code, prefix))[0]
            add(who, options, role, False)
    age, female = m.age, m.female
    extra = (
        (female & (age >= 16) & (age <= 44), 0.18, (("contraceptive", 1.0),)),
        ((age >= 30), 0.07, (("omeprazole", 0.6), ("pantoprazole", 0.4))),
        (np.ones(m.n, dtype=bool), 0.06, (("fluticasone_nasal", 1.0),)),
        (female & (age >= 20) & (age <= 55), 0.04, (("sumatriptan", 0.85), ("nurtec", 0.15))),
        (~female & (age >= 40), 0.02, (("allopurinol", 1.0),)),
    )
    for k, (eligible, share, options) in enumerate(extra):
        who = np.nonzero(eligible & ((m.person_key(300 + k) % 1000) < share * 1000))[0]
        add(who, options, "primary_care", True)
    if not members:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    member = np.concatenate(members).astype(np.int64)
    drug = np.concatenate(drugs).astype(np.int64)
    role_idx = np.concatenate(roles).astype(np.int64)
    # a member keeps one regimen per drug
    _, first = np.unique(member * 1000 + drug, return_index=True)
    first = np.sort(first)
    role_codes = np.array([_ROLE_ID[r] for r in role_names], dtype=np.int64)
    return member[first], drug[first], role_codes[role_idx[first]]


_ROLES = ("primary_care", "pulmonology", "nephrology", "cardiology", "oncology", "rheumatology")
_ROLE_ID = {r: i for i, r in enumerate(_ROLES)}


def fills_for_block(
    m: BlockMembers,
    directory: ProviderDirectory,
    dx: DxDictionary,
    triggers: list[RxTriggers],
    rng: np.random.Generator,
    first_day: int,
    last_day: int,
    price_index: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> Fills:
    """All fills of the block's members inside the window; `price_index(account, day)`,
    when given, multiplies each fill's allowed amount (the sponsor's cost trend)."""
    maint = _maintenance(m, directory, dx, rng)
    acute = _acute(m, triggers, rng, first_day, last_day)
    member = np.concatenate([maint[0], acute[0]])
    day = np.concatenate([maint[1], acute[1]])
    drug = np.concatenate([maint[2], acute[2]])
    ds = np.concatenate([maint[3], acute[3]])
    fill_no = np.concatenate([maint[4], np.zeros(acute[0].size, dtype=np.int64)])
    presc = np.concatenate([maint[5], acute[4]])
    enrolled = ((day >= m.s1[member]) & (day <= m.e1[member])) | (
        (day >= m.s2[member]) & (day <= m.e2[member])
    )
    keep = enrolled & (day >= first_day) & (day <= last_day)
    member, day, drug, ds, fill_no, presc = (
        member[keep],
        day[keep],
        drug[keep],
        ds[keep],
        fill_no[keep],
        presc[keep],
    )
    order = np.lexsort((drug, day, member))
    member, day, drug, ds, fill_no, presc = (
        member[order],
        day[order],
        drug[order],
        ds[order],
        fill_no[order],
        presc[order],
    )
    n = len(member)
    generic = np.array([d.generic for d in DRUGS])[drug]
    specialty = np.array([d.specialty for d in DRUGS])[drug]
    maintenance = np.array([d.maintenance for d in DRUGS])[drug]
    preferred = np.array([d.preferred for d in DRUGS])[drug]
    cost_30 = np.array([d.cost_30 for d in DRUGS])[drug]
    qty_30 = np.array([d.qty_30 for d in DRUGS])[drug]
    base_ds = np.array([d.days_supply for d in DRUGS])[drug]
    acute_fill = (
        ~maintenance
        & (fill_no == 0)
        & (ds == base_ds)
        & np.isin(drug, [DRUG_INDEX[k] for opts in ACUTE_DRUGS.values() for k, _ in opts])
    )
    per_day = cost_30 / 30.0 * np.where(generic & ~specialty, GENERIC_MARKUP, 1.0)
    allowed = per_day * ds * rng.lognormal(-0.003, 0.08, n)
    allowed = np.where(acute_fill, per_day * 30.0 * rng.lognormal(-0.003, 0.08, n), allowed)
    allowed = allowed + DISPENSING_FEE
    quantity = np.where(acute_fill, qty_30, np.round(qty_30 * ds / 30.0, 2))
    ninety = ds >= 84
    mail = ninety & ((m.person_key(400)[member] % 2) == 0) & ~specialty
    allowed = np.where(mail, allowed * 0.92, allowed)
    if price_index is not None:
        allowed = allowed * price_index(m.account[member], day)
    allowed_cents = np.maximum(np.rint(allowed * 100), 100).astype(np.int64)
    charge_cents = np.rint(allowed_cents * rng.uniform(1.15, 1.6, n)).astype(np.int64)
    plan = m.plan[member].astype(np.int64)
    hdhp = np.array([p.kind == "hdhp" for p in PLANS])[plan]
    g_copay = np.array([p.rx_generic for p in PLANS])[plan]
    b_copay = np.array([p.rx_brand for p in PLANS])[plan]
    nb_copay = np.array([p.rx_nonpreferred for p in PLANS])[plan]
    sp_rate = np.array([p.rx_specialty_coinsurance for p in PLANS])[plan]
    sp_max = np.array([p.rx_specialty_max for p in PLANS])[plan]
    months = np.where(ninety, 2.0, 1.0)
    copay = np.where(
        generic & ~specialty, g_copay * months, np.where(preferred, b_copay, nb_copay) * months
    )
    coins = np.where(specialty, np.minimum(allowed_cents / 100.0 * sp_rate, sp_max), 0.0)
    copay = np.where(specialty, 0.0, copay)
    hd_generic = hdhp & generic & maintenance & ~specialty
    copay = np.where(hdhp, np.where(hd_generic, 10.0 * months, 0.0), copay)
    coins = np.where(hdhp & ~hd_generic, np.minimum(allowed_cents / 100.0 * 0.25, 150.0), coins)
    copay_cents = np.minimum(np.rint(copay * 100).astype(np.int64), allowed_cents)
    coins_cents = np.minimum(np.rint(coins * 100).astype(np.int64), allowed_cents - copay_cents)
    paid_cents = allowed_cents - copay_cents - coins_cents
    ndc_choice = (m.person_key(410)[member] + drug) % np.array([len(ndc_codes(d)) for d in DRUGS])[
        drug
    ]
    ndc_offset = np.cumsum([0] + [len(ndc_codes(d)) for d in DRUGS])[:-1]
    ndc = (ndc_offset[drug] + ndc_choice).astype(np.int64)
    retail = directory.pick_org("retail_pharmacy", m.state[member], m.key(420)[member])
    mail_rx = directory.national["mail_pharmacy"][0]
    specialty_rx = directory.national["specialty_pharmacy"][0]
    pharmacy = np.where(specialty, specialty_rx, np.where(mail, mail_rx, retail))
    refills = np.where(maintenance, np.maximum(0, 11 - (fill_no % 12)), 0)
    return Fills(
        member=member,
        day=day.astype(np.int32),
        drug=drug,
        ndc=ndc,
        days_supply=ds.astype(np.int32),
        quantity=quantity,
        refills=refills,
        prescriber=presc,
        pharmacy=pharmacy,
        allowed_cents=allowed_cents,
        charge_cents=charge_cents,
        copay_cents=copay_cents,
        coinsurance_cents=coins_cents,
        paid_cents=paid_cents,
    )


def _maintenance(
    m: BlockMembers, directory: ProviderDirectory, dx: DxDictionary, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    member, drug, role = _regimen_rows(m, dx, rng)
    r = len(member)
    base_ds = np.array([d.days_supply for d in DRUGS])[drug]
    generic = np.array([d.generic and not d.specialty for d in DRUGS])[drug]
    maintenance = np.array([d.maintenance for d in DRUGS])[drug]
    ninety = generic & maintenance & (rng.random(r) < 0.35)
    ds = np.where(ninety, 90, base_ds)
    gap = rng.uniform(1.0, 1.3, r)
    interval = ds * gap
    prn = np.zeros(r)
    for key, value in PRN_INTERVAL.items():
        prn = np.where(drug == DRUG_INDEX[key], value, prn)
    interval = np.where(prn > 0, prn * rng.uniform(0.8, 1.4, r), interval)
    last = np.where(m.e2[member] >= m.s2[member], m.e2[member], m.e1[member])
    new_start = rng.random(r) < 0.15
    start = np.where(
        new_start,
        m.s1[member] + rng.random(r) * np.maximum(1, last - m.s1[member]),
        m.s1[member] + rng.random(r) * interval,
    )
    count = np.where(start <= last, np.floor((last - start) / interval).astype(np.int64) + 1, 0)
    count = np.minimum(count, 400)
    rows = np.repeat(np.arange(r), count)
    k = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    day = np.rint(start[rows] + k * interval[rows] + rng.integers(-2, 3, len(rows)))
    pcp = m.pcp
    roles = np.array(_ROLES)
    prescriber = pcp[member].copy()
    for rid, role_name in enumerate(roles):
        if role_name == "primary_care":
            continue
        sel = role == rid
        if sel.any():
            prescriber[sel] = directory.pick_clinician(
                role_name, m.state[member[sel]], m.person_key(500)[member[sel]]
            )
    return (
        member[rows],
        day.astype(np.int64),
        drug[rows],
        ds[rows].astype(np.int64),
        k,
        prescriber[rows],
    )


def _acute(
    m: BlockMembers,
    triggers: list[RxTriggers],
    rng: np.random.Generator,
    first_day: int,
    last_day: int,
) -> tuple[np.ndarray, ...]:
    if not triggers:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z, z, z
    member = np.concatenate([t.member for t in triggers]).astype(np.int64)
    day = np.concatenate([t.day for t in triggers]).astype(np.int64)
    presc = np.concatenate([t.prescriber for t in triggers]).astype(np.int64)
    kind = np.concatenate([t.kind for t in triggers]).astype(np.int64)
    drug = np.full(len(member), -1, dtype=np.int64)
    for k, options in ACUTE_DRUGS.items():
        sel = np.nonzero(kind == k)[0]
        if sel.size == 0:
            continue
        keys = np.array([DRUG_INDEX[o] for o, _ in options])
        w = np.array([p for _, p in options])
        drug[sel] = keys[rng.choice(keys.size, size=sel.size, p=w / w.sum())]
    ok = drug >= 0
    member, day, presc, drug = member[ok], day[ok], presc[ok], drug[ok]
    day = day + (rng.random(len(member)) < 0.3)
    ds = np.array([d.days_supply for d in DRUGS])[drug]
    return member, day, drug, ds.astype(np.int64), presc
