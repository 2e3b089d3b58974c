"""The backup drill on PostgreSQL, in the suite (`make test-postgres`): a backup taken with
pg_dump on the snapshot its row counts were read on restores, into an emptied database and a
fresh lake, to the same rows in every table and the same lake files; a tampered backup is
refused before anything is touched.

A transactional test: pg_dump and pg_restore are other processes, which see only committed
rows (test_backup.py runs the SQLite path inside the usual test transaction)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from clientdesk.lake import storage
from clientdesk.lake.backup import BackupError, backup, restore, verify_backup, verify_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.testing import make_cast

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL drill (make test-postgres)"
    ),
]


def _row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


@pytest.fixture
def pg_backup(tmp_path: Path) -> Path:
    cast = make_cast()
    rows = [medical_row(claim_id="C1"), medical_row(claim_id="C2"), medical_row(person_id="")]
    [result] = ingest_files(
        "medical_claim", [write_csv(tmp_path / "claims.csv", rows)], acting_user=cast.mia
    )
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("committed", 2, 1)
    target = tmp_path / "backup"
    backup(target)
    return target


def test_a_postgres_backup_restores_to_the_same_rows_and_files(pg_backup: Path) -> None:
    manifest = json.loads((pg_backup / "manifest.json").read_text())
    assert manifest["database"]["engine"] == "postgresql"
    assert (pg_backup / "db.dump").is_file()
    before = _row_counts()
    assert manifest["database"]["row_counts"] == before
    assert before["accounts_account"] == 2 and before["auth_user"] == 7
    found = verify_backup(pg_backup)
    assert (found.batches, found.rows, found.problems) == (1, 2, [])

    # A fresh machine: the database emptied, the lake gone. Restore refuses neither.
    lake = storage.lake_dir()
    lake_files = {
        p.relative_to(lake).as_posix(): p.read_bytes() for p in lake.rglob("*") if p.is_file()
    }
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(lake)
    assert _row_counts()["auth_user"] == 0

    after = restore(pg_backup)
    assert (after.batches, after.rows, after.problems) == (1, 2, [])
    assert _row_counts() == before
    restored = {
        p.relative_to(lake).as_posix(): p.read_bytes() for p in lake.rglob("*") if p.is_file()
    }
    batch_files = [name[len("lake/") :] for name in manifest["batches"][0]["files"]]
    assert batch_files and all(restored[name] == lake_files[name] for name in batch_files)
    assert verify_lake().ok


def test_a_tampered_postgres_backup_is_refused_before_anything_changes(pg_backup: Path) -> None:
    manifest = json.loads((pg_backup / "manifest.json").read_text())
    parquet = pg_backup / manifest["batches"][0]["files"][0]
    parquet.write_bytes(parquet.read_bytes()[:-8] + b"tampered")
    before = _row_counts()
    with pytest.raises(BackupError, match="refused, the backup is not whole"):
        restore(pg_backup)
    assert _row_counts() == before
    # A whole backup is refused too over a database and lake in use: a restore never merges.
    whole = pg_backup.parent / "whole"
    backup(whole)
    with pytest.raises(BackupError, match="already holds lake files"):
        restore(whole)
    shutil.rmtree(storage.lake_dir())
    with pytest.raises(BackupError, match="the database already holds data"):
        restore(whole)
    assert _row_counts() == before
