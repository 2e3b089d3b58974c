"""Where the lake's files live, the ingestion lock, and clean-up after a crash.

    LAKE_DIR/<table>/batch=<id>/part-*.parquet   a batch's rows (visible once committed)
    LAKE_DIR/_staging/batch=<id>/                a load in progress (never read)
    LAKE_DIR/_rejects/<table>/batch=<id>.csv     the rows a batch rejected, with reasons
    LAKE_DIR/_warnings/<table>/batch=<id>.csv    the values it loaded with a warning
    LAKE_DIR/_schema/<table>-<digest>.parquet    an empty file with the table's schema (the
                                                 digest of its columns: a new column, a new file)
    LAKE_DIR/.ingest.lock                        held by the one load running at a time
    LAKE_DIR/_derived/<name>/<version>/          a derived table built from one load version

Readers never list folders: they ask the operational DB which batches are committed, so a
folder left by a crashed load is invisible, and the next load removes it. Readers unify the
files by column name (`committed_source`): a batch written before a column joined the table
reads that column as null, so a lake outlives an upgrade that adds one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
from django.conf import settings
from django.utils import timezone

from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lake.schemas import TABLE_NAMES, TableSchema, sql_literal
from clientdesk.lake.validation import quote_ident

log = logging.getLogger(__name__)


def lake_dir() -> Path:
    return Path(settings.LAKE_DIR)


def staging_dir(batch_id: int) -> Path:
    return lake_dir() / "_staging" / f"batch={batch_id}"


def rejects_path(table: str, batch_id: int) -> Path:
    return lake_dir() / "_rejects" / table / f"batch={batch_id}.csv"


def warnings_path(table: str, batch_id: int) -> Path:
    """The values a batch loaded with a warning (normalised or emptied), one per line."""
    return lake_dir() / "_warnings" / table / f"batch={batch_id}.csv"


def batch_dir(table: str, batch_id: int) -> Path:
    return lake_dir() / table / f"batch={batch_id}"


@contextlib.contextmanager
def ingest_lock() -> Iterator[None]:
    """Hold the lake's ingestion lock: one load at a time, across processes.

    The OS releases the lock when its process dies, so a killed load never blocks the next."""
    lake_dir().mkdir(parents=True, exist_ok=True)
    with open(lake_dir() / ".ingest.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def clean_orphans() -> list[int]:
    """Mark batches left running by a dead load as failed and delete every file that belongs
    to no committed batch. Call only while holding `ingest_lock` (so no load is running).

    Returns the ids of the batches marked failed."""
    interrupted = list(
        IngestBatch.objects.filter(status=BatchStatus.RUNNING).values_list("id", flat=True)
    )
    if interrupted:
        IngestBatch.objects.filter(id__in=interrupted).update(
            status=BatchStatus.FAILED,
            error="interrupted: the load stopped before it committed",
            finished_at=timezone.now(),
        )
        log.warning("lake: cleaned up interrupted batches %s", interrupted)
    shutil.rmtree(lake_dir() / "_staging", ignore_errors=True)
    committed = {
        (table, batch_id)
        for table, batch_id in IngestBatch.objects.filter(status=BatchStatus.COMMITTED).values_list(
            "table", "id"
        )
    }
    for table in TABLE_NAMES:
        folder = lake_dir() / table
        if folder.is_dir():
            for child in folder.iterdir():
                batch_id = _batch_id_of(child.name)
                if batch_id is None or (table, batch_id) not in committed:
                    _remove(child)
        # Rejects stay with committed and replaced batches, for the record.
        kept = set(
            IngestBatch.objects.filter(
                table=table, status__in=[BatchStatus.COMMITTED, BatchStatus.REPLACED]
            ).values_list("id", flat=True)
        )
        for folder_name in ("_rejects", "_warnings"):
            for listed in (lake_dir() / folder_name / table).glob("batch=*.csv"):
                if _batch_id_of(listed.stem) not in kept:
                    listed.unlink(missing_ok=True)
    return interrupted


def _batch_id_of(name: str) -> int | None:
    prefix = "batch="
    if name.startswith(prefix) and name[len(prefix) :].isdigit():
        return int(name[len(prefix) :])
    return None


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_batch_files(table: str, batch_id: int) -> None:
    shutil.rmtree(batch_dir(table, batch_id), ignore_errors=True)
    shutil.rmtree(staging_dir(batch_id), ignore_errors=True)


# file name (the table and the digest of its columns) -> the bytes DuckDB wrote for it: the same
# file in every lake of the process (a test's own lake writes each of its tables' again), so
# written by DuckDB once a process; opening a DuckDB connection alone took ~15 ms.
_schema_files: dict[str, bytes] = {}


def schema_file(schema: TableSchema) -> Path:
    """An empty Parquet file with the table's columns and types, written once per schema.

    Readers always include it, so a table with no committed batch still has its schema. Its
    name carries a digest of the columns and types: when a release adds a column, the next
    read writes the new schema's file (and drops the old one), instead of reading on with the
    old columns. It is written by DuckDB, like the batches, so every file stores types alike."""
    columns = [f"CAST(NULL AS {c.duckdb_type}) AS {quote_ident(c.name)}" for c in schema.columns]
    columns += ["CAST(NULL AS BIGINT) AS account_id", "CAST(NULL AS BIGINT) AS batch_id"]
    digest = hashlib.sha256(";".join(columns).encode()).hexdigest()[:12]
    folder = lake_dir() / "_schema"
    path = folder / f"{schema.name}-{digest}.parquet"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    written = _schema_files.get(path.name)
    if written is not None:
        partial.write_bytes(written)
    else:
        con = duckdb.connect()
        try:
            con.execute(
                f"COPY (SELECT {', '.join(columns)} LIMIT 0) TO {sql_literal(str(partial))} "
                "(FORMAT parquet)"
            )
        finally:
            con.close()
        _schema_files[path.name] = partial.read_bytes()
    os.replace(partial, path)
    for stale in [folder / f"{schema.name}.parquet", *folder.glob(f"{schema.name}-*.parquet")]:
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def committed_files(schema: TableSchema) -> list[Path]:
    """The table's schema file and the Parquet files of every committed production batch
    (a test batch's rows are never read: see `IngestBatch.test`)."""
    files = [schema_file(schema)]
    for batch_id in IngestBatch.objects.filter(
        table=schema.name, status=BatchStatus.COMMITTED, test=False
    ).values_list("id", flat=True):
        files.extend(sorted(batch_dir(schema.name, batch_id).glob("*.parquet")))
    return files


def batch_distinct(batch: IngestBatch, column: str) -> int:
    """Distinct non-null values of a column in one batch's own files (0 when it wrote none).
    For a test batch, which no reader reads: an eligibility test round's members loaded."""
    files = sorted(batch_dir(batch.table, batch.pk).glob("*.parquet"))
    if not files:
        return 0
    listed = ", ".join(sql_literal(str(f)) for f in files)
    con = duckdb.connect()
    try:
        row = con.execute(
            f"SELECT count(DISTINCT {quote_ident(column)}) FROM read_parquet([{listed}])"  # noqa: S608  # our own paths and a quoted name
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def committed_source(schema: TableSchema) -> str:
    """DuckDB's `read_parquet(...)` over the table's committed files, unified by column name.

    The schema file comes first and has every column; a batch written before a column was added
    reads it as null (by position, DuckDB would refuse the file or drop the column)."""
    listed = ", ".join(sql_literal(str(f)) for f in committed_files(schema))
    return f"read_parquet([{listed}], union_by_name = true)"


def committed_batch_count(table: str) -> int:
    """How many committed production batches the table has (what its readers read)."""
    return IngestBatch.objects.filter(table=table, status=BatchStatus.COMMITTED, test=False).count()


def has_committed_batch(tables: Iterable[str]) -> bool:
    """Whether any of the lake tables has a committed production batch (rows a reader reads)."""
    return IngestBatch.objects.filter(
        table__in=list(tables), status=BatchStatus.COMMITTED, test=False
    ).exists()


def full_file_groups() -> dict[int, list[str]]:
    """Committed production eligibility batches that were full files: batch id -> the sponsor
    groups whose spans they replace (`staging.enrollment_spans`)."""
    return {
        batch_id: list(groups)
        for batch_id, groups in IngestBatch.objects.filter(
            table="eligibility", status=BatchStatus.COMMITTED, test=False
        ).values_list("id", "full_file_groups")
        if groups
    }


def load_version(tables: Iterable[str]) -> str:
    """The load version of some lake tables: a digest of their committed batch ids.

    It changes whenever a batch of one of them commits, fails after committing (never), or is
    replaced, so whatever was computed from one version is known stale at the next. Test
    batches are not read, so they do not change it."""
    names = sorted(set(tables))
    unknown = [n for n in names if n not in TABLE_NAMES]
    if unknown:
        raise KeyError(f"no lake table {unknown[0]!r}")
    committed: dict[str, list[int]] = {name: [] for name in names}
    for table, batch_id in (
        IngestBatch.objects.filter(table__in=names, status=BatchStatus.COMMITTED, test=False)
        .order_by("table", "id")
        .values_list("table", "id")
    ):
        committed[table].append(batch_id)
    text = ";".join(f"{n}={','.join(map(str, committed[n]))}" for n in names)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def derived_dir(name: str | None = None) -> Path:
    """LAKE_DIR/_derived, or the folder of one derived table's versions."""
    root = lake_dir() / "_derived"
    return root if name is None else root / name


@contextlib.contextmanager
def derived_lock(name: str) -> Iterator[None]:
    """Held while one derived table is built, across processes (two requests after a load
    build it once: the second waits and then reads the first one's files)."""
    folder = derived_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def remove_derived_except(name: str, keep: str) -> list[str]:
    """Delete every version of a derived table but `keep`, and unfinished builds (`.tmp-*`
    folders a crashed build left). Call only while holding `derived_lock(name)`."""
    removed: list[str] = []
    folder = derived_dir(name)
    if not folder.is_dir():
        return removed
    for child in folder.iterdir():
        if child.name == keep or child.name == ".build.lock":
            continue
        _remove(child)
        removed.append(child.name)
    return removed
