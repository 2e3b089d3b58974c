"""Malformed files: a one-line error naming the file, exit code 1, nothing half-loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

HEADER = ",".join(medical_row())


def good_line(claim_id: str = "C1") -> str:
    return ",".join(str(v) for v in medical_row(claim_id=claim_id).values())


def semicolons(path: Path) -> None:
    path.write_text(HEADER.replace(",", ";") + "\n" + good_line().replace(",", ";") + "\n")


def tabs(path: Path) -> None:
    path.write_text(HEADER.replace(",", "\t") + "\n" + good_line().replace(",", "\t") + "\n")


def missing_columns(path: Path) -> None:
    write_csv(path, [{k: v for k, v in medical_row().items() if k not in ("claim_id", "payer")}])


def unrelated_columns(path: Path) -> None:
    path.write_text("name,email\nDana,d@example.org\n")


def repeated_column(path: Path) -> None:
    path.write_text(HEADER + ",claim_id\n" + good_line() + ",C1\n")


def binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)


def empty(path: Path) -> None:
    path.write_bytes(b"")


def huge_field(path: Path) -> None:
    line = good_line().replace("Keystone", "K" * 1_200_000)
    path.write_text(HEADER + "\n" + good_line("C0") + "\n" + line + "\n")


def latin1_in_a_row(path: Path) -> None:
    text = HEADER + "\n" + good_line("C0") + "\n" + good_line().replace("Keystone", "Ke\xefstone")
    path.write_bytes(text.encode("latin-1") + b"\n")


def latin1_header(path: Path) -> None:
    path.write_bytes(("cl\xe9," + HEADER + "\n").encode("latin-1"))


def utf16(path: Path) -> None:
    path.write_bytes((HEADER + "\n" + good_line() + "\n").encode("utf-16"))


def unclosed_quote(path: Path) -> None:
    path.write_text(HEADER + "\n" + good_line().replace("Keystone", '"Keystone') + "\n")


def wrong_field_count(path: Path) -> None:
    path.write_text(HEADER + "\n" + good_line("C0") + "\n" + good_line() + ",extra\n")


def not_parquet(path: Path) -> None:
    path.write_text(HEADER + "\n")


def corrupt_parquet(path: Path) -> None:
    path.write_bytes(b"PAR1" + os.urandom(2000) + b"PAR1")


CASES: list[tuple[str, str, Callable[[Path], None], str]] = [
    ("semicolon", "f.csv", semicolons, "looks semicolon-separated"),
    ("tab", "f.csv", tabs, "looks tab-separated"),
    ("missing", "f.csv", missing_columns, "missing required columns: claim_id, payer"),
    ("unrelated", "f.csv", unrelated_columns, "no column matches the medical_claim table"),
    ("repeated", "f.csv", repeated_column, "column claim_id appears twice in the header"),
    ("binary", "f.csv", binary, "binary content, not a CSV text file"),
    ("empty", "f.csv", empty, "the file is empty"),
    ("huge field", "f.csv", huge_field, "line 3: a line longer than 1 MB"),
    ("latin-1 row", "f.csv", latin1_in_a_row, "line 3: not valid UTF-8 text"),
    ("latin-1 header", "f.csv", latin1_header, "not UTF-8 text"),
    ("utf-16", "f.csv", utf16, "UTF-16 text (save the file as UTF-8 CSV)"),
    ("unclosed quote", "f.csv", unclosed_quote, "a quoted value is never closed"),
    ("field count", "f.csv", wrong_field_count, "line 3: expected 26 fields, found 27"),
    ("not parquet", "f.parquet", not_parquet, "not a Parquet file"),
    ("corrupt parquet", "f.parquet", corrupt_parquet, "not a readable Parquet file"),
]


@pytest.mark.parametrize(("name", "filename", "make", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_files_fail_cleanly(
    cast: Cast,
    tmp_path: Path,
    name: str,
    filename: str,
    make: Callable[[Path], None],
    expected: str,
) -> None:
    path = tmp_path / filename
    make(path)
    with pytest.raises(CommandError) as caught:
        call_command("ingest", "medical_claim", str(path))
    message = str(caught.value)
    assert message.startswith(f"{filename}: ")
    assert expected in message
    assert "\n" not in message
    assert "Keystone" not in message  # the file's contents are never repeated
    assert not IngestBatch.objects.filter(status=BatchStatus.COMMITTED).exists()
    lake = Path(settings.LAKE_DIR)
    assert not (lake / "medical_claim").exists() or not any((lake / "medical_claim").iterdir())
    assert not (lake / "_staging").exists() or not any((lake / "_staging").iterdir())


def test_a_failed_batch_is_recorded_and_leaves_no_files(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    latin1_in_a_row(path)
    with pytest.raises(CommandError):
        call_command("ingest", "medical_claim", str(path))
    batch = IngestBatch.objects.get()
    assert batch.status == BatchStatus.FAILED
    assert "not valid UTF-8" in batch.error
    assert not any(Path(settings.LAKE_DIR).glob("medical_claim/*"))


def test_every_file_is_inspected_before_any_loads(cast: Cast, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [medical_row()])
    bad = tmp_path / "bad.csv"
    semicolons(bad)
    with pytest.raises(CommandError, match=r"^bad\.csv: "):
        call_command("ingest", "medical_claim", str(good), str(bad))
    assert not IngestBatch.objects.exists()


def test_missing_file_and_unknown_table(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^nope.csv: no such file$"):
        call_command("ingest", "medical_claim", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("ingest", "dental_claim", str(tmp_path / "nope.csv"))


def test_the_cli_exits_non_zero_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    semicolons(path)
    env = {**os.environ, "CLIENTDESK_DATA_DIR": str(tmp_path / "var")}
    done = subprocess.run(  # noqa: S603  # our own CLI with a path we made
        [sys.executable, "-m", "clientdesk.cli", "ingest", "medical_claim", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "CommandError: f.csv: the header has one column and looks semicolon-separated; "
        "lake files must be comma-separated"
    ]
