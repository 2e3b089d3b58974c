"""Backup, verify and restore: one consistent snapshot of the database and the lake.

    clientdesk backup DEST            # while the app runs
    clientdesk backup verify DEST     # a backup is whole: every file, checksum and row count
    clientdesk restore DEST           # into a fresh data dir (and an empty database)
    clientdesk verify                 # the live lake against the batch table

A backup folder holds `db.sqlite3` (SQLite's online backup API: a consistent copy while others
write) or `db.dump` (pg_dump, custom format, taken on a snapshot exported by the transaction
that counted the rows), the lake's committed batches (the ones the database names, nothing a
crashed load left), their rejects and warnings files, the schema files, the media files
(reports, attachments), the secret key, and last `manifest.json`: every file's SHA-256 and size,
every table's row count, every committed batch's rows. It is written under a temporary name
and renamed when whole, so a backup cut short is never mistaken for one.

The ingestion lock is held while the batch list is read and the files are copied: no load
commits in between, so the lake copy matches the database copy (a load waits, then runs).
Restoring refuses a backup whose manifest is missing, whose files or checksums or row counts do
not match, and a data dir or database that already holds data; after restoring it checks the
lake against the restored batch table. Every file is written readable by the service user only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from clientdesk.lake import storage
from clientdesk.lake.gateway import LakeError
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lake.schemas import sql_literal

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "db.sqlite3"
PG_FILE = "db.dump"


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why."""


@dataclass
class Check:
    """What a verification found: nothing in `problems` means whole."""

    problems: list[str] = field(default_factory=list)
    files: int = 0
    batches: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _private_dir(path: Path) -> None:
    """Create `path` and the parents it lacks, each readable by the service user only."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)
    if not missing:
        path.chmod(0o700)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_private(source: Path, target: Path) -> None:
    _private_dir(target.parent)
    shutil.copyfile(source, target)
    target.chmod(0o600)


def _is_postgres() -> bool:
    return bool(connection.vendor == "postgresql")


def _pg_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{user}{password}@{host}{port}/{db['NAME']}"


def _model_tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names() if not t.startswith("sqlite_"))


def _count_rows(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _snapshot_database(folder: Path) -> tuple[str, dict[str, int]]:
    """Copy the database into `folder`; its file name and every table's row count in the copy."""
    if _is_postgres():
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
        target = folder / PG_FILE
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = _count_rows(cursor, _model_tables())
            # pg_dump reads the very snapshot the counts were taken on, while we hold it.
            command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner"]
            done = subprocess.run(  # noqa: S603 (our own arguments, no shell)
                [*command, "-f", str(target), _pg_url()],
                capture_output=True,
                text=True,
                check=False,
            )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
        target.chmod(0o600)
        return PG_FILE, counts
    target = folder / SQLITE_FILE
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        if connection.in_atomic_block:
            # The caller holds a write transaction (a test; a backup run inside atomic): the
            # backup API would wait on it forever, so copy what this connection sees instead.
            copy.executescript(";\n".join(source.iterdump()) + ";")
        else:
            source.backup(copy)  # the online backup API: a consistent copy while others write
        counts = _count_rows(copy.cursor(), _sqlite_tables(copy))
        # One self-contained file: the copy inherits WAL mode, and reading it later would leave
        # -wal/-shm files beside it (which `backup verify` rightly reports as unlisted).
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
    target.chmod(0o600)
    return SQLITE_FILE, counts


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"  # full-text indexes: counted by their data
    ).fetchall()
    return sorted(r[0] for r in rows)


