"""Loading files into the lake: one batch per file, every row checked, idempotent, atomic.

`ingest_files(table, paths, ...)` loads CSV or Parquet files into one lake table. For each file:

1. The file is inspected before anything is loaded (all files of the call first): format,
   encoding, header, delimiter, required columns. A malformed file stops the call with an
   `IngestError` whose message is one line.
2. Its SHA-256 is looked up: a file already committed to this table loads nothing and says so;
   with `replace=True` the new batch replaces the old one.
3. A batch row is recorded (running). DuckDB validates the whole file in one query
   (`validation.FileValidation.narrow_sql`), then duplicate keys and sponsors are resolved on
   the narrow result, accounts are created if asked, rejects are written with every reason,
   and the surviving rows are written as Parquet into a staging folder.
4. The staging folder is renamed to LAKE_DIR/<table>/batch=<id> and, in one transaction, the
   batch is marked committed with its counts, the earlier batch marked replaced, a data-load
   event added to the timeline of every account with rows, and the audit row written.
   Readers see committed batches only, so a load is visible all at once or not at all.

`test=True` loads a test file (a sponsor's eligibility test round): checked and kept like any
batch, with its rejects, but marked test, so no lake reader sees its rows (models.IngestBatch).

One load runs at a time (`storage.ingest_lock`); each load first cleans what a crashed one
left (`storage.clean_orphans`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clientdesk.accounts.actions import do_log_activity
from clientdesk.accounts.models import Account, ActivityKind
from clientdesk.audit.recording import record_audit
from clientdesk.lake import storage
from clientdesk.lake.input_files import PARQUET_MAGIC, InputFile, InputFileError, open_input
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lake.rejects import grouped_reasons, mask_sql, masked_reason
from clientdesk.lake.schemas import AccountSource, TableSchema, get_table, sql_literal
from clientdesk.lake.sponsors import NewSponsor, create_sponsor_accounts
from clientdesk.lake.validation import (
    MASKED_VALUE,
    MAX_LINE_BYTES,
    MEMBER_VALUE_COLUMNS,
    REASON_SEPARATOR,
    WARNING_FIELD,
    WARNING_SEPARATOR,
    FileValidation,
    SourceFile,
    SourceFormat,
    quote_ident,
)
from clientdesk.lib.exports import sql_safe_text

log = logging.getLogger(__name__)

LOAD_MEMORY_LIMIT = "1GB"  # DuckDB's share of a converted file's load (bench/x12.py)

SNIFF_BYTES = 65_536
# A new account's state: the most frequent well-formed (two-letter) state of its rows.
STATE_MODE = "mode(state) FILTER (WHERE regexp_full_match(state, '[A-Z]{2}'))"


class IngestError(Exception):
    """A file cannot be loaded; the message is one line, fit for the command line."""


@dataclass
class BatchResult:
    """What happened to one file."""

    table: str
    source: str
    status: str  # "committed" or "already_loaded"
    batch_id: int
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejects_file: str | None = None
    accounts_created: list[str] = field(default_factory=list)
    replaced_batch_id: int | None = None
    message: str = ""
    rows_with_warnings: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warnings_file: str | None = None
    report: dict[str, Any] = field(default_factory=dict)
    test: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- looking at a file before loading it --------------------------------------------------


def _normalize(name: str) -> str:
    return name.strip().lower()


def inspect_source(schema: TableSchema, path: Path) -> SourceFile:
    """Check a file's shape (format, encoding, header, columns); raise IngestError if wrong."""
    name = path.name
    if not path.is_file():
        raise IngestError(f"{name}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{name}: the file is empty")
    with path.open("rb") as handle:
        head = handle.read(max(SNIFF_BYTES, MAX_LINE_BYTES + 1))
    if head.startswith(PARQUET_MAGIC):
        return _inspect_parquet(schema, path)
    other = other_format(head)
    if other:
        raise IngestError(f"{name}: {other}")
    if path.suffix.lower() == ".parquet":
        raise IngestError(f"{name}: not a Parquet file (it does not start with PAR1)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{name}: UTF-16 text (save the file as UTF-8 CSV)")
    if b"\x00" in head[:SNIFF_BYTES]:
        raise IngestError(f"{name}: binary content, not a CSV text file")
    end = head.find(b"\n")
    if end < 0:
        if len(head) > MAX_LINE_BYTES:
            raise IngestError(f"{name}: the header line is longer than 1 MB")
        end = len(head)
    try:
        header_text = head[:end].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        raise IngestError(f"{name}: not UTF-8 text (save the file as UTF-8 CSV)") from None
    names = [_normalize(h) for h in _header(path).columns]
    if len(names) <= 1:
        for delimiter, label in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if delimiter in header_text:
                raise IngestError(
                    f"{name}: the header has one column and looks {label}-separated; "
                    "lake files must be comma-separated"
                )
    return _mapped(schema, path, SourceFormat.CSV, names)


