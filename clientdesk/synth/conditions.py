"""Chronic conditions: prevalence by age and sex, comorbidity structure, diagnosis pools.

Each member has a liability ``l_c = a_c g + b_c m + d_c p + sqrt(1 - a^2 - b^2 - d^2) e_c`` on
three shared standard-normal factors (general frailty ``g``, metabolic ``m``, mental health
``p``) and an own noise ``e_c``; the condition is present when ``l_c`` exceeds the normal
quantile of ``1 - prevalence``. Marginal prevalence is exact and conditions that share a
factor co-occur (diabetes with hypertension, hyperlipidaemia, CKD; depression with anxiety).

Prevalences are diagnosed-condition rates for a commercially insured population by age band
(our estimates, in the range of published commercial claims studies; not a cited table).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from clientdesk.synth.icd10 import CodePool, build_pool

AGE_BANDS = np.array([0, 18, 35, 45, 55, 65], dtype=np.int32)
"""Lower bounds of the prevalence age bands: 0-17, 18-34, 35-44, 45-54, 55-64, 65+."""


@dataclass(frozen=True)
class Condition:
    """One chronic condition: prevalence table (male, female per band), loadings, dx pool."""

    key: str
    prevalence: tuple[tuple[float, float], ...]
    general: float
    metabolic: float
    mental: float
    dx: tuple[tuple[str, float], ...]


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "hypertension",
        ((0.005, 0.004), (0.05, 0.03), (0.13, 0.09), (0.26, 0.20), (0.40, 0.35), (0.55, 0.52)),
        0.35,
        0.50,
        0,
        (("I10", 0.9), ("I11.9", 0.1)),
    ),
    Condition(
        "hyperlipidemia",
        ((0.002, 0.002), (0.04, 0.02), (0.12, 0.08), (0.24, 0.18), (0.34, 0.30), (0.45, 0.42)),
        0.3,
        0.45,
        0,
        (("E78.5", 0.5), ("E78.00", 0.2), ("E78.2", 0.2), ("E78.49", 0.1)),
    ),
    Condition(
        "diabetes",
        ((0.002, 0.002), (0.015, 0.012), (0.045, 0.035), (0.10, 0.08), (0.16, 0.12), (0.20, 0.16)),
        0.35,
        0.6,
        0,
        (
            ("E11.9", 0.45),
            ("E11.65", 0.25),
            ("E11.69", 0.06),
            ("E11.22", 0.06),
            ("E11.40", 0.05),
            ("E11.42", 0.06),
            ("E11.319", 0.04),
            ("E11.3*", 0.03),
        ),
    ),
    Condition(
        "asthma",
        ((0.08, 0.07), (0.05, 0.07), (0.05, 0.08), (0.05, 0.08), (0.05, 0.08), (0.05, 0.07)),
        0.35,
        0,
        0,
        (
            ("J45.909", 0.45),
            ("J45.20", 0.2),
            ("J45.30", 0.1),
            ("J45.40", 0.1),
            ("J45.50", 0.05),
            ("J45.901", 0.05),
            ("J45.*", 0.05),
        ),
    ),
    Condition(
        "copd",
        ((0, 0), (0.002, 0.002), (0.008, 0.01), (0.02, 0.025), (0.045, 0.05), (0.07, 0.07)),
        0.5,
        0.1,
        0,
        (("J44.9", 0.6), ("J44.1", 0.2), ("J43.9", 0.1), ("J44.0", 0.1)),
    ),
    Condition(
        "depression",
        ((0.03, 0.06), (0.07, 0.13), (0.08, 0.14), (0.08, 0.14), (0.08, 0.13), (0.07, 0.11)),
        0.25,
        0,
        0.6,
        (
            ("F32.A", 0.3),
            ("F32.9", 0.15),
            ("F33.1", 0.15),
            ("F32.1", 0.15),
            ("F33.0", 0.1),
            ("F33.2", 0.05),
            ("F32.0", 0.1),
        ),
    ),
    Condition(
        "anxiety",
        ((0.04, 0.06), (0.07, 0.13), (0.07, 0.12), (0.06, 0.11), (0.05, 0.09), (0.04, 0.07)),
        0.2,
        0,
        0.6,
        (("F41.1", 0.6), ("F41.9", 0.3), ("F41.0", 0.1)),
    ),
    Condition(
        "ckd",
        ((0.001, 0.001), (0.004, 0.003), (0.01, 0.008), (0.02, 0.018), (0.04, 0.035), (0.08, 0.07)),
        0.45,
        0.45,
        0,
        (
            ("N18.31", 0.2),
            ("N18.30", 0.2),
            ("N18.32", 0.1),
            ("N18.2", 0.2),
            ("N18.4", 0.1),
            ("N18.9", 0.2),
        ),
    ),
    Condition(
        "cad",
        ((0, 0), (0.002, 0.001), (0.01, 0.004), (0.03, 0.012), (0.07, 0.03), (0.12, 0.06)),
        0.45,
        0.45,
        0,
        (("I25.10", 0.8), ("I25.2", 0.1), ("I25.119", 0.1)),
    ),
    Condition(
        "heart_failure",
        (
            (0.0005, 0.0005),
            (0.001, 0.001),
            (0.003, 0.002),
            (0.008, 0.005),
            (0.018, 0.012),
            (0.04, 0.03),
        ),
        0.55,
        0.4,
        0,
        (("I50.9", 0.4), ("I50.22", 0.2), ("I50.32", 0.2), ("I50.42", 0.2)),
    ),
    Condition(
        "cancer",
        (
            (0.002, 0.002),
            (0.003, 0.005),
            (0.006, 0.012),
            (0.013, 0.022),
            (0.03, 0.035),
            (0.05, 0.045),
        ),
        0.4,
        0,
        0,
        (),
    ),
    Condition(
        "obesity",
        ((0.04, 0.04), (0.08, 0.10), (0.12, 0.14), (0.13, 0.15), (0.13, 0.14), (0.10, 0.11)),
        0.25,
        0.6,
        0,
        (("E66.9", 0.4), ("E66.01", 0.3), ("E66.81*", 0.3)),
    ),
    Condition(
        "hypothyroidism",
        ((0.003, 0.005), (0.008, 0.04), (0.015, 0.07), (0.025, 0.10), (0.04, 0.13), (0.06, 0.16)),
        0.15,
        0.1,
        0,
        (("E03.9", 0.9), ("E03.8", 0.1)),
    ),
    Condition(
        "autoimmune",
        (
            (0.002, 0.002),
            (0.008, 0.012),
            (0.01, 0.016),
            (0.012, 0.02),
            (0.014, 0.022),
            (0.015, 0.022),
        ),
        0.35,
        0,
        0,
        (
            ("M06.9", 0.3),
            ("M05.79", 0.1),
            ("K50.90", 0.15),
            ("K51.90", 0.15),
            ("L40.0", 0.15),
            ("L40.50", 0.05),
            ("G35.*", 0.1),
        ),
    ),
    Condition(
        "musculoskeletal",
        ((0.01, 0.01), (0.06, 0.07), (0.09, 0.10), (0.13, 0.14), (0.17, 0.19), (0.20, 0.22)),
        0.3,
        0.15,
        0.1,
        (
            ("M54.50", 0.3),
            ("M54.59", 0.1),
            ("M17.11", 0.1),
            ("M17.12", 0.1),
            ("M17.0", 0.1),
            ("M51.26", 0.05),
            ("M54.16", 0.1),
            ("M47.816", 0.05),
            ("M25.561", 0.05),
            ("M79.7", 0.05),
        ),
    ),
    Condition(
        "adhd",
        ((0.10, 0.05), (0.05, 0.04), (0.02, 0.02), (0.01, 0.01), (0.005, 0.005), (0, 0)),
        0.1,
        0,
        0.4,
        (("F90.0", 0.4), ("F90.2", 0.4), ("F90.9", 0.2)),
    ),
    Condition(
        "sleep_apnea",
        ((0.005, 0.003), (0.02, 0.01), (0.05, 0.02), (0.08, 0.04), (0.10, 0.05), (0.11, 0.06)),
        0.25,
        0.5,
        0,
        (("G47.33", 1.0),),
    ),
)

CONDITION_INDEX: dict[str, int] = {c.key: i for i, c in enumerate(CONDITIONS)}
N_CONDITIONS = len(CONDITIONS)

ESRD_SHARE_OF_CKD = 0.02
"""Share of CKD members with end-stage renal disease on dialysis (about 0.04 % of members)."""

CANCER_FEMALE: tuple[tuple[str, float], ...] = (
    ("C50.911", 0.25),
    ("C50.912", 0.25),
    ("C18.9", 0.08),
    ("C20", 0.04),
    ("C34.90", 0.08),
    ("C83.30", 0.05),
    ("C81.90", 0.05),
    ("C43.9", 0.08),
    ("C73", 0.12),
)
CANCER_MALE: tuple[tuple[str, float], ...] = (
    ("C61", 0.40),
    ("C18.9", 0.1),
    ("C20", 0.05),
    ("C34.90", 0.12),
    ("C83.30", 0.07),
    ("C85.90", 0.06),
    ("C43.9", 0.12),
    ("C73", 0.04),
    ("C67.9", 0.04),
)


@functools.cache
def condition_pools() -> tuple[CodePool, ...]:
    """The dx pool of every condition, cancer's being the female one (male: ``cancer_pool``)."""
    pools = []
    for condition in CONDITIONS:
        spec = condition.dx if condition.dx else CANCER_FEMALE
        pools.append(build_pool(spec))
    return tuple(pools)