class _ParquetRows:
    """Counts the rows of Parquet files, on one DuckDB connection for a whole check (opened on
    the first count, closed by `close`): opening one took ~15 ms and counting a batch's rows
    ~1.5 ms, and every analysis that stores results checks each committed batch first."""

    def __init__(self) -> None:
        self._con: duckdb.DuckDBPyConnection | None = None

    def __call__(self, files: list[Path]) -> int:
        if not files:
            return 0
        if self._con is None:
            self._con = duckdb.connect()
        listed = ", ".join(sql_literal(str(f)) for f in files)
        sql = f"SELECT COUNT(*) FROM read_parquet([{listed}], union_by_name = true)"  # noqa: S608
        row = self._con.execute(sql).fetchone()  # an unreadable file leaves it usable
        return int(row[0]) if row else 0

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def backup(destination: Path) -> dict[str, Any]:
    """Write a whole backup to `destination` (which must not exist); returns its manifest."""
    destination = destination.resolve()
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} exists and is not empty: choose a new folder")
    partial = destination.with_name(f".{destination.name}.partial-{uuid.uuid4().hex[:8]}")
    _private_dir(partial)
    try:
        manifest = _write_backup(partial)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        (partial / MANIFEST).chmod(0o600)
        if destination.exists():
            destination.rmdir()
        os.replace(partial, destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _write_backup(folder: Path) -> dict[str, Any]:
    lake = storage.lake_dir()
    files: dict[str, dict[str, Any]] = {}
    batches: list[dict[str, Any]] = []
    with storage.ingest_lock():
        database_file, counts = _snapshot_database(folder)
        committed = list(
            IngestBatch.objects.filter(status=BatchStatus.COMMITTED)
            .order_by("id")
            .values("id", "table", "rows_loaded")
        )
        for batch in committed:
            names = []
            for source in sorted(storage.batch_dir(batch["table"], batch["id"]).glob("*.parquet")):
                relative = source.relative_to(lake)
                _copy_private(source, folder / "lake" / relative)
                names.append(str(Path("lake") / relative))
            batches.append({**batch, "files": names})
        for sub in ("_schema", "_rejects", "_warnings"):
            for source in sorted((lake / sub).rglob("*")) if (lake / sub).is_dir() else []:
                if source.is_file():
                    _copy_private(source, folder / "lake" / source.relative_to(lake))
    media = Path(settings.MEDIA_ROOT)
    for source in sorted(media.rglob("*")) if media.is_dir() else []:
        if source.is_file():
            _copy_private(source, folder / "media" / source.relative_to(media))
    secret = Path(settings.DATA_DIR) / "secret_key"
    if secret.is_file():
        _copy_private(secret, folder / "secret_key")
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            files[str(path.relative_to(folder))] = {
                "sha256": sha256_of(path),
                "bytes": path.stat().st_size,
            }
    return {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"engine": connection.vendor, "file": database_file, "row_counts": counts},
        "batches": batches,
        "files": files,
    }


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST}: not a whole backup")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except ValueError as error:
        raise BackupError(f"{path} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def verify_backup(folder: Path) -> Check:
    """Every file the manifest lists, with its size and checksum; the copy's row counts (SQLite);
    every committed batch's Parquet rows; no file the manifest does not list."""
    check = Check()
    try:
        manifest = read_manifest(folder)
    except BackupError as error:
        check.problems.append(str(error))
        return check
    listed: dict[str, dict[str, Any]] = manifest["files"]
    for name, expected in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            check.problems.append(f"missing: {name}")
        elif path.stat().st_size != expected["bytes"] or sha256_of(path) != expected["sha256"]:
            check.problems.append(f"checksum differs: {name}")
        else:
            check.files += 1
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_file() and name != MANIFEST and name not in listed:
            check.problems.append(f"not in the manifest: {name}")
    database = manifest["database"]
    if database["file"] not in listed:
        check.problems.append(f"the database copy {database['file']} is not in the manifest")
    elif database["file"] == SQLITE_FILE and (folder / SQLITE_FILE).is_file() and check.ok:
        copy = sqlite3.connect(f"file:{folder / SQLITE_FILE}?mode=ro", uri=True)
        try:
            counts = _count_rows(copy.cursor(), _sqlite_tables(copy))
        finally:
            copy.close()
        if counts != database["row_counts"]:
            differ = sorted(
                t
                for t in counts.keys() | database["row_counts"].keys()
                if counts.get(t) != database["row_counts"].get(t)
            )
            check.problems.append(f"row counts differ in {', '.join(differ[:5])}")
    parquet_rows = _ParquetRows()
    try:
        for batch in manifest["batches"]:
            paths = [folder / name for name in batch["files"]]
            if any(name in " ".join(check.problems) for name in batch["files"]):
                continue  # a file already reported missing or changed
            try:
                rows = parquet_rows(paths)
            except duckdb.Error as error:
                check.problems.append(f"{batch['table']} batch {batch['id']}: unreadable ({error})")
                continue
            check.batches += 1
            check.rows += rows
            if rows != batch["rows_loaded"]:
                check.problems.append(
                    f"{batch['table']} batch {batch['id']}: {rows} rows in its files, "
                    f"{batch['rows_loaded']} committed"
                )
    finally:
        parquet_rows.close()
    return check


def refuse_a_mismatched_lake(analysis: str) -> None:
    """Raise LakeError (nothing computed, nothing stored) when the lake does not hold every
    committed batch whole: an analysis that stores results (guarantee evaluation, issue
    detection, the health snapshot) would otherwise rewrite them from partial data, e.g. after
    a lake restored older than the database."""
    found = verify_lake()
    if found.problems:
        more = len(found.problems) - 1
        raise LakeError(
            f"{analysis} refused: the lake does not match the batch table ({found.problems[0]}"
            f"{f' and {more} more' if more else ''}); no result was changed. Run "
            "`clientdesk verify` and restore the lake first."
        )


def verify_lake() -> Check:
    """The live lake against the batch table: every committed batch's files are there and hold
    the rows it committed (a lake restored older than the database fails here)."""
    committed = IngestBatch.objects.filter(status=BatchStatus.COMMITTED).order_by("id")
    return _check_lake(
        [(b.table, b.pk, b.rows_loaded) for b in committed.only("table", "rows_loaded")],
        storage.lake_dir(),
    )


def _check_lake(batches: list[tuple[str, int, int]], lake: Path) -> Check:
    check = Check()
    parquet_rows = _ParquetRows()
    try:
        for table, batch_id, rows_loaded in batches:
            files = sorted((lake / table / f"batch={batch_id}").glob("*.parquet"))
            check.batches += 1
            if not files:
                check.problems.append(f"{table} batch {batch_id}: no files in the lake")
                continue
            check.files += len(files)
            try:
                rows = parquet_rows(files)
            except duckdb.Error as error:
                check.problems.append(f"{table} batch {batch_id}: unreadable ({error})")
                continue
            check.rows += rows
            if rows != rows_loaded:
                check.problems.append(
                    f"{table} batch {batch_id}: {rows} rows in the lake, {rows_loaded} committed"
                )
    finally:
        parquet_rows.close()
    return check


def restore(
    folder: Path,
    *,
    data_dir: Path | None = None,
    sqlite_file: Path | None = None,
) -> Check:
    """Restore a verified backup into a fresh data dir and an empty database.

    By default the data dir and database are this installation's (settings); `data_dir` and
    `sqlite_file` restore elsewhere (an SQLite backup only): the drill and the tests use them."""
    folder = folder.resolve()
    found = verify_backup(folder)
    if not found.ok:
        raise BackupError("refused, the backup is not whole: " + "; ".join(found.problems[:10]))
    manifest = read_manifest(folder)
    engine = manifest["database"]["engine"]
    elsewhere = sqlite_file is not None
    if elsewhere and engine != "sqlite":
        raise BackupError("refused: only an SQLite backup restores into a named file")
    if not elsewhere and engine != connection.vendor:
        raise BackupError(f"refused: a {engine} backup cannot restore into {connection.vendor}")
    data_dir = data_dir or Path(settings.DATA_DIR)
    lake = data_dir / "lake" if elsewhere else storage.lake_dir()
    media = data_dir / "media" if elsewhere else Path(settings.MEDIA_ROOT)
    if lake.is_dir() and any(p.is_file() for p in lake.rglob("*.parquet")):
        raise BackupError(f"refused: {lake} already holds lake files; restore into a fresh dir")
    if sqlite_file is not None and sqlite_file.exists() and sqlite_file.stat().st_size > 0:
        raise BackupError(f"refused: {sqlite_file} exists; restore into a fresh data dir")
    if not elsewhere and _database_has_rows():
        raise BackupError("refused: the database already holds data; restore into an empty one")
    _private_dir(data_dir)
    if engine == "postgresql":
        _restore_postgres(folder / PG_FILE)
    else:
        _restore_sqlite(folder / SQLITE_FILE, sqlite_file)
    for name in manifest["files"]:
        if name.startswith("lake/"):
            _copy_private(folder / name, lake / name[len("lake/") :])
        elif name.startswith("media/"):
            _copy_private(folder / name, media / name[len("media/") :])
        elif name == "secret_key":
            _copy_private(folder / name, data_dir / "secret_key")
    if sqlite_file is not None:
        restored = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
        try:
            batches = restored.execute(
                'SELECT "table", id, rows_loaded FROM lake_ingestbatch WHERE status = ? '
                "ORDER BY id",
                (BatchStatus.COMMITTED.value,),
            ).fetchall()
        finally:
            restored.close()
        after = _check_lake([(t, int(i), int(r)) for t, i, r in batches], lake)
    else:
        after = verify_lake()
    if not after.ok:
        raise BackupError("restored, but the lake does not match: " + "; ".join(after.problems))
    return after


def _database_has_rows() -> bool:
    tables = _model_tables()
    if "lake_ingestbatch" not in tables:
        return False
    with connection.cursor() as cursor:
        for table in ("auth_user", "accounts_account", "lake_ingestbatch"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def _restore_sqlite(copy: Path, target: Path | None) -> None:
    if target is None:
        target = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    live = sqlite3.connect(target)
    try:
        source.backup(live)
    finally:
        live.close()
        source.close()
    target.chmod(0o600)


def _restore_postgres(dump: Path) -> None:
    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore is not installed (apt-get install postgresql-client)")
    connection.close()
    command = ["pg_restore", "--no-owner", "--clean", "--if-exists", "--exit-on-error"]
    done = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [*command, "-d", _pg_url(), str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
