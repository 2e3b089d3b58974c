"""Per-group quotas: pick exactly ``k[g]`` rows of each group, highest priority first.

Baseline service levels are set with quotas rather than independent coin flips so that every
account meets its guarantees in every period by construction (a quarter with 15 calls would
otherwise miss a 3 % abandonment target by chance); where the rows fall in time is still
random, so daily series keep their noise.
"""

from __future__ import annotations

import numpy as np


def dense_groups(*keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense group ids (0..G-1, in key order) for the combination of ``keys``, and G.

    Keys are small non-negative integers (accounts, quarters, flags), so the combination is
    densified with a lookup table instead of a sort.
    """
    if keys[0].shape[0] == 0:
        return np.zeros(0, dtype=np.int64), 0
    combined = np.zeros(keys[0].shape[0], dtype=np.int64)
    for k in keys:
        k64 = k.astype(np.int64)
        lo = int(k64.min())
        span = int(k64.max()) - lo + 1
        combined = combined * span + (k64 - lo)
    top = int(combined.max()) + 1
    if top > 50_000_000:
        _, inverse = np.unique(combined, return_inverse=True)
        return inverse.astype(np.int64), int(inverse.max()) + 1
    present = np.zeros(top, dtype=bool)
    present[combined] = True
    dense = np.cumsum(present) - 1
    return dense[combined].astype(np.int64), int(present.sum())


def select_top(group: np.ndarray, k: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Mask of the ``k[group]`` highest-priority rows of each group."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((-priority, group))
    g_sorted = group[order]
    start = np.r_[0, np.nonzero(np.diff(g_sorted))[0] + 1]
    first_of = np.repeat(start, np.diff(np.r_[start, n]))
    rank = np.arange(n) - first_of
    chosen = rank < k[g_sorted]
    mask = np.zeros(n, dtype=bool)
    mask[order] = chosen
    return mask


def weighted_priority(weight: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Efraimidis-Spirakis keys: top-k by this key is weighted sampling without replacement."""
    u = rng.random(len(weight))
    return np.asarray(np.log(np.maximum(u, 1e-300)) / np.maximum(weight, 1e-9))


def quarter_of(days: np.ndarray) -> np.ndarray:
    """Calendar quarter number (quarters since 1970Q1) of day numbers."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months // 3


def quarter_label(quarter: int) -> str:
    """``2025Q3`` style label of a quarter number."""
    return f"{1970 + quarter // 4}Q{quarter % 4 + 1}"


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