def other_format(head: bytes) -> str:
    """What a file in an industry format is and how to load it, from its first bytes ("" when
    it is none of them)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"ISA"):
        return "an X12 EDI file, not CSV: load it with `clientdesk ingest x12 FILE`"
    if start.startswith((b"{", b"[")):
        if b'"resourceType"' in start[:SNIFF_BYTES]:
            return (
                "FHIR JSON (a Bundle or NDJSON of resources), not CSV: load it with "
                "`clientdesk ingest fhir FILE`"
            )
        return "JSON, not CSV: lake files are CSV with a header row, or Parquet"
    return ""


SYNTHEA_COLUMNS = frozenset({"patientid", "providerid", "primarypatientinsuranceid"})
SYNTHEA_PATIENT_COLUMNS = frozenset({"birthdate", "ssn", "drivers", "passport"})
SYNPUF_COLUMNS = frozenset({"desynpuf_id", "clm_id", "clm_from_dt", "bene_birth_dt"})


def other_csv_format(columns: set[str]) -> str:
    """What a CSV of another data model is and what to do, from its header ("" if unknown)."""
    if columns & SYNPUF_COLUMNS:
        return (
            "a CMS DE-SynPUF (Medicare claims) CSV, not the Tuva input layer: map it with "
            "Tuva's Medicare SynPUF connector (or to the columns in docs/lake.md) first"
        )
    if len(columns & SYNTHEA_COLUMNS) >= 2 or len(columns & SYNTHEA_PATIENT_COLUMNS) >= 3:
        return (
            "a Synthea CSV export, not the Tuva input layer: map it with Tuva's Synthea "
            "connector (or to the columns in docs/lake.md) first"
        )
    return ""


def _header(path: Path) -> InputFile:
    try:
        return open_input(path)
    except InputFileError as error:
        raise IngestError(str(error)) from None


def _inspect_parquet(schema: TableSchema, path: Path) -> SourceFile:
    source = _header(path)
    names = [_normalize(name) for name in source.columns]
    floats = frozenset(_normalize(name) for name in source.float_columns)
    return _mapped(schema, path, SourceFormat.PARQUET, names, floats)


def _mapped(
    schema: TableSchema,
    path: Path,
    fmt: SourceFormat,
    names: list[str],
    floats: frozenset[str] = frozenset(),
) -> SourceFile:
    seen: set[str] = set()
    for column in names:
        if column == "":
            raise IngestError(f"{path.name}: the header has an empty column name")
        if column in seen:
            raise IngestError(f"{path.name}: column {column} appears twice in the header")
        seen.add(column)
    known = set(schema.column_names)
    if not seen & known:
        other = other_csv_format(seen)
        if other:
            raise IngestError(f"{path.name}: {other}")
        raise IngestError(
            f"{path.name}: no column matches the {schema.name} table "
            f"(expected e.g. {', '.join(schema.required_columns[:4])})"
        )
    missing = [c for c in schema.required_columns if c not in seen]
    if missing:
        raise IngestError(f"{path.name}: missing required columns: {', '.join(missing)}")
    mapping = {c: c for c in names if c in known}
    return SourceFile(str(path.resolve()), fmt, tuple(names), mapping, floats & known)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def explain_duckdb_error(error: duckdb.Error) -> str:
    """A one-line account of why DuckDB could not read a file, without its contents
    (the original line may hold member data, so it is never repeated)."""
    text = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    where = f"line {line.group(1)}: " if line else ""
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if "unicode" in text.lower() or "utf-8" in text.lower():
        what = "not valid UTF-8 text (save the file as UTF-8 CSV)"
    elif columns:
        what = (
            f"expected {columns.group(1)} fields, found {columns.group(2)} "
            "(an unquoted comma, or a missing field?)"
        )
    elif "unterminated quote" in text.lower():
        what = "a quoted value is never closed"
    elif "line size" in text.lower() or "maximum line" in text.lower():
        what = "a line longer than 1 MB (a huge field, or a quote never closed)"
    else:
        first = text.splitlines()[0] if text else type(error).__name__
        what = re.sub(r"^[A-Za-z ]*Error: ", "", first)[:200]
    return f"{where}{what}"


# --- progress --------------------------------------------------------------------------


class _Steps:
    """A progress line per file when asked for (the CLI); silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    @contextmanager
    def running(self) -> Iterator[_Steps]:
        if not self.enabled:
            yield self
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=False
        ) as progress:
            self._progress = progress
            yield self
            self._progress = None

    def start(self, label: str) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task(label, total=5)

    def step(self, label: str) -> None:
        if self._progress is not None and self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(
                self._task, advance=1, description=f"{task.description.split(':')[0]}: {label}"
            )


# --- loading --------------------------------------------------------------------------


def ingest_files(
    table: str,
    paths: Sequence[str | os.PathLike[str]],
    *,
    acting_user: User | None,
    create_accounts: bool = False,
    replace: bool = False,
    progress: bool = False,
    test: bool = False,
) -> list[BatchResult]:
    """Load each file as one batch of `table`; see the module docstring (`test`: test loads,
    never read by the lake's readers)."""
    try:
        schema = get_table(table)
    except KeyError as error:
        raise IngestError(str(error.args[0])) from None
    if not paths:
        raise IngestError("no files given")
    sources = [inspect_source(schema, Path(p)) for p in paths]
    results: list[BatchResult] = []
    steps = _Steps(progress)
    with storage.ingest_lock(), steps.running():
        storage.clean_orphans()
        for source in sources:
            steps.start(Path(source.path).name)
            results.append(
                _ingest_one(
                    schema,
                    source,
                    acting_user=acting_user,
                    create_accounts=create_accounts,
                    replace=replace,
                    steps=steps,
                    test=test,
                )
            )
    return results


@dataclass(frozen=True)
class Origin:
    """The file a converted source came from (an X12 or FHIR file read into Parquet): the
    batch is named, sized and fingerprinted by it, so a reload of it is recognised."""

    path: Path
    format: str
    checksum: str
    report: dict[str, Any]


