"""Drug catalogue: products, generic/brand/specialty status, typical cost, and NDC codes.

Drug names, strengths and generic/brand status are real products as marketed in the US in
2025; costs are approximate commercial allowed amounts per 30 days (our estimates). The
NDC codes are synthetic: 11-digit 5-4-2 NDC format, derived deterministically from the
product name, with labeler segments in 70000-89999; they look like NDCs but do not resolve
in RxNorm. ``reference/ndc`` in the output maps every code to its product. Generic
products get two or three labelers (multi-source), brands one.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Drug:
    """One dispensable product (grain of the catalogue)."""

    key: str
    name: str
    drug_class: str
    generic: bool
    specialty: bool
    maintenance: bool
    cost_30: float
    qty_30: float
    days_supply: int = 30
    preferred: bool = True


def _d(
    key: str,
    name: str,
    cls: str,
    generic: bool,
    cost: float,
    qty: float,
    *,
    specialty: bool = False,
    maintenance: bool = True,
    days: int = 30,
    preferred: bool = True,
) -> Drug:
    return Drug(key, name, cls, generic, specialty, maintenance, cost, qty, days, preferred)


DRUGS: tuple[Drug, ...] = (
    # cardiovascular / metabolic generics
    _d("lisinopril", "lisinopril 10 mg tablet", "ace_inhibitor", True, 4, 30),
    _d("amlodipine", "amlodipine 5 mg tablet", "calcium_channel_blocker", True, 5, 30),
    _d("losartan", "losartan 50 mg tablet", "arb", True, 8, 30),
    _d("hctz", "hydrochlorothiazide 25 mg tablet", "diuretic", True, 4, 30),
    _d("metoprolol", "metoprolol succinate ER 50 mg tablet", "beta_blocker", True, 12, 30),
    _d("atorvastatin", "atorvastatin 20 mg tablet", "statin", True, 8, 30),
    _d("rosuvastatin", "rosuvastatin 10 mg tablet", "statin", True, 10, 30),
    _d("simvastatin", "simvastatin 20 mg tablet", "statin", True, 5, 30),
    _d("metformin", "metformin 500 mg tablet", "biguanide", True, 6, 60),
    _d("glipizide", "glipizide 5 mg tablet", "sulfonylurea", True, 6, 60),
    _d("clopidogrel", "clopidogrel 75 mg tablet", "antiplatelet", True, 8, 30),
    _d("carvedilol", "carvedilol 12.5 mg tablet", "beta_blocker", True, 6, 60),
    _d("furosemide", "furosemide 40 mg tablet", "diuretic", True, 5, 30),
    _d("spironolactone", "spironolactone 25 mg tablet", "diuretic", True, 8, 30),
    _d("levothyroxine", "levothyroxine 50 mcg tablet", "thyroid", True, 12, 30),
    _d("allopurinol", "allopurinol 100 mg tablet", "antigout", True, 6, 30),
    _d("omeprazole", "omeprazole 20 mg capsule", "ppi", True, 8, 30),
    _d("pantoprazole", "pantoprazole 40 mg tablet", "ppi", True, 9, 30),
    # mental health and neurology generics
    _d("sertraline", "sertraline 50 mg tablet", "ssri", True, 7, 30),
    _d("escitalopram", "escitalopram 10 mg tablet", "ssri", True, 8, 30),
    _d("fluoxetine", "fluoxetine 20 mg capsule", "ssri", True, 6, 30),
    _d("bupropion", "bupropion XL 150 mg tablet", "antidepressant", True, 15, 30),
    _d("trazodone", "trazodone 50 mg tablet", "antidepressant", True, 6, 30),
    _d("duloxetine", "duloxetine 60 mg capsule", "snri", True, 14, 30),
    _d("buspirone", "buspirone 10 mg tablet", "anxiolytic", True, 9, 60),
    _d("methylphenidate", "methylphenidate ER 36 mg tablet", "stimulant", True, 95, 30),
    _d("amphetamine", "amphetamine-dextroamphetamine 20 mg tablet", "stimulant", True, 35, 60),
    _d("lisdexamfetamine", "lisdexamfetamine 30 mg capsule", "stimulant", True, 90, 30),
    _d("gabapentin", "gabapentin 300 mg capsule", "anticonvulsant", True, 10, 90),
    _d("sumatriptan", "sumatriptan 50 mg tablet", "triptan", True, 15, 9),
    # respiratory generics
    _d("montelukast", "montelukast 10 mg tablet", "leukotriene", True, 9, 30),
    _d(
        "albuterol",
        "albuterol sulfate HFA 90 mcg inhaler",
        "beta_agonist",
        True,
        30,
        18,
        maintenance=False,
    ),
    _d("wixela", "fluticasone-salmeterol 250-50 mcg inhalation powder", "ics_laba", True, 60, 60),
    _d(
        "fluticasone_nasal",
        "fluticasone propionate 50 mcg nasal spray",
        "nasal_steroid",
        True,
        12,
        16,
        maintenance=False,
    ),
    # other generics
    _d(
        "contraceptive",
        "norgestimate-ethinyl estradiol tablet (28)",
        "contraceptive",
        True,
        12,
        28,
        days=28,
    ),
    _d("meloxicam", "meloxicam 15 mg tablet", "nsaid", True, 6, 30),
    _d("methotrexate", "methotrexate 2.5 mg tablet", "dmard", True, 20, 8),
    _d("anastrozole", "anastrozole 1 mg tablet", "aromatase_inhibitor", True, 10, 30),
    _d("letrozole", "letrozole 2.5 mg tablet", "aromatase_inhibitor", True, 12, 30),
    _d("tamoxifen", "tamoxifen 20 mg tablet", "antiestrogen", True, 18, 30),
    _d("glargine_unbranded", "insulin glargine-yfgn 100 unit/mL pen", "insulin", True, 120, 15),
    _d(
        "dimethyl_fumarate",
        "dimethyl fumarate 240 mg capsule",
        "ms_agent",
        True,
        600,
        60,
        specialty=True,
    ),
    _d("teriflunomide", "teriflunomide 14 mg tablet", "ms_agent", True, 450, 30, specialty=True),
    # acute generics
    _d(
        "amoxicillin",
        "amoxicillin 500 mg capsule",
        "antibiotic",
        True,
        6,
        30,
        maintenance=False,
        days=10,
    ),
    _d(
        "azithromycin",
        "azithromycin 250 mg tablet",
        "antibiotic",
        True,
        9,
        6,
        maintenance=False,
        days=5,
    ),
    _d(
        "amox_clav",
        "amoxicillin-clavulanate 875-125 mg tablet",
        "antibiotic",
        True,
        14,
        20,
        maintenance=False,
        days=10,
    ),
    _d(
        "cephalexin",
        "cephalexin 500 mg capsule",
        "antibiotic",
        True,
        9,
        28,
        maintenance=False,
        days=7,
    ),
    _d(
        "nitrofurantoin",
        "nitrofurantoin monohydrate-macrocrystals 100 mg capsule",
        "antibiotic",
        True,
        15,
        10,
        maintenance=False,
        days=5,
    ),
    _d(
        "prednisone",
        "prednisone 20 mg tablet",
        "corticosteroid",
        True,
        5,
        10,
        maintenance=False,
        days=5,
    ),
    _d(
        "methylprednisolone",
        "methylprednisolone 4 mg dose pack",
        "corticosteroid",
        True,
        10,
        21,
        maintenance=False,
        days=6,
    ),
    _d("ondansetron", "ondansetron 4 mg ODT", "antiemetic", True, 8, 12, maintenance=False, days=4),
    _d("ibuprofen", "ibuprofen 800 mg tablet", "nsaid", True, 6, 30, maintenance=False, days=10),
    _d(
        "cyclobenzaprine",
        "cyclobenzaprine 10 mg tablet",
        "muscle_relaxant",
        True,
        6,
        20,
        maintenance=False,
        days=10,
    ),
    _d(
        "hydrocodone_apap",
        "hydrocodone-acetaminophen 5-325 mg tablet",
        "opioid",
        True,
        10,
        20,
        maintenance=False,
        days=5,
    ),
    _d(
        "oseltamivir",
        "oseltamivir 75 mg capsule",
        "antiviral",
        True,
        35,
        10,
        maintenance=False,
        days=5,
    ),
    _d(
        "benzonatate",
        "benzonatate 100 mg capsule",
        "antitussive",
        True,
        10,
        21,
        maintenance=False,
        days=7,
    ),
    # brands
    _d("jardiance", "Jardiance 10 mg tablet", "sglt2", False, 620, 30),
    _d("farxiga", "Farxiga 10 mg tablet", "sglt2", False, 600, 30),
    _d("januvia", "Januvia 100 mg tablet", "dpp4", False, 560, 30, preferred=False),
    _d("ozempic", "Ozempic 1 mg/dose pen", "glp1", False, 1000, 3, days=28),
    _d("trulicity", "Trulicity 1.5 mg/0.5 mL pen", "glp1", False, 990, 2, days=28),
    _d("mounjaro", "Mounjaro 5 mg/0.5 mL pen", "glp1", False, 1060, 2, days=28),
    _d(
        "wegovy",
        "Wegovy 2.4 mg/0.75 mL pen",
        "glp1_obesity",
        False,
        1350,
        3,
        days=28,
        preferred=False,
    ),
    _d(
        "zepbound",
        "Zepbound 5 mg/0.5 mL pen",
        "glp1_obesity",
        False,
        1080,
        2,
        days=28,
        preferred=False,
    ),
    _d("lantus", "Lantus 100 unit/mL SoloStar pen", "insulin", False, 300, 15),
    _d("eliquis", "Eliquis 5 mg tablet", "anticoagulant", False, 580, 60),
    _d("xarelto", "Xarelto 20 mg tablet", "anticoagulant", False, 560, 30, preferred=False),
    _d("entresto", "Entresto 49-51 mg tablet", "arni", False, 650, 60),
    _d("repatha", "Repatha 140 mg/mL autoinjector", "pcsk9", False, 560, 2, days=28),
    _d("breo", "Breo Ellipta 100-25 mcg inhaler", "ics_laba", False, 420, 30),
    _d("trelegy", "Trelegy Ellipta 100-62.5-25 mcg inhaler", "triple_inhaler", False, 650, 30),
    _d("spiriva", "Spiriva Respimat 2.5 mcg inhaler", "lama", False, 520, 60),
    _d("trintellix", "Trintellix 10 mg tablet", "antidepressant", False, 450, 30, preferred=False),
    _d("synthroid", "Synthroid 50 mcg tablet", "thyroid", False, 60, 30, preferred=False),
    _d("nurtec", "Nurtec ODT 75 mg", "cgrp", False, 1000, 8, preferred=False),
    _d(
        "paxlovid",
        "Paxlovid 300-100 mg tablet pack",
        "antiviral",
        False,
        1400,
        30,
        maintenance=False,
        days=5,
    ),
    # specialty brands
    _d(
        "humira",
        "Humira 40 mg/0.4 mL pen",
        "tnf_inhibitor",
        False,
        7200,
        2,
        specialty=True,
        days=28,
    ),
    _d(
        "adalimumab_adaz",
        "adalimumab-adaz 40 mg/0.4 mL pen",
        "tnf_inhibitor",
        False,
        1300,
        2,
        specialty=True,
        days=28,
    ),
    _d(
        "enbrel",
        "Enbrel 50 mg/mL SureClick",
        "tnf_inhibitor",
        False,
        7000,
        4,
        specialty=True,
        days=28,
    ),
    _d(
        "stelara", "Stelara 90 mg/mL syringe", "il12_23", False, 12500, 0.5, specialty=True, days=56
    ),
    _d("skyrizi", "Skyrizi 150 mg/mL pen", "il23", False, 7200, 0.33, specialty=True, days=84),
    _d("rinvoq", "Rinvoq 15 mg tablet", "jak_inhibitor", False, 6500, 30, specialty=True),
    _d("otezla", "Otezla 30 mg tablet", "pde4", False, 4900, 60, specialty=True),
    _d("dupixent", "Dupixent 300 mg/2 mL pen", "il4", False, 3800, 4, specialty=True, days=28),
    _d(
        "kesimpta", "Kesimpta 20 mg/0.4 mL pen", "ms_agent", False, 7300, 1, specialty=True, days=28
    ),
    _d("ibrance", "Ibrance 125 mg tablet", "cdk46", False, 15000, 21, specialty=True, days=28),
    _d("xtandi", "Xtandi 40 mg capsule", "antiandrogen", False, 14500, 120, specialty=True),
    _d("imbruvica", "Imbruvica 420 mg tablet", "btk_inhibitor", False, 15000, 30, specialty=True),
)

DRUG_INDEX: dict[str, int] = {d.key: i for i, d in enumerate(DRUGS)}


def ndc_codes(drug: Drug) -> tuple[str, ...]:
    """Synthetic NDC-format codes for a product (one per labeler)."""
    labelers = 3 if drug.generic and not drug.specialty else 1
    out = []
    for k in range(labelers):
        h = zlib.crc32(f"{drug.name}|{k}".encode())
        labeler = 70000 + h % 20000
        product = (h // 20000) % 10000
        package = (30, 90, 1)[k % 3] if drug.generic else 1
        out.append(f"{labeler:05d}{product:04d}{package:02d}")
    return tuple(out)


def catalogue() -> tuple[tuple[str, ...], list[int]]:
    """All NDC codes and, for each, the index of its drug in ``DRUGS``."""
    codes: list[str] = []
    owner: list[int] = []
    for i, drug in enumerate(DRUGS):
        for code in ndc_codes(drug):
            codes.append(code)
            owner.append(i)
    if len(set(codes)) != len(codes):
        raise RuntimeError("synthetic NDC codes collide; change the derivation")
    return tuple(codes), owner
