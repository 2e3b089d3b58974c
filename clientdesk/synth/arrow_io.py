"""Arrow array builders (money, dates, codes, ids) and the Parquet part writer.

Money is ``decimal128(12, 2)`` built from integer cents; dates are ``date32``; timestamps are
``timestamp('us', tz='UTC')``. Code columns are built as dictionary arrays (small dictionary +
int32 indices), which Parquet stores dictionary-encoded anyway; files are written without the
Arrow schema blob, so every reader (pyarrow, DuckDB, Spark) sees plain UTF-8 strings. Each
table is a folder of ``part-NNNNN.parquet`` files written one chunk at a time (zstd), so
memory stays bounded and files are reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

MONEY = pa.decimal128(12, 2)
TIMESTAMP = pa.timestamp("us", tz="UTC")


def money(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Decimal(12,2) array from integer cents (two's-complement 128-bit little endian)."""
    c = np.ascontiguousarray(cents, dtype=np.int64)
    n = len(c)
    raw = np.empty(2 * n, dtype=np.int64)
    raw[0::2] = c
    np.right_shift(c, 63, out=raw[1::2])
    bitmap = None
    null_count = 0
    if valid is not None and not bool(np.all(valid)):
        bitmap = pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little"))
        null_count = int(n - valid.sum())
    return pa.Array.from_buffers(MONEY, n, [bitmap, pa.py_buffer(raw)], null_count=null_count)


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """date32 array from day numbers; ``valid`` (or negative days) marks nulls."""
    d = np.asarray(days).astype(np.int32)
    mask = ~valid if valid is not None else None
    return pa.array(d, type=pa.int32(), mask=mask).cast(pa.date32())


def timestamps(micros: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """UTC timestamp array from microseconds since the epoch."""
    mask = ~valid if valid is not None else None
    return pa.array(np.asarray(micros, dtype=np.int64), type=pa.int64(), mask=mask).cast(TIMESTAMP)


def codes(values: Sequence[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    """Strings looked up by index (negative index -> null), as a dictionary array."""
    i = np.asarray(idx).astype(np.int32)
    if isinstance(values, pa.Array):
        arr = values
    else:
        # a dictionary must not repeat values (Parquet dictionary pages stay deterministic)
        unique = list(dict.fromkeys(values))
        if len(unique) != len(values):
            position = {v: k for k, v in enumerate(unique)}
            remap = np.array([position[v] for v in values], dtype=np.int32)
            i = np.where(i >= 0, remap[np.maximum(i, 0)], -1).astype(np.int32)
        arr = pa.array(unique, type=pa.string())
    neg = i < 0
    if neg.any():
        indices = pa.array(np.where(neg, 0, i), type=pa.int32(), mask=neg)
    else:
        indices = pa.array(i, type=pa.int32())
    return pa.DictionaryArray.from_arrays(indices, arr)


def plain(arr: pa.Array) -> pa.Array:
    """A plain string array (decodes dictionary arrays)."""
    if pa.types.is_dictionary(arr.type):
        return arr.cast(pa.string())
    return arr


def numbered(prefix: str, numbers: np.ndarray, width: int, suffix: str = "") -> pa.Array:
    """``prefix`` + zero-padded number (+ ``suffix``), e.g. ``MC0001234567``."""
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()),
        width=width,
        padding="0",
    )
    if suffix:
        return pc.binary_join_element_wise(prefix, digits, suffix, "")
    return pc.binary_join_element_wise(prefix, digits, "")


def constant(value: str, n: int) -> pa.Array:
    """A string column with one value (a one-entry dictionary)."""
    return codes([value], np.zeros(n, dtype=np.int32))


def bools(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Boolean array (``valid`` marks nulls)."""
    mask = ~valid if valid is not None else None
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_(), mask=mask)


def table(columns: list[tuple[str, pa.DataType]], data: dict[str, pa.Array], n: int) -> pa.Table:
    """A table in the given column order; columns not in ``data`` are typed nulls.

    String columns may hold dictionary arrays of strings (kept as they are).
    """
    nulls: dict[pa.DataType, pa.Array] = {}
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    for name, dtype in columns:
        if name in data:
            arr = data[name]
            dictionary_ok = (
                pa.types.is_dictionary(arr.type)
                and pa.types.is_string(dtype)
                and arr.type.value_type == dtype
            )
            if arr.type != dtype and not dictionary_ok:
                arr = arr.cast(dtype)
            arrays.append(arr)
            fields.append(pa.field(name, arr.type))
        else:
            if dtype not in nulls:
                nulls[dtype] = pa.nulls(n, type=dtype)
            arrays.append(nulls[dtype])
            fields.append(pa.field(name, dtype))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_part(root: Path, name: str, index: int, tbl: pa.Table) -> int:
    """Write ``root/name/part-{index:05d}.parquet``; returns the row count.

    Statistics are kept for date and timestamp columns (what queries prune on); dictionary
    encoding is used for the dictionary-typed (code) columns only.
    """
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    stats = [
        f.name
        for f in tbl.schema
        if pa.types.is_date(f.type) or pa.types.is_timestamp(f.type) or f.name == "group_id"
    ]
    dictionary = [f.name for f in tbl.schema if pa.types.is_dictionary(f.type)]
    pq.write_table(
        tbl,
        folder / f"part-{index:05d}.parquet",
        compression="zstd",
        compression_level=1,
        write_statistics=stats or False,
        use_dictionary=dictionary or False,
        store_schema=False,
    )
    return int(tbl.num_rows)
