"""Reference data the marts join to: chronic-condition code lists and ICD-10-CM chapters.

Chronic conditions are found by ICD-10-CM category (the first three characters of any
diagnosis on a claim line). The list is ours, modelled on the CMS Chronic Conditions
Warehouse groupings Tuva uses, kept to conditions common in a commercial population.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    codes: str  # the ICD-10-CM categories, as written in the docs
    categories: tuple[str, ...]


def _range(letter: str, low: int, high: int) -> tuple[str, ...]:
    return tuple(f"{letter}{n:02d}" for n in range(low, high + 1))


CHRONIC_CONDITIONS: tuple[Condition, ...] = (
    Condition("diabetes", "Diabetes", "E10, E11, E13", ("E10", "E11", "E13")),
    Condition("hypertension", "Hypertension", "I10–I16", _range("I", 10, 16)),
    Condition("hyperlipidemia", "Hyperlipidemia", "E78", ("E78",)),
    Condition("coronary_artery_disease", "Coronary artery disease", "I20–I25", _range("I", 20, 25)),
    Condition("heart_failure", "Heart failure", "I50", ("I50",)),
    Condition("asthma", "Asthma", "J45", ("J45",)),
    Condition("copd", "COPD", "J43–J44", ("J43", "J44")),
    Condition("ckd", "Chronic kidney disease", "N18", ("N18",)),
    Condition("depression", "Depression", "F32–F33", ("F32", "F33")),
    Condition("anxiety", "Anxiety disorders", "F41", ("F41",)),
    Condition("substance_use", "Substance use disorder", "F10–F19", _range("F", 10, 19)),
    Condition("cancer", "Cancer", "C00–C96", _range("C", 0, 96)),
    Condition("obesity", "Obesity", "E66", ("E66",)),
    Condition("rheumatoid_arthritis", "Rheumatoid arthritis", "M05–M06", ("M05", "M06")),
)
CONDITION_BY_KEY = {c.key: c for c in CHRONIC_CONDITIONS}


def condition_codes_table() -> ir.Table:
    """Grain: one row per ICD-10-CM category on a condition list. Columns: dx_category,
    condition (a CHRONIC_CONDITIONS key)."""
    rows = [(code, c.key) for c in CHRONIC_CONDITIONS for code in c.categories]
    return ibis.memtable(
        pd.DataFrame(rows, columns=["dx_category", "condition"]),
        schema=ibis.schema({"dx_category": "string", "condition": "string"}),
    )


# ICD-10-CM chapters and their category ranges, as simple_icd_10_cm (April 2026 code list)
# names them; tests/test_reference.py checks the two agree. Categories compare as strings.
ICD_CHAPTERS: tuple[tuple[str, str, str, str], ...] = (
    ("1", "A00", "B99", "Certain infectious and parasitic diseases"),
    ("2", "C00", "D49", "Neoplasms"),
    ("3", "D50", "D89", "Diseases of the blood and immune mechanism"),
    ("4", "E00", "E89", "Endocrine, nutritional and metabolic diseases"),
    ("5", "F01", "F99", "Mental, behavioral and neurodevelopmental disorders"),
    ("6", "G00", "G99", "Diseases of the nervous system"),
    ("7", "H00", "H59", "Diseases of the eye and adnexa"),
    ("8", "H60", "H95", "Diseases of the ear and mastoid process"),
    ("9", "I00", "I99", "Diseases of the circulatory system"),
    ("10", "J00", "J99", "Diseases of the respiratory system"),
    ("11", "K00", "K95", "Diseases of the digestive system"),
    ("12", "L00", "L99", "Diseases of the skin and subcutaneous tissue"),
    ("13", "M00", "M99", "Diseases of the musculoskeletal system and connective tissue"),
    ("14", "N00", "N99", "Diseases of the genitourinary system"),
    ("15", "O00", "O9A", "Pregnancy, childbirth and the puerperium"),
    ("16", "P00", "P96", "Certain conditions originating in the perinatal period"),
    ("17", "Q00", "QA0", "Congenital malformations and chromosomal abnormalities"),
    ("18", "R00", "R99", "Symptoms, signs and abnormal findings, not elsewhere classified"),
    ("19", "S00", "T88", "Injury, poisoning and other consequences of external causes"),
    ("20", "V00", "Y99", "External causes of morbidity"),
    ("21", "Z00", "Z99", "Factors influencing health status and contact with health services"),
    ("22", "U00", "U85", "Codes for special purposes"),
)
CHAPTER_TITLES = {number: title for number, _, _, title in ICD_CHAPTERS}


def icd_chapter(category: ir.StringValue) -> ir.StringValue:
    """The ICD-10-CM chapter number of a three-character category ('' when none fits)."""
    return ibis.cases(
        *[
            ((category >= low) & (category <= high), number)
            for number, low, high, _ in ICD_CHAPTERS
        ],
        else_="",
    )


def category_label(category: str) -> str:
    """The ICD-10-CM description of a three-character category ("" when not a code).
    (simple_icd_10_cm loads its code list on first use, about 3 s, once per process.)"""
    import simple_icd_10_cm as icd

    if category and icd.is_valid_item(category):
        return str(icd.get_description(category))
    return ""


def chapter_label(chapter: str) -> str:
    """The chapter's title with its range, e.g. "Diseases of the circulatory system (I00-I99)"."""
    for number, low, high, title in ICD_CHAPTERS:
        if number == chapter:
            return f"{title} ({low}–{high})"
    return "Unknown or missing diagnosis"


DRUG_SCHEMA = ibis.schema(
    {"ndc_code": "string", "generic_flag": "boolean", "specialty_flag": "boolean"}
)


def drug_reference_table(rows: list[tuple[str, bool, bool]]) -> ir.Table:
    """Grain: one row per NDC code. Columns: ndc_code, generic_flag, specialty_flag."""
    return ibis.memtable(
        pd.DataFrame(rows, columns=["ndc_code", "generic_flag", "specialty_flag"]),
        schema=DRUG_SCHEMA,
    )
