"""Daily counts of an incident's series, computed from the rows actually written.

A series is ``(feed, dimension, date_column)``: rows of ``feed`` for one account whose
columns equal every value in ``dimension``, counted per UTC day of ``date_column``. The
ground truth's observed baseline and multiplier come from these counts, so they describe
exactly what is in the files.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MICROS_DAY = 86_400_000_000


def count_series(
    table: pa.Table,
    group_id: str,
    dimension: dict[str, str | bool],
    date_column: str,
    first_day: int,
    days: int,
) -> np.ndarray:
    """Rows per window day matching ``group_id`` and ``dimension`` (equality filters)."""

    def column(name: str) -> pa.ChunkedArray:
        col = table[name]
        return col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col

    mask = pc.equal(column("group_id"), group_id)
    for name, value in dimension.items():
        mask = pc.and_kleene(mask, pc.equal(column(name), pa.scalar(value)))
    mask = pc.fill_null(mask, False)
    chosen = table[date_column].filter(mask)
    if pa.types.is_timestamp(chosen.type):
        day = pc.cast(chosen, pa.int64()).to_numpy(zero_copy_only=False) // MICROS_DAY
    else:
        day = pc.cast(chosen, pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    idx = day - first_day
    idx = idx[(idx >= 0) & (idx < days)]
    return np.bincount(idx, minlength=days).astype(np.int64)