def ingest_converted(
    table: str,
    parquet: Path,
    origin: Origin,
    *,
    acting_user: User | None,
    create_accounts: bool = False,
    replace: bool = False,
    test: bool = False,
) -> BatchResult:
    """Load a Parquet file converted from `origin` as one batch of `table` (the hook the X12
    and FHIR readers use; `test`: a test load, never read); the caller holds
    `storage.ingest_lock()`."""
    schema = get_table(table)
    source = _without_empty_columns(schema, inspect_source(schema, parquet))
    return _ingest_one(
        schema,
        source,
        acting_user=acting_user,
        create_accounts=create_accounts,
        replace=replace,
        steps=_Steps(False),
        origin=origin,
        test=test,
    )


def ingest_streamed(
    streamed: StreamedRows,
    origin: Origin,
    *,
    acting_user: User | None,
    create_accounts: bool = False,
    replace: bool = False,
    test: bool = False,
) -> BatchResult:
    """Load the rows a converter handed to `streamed` as it read `origin` as one batch, as
    `ingest_converted` loads a converted file; the caller holds `storage.ingest_lock()`."""
    return _ingest_one(
        streamed.schema,
        streamed.validation().source,
        acting_user=acting_user,
        create_accounts=create_accounts,
        replace=replace,
        steps=_Steps(False),
        origin=origin,
        test=test,
        streamed=streamed,
    )


STREAM_PART = "_part"  # the name a part's rows are registered under while they are checked
PARQUET_ROW_GROUP = 122_880  # DuckDB's own row group size, for the batches written by Arrow
STREAM_MEMORY_LIMIT = "512MB"  # DuckDB's share of a streamed load (past it, it spills to disk)
STREAM_CHECKED = "_checked"  # a part's narrow rows, registered while they are inserted
NARROW_PREFIX = "_narrow_"  # of the narrow columns in a part's one-pass check


