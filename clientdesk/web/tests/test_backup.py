"""Backup, verify, restore: a backup restores to the same rows and checksums, a tampered or
partial one is refused, and a lake that lost a batch fails `clientdesk verify`."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from clientdesk.accounts.models import Account
from clientdesk.lake.backup import BackupError, backup, restore, verify_backup, verify_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.testing import Cast

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the SQLite path in process; PostgreSQL: test_backup_postgres.py (transactional)",
    ),
]


@pytest.fixture
def loaded(cast: Cast, tmp_path: Path) -> Path:
    """The cast with one committed claims batch (2 rows loaded, 1 rejected) and its backup."""
    rows = [medical_row(claim_id="C1"), medical_row(claim_id="C2"), medical_row(person_id="")]
    [result] = ingest_files(
        "medical_claim", [write_csv(tmp_path / "claims.csv", rows)], acting_user=cast.mia
    )
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("committed", 2, 1)
    target = tmp_path / "backup"
    backup(target)
    return target


def test_a_backup_holds_the_database_and_the_committed_lake(loaded: Path) -> None:
    manifest = json.loads((loaded / "manifest.json").read_text())
    assert manifest["database"]["row_counts"]["accounts_account"] == Account.objects.count()
    [batch] = manifest["batches"]
    assert (batch["table"], batch["rows_loaded"]) == ("medical_claim", 2)
    assert batch["files"] and all(name in manifest["files"] for name in batch["files"])
    assert any(name.startswith("lake/_rejects/medical_claim/") for name in manifest["files"])
    found = verify_backup(loaded)
    assert found.problems == []
    assert (found.batches, found.rows) == (1, 2)
    # Reading the copy leaves nothing beside it (no -wal/-shm): verifying again still passes.
    assert verify_backup(loaded).problems == []
    assert sorted(p.name for p in loaded.iterdir() if p.name.startswith("db.")) == ["db.sqlite3"]
    # Member data: readable by the service user only.
    for path in loaded.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_it_restores_to_the_same_rows_and_checksums(loaded: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    db_file = fresh / "clientdesk.sqlite3"
    found = restore(loaded, data_dir=fresh, sqlite_file=db_file)
    assert (found.batches, found.rows, found.problems) == (1, 2, [])
    manifest = json.loads((loaded / "manifest.json").read_text())
    restored = sqlite3.connect(db_file)
    try:
        for table, count in manifest["database"]["row_counts"].items():
            assert restored.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == count  # noqa: S608
    finally:
        restored.close()
    for name in manifest["batches"][0]["files"]:
        assert (fresh / name).read_bytes() == (loaded / name).read_bytes()
    # Restoring again over it is refused: the data dir is no longer fresh.
    with pytest.raises(BackupError, match="already holds lake files"):
        restore(loaded, data_dir=fresh, sqlite_file=fresh / "other.sqlite3")


def test_a_tampered_backup_is_refused(loaded: Path, tmp_path: Path) -> None:
    manifest = json.loads((loaded / "manifest.json").read_text())
    parquet = loaded / manifest["batches"][0]["files"][0]
    parquet.write_bytes(parquet.read_bytes()[:-8] + b"tampered")
    assert any("checksum differs" in p for p in verify_backup(loaded).problems)
    with pytest.raises(CommandError, match="not whole"):
        call_command("backup", "verify", str(loaded))
    fresh = tmp_path / "fresh"
    with pytest.raises(BackupError, match="refused, the backup is not whole"):
        restore(loaded, data_dir=fresh, sqlite_file=fresh / "db.sqlite3")
    assert not (fresh / "db.sqlite3").exists()


def test_a_partial_backup_is_refused(loaded: Path, tmp_path: Path) -> None:
    manifest = json.loads((loaded / "manifest.json").read_text())
    (loaded / manifest["batches"][0]["files"][0]).unlink()
    assert any(p.startswith("missing: lake/") for p in verify_backup(loaded).problems)
    (loaded / "manifest.json").unlink()  # cut short before the manifest: not a backup at all
    assert verify_backup(loaded).problems == [f"{loaded} has no manifest.json: not a whole backup"]
    with pytest.raises(BackupError, match=r"no manifest\.json"):
        restore(loaded, data_dir=tmp_path / "fresh", sqlite_file=tmp_path / "fresh" / "db")


def test_a_backup_never_writes_into_a_used_folder(loaded: Path) -> None:
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(loaded))


def test_verify_finds_a_lake_older_than_the_database(loaded: Path) -> None:
    assert verify_lake().ok
    call_command("verify")
    manifest = json.loads((loaded / "manifest.json").read_text())
    from django.conf import settings

    lake_file = Path(settings.LAKE_DIR) / manifest["batches"][0]["files"][0][len("lake/") :]
    lake_file.unlink()
    assert verify_lake().problems == [
        f"medical_claim batch {manifest['batches'][0]['id']}: no files in the lake"
    ]
    with pytest.raises(CommandError, match="does not match"):
        call_command("verify")
