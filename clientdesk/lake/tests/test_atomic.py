"""A load killed part-way leaves nothing visible, and the rerun loads every row exactly once.

The loads run in real processes (their own SQLite database and lake under tmp_path) that die
by SIGKILL: one while DuckDB writes the batch's Parquet (killed from here), one after the
staging folder was renamed into place but before the batch was committed (the process kills
itself at that point, which no timing could hit reliably).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clientdesk.lake.tests.lakefiles import write_bulk_medical_csv

SETUP = """
import json, os, signal, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
import django
django.setup()
from django.core.management import call_command
"""

# Dies after the rename into LAKE_DIR/<table>/batch=<id>, before the commit transaction.
KILL_BEFORE_COMMIT = (
    SETUP
    + """
from clientdesk.lake import ingestion
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
ingestion._commit = die
ingestion.ingest_files("medical_claim", [sys.argv[1]], acting_user=None, create_accounts=True)
"""
)

# Migrates first unless the test laid the run's migrated database down already (argv[2]).
MIGRATE_AND_INGEST = (
    SETUP
    + """
if sys.argv[2] == "migrate":
    call_command("migrate", verbosity=0)
call_command("ingest", "medical_claim", sys.argv[1], "--create-accounts")
"""
)

STATE = (
    SETUP
    + """
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.models import IngestBatch
from django.conf import settings

def state():
    with open_lake(SystemActor("lake tests")) as lake:
        t = lake.medical_claim
        rows = int(lake.execute(t.count()))
        distinct = int(lake.execute(t.claim_id.nunique()))
    lake_dir = settings.LAKE_DIR
    folders = sorted(p.name for p in (lake_dir / "medical_claim").glob("*"))
    staging = sorted(p.name for p in (lake_dir / "_staging").glob("*"))
    statuses = sorted(IngestBatch.objects.values_list("status", flat=True))
    return {"rows": rows, "distinct": distinct, "folders": folders, "staging": staging,
            "statuses": statuses}

before = state()
from io import StringIO
out = StringIO()
call_command("ingest", "medical_claim", *sys.argv[1:], "--create-accounts", "--format", "json",
             stdout=out)
print(json.dumps({"before": before, "loads": json.loads(out.getvalue()), "after": state()}))
"""
)


def run(env: dict[str, str], *args: str, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603  # our own interpreter and scripts
        [sys.executable, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_a_killed_load_leaves_nothing_visible_and_reruns_once(
    tmp_path: Path, migrated_sqlite: Callable[[Path], bool]
) -> None:
    env = {**os.environ, "CLIENTDESK_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    # The processes' own SQLite database: the run's migrated one when the suite runs on SQLite
    # (what `migrate` writes, without its ~15 CPU s), else the first process migrates it.
    copied = migrated_sqlite(tmp_path / "var" / "clientdesk.sqlite3")
    small = write_bulk_medical_csv(tmp_path / "small.csv", 1_000, groups=["G700001"], prefix="S")
    big = write_bulk_medical_csv(tmp_path / "big.csv", 200_000, groups=["G700001", "G700002"])

    # 1. Killed from outside while DuckDB writes the Parquet of the big file.
    first = run(env, "-c", MIGRATE_AND_INGEST, str(big), "copied" if copied else "migrate")
    staged = tmp_path / "var/lake/_staging/batch=1/data/part-00000.parquet"
    deadline = time.monotonic() + 120
    while not staged.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    assert staged.exists()  # a partial Parquet file, never read

    # 2. Killed by itself after the rename into place, before the commit. Its start cleaned
    # up after the first (batch 1 failed, its staging folder removed).
    second = run(env, "-c", KILL_BEFORE_COMMIT, str(small))
    second.communicate(timeout=120)
    assert second.returncode == -signal.SIGKILL
    assert (tmp_path / "var/lake/medical_claim/batch=2/part-00000.parquet").is_file()

    # 3. Nothing of either is visible; the rerun cleans up and loads each row once.
    third = run(env, "-c", STATE, str(small), str(big))
    out, err = third.communicate(timeout=300)
    assert third.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    before, loads, after = report["before"], report["loads"], report["after"]
    assert before["rows"] == 0
    assert before["statuses"] == ["failed", "running"]
    assert before["folders"] == ["batch=2"]  # in place but never committed, so never read
    assert before["staging"] == ["batch=2"]  # what the second left beside its folder

    assert [(r["status"], r["rows_loaded"], r["rows_rejected"]) for r in loads] == [
        ("committed", 1_000, 0),
        ("committed", 200_000, 0),
    ]
    assert after["rows"] == after["distinct"] == 201_000
    assert after["statuses"] == ["committed", "committed", "failed", "failed"]
    assert after["folders"] == [f"batch={r['batch_id']}" for r in loads]
    assert after["staging"] == []