class StreamedRows:
    """The rows of one converted table, checked part by part while the converter still reads
    the file (an X12 837 read into medical_claim: `x12.load`), so that reading (one core)
    and checking (the other) overlap.

    `add(part)` checks one part's values into the load's narrow table, as `_load` does for a
    whole file (`FileValidation.narrow_sql`; rows numbered across the parts in order, so a
    reject's line is its row in the converted table) and keeps its rows typed
    (`FileValidation.typed_sql`) in an Arrow file of the work folder. The whole-file steps
    (duplicate keys, sponsors, accounts, rejects, warnings) then run in `_load` on the narrow
    table, and `write` writes the typed rows that passed as the batch's Parquet files, with
    their account. The rows, reasons and warnings are those of a load of the converted file
    at once (`lake/tests/test_x12_stream.py`). `add` touches no database, so it may run in
    another thread. A part has any of the table's `columns` (text): one that is missing or
    holds no value is left out of its checks, as `_without_empty_columns` does for a whole
    file, and is null in its rows."""

    def __init__(
        self, table: str, work: Path, columns: Sequence[str], *, create_accounts: bool
    ) -> None:
        self.schema = get_table(table)
        self.work = work
        self.columns = tuple(columns)
        self.create_accounts = create_accounts
        (work / "typed").mkdir(parents=True, exist_ok=True)
        self._con: duckdb.DuckDBPyConnection | None = _connect(work, bounded=True)
        # One thread: the converter reads the file on the other core meanwhile; and less
        # memory than a whole-file load, as the reader's blocks and parts are held meanwhile.
        self._con.execute("SET threads = 1")
        self._con.execute(f"SET memory_limit = '{STREAM_MEMORY_LIMIT}'")
        self.parts: list[tuple[Path, int]] = []
        self.mapping: dict[str, str] = {}
        self.rows = 0
        # The typed lake row (`typed_sql` of every column): a part keeps the columns it has
        # a value in, the others are null, filled when written.
        self.typed_schema = pa.schema([])

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise IngestError("the streamed rows were already loaded")
        return self._con

    def _source(self, mapping: dict[str, str]) -> SourceFile:
        return SourceFile(STREAM_PART, SourceFormat.ARROW, self.columns, mapping)

    def add(self, part: pa.Table) -> None:
        """Check one part and keep its typed rows."""
        if not part.num_rows:
            return
        con = self.connection()
        known = set(self.schema.column_names)
        keep = set(self.schema.key) | set(self.schema.required_columns)
        given = set(part.column_names)
        if not given <= set(self.columns):
            raise IngestError(f"a part has columns the table has not: {given - set(self.columns)}")
        # The table's every column, those the part lacks as nulls (the part's own arrays
        # are used as they are, nothing is copied).
        part = pa.table(
            {
                c: part.column(c) if c in given else pa.nulls(part.num_rows, pa.string())
                for c in self.columns
                if c in given or c in keep
            }
        )
        mapping = {
            c: c
            for c in part.column_names
            if c in known and (c in keep or part.column(c).null_count != part.num_rows)
        }
        con.register(STREAM_PART, part)
        try:
            if not self.parts:
                every = FileValidation(
                    self.schema,
                    self._source({c: c for c in self.columns if c in known}),
                    for_new_accounts=self.create_accounts,
                )
                empty = pa.table({c: pa.nulls(0, pa.string()) for c in self.columns})
                con.register(STREAM_PART, empty)
                con.execute(f"CREATE TEMP TABLE narrow AS {every.narrow_sql()} LIMIT 0")
                self.typed_schema = con.sql(every.typed_sql()).to_arrow_table().schema
                con.register(STREAM_PART, part)
            validation = FileValidation(
                self.schema, self._source(mapping), for_new_accounts=self.create_accounts
            )
            # One pass: the texts normalised and typed once for the checks and the rows kept.
            rows = con.sql(validation.checked_rows_sql(NARROW_PREFIX)).to_arrow_table()
            narrow = [n for n in rows.column_names if n.startswith(NARROW_PREFIX)]
            checked = rows.select(narrow).rename_columns([n[len(NARROW_PREFIX) :] for n in narrow])
            con.register(STREAM_CHECKED, checked)
            try:
                con.execute(f"INSERT INTO narrow BY NAME SELECT * FROM {STREAM_CHECKED}")  # noqa: S608  # our own name
            finally:
                con.unregister(STREAM_CHECKED)
            typed = rows.select([n for n in rows.column_names if n in validation.available])
            path = self.work / "typed" / f"part-{len(self.parts):05d}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, typed.schema) as out:
                out.write_table(typed, max_chunksize=PARQUET_ROW_GROUP)
        finally:
            con.unregister(STREAM_PART)
        self.parts.append((path, part.num_rows))
        self.rows += part.num_rows
        self.mapping.update(mapping)

    def validation(self) -> FileValidation:
        """The checks of the whole table (the columns any part had a value in)."""
        return FileValidation(
            self.schema, self._source(self.mapping), for_new_accounts=self.create_accounts
        )

    def write(
        self, folder: Path, *, batch_id: int, file_name: str, ingested_at: dt.datetime
    ) -> int:
        """Write the typed rows that passed (`judged`, in row order) as Parquet files of
        `folder` (one per part, two at a time), with account_id and batch_id, as
        `FileValidation.write_sql` selects them; returns how many rows. A part whose keys
        differ from its verdicts' fails the load."""
        from concurrent.futures import ThreadPoolExecutor

        con = self.connection()
        key = list(self.schema.key)
        listed = ", ".join(quote_ident(k) for k in key)
        start = 0
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="lake-write") as pool:
            pending = []
            for number, (path, count) in enumerate(self.parts):
                verdict = con.sql(
                    f"SELECT reasons = '' AS ok, account_id, {listed} FROM judged "  # noqa: S608  # quoted names, our own numbers
                    f"WHERE _row >= {int(start)} AND _row < {int(start + count)} ORDER BY _row"
                ).to_arrow_table()
                start += count
                target = folder / f"part-{number:05d}.parquet"
                pending.append(
                    pool.submit(
                        _write_part,
                        path,
                        self.typed_schema,
                        verdict,
                        target,
                        key,
                        batch_id,
                        file_name,
                        ingested_at,
                    )
                )
            return sum(done.result() for done in pending)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def _write_part(
    path: Path,
    schema: pa.Schema,
    verdict: pa.Table,
    target: Path,
    key: list[str],
    batch_id: int,
    file_name: str,
    ingested_at: dt.datetime,
) -> int:
    """One part of `StreamedRows.write`: its typed rows that passed, filled and written
    (the columns of `schema` the part lacks are null)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    with pa.memory_map(str(path)) as source:
        kept = pa.ipc.open_file(source).read_all()
    count = kept.num_rows
    typed = pa.table(
        [
            kept.column(f.name) if f.name in kept.column_names else pa.nulls(count, f.type)
            for f in schema
        ],
        schema=schema,
    )
    if verdict.num_rows != typed.num_rows:
        raise IngestError(f"{file_name}: a part's rows do not add up; nothing loaded")
    ok = verdict.column("ok")
    passed = verdict.filter(ok)
    if not passed.num_rows:
        return 0
    rows = typed if passed.num_rows == typed.num_rows else typed.filter(ok)
    if not rows.select(key).equals(passed.select(key).cast(rows.select(key).schema)):
        raise IngestError(f"{file_name}: rows and their checks differ; nothing loaded")
    at = rows.schema.get_field_index("file_name")
    rows = rows.set_column(
        at, "file_name", pc.coalesce(rows.column(at), pa.scalar(file_name, pa.string()))
    )
    at = rows.schema.get_field_index("ingest_datetime")
    stamp = pa.scalar(ingested_at, rows.schema.field(at).type)
    rows = rows.set_column(at, "ingest_datetime", pc.coalesce(rows.column(at), stamp))
    rows = rows.append_column("account_id", passed.column("account_id").cast(pa.int64()))
    rows = rows.append_column("batch_id", pa.repeat(pa.scalar(batch_id, pa.int64()), rows.num_rows))
    pq.write_table(
        rows,
        target,
        row_group_size=PARQUET_ROW_GROUP,
        compression="snappy",
        store_decimal_as_integer=True,
    )
    return int(rows.num_rows)


def _without_empty_columns(schema: TableSchema, source: SourceFile) -> SourceFile:
    """A converted file read as if it lacked its optional columns that hold no value at all
    (an X12 or FHIR conversion writes every column of the table; most are empty): checked
    and written alike (an absent column is null on every row, row checks need values), and
    the checks then read a few dozen columns instead of 180. Known from the Parquet
    footer's null counts, without reading the data."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(source.path).metadata
    rows = meta.num_rows
    if rows == 0:
        return source
    nulls: dict[str, int] = {}
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for i in range(group.num_columns):
            chunk = group.column(i)
            stats = chunk.statistics
            if stats is None or not stats.has_null_count:
                nulls[chunk.path_in_schema] = -(10**18)  # unknown: keep the column
                continue
            name = chunk.path_in_schema
            nulls[name] = nulls.get(name, 0) + stats.null_count
    keep = set(schema.key) | set(schema.required_columns)
    mapping = {
        column: name
        for column, name in source.mapping.items()
        if column in keep or nulls.get(name, 0) != rows
    }
    return replace(source, mapping=mapping)