@functools.cache
def cancer_pool(female: bool) -> CodePool:
    """Active-cancer dx pool by sex."""
    return build_pool(CANCER_FEMALE if female else CANCER_MALE)


@functools.cache
def thresholds() -> np.ndarray:
    """Liability thresholds, shape (conditions, bands, 2 sexes [male, female])."""
    out = np.full((N_CONDITIONS, len(AGE_BANDS), 2), np.inf)
    normal = NormalDist()
    for ci, condition in enumerate(CONDITIONS):
        for band, pair in enumerate(condition.prevalence):
            for sex, p in enumerate(pair):
                if p > 0:
                    out[ci, band, sex] = normal.inv_cdf(1.0 - p)
    return out


def sample_conditions(
    age: np.ndarray, female: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Condition flags (members x conditions, bool) and the general frailty factor.

    Grain: one row per member.
    """
    n = len(age)
    band = np.searchsorted(AGE_BANDS, age, side="right") - 1
    general = rng.standard_normal(n)
    metabolic = rng.standard_normal(n)
    mental = rng.standard_normal(n)
    noise = rng.standard_normal((n, N_CONDITIONS))
    limits = thresholds()
    sex = female.astype(np.int64)
    flags = np.zeros((n, N_CONDITIONS), dtype=bool)
    for ci, c in enumerate(CONDITIONS):
        own = np.sqrt(max(0.0, 1.0 - c.general**2 - c.metabolic**2 - c.mental**2))
        liability = c.general * general + c.metabolic * metabolic + c.mental * mental
        liability += own * noise[:, ci]
        flags[:, ci] = liability > limits[ci, band, sex]
    return flags, general
