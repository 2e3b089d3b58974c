"""The diagnosis dictionary: every ICD-10-CM code the generator can emit, and named pools.

All pools are validated against the installed ICD-10-CM release (``icd10.build_pool``). The
dictionary maps each code to an index so claims carry small integers until the Arrow tables
are built.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from clientdesk.synth.conditions import CANCER_MALE, condition_pools
from clientdesk.synth.icd10 import build_pool, undotted
from clientdesk.synth.procedures import INPATIENT, NEWBORNS

POOLS: dict[str, tuple[tuple[str, float], ...]] = {
    "acute_adult": (
        ("J06.9", 0.14),
        ("J02.9", 0.05),
        ("J01.90", 0.08),
        ("N39.0", 0.07),
        ("R05.9", 0.05),
        ("R10.9", 0.05),
        ("R51.9", 0.03),
        ("M25.561", 0.04),
        ("M54.50", 0.06),
        ("L03.90", 0.02),
        ("K52.9", 0.03),
        ("H10.9", 0.02),
        ("B34.9", 0.04),
        ("U07.1", 0.03),
        ("J10.1", 0.02),
        ("J20.9", 0.05),
        ("K21.9", 0.04),
        ("J30.9", 0.03),
        ("L30.9", 0.03),
        ("R53.83", 0.03),
        ("G43.909", 0.03),
        ("R42", 0.02),
        ("K58.9", 0.02),
        ("E55.9", 0.02),
        ("R07.89", 0.02),
        ("T78.40XA", 0.01),
        ("L70.0", 0.02),
        ("M25.511", 0.02),
        ("B35.1", 0.01),
    ),
    "acute_child": (
        ("J06.9", 0.22),
        ("H66.90", 0.12),
        ("J02.9", 0.08),
        ("J02.0", 0.05),
        ("R50.9", 0.06),
        ("J20.9", 0.05),
        ("B34.9", 0.06),
        ("K52.9", 0.04),
        ("L20.9", 0.04),
        ("H10.9", 0.04),
        ("R05.9", 0.05),
        ("S93.401A", 0.02),
        ("U07.1", 0.02),
        ("J10.1", 0.03),
        ("R21", 0.03),
        ("J30.2", 0.03),
        ("N39.0", 0.02),
        ("S09.90XA", 0.02),
        ("H66.91", 0.02),
    ),
    "preventive_adult": (("Z00.00", 0.75), ("Z00.01", 0.25)),
    "preventive_child": (("Z00.129", 0.8), ("Z00.121", 0.2)),
    "gyn_exam": (("Z01.419", 1.0),),
    "telehealth": (
        ("J06.9", 0.25),
        ("J01.90", 0.15),
        ("N39.0", 0.12),
        ("L30.9", 0.08),
        ("R05.9", 0.1),
        ("U07.1", 0.06),
        ("J30.9", 0.08),
        ("K52.9", 0.06),
        ("B34.9", 0.1),
    ),
    "urgent": (
        ("J06.9", 0.15),
        ("J02.0", 0.08),
        ("J02.9", 0.06),
        ("S93.401A", 0.07),
        ("S61.419A", 0.06),
        ("S52.501A", 0.02),
        ("S01.81XA", 0.03),
        ("S60.222A", 0.03),
        ("N39.0", 0.06),
        ("J01.90", 0.06),
        ("H66.90", 0.05),
        ("U07.1", 0.04),
        ("J10.1", 0.04),
        ("R05.9", 0.04),
        ("L03.90", 0.03),
        ("K52.9", 0.03),
        ("S83.511A", 0.02),
        ("S39.012A", 0.04),
        ("T14.90XA", 0.02),
        ("R21", 0.03),
        ("H10.9", 0.03),
    ),
    "ed": (
        ("R07.9", 0.08),
        ("R07.89", 0.04),
        ("R10.9", 0.07),
        ("R10.84", 0.03),
        ("R51.9", 0.05),
        ("S93.401A", 0.04),
        ("S61.419A", 0.05),
        ("S52.501A", 0.03),
        ("S06.0X0A", 0.03),
        ("S01.81XA", 0.03),
        ("N39.0", 0.05),
        ("R11.2", 0.04),
        ("R42", 0.03),
        ("L03.90", 0.03),
        ("K52.9", 0.03),
        ("J06.9", 0.05),
        ("R50.9", 0.04),
        ("R06.02", 0.04),
        ("S39.012A", 0.04),
        ("S09.90XA", 0.03),
        ("T78.40XA", 0.02),
        ("N20.0", 0.03),
        ("R55", 0.03),
        ("S80.01XA", 0.02),
        ("S43.004A", 0.02),
        ("R10.31", 0.03),
        ("G43.909", 0.03),
    ),
    "lab_screening": (
        ("Z13.220", 0.3),
        ("Z00.00", 0.3),
        ("R53.83", 0.1),
        ("E55.9", 0.1),
        ("Z13.1", 0.1),
        ("R73.03", 0.1),
    ),
    "sti_screening": (("Z11.3", 1.0),),
    "prenatal": (
        ("Z34.00", 0.25),
        ("Z34.80", 0.5),
        ("Z34.90", 0.15),
        ("O24.410", 0.05),
        ("O99.214", 0.05),
    ),
    "delivery_vaginal": (("O80", 0.78), ("O48.0", 0.1), ("O62.1", 0.06), ("O13.3", 0.06)),
    "delivery_cesarean": (
        ("O34.211", 0.45),
        ("O32.1XX0", 0.2),
        ("O64.1XX0", 0.1),
        ("O48.0", 0.1),
        ("O13.3", 0.05),
        ("O14.03", 0.05),
        ("O24.410", 0.05),
    ),
    "delivery_secondary": (("Z37.0", 1.0),),
    "gestation": (("Z3A.39", 0.6), ("Z3A.38", 0.2), ("Z3A.40", 0.2)),
    "sterilization": (("Z30.2", 1.0),),
    "newborn_cesarean": (("Z38.01", 1.0),),
    "secondary_common": (
        ("Z79.899", 0.3),
        ("Z87.891", 0.2),
        ("F17.210", 0.15),
        ("K21.9", 0.15),
        ("E55.9", 0.1),
        ("D64.9", 0.1),
    ),
    "mammography": (("Z12.31", 1.0),),
    "colon_screening": (("Z12.11", 0.7), ("K63.5", 0.2), ("Z86.0100", 0.1)),
    "egd": (("K21.9", 0.5), ("K29.70", 0.3), ("R13.10", 0.2)),
    "knee_scope": (("M23.221", 0.4), ("M23.222", 0.3), ("S83.241A", 0.3)),
    "cholecystitis": (("K80.20", 1.0),),
    "hernia": (("K40.90", 1.0),),
    "cataract": (("H25.11", 0.4), ("H25.12", 0.4), ("H25.13", 0.2)),
    "back_injection": (("M54.16", 0.6), ("M51.16", 0.4)),
    "hysteroscopy": (("N92.0", 0.6), ("N93.9", 0.2), ("D25.9", 0.2)),
    "tonsils": (("J35.01", 0.5), ("J35.3", 0.5)),
    "ear_tubes": (("H65.93", 0.5), ("H66.93", 0.5)),
    "cystoscopy": (("R31.9", 0.6), ("N40.1", 0.4)),
    "carpal_tunnel": (("G56.01", 0.5), ("G56.02", 0.5)),
    "breast_biopsy": (("N63.10", 0.5), ("R92.8", 0.5)),
    "chest_xray": (("R05.9", 0.4), ("R06.02", 0.3), ("J20.9", 0.3)),
    "knee": (("M25.561", 0.7), ("M17.11", 0.3)),
    "low_back": (("M54.50", 0.6), ("M54.16", 0.4)),
    "shoulder": (("M25.511", 1.0),),
    "ankle": (("S93.401A", 0.6), ("M25.571", 0.4)),
    "abdomen": (("R10.9", 0.5), ("R10.84", 0.3), ("K57.30", 0.2)),
    "pelvis": (("N93.9", 0.5), ("D25.9", 0.5)),
    "thyroid": (("E04.1", 0.6), ("E03.9", 0.4)),
    "heart_test": (("R94.31", 0.3), ("R00.2", 0.3), ("I49.9", 0.2), ("R07.89", 0.2)),
    "carotid": (("R42", 0.6), ("Z86.73", 0.4)),
    "mri_knee": (("M23.221", 0.5), ("S83.241A", 0.5)),
    "mri_brain": (("G43.909", 0.5), ("R51.9", 0.3), ("R42", 0.2)),
    "ct_chest": (("R91.1", 0.6), ("R05.1", 0.4)),
    "dexa": (("Z13.820", 0.7), ("M81.0", 0.3)),
    "dialysis": (("N18.6", 1.0),),
    "dialysis_secondary": (("Z99.2", 1.0),),
    "sleep_apnea": (("G47.33", 1.0),),
    "diabetes_supplies": (("E11.65", 0.6), ("Z79.4", 0.4)),
    "injury_dme": (("S93.401A", 0.5), ("S82.891A", 0.5)),
    "pt": (("M54.50", 0.3), ("M25.561", 0.2), ("M25.511", 0.2), ("S83.511A", 0.1), ("M54.2", 0.2)),
    "chemo_encounter": (("Z51.11", 1.0),),
}


@dataclass(frozen=True)
class DxDictionary:
    """All emitted ICD-10-CM codes (undotted) and named pools as (indices, weights)."""

    codes: tuple[str, ...]
    pools: dict[str, tuple[np.ndarray, np.ndarray]]
    condition_codes: tuple[np.ndarray, ...]
    cancer_male_codes: np.ndarray

    def index(self, code: str) -> int:
        """Index of a dotted or undotted code."""
        return self.codes.index(undotted(code))


@functools.cache
def dx_dictionary() -> DxDictionary:
    """Build (once) the dictionary of every code used by any pool."""
    codes: dict[str, int] = {}

    def register(dotted: tuple[str, ...]) -> np.ndarray:
        out = []
        for c in dotted:
            key = undotted(c)
            if key not in codes:
                codes[key] = len(codes)
            out.append(codes[key])
        return np.array(out, dtype=np.int32)

    pools: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, spec in POOLS.items():
        pool = build_pool(spec)
        pools[name] = (register(pool.codes), pool.weights)
    for scenario in INPATIENT:
        pool = build_pool(scenario.dx)
        pools[f"inpatient:{scenario.key}"] = (register(pool.codes), pool.weights)
    for newborn in NEWBORNS:
        pool = build_pool(newborn.dx)
        pools[f"newborn:{newborn.drg}"] = (register(pool.codes), pool.weights)
    condition_codes = tuple(register(p.codes) for p in condition_pools())
    male = build_pool(CANCER_MALE)
    cancer_male = register(male.codes)
    return DxDictionary(tuple(codes), pools, condition_codes, cancer_male)


def draw(pool: tuple[np.ndarray, np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` dictionary indices drawn from a pool."""
    idx, weights = pool
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    return idx[rng.choice(len(idx), size=n, p=weights)]