def _ingest_one(
    schema: TableSchema,
    source: SourceFile,
    *,
    acting_user: User | None,
    create_accounts: bool,
    replace: bool,
    steps: _Steps,
    origin: Origin | None = None,
    test: bool = False,
    streamed: StreamedRows | None = None,
) -> BatchResult:
    path = Path(source.path) if origin is None else origin.path
    checksum = file_sha256(path) if origin is None else origin.checksum
    earlier = IngestBatch.objects.filter(
        table=schema.name, checksum=checksum, status=BatchStatus.COMMITTED, test=test
    ).first()
    if earlier is not None and not replace:
        steps.step("already loaded")
        return BatchResult(
            table=schema.name,
            source=path.name,
            status="already_loaded",
            batch_id=earlier.pk,
            test=test,
            message=(
                f"{path.name}: already loaded as {'test ' if test else ''}batch {earlier.pk} "
                f"({earlier.rows_loaded:,} rows); nothing new loaded "
                "(use --replace to load it again)"
            ),
        )
    batch = IngestBatch.objects.create(
        table=schema.name,
        source_name=path.name[:255],
        source_format=source.format.value if origin is None else origin.format,
        report=origin.report if origin is not None else {},
        full_file_groups=list(origin.report.get("full_file_groups", []))
        if origin is not None and schema.name == "eligibility"
        else [],
        source_bytes=path.stat().st_size,
        checksum=checksum,
        status=BatchStatus.RUNNING,
        test=test,
        created_by=acting_user
        if acting_user is not None and acting_user.is_authenticated
        else None,
        started_at=timezone.now(),
    )
    try:
        return _load(
            schema,
            source,
            batch,
            earlier,
            acting_user,
            create_accounts,
            steps,
            bounded=origin is not None,
            streamed=streamed,
        )
    except Exception as error:
        storage.remove_batch_files(schema.name, batch.pk)
        storage.rejects_path(schema.name, batch.pk).unlink(missing_ok=True)
        if isinstance(error, duckdb.Error):
            message = f"{path.name}: {explain_duckdb_error(error)}"
        elif isinstance(error, OSError):
            message = f"{path.name}: could not write the batch ({error.strerror or error})"
        else:
            message = str(error)
        IngestBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        if isinstance(error, duckdb.Error | OSError):
            raise IngestError(message) from None
        raise


