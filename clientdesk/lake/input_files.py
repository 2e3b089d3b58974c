"""Reading the files people hand to clientdesk (CSV or Parquet): the lake's loads, the inquiry
import and the drug reference all open them here, so a file is read the same way everywhere.

The format is told by the content (a Parquet file starts with `PAR1`), a CSV file is UTF-8
(a byte-order mark is dropped) and comma-separated, and rows are numbered the way a person
finds them: a CSV row by the line it starts on (the header is line 1; a quoted value may span
lines), a Parquet row from 1. Problems are `InputFileError`s with a one-line message that
names the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clientdesk.lake.validation import MAX_LINE_BYTES, SourceFormat

PARQUET_MAGIC = b"PAR1"
PARQUET_BATCH = 10_000


class InputFileError(ValueError):
    """A file that cannot be read at all; the message is one line and names the file."""


@dataclass(frozen=True)
class InputFile:
    """An input file whose header was read: its format, its columns as written, and (for
    Parquet) the columns stored as floating point."""

    path: Path
    format: SourceFormat
    columns: tuple[str, ...]
    float_columns: frozenset[str] = frozenset()

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(number, row) pairs, read as they are asked for; the file is closed at the end."""
        if self.format == SourceFormat.PARQUET:
            return self._parquet_rows()
        return self._csv_rows()

    def _csv_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with self.path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None:
                return
            ended = reader.line_num
            for row in reader:
                yield ended + 1, row
                ended = reader.line_num

    def _parquet_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        number = 0
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=PARQUET_BATCH):
            for row in batch.to_pylist():
                number += 1
                yield number, row


def is_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC


def open_input(path: Path) -> InputFile:
    """Read the file's header (and nothing more): InputFileError when the file is missing,
    empty, not UTF-8 text or not a readable Parquet file."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path.name}: the file is empty")
    if is_parquet(path):
        return _parquet_header(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        raise InputFileError(f"{path.name}: not a Parquet file (it does not start with PAR1)")
    return _csv_header(path)


def _parquet_header(path: Path) -> InputFile:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputFileError(f"{path.name}: not a readable Parquet file ({first})") from None
    floats = frozenset(f.name for f in schema if pa.types.is_floating(f.type))
    return InputFile(path, SourceFormat.PARQUET, tuple(schema.names), floats)


def _csv_header(path: Path) -> InputFile:
    # The header line alone: a bad byte further down is a rejected row, not a refused file.
    with path.open("rb") as handle:
        line = handle.readline(MAX_LINE_BYTES + 1)
    if len(line) > MAX_LINE_BYTES:
        raise InputFileError(f"{path.name}: the header line is longer than 1 MB")
    try:
        text = line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputFileError(f"{path.name}: not UTF-8 text (save the file as UTF-8 CSV)") from None
    return InputFile(path, SourceFormat.CSV, tuple(next(csv.reader([text]), [])))
