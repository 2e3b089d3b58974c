"""ICD-10-CM diagnosis pools drawn from the installed ``simple_icd_10_cm`` code list.

A pool is written as ``(spec, weight)`` pairs: ``"E11.9"`` is one billable code, ``"J45.*"``
spreads the weight over every billable (leaf) code under ``J45``. Every code is checked with
``is_valid_item`` and ``is_leaf`` when the pool is built, so nothing invented reaches the
output. Codes are emitted without the dot (``E119``), as the Tuva input layer expects.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

# `simple_icd_10_cm` parses its code list when it is imported (~1.6 CPU s): it is imported where
# a code is looked up, so a process that imports the generator (every test process does, for the
# book shelf) pays for it only when it builds a pool.


class UnknownCodeError(ValueError):
    """A pool names a code that is not a billable ICD-10-CM code in the installed release."""


@dataclass(frozen=True)
class CodePool:
    """Billable ICD-10-CM codes (dotted) with selection probabilities."""

    codes: tuple[str, ...]
    weights: np.ndarray


@functools.cache
def billable_descendants(prefix: str) -> tuple[str, ...]:
    """Every billable code under ``prefix`` (itself included when billable), sorted."""
    import simple_icd_10_cm as icd

    if not icd.is_valid_item(prefix):
        raise UnknownCodeError(f"{prefix} is not an ICD-10-CM code")
    found = [prefix] if icd.is_leaf(prefix) else []
    found += [c for c in icd.get_descendants(prefix) if icd.is_leaf(c)]
    return tuple(sorted(set(found)))


def build_pool(spec: tuple[tuple[str, float], ...]) -> CodePool:
    """Expand a pool spec into billable codes and normalised weights."""
    import simple_icd_10_cm as icd

    weights: dict[str, float] = {}
    for item, weight in spec:
        if item.endswith(".*") or item.endswith("*"):
            prefix = item.rstrip("*").rstrip(".")
            family = billable_descendants(prefix)
            if not family:
                raise UnknownCodeError(f"{item} has no billable codes")
            for code in family:
                weights[code] = weights.get(code, 0.0) + weight / len(family)
        else:
            if not (icd.is_valid_item(item) and icd.is_leaf(item)):
                raise UnknownCodeError(f"{item} is not a billable ICD-10-CM code")
            weights[item] = weights.get(item, 0.0) + weight
    codes = tuple(weights)
    w = np.array([weights[c] for c in codes], dtype=np.float64)
    return CodePool(codes, w / w.sum())


def undotted(code: str) -> str:
    """``E11.9`` -> ``E119`` (the Tuva input-layer spelling)."""
    return code.replace(".", "")


def is_billable(code: str) -> bool:
    """Whether ``code`` (dotted or not) is a billable ICD-10-CM code in the installed release."""
    import simple_icd_10_cm as icd

    dotted = icd.add_dot(code) if "." not in code and len(code) > 3 else code
    return bool(icd.is_valid_item(dotted) and icd.is_leaf(dotted))