def _connect(work: Path, *, bounded: bool = False) -> duckdb.DuckDBPyConnection:
    (work / "tmp").mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        # The line numbers and the positional join rely on rows keeping file order.
        "preserve_insertion_order": True,
        "temp_directory": str(work / "tmp"),
    }
    if bounded:  # a converted X12/FHIR file of any size: past this DuckDB spills to disk
        config["memory_limit"] = LOAD_MEMORY_LIMIT
    con = duckdb.connect(config=config)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    return con


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    rows = con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def _load(
    schema: TableSchema,
    source: SourceFile,
    batch: IngestBatch,
    earlier: IngestBatch | None,
    acting_user: User | None,
    create_accounts: bool,
    steps: _Steps,
    *,
    bounded: bool = False,
    streamed: StreamedRows | None = None,
) -> BatchResult:
    """Check, judge and write one batch. `streamed`: the rows were checked part by part as
    they were read (`StreamedRows`): its narrow table stands for the first read, its typed
    parts for the second."""
    work = storage.staging_dir(batch.pk)
    work.mkdir(parents=True, exist_ok=True)
    if streamed is None:
        validation = FileValidation(schema, source, for_new_accounts=create_accounts)
        con = _connect(work, bounded=bounded)
    else:
        validation = streamed.validation()
        con = streamed.connection()
        # The file is read (its blocks freed): both cores and a whole-file load's memory for
        # the whole-file steps (at 512 MB the key check of 5.4 M lines spilled: 5 CPU s).
        con.execute("RESET threads")
        con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'")
    clock = [time.perf_counter()]

    def _lap() -> float:
        now = time.perf_counter()
        took, clock[0] = now - clock[0], now
        return took

    try:
        steps.step("checking every row")
        if streamed is None:
            con.execute(f"CREATE TEMP TABLE narrow AS {validation.narrow_sql()}")
        rows_read = int(_scalar(con, "SELECT count(*) FROM narrow"))
        log.debug("lake: batch %s checked %s rows in %.1f s", batch.pk, rows_read, _lap())

        steps.step("keys and sponsors")
        accounts = dict(Account.objects.values_list("group_number", "id"))
        created: dict[str, int] = {}
        if create_accounts:
            new = _new_sponsors(con, validation, set(accounts))
            if new:
                created = create_sponsor_accounts(new, acting_user=acting_user)
                accounts.update(created)
        _judge(con, validation, accounts)
        log.debug("lake: batch %s keys and sponsors in %.1f s", batch.pk, _lap())

        steps.step("writing")
        counts = con.execute(
            "SELECT count(*) FILTER (WHERE reasons = ''), count(*) FILTER (WHERE reasons <> '') "
            "FROM judged"
        ).fetchall()[0]
        rows_loaded, rows_rejected = int(counts[0]), int(counts[1])
        if rows_loaded + rows_rejected != rows_read:
            raise IngestError(f"{batch.source_name}: rows do not add up; nothing loaded")
        warnings_staged = work / "warnings.csv"
        offset = validation.source.line_offset
        masked = ", ".join(sql_literal(c) for c in sorted(MEMBER_VALUE_COLUMNS))
        con.execute(
            f"""
            CREATE TEMP TABLE warned AS
            SELECT line, split_part(item, {sql_literal(WARNING_FIELD)}, 1) AS "column",
              split_part(item, {sql_literal(WARNING_FIELD)}, 2) AS rule,
              CASE WHEN split_part(item, {sql_literal(WARNING_FIELD)}, 1) IN ({masked})
                THEN {sql_literal(MASKED_VALUE)}
                ELSE split_part(item, {sql_literal(WARNING_FIELD)}, 3) END AS value
            FROM (
              SELECT n.rowid + {offset} AS line,
                unnest(string_split(n._warnings, {sql_literal(WARNING_SEPARATOR)})) AS item
              FROM narrow n JOIN judged j ON j._row = n.rowid
              WHERE j.reasons = '' AND n._warnings IS NOT NULL
            )
            """  # noqa: S608  # literals only
        )
        rows_with_warnings = int(_scalar(con, "SELECT count(DISTINCT line) FROM warned"))
        warnings = [
            {"column": column, "rule": rule, "count": int(count), "examples": list(examples)}
            for column, rule, count, examples in con.execute(
                'SELECT "column", rule, count(*), list_sort(list(DISTINCT value))[1:3] '
                'FROM warned GROUP BY ALL ORDER BY count(*) DESC, "column", rule'
            ).fetchall()
        ]
        if warnings:
            # Values as sent, kept as text if a spreadsheet would run them as a formula.
            copy = (
                f'COPY (SELECT line, "column", rule, {sql_safe_text("value")} AS value '  # noqa: S608  # literals only
                'FROM warned ORDER BY line, "column")'
            )
            con.execute(f"{copy} TO {sql_literal(str(warnings_staged))} (HEADER, DELIMITER ',')")
        rejects_staged = work / "rejects.csv"
        if rows_rejected:
            batch.rejected_reasons = grouped_reasons(con, "judged")
            batch.rejected_claims = _rejected_claims(con, validation)
            # The key values come from the file as sent: member identifiers masked as the
            # data-loads page shows them (in the key columns and inside the reasons that
            # quote them), the rest kept as text if a spreadsheet would run them as a formula
            # (lib/exports.py, the one rule for every file we write). The file holds no
            # member identifier in clear; its line numbers point to the rows of the file.
            key = "".join(
                f", {sql_safe_text(mask_sql(quote_ident(k)))} AS {quote_ident(k)}"
                if k in MEMBER_VALUE_COLUMNS
                else f", {sql_safe_text(quote_ident(k))} AS {quote_ident(k)}"
                for k in schema.key
            )
            con.create_function(
                "clientdesk_masked_reason",
                masked_reason,
                ["VARCHAR"],
                "VARCHAR",
                side_effects=False,
            )
            reasons = (
                "CASE WHEN contains(reasons, '=') OR contains(reasons, ' has no eligibility') "
                "THEN clientdesk_masked_reason(reasons) ELSE reasons END"
            )
            con.execute(
                f"COPY (SELECT line{key}, {reasons} AS reasons FROM judged WHERE reasons <> '' "  # noqa: S608  # quoted names and our own path only
                f"ORDER BY line) TO {sql_literal(str(rejects_staged))} (HEADER, DELIMITER ',')"
            )
        data_staged = work / "data"
        data_staged.mkdir()
        if rows_loaded:
            if streamed is None:
                select = validation.write_sql(
                    verdict_table="judged",
                    batch_id=batch.pk,
                    file_name=batch.source_name,
                    ingested_at=batch.started_at.isoformat(),
                )
                target = sql_literal(str(data_staged / "part-00000.parquet"))
                written = int(_scalar(con, f"COPY ({select}) TO {target} (FORMAT parquet)"))
            else:
                written = streamed.write(
                    data_staged,
                    batch_id=batch.pk,
                    file_name=batch.source_name,
                    ingested_at=batch.started_at,
                )
            if written != rows_loaded:
                raise IngestError(
                    f"{batch.source_name}: wrote {written:,} rows where {rows_loaded:,} passed; "
                    "nothing loaded"
                )
        per_account = dict(
            con.execute(
                "SELECT account_id, count(*) FROM judged WHERE reasons = '' GROUP BY 1"
            ).fetchall()
        )
        log.debug("lake: batch %s wrote %s rows in %.1f s", batch.pk, rows_loaded, _lap())
    finally:
        con.close()

    steps.step("committing")
    final_dir = storage.batch_dir(schema.name, batch.pk)
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    os.rename(data_staged, final_dir)
    rejects_file: Path | None = None
    if rows_rejected:
        rejects_file = storage.rejects_path(schema.name, batch.pk)
        rejects_file.parent.mkdir(parents=True, exist_ok=True)
        os.rename(rejects_staged, rejects_file)
    warnings_file: Path | None = None
    if warnings:
        warnings_file = storage.warnings_path(schema.name, batch.pk)
        warnings_file.parent.mkdir(parents=True, exist_ok=True)
        os.rename(warnings_staged, warnings_file)
    batch.warnings = warnings
    batch.warnings_path = str(warnings_file) if warnings_file else ""
    _commit(
        batch,
        earlier,
        acting_user=acting_user,
        rows=(rows_read, rows_loaded, rows_rejected),
        rejects_file=rejects_file,
        per_account=per_account,
        created=created,
    )
    shutil.rmtree(work, ignore_errors=True)
    if earlier is not None:
        storage.remove_batch_files(schema.name, earlier.pk)
    steps.step("done")
    message = f"{batch.source_name}: {rows_loaded:,} rows loaded, {rows_rejected:,} rejected"
    if rows_with_warnings:
        message += f", {rows_with_warnings:,} loaded with warnings"
    if earlier is not None:
        message += f"; replaces batch {earlier.pk}"
    if batch.test:
        message += " (test load: kept with its rejects, never read as production data)"
    return BatchResult(
        table=schema.name,
        source=batch.source_name,
        status="committed",
        batch_id=batch.pk,
        test=batch.test,
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_rejected=rows_rejected,
        rejects_file=str(rejects_file) if rejects_file else None,
        accounts_created=sorted(created),
        replaced_batch_id=earlier.pk if earlier is not None else None,
        message=message,
        rows_with_warnings=rows_with_warnings,
        warnings=warnings,
        warnings_file=str(warnings_file) if warnings_file else None,
        report=batch.report,
    )


def _new_sponsors(
    con: duckdb.DuckDBPyConnection, validation: FileValidation, known: set[str]
) -> list[NewSponsor]:
    """Sponsor groups named on any row (checked or not, as a sponsor exists whatever the
    row's other values) that no account has."""
    present = set(validation.source.mapping)
    if "group_id" not in present:
        return []

    def column(name: str, aggregate: str, cast: str) -> str:
        return f"{aggregate}" if name in present else f"CAST(NULL AS {cast})"

    date_column = validation.account_date_column()
    earliest = (
        f"min(CAST({quote_ident(date_column)} AS DATE))"
        if date_column in present
        else "CAST(NULL AS DATE)"
    )
    rows = con.execute(
        f"""
        SELECT _group,
          {column("group_name", "mode(group_name)", "VARCHAR")},
          {column("state", STATE_MODE, "VARCHAR")},
          {earliest},
          {column("person_id", "count(DISTINCT person_id)", "BIGINT")},
          {column("subscriber_id", "count(DISTINCT subscriber_id)", "BIGINT")}
        FROM narrow
        WHERE _group IS NOT NULL
        GROUP BY _group ORDER BY _group
        """  # noqa: S608  # quoted names only
    ).fetchall()
    return [
        NewSponsor(
            group_number=str(group),
            group_name=name,
            state=state,
            earliest=first if isinstance(first, dt.date) else None,
            members=int(members or 0),
            employees=int(employees or 0),
        )
        for group, name, state, first, members, employees in rows
        if group not in known
    ]


def _judge(
    con: duckdb.DuckDBPyConnection, validation: FileValidation, accounts: dict[str, int]
) -> None:
    """Create `judged`: one row per source row with its line, key, account and every reason
    (empty when the row loads): value checks, duplicate keys, sponsor not found."""
    schema = validation.schema
    present = set(validation.source.mapping)
    offset = validation.source.line_offset
    con.register(
        "acct_source",
        pa.table(
            {
                "group_number": pa.array(list(accounts), pa.string()),
                "account_id": pa.array(list(accounts.values()), pa.int64()),
            }
        ),
    )
    con.execute("CREATE TEMP TABLE acct AS SELECT * FROM acct_source")
    con.unregister("acct_source")

    key = [quote_ident(k) for k in schema.key]
    required_key = [quote_ident(k) for k in schema.key if schema.column(k).required]
    con.execute(
        f"""
        CREATE TEMP TABLE dups AS
        SELECT {", ".join(key)}, min(rowid) + {offset} AS _first
        FROM narrow
        WHERE {" AND ".join(f"{k} IS NOT NULL" for k in required_key) or "TRUE"}
        GROUP BY ALL HAVING count(*) > 1
        """  # noqa: S608  # quoted names only
    )
    key_text = " || ', ' || ".join(
        f"'{k}=' || coalesce(CAST(n.{quote_ident(k)} AS VARCHAR), '')" for k in schema.key
    )
    dup_reason = (
        f"CASE WHEN d._first IS NOT NULL AND n.rowid + {offset} <> d._first THEN "
        f"'duplicate key (' || {key_text} || '): first on line ' || CAST(d._first AS VARCHAR) "
        "END"
    )
    dup_join = " AND ".join(f"d.{k} IS NOT DISTINCT FROM n.{k}" for k in key)

    group_reason = (
        "CASE WHEN n._group IS NOT NULL AND a.account_id IS NULL THEN "
        "'group_id ' || n._group || ': no account has this sponsor group number "
        "(load with --create-accounts to create it)' END"
    )
    account = "a.account_id"
    elig_join = ""
    elig_reason = "NULL"
    if schema.account_source == AccountSource.GROUP_ID_OR_ELIGIBILITY:
        _eligibility_lookup(con, validation)
        account = "CASE WHEN n._group_sent THEN a.account_id ELSE e.account_id END"
        elig_join = "LEFT JOIN elig_pick e ON e._row = n.rowid"
        member = 'n."member_id"' if "member_id" in present else "NULL"
        elig_reason = (
            f"CASE WHEN NOT n._group_sent AND {member} IS NOT NULL AND e.account_id IS NULL "
            f"THEN 'group_id is empty and member_id ' || {member} || "
            "' has no eligibility loaded to find its sponsor (load the eligibility file or "
            "834 first, then this file again)' END"
        )
    key_columns = "".join(f", n.{k}" for k in key)
    con.execute(
        f"""
        CREATE TEMP TABLE judged AS
        SELECT n.rowid AS _row, n.rowid + {offset} AS line{key_columns},
          {account} AS account_id,
          coalesce(
            nullif(concat_ws({sql_literal(REASON_SEPARATOR)}, n._reasons, {dup_reason},
                             {group_reason}, {elig_reason}), ''),
            CASE WHEN {account} IS NULL THEN 'no sponsor account found for the row' END,
            ''
          ) AS reasons
        FROM narrow n
        LEFT JOIN dups d ON {dup_join}
        LEFT JOIN acct a ON a.group_number = n._group
        {elig_join}
        ORDER BY n.rowid
        """  # noqa: S608  # quoted names and literals only
    )


def _rejected_claims(
    con: duckdb.DuckDBPyConnection, validation: FileValidation
) -> list[dict[str, Any]]:
    """For a claims table: the rejected lines per sponsor (the account found, else the group
    number as sent) and service month, with what they paid where it could be read; no member
    data. Other tables: none."""
    schema = validation.schema
    if not schema.service_date:
        return []
    present = {c.name for c in validation.narrow}
    paid = 'sum(n."paid_amount")' if "paid_amount" in present else "NULL"
    rows = con.execute(
        f"""
        SELECT j.account_id, n._group, strftime(n._service_date, '%Y-%m') AS month,
               count(*) AS rows, CAST({paid} AS DECIMAL(18, 2)) AS paid
        FROM narrow n JOIN judged j ON j._row = n.rowid
        WHERE j.reasons <> ''
        GROUP BY ALL ORDER BY ALL
        """  # noqa: S608  # quoted names only
    ).fetchall()
    return [
        {
            "account_id": None if account is None else int(account),
            "group_id": group,
            "month": month,
            "rows": int(count),
            "paid": None if money is None else str(money),
        }
        for account, group, month, count, money in rows
    ]


def _eligibility_lookup(con: duckdb.DuckDBPyConnection, validation: FileValidation) -> None:
    """Create `elig_pick(_row, account_id)`: for rows without group_id, the sponsor of the
    member's eligibility span that started last on or before the service date, else of the
    member's earliest span (committed eligibility only, matched on member_id + data_source)."""
    con.execute(
        f"""
        CREATE TEMP TABLE elig AS
        SELECT member_id, data_source, enrollment_start_date, account_id
        FROM {storage.committed_source(get_table("eligibility"))}
        """  # noqa: S608  # our own paths only
    )
    present = set(validation.source.mapping)
    if "member_id" not in present:
        con.execute("CREATE TEMP TABLE elig_pick (_row BIGINT, account_id BIGINT)")
        return
    data_source = 'n."data_source"' if "data_source" in present else "CAST(NULL AS VARCHAR)"
    con.execute(
        f"""
        CREATE TEMP TABLE elig_pick AS
        WITH need AS (
          SELECT rowid AS _row, "member_id" AS member_id, {data_source} AS data_source,
                 _service_date
          FROM narrow n
          WHERE NOT _group_sent AND "member_id" IS NOT NULL
        ), first_span AS (
          SELECT member_id, data_source, arg_min(account_id, enrollment_start_date) AS account_id
          FROM elig GROUP BY member_id, data_source
        )
        SELECT need._row, coalesce(s.account_id, f.account_id) AS account_id
        FROM need
        ASOF LEFT JOIN elig s
          ON need.member_id = s.member_id AND need.data_source = s.data_source
          AND need._service_date >= s.enrollment_start_date
        LEFT JOIN first_span f
          ON need.member_id = f.member_id AND need.data_source = f.data_source
        """  # noqa: S608  # quoted names only
    )


@transaction.atomic
def _commit(
    batch: IngestBatch,
    earlier: IngestBatch | None,
    *,
    acting_user: User | None,
    rows: tuple[int, int, int],
    rejects_file: Path | None,
    per_account: dict[int, int],
    created: dict[str, int],
) -> None:
    """Make the batch visible: status, counts, replaced batch, timeline events, audit row."""
    rows_read, rows_loaded, rows_rejected = rows
    if earlier is not None:
        IngestBatch.objects.filter(pk=earlier.pk).update(status=BatchStatus.REPLACED)
        batch.replaces = earlier
    batch.status = BatchStatus.COMMITTED
    batch.rows_read, batch.rows_loaded, batch.rows_rejected = rows_read, rows_loaded, rows_rejected
    batch.rejects_path = str(rejects_file) if rejects_file else ""
    batch.accounts_created = len(created)
    batch.finished_at = timezone.now()
    batch.save()
    for account in Account.objects.filter(pk__in=per_account).order_by("pk"):
        count = per_account[account.pk]
        do_log_activity(
            account,
            kind=ActivityKind.DATA_LOAD,
            subject=(
                f"{batch.table}{' test' if batch.test else ''}: {count:,} rows loaded "
                f"from {batch.source_name}"
            )[:200],
            body=(
                f"Batch {batch.pk} loaded {count:,} {batch.table} rows of this account. "
                f"The file had {rows_read:,} rows: {rows_loaded:,} loaded, "
                f"{rows_rejected:,} rejected."
            ),
            occurred_at=batch.finished_at,
            acting_user=acting_user,
            source_type="lake.ingestbatch",
            source_id=str(batch.pk),
        )
    record_audit(
        actor=acting_user,
        action="lake.ingest",
        obj=batch,
        after={
            "table": batch.table,
            "source_name": batch.source_name,
            "checksum": batch.checksum,
            "rows_read": rows_read,
            "rows_loaded": rows_loaded,
            "rows_rejected": rows_rejected,
            "rejects_file": batch.rejects_path,
            "accounts_created": sorted(created),
            "replaces": earlier.pk if earlier is not None else None,
            "test": batch.test,
            "warnings": sum(int(w["count"]) for w in batch.warnings),
        },
    )


__all__ = [
    "BatchResult",
    "IngestError",
    "StreamedRows",
    "ingest_files",
    "ingest_streamed",
    "inspect_source",
]
