"""A big 837 is checked while it is read (`x12.load._Pipeline`, `ingestion.StreamedRows`): the
same rows, rejects and warnings as the ordinary load of the converted file, a failure part-way
leaves nothing visible, and what the streamed load does not cover loads the ordinary way.

`STREAM_BYTES` is set to 0 so these small files take the streamed path, and `SINK_ROWS` to 4
so each file is handed over in many parts (a duplicate key across parts, rows with reasons in
several parts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.conf import settings
from pytest_django.fixtures import Settings as SettingsWrapper

from clientdesk.accounts.models import Account
from clientdesk.lake import ingestion, storage
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.ingestion import IngestError
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.schemas import get_table
from clientdesk.lake.tests.test_x12 import ENROLLMENT_834, professional, write_837
from clientdesk.lake.x12 import convert, load
from clientdesk.lake.x12.load import ingest_x12
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

CODES = ("99213", "87070", "99214")
# Columns that differ between two loads of the same file by design.
PER_BATCH = ("batch_id", "ingest_datetime", "batch")  # batch: the folder name, batch=N


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "STREAM_BYTES", 0)
    monkeypatch.setattr(convert, "SINK_ROWS", 4)


def claims_file(path: Path) -> Path:
    """30 claims of 1-3 lines (60 lines: 10 claims each of 2, 3 and 1), then C5 sent again
    (3 duplicate lines), a line dated 2026-13-05, a subscriber with no group and no
    eligibility, and a line whose place of service is ZZ (loaded, emptied, warned): 66 lines,
    5 rejected."""
    transactions = [
        professional(f"{n:04d}", f"C{n}", f"M{n % 7}", lines=CODES[: n % 3 + 1])
        for n in range(1, 31)
    ]
    transactions.append(professional("0031", "C5", "M5", lines=CODES))
    transactions.append(
        professional("0032", "D1", "M1").replace("DTP*472*D8*20260105", "DTP*472*D8*20261305")
    )
    transactions.append(
        professional("0033", "N1", "M900").replace("SBR*P*18*G100001*", "SBR*P*18**")
    )
    transactions.append(
        professional("0034", "W1", "M2").replace(
            "SV1*HC:99213:25*50*UN*1***1:2", "SV1*HC:99213:25*50*UN*1*ZZ**1:2"
        )
    )
    return write_837(path, *transactions)


def lake_rows(batch_id: int) -> list[dict[str, Any]]:
    files = sorted(storage.batch_dir("medical_claim", batch_id).glob("*.parquet"))
    con = duckdb.connect()
    try:
        listed = ", ".join(f"'{f}'" for f in files)
        table = con.sql(f"SELECT * FROM read_parquet([{listed}])").to_arrow_table()  # noqa: S608
    finally:
        con.close()
    return [{k: v for k, v in row.items() if k not in PER_BATCH} for row in table.to_pylist()]


def loaded(path: Path, **options: Any) -> tuple[ingestion.BatchResult, dict[str, Any]]:
    """Load one file; the result and what the batch left: rows, rejects and warnings files."""
    [result] = ingest_x12([path], acting_user=None, create_accounts=True, **options)
    files = {
        "rows": lake_rows(result.batch_id),
        "rejects": Path(result.rejects_file).read_text() if result.rejects_file else "",
        "warnings": Path(result.warnings_file).read_text() if result.warnings_file else "",
    }
    return result, files


def both_ways(
    path: Path, settings: SettingsWrapper, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[ingestion.BatchResult, dict[str, Any]], tuple[ingestion.BatchResult, Any]]:
    """The file loaded streamed into this test's lake, then the ordinary way into another
    (replacing the first batch in the database, which both lakes share)."""
    quick = loaded(path)
    monkeypatch.setattr(load, "STREAM_BYTES", 1 << 62)
    settings.LAKE_DIR = tmp_path / "other-lake"
    plain = loaded(path, replace=True)
    return quick, plain


def test_a_streamed_load_gives_the_rows_rejects_and_warnings_of_the_ordinary_one(
    cast: Cast,
    streamed: None,
    settings: SettingsWrapper,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked_parts: list[int] = []
    add = ingestion.StreamedRows.add

    def counted(self: ingestion.StreamedRows, part: Any) -> None:
        checked_parts.append(part.num_rows)
        add(self, part)

    monkeypatch.setattr(ingestion.StreamedRows, "add", counted)
    path = claims_file(tmp_path / "claims.837")
    (quick, quick_files), (plain, plain_files) = both_ways(path, settings, tmp_path, monkeypatch)
    assert len(checked_parts) > 10 and sum(checked_parts) == 66  # checked part by part
    counts = (quick.rows_read, quick.rows_loaded, quick.rows_rejected, quick.rows_with_warnings)
    assert counts == (66, 61, 5, 1)
    assert counts == (
        plain.rows_read,
        plain.rows_loaded,
        plain.rows_rejected,
        plain.rows_with_warnings,
    )
    assert quick.warnings == plain.warnings
    assert [(w["column"], w["count"]) for w in quick.warnings] == [("place_of_service_code", 1)]
    assert quick_files == plain_files
    rejects = quick_files["rejects"].splitlines()
    # C5 was the 5th claim: lines 9-11 (2 + 3 + 1 + 2 lines before it); sent again on 61-63
    assert [r.split(",")[0] for r in rejects[1:]] == ["61", "62", "63", "64", "65"]
    assert (
        "duplicate key (claim_id=C5, claim_line_number=1, data_source=SENDER): first on line 9"
        in rejects[1]
    )
    assert "claim_line_start_date: not a date" in rejects[4]
    assert "has no eligibility loaded" in rejects[5]
    assert len(quick_files["rows"]) == 61
    pos = [r["place_of_service_code"] for r in quick_files["rows"] if r["claim_id"] == "W1"]
    assert pos == [None]
    assert quick.message.startswith("claims.837 -> medical_claim: 61 rows loaded, 5 rejected")
    assert IngestBatch.objects.get(pk=quick.batch_id).report == quick.report


def test_persons_and_sponsors_come_from_the_eligibility_loaded_before(
    cast: Cast,
    streamed: None,
    settings: SettingsWrapper,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enrollment = tmp_path / "e.834"
    enrollment.write_text(ENROLLMENT_834.replace("REF*1L*G100002~", "REF*1L*G100002~REF*ABB*P100~"))
    # one data source for both files: a claim finds its sponsor by member_id within it
    ingest_x12([enrollment], acting_user=None, create_accounts=True, data_source="PLAN")
    path = write_837(
        tmp_path / "c.837",
        professional("0001", "C1", "M100", lines=CODES).replace("SBR*P*18*G100001*", "SBR*P*18**"),
        professional("0002", "C2", "M3"),
    )
    monkeypatch.setattr(load, "STREAM_BYTES", 0)
    _, quick_files = loaded(path, data_source="PLAN")
    persons = sorted(
        {(r["claim_id"], r["person_id"], r["account_id"]) for r in quick_files["rows"]}
    )
    g100002 = Account.objects.get(group_number="G100002").pk
    g100001 = Account.objects.get(group_number="G100001").pk
    assert persons == [("C1", "P100", g100002), ("C2", "M3", g100001)]
    settings.LAKE_DIR = tmp_path / "other-lake"
    ingest_x12([enrollment], acting_user=None, replace=True, data_source="PLAN")
    monkeypatch.setattr(load, "STREAM_BYTES", 1 << 62)
    _, plain_files = loaded(path, replace=True, data_source="PLAN")
    assert quick_files == plain_files


def test_a_failure_part_way_leaves_nothing_visible_and_the_rerun_loads_once(
    cast: Cast, streamed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = claims_file(tmp_path / "claims.837")
    add = ingestion.StreamedRows.add
    parts: list[int] = []

    def failing(self: ingestion.StreamedRows, part: Any) -> None:
        parts.append(part.num_rows)
        if len(parts) == 3:
            raise OSError("disk full")
        add(self, part)

    monkeypatch.setattr(ingestion.StreamedRows, "add", failing)
    with pytest.raises(IngestError, match=r"claims\.837: disk full"):
        ingest_x12([path], acting_user=None, create_accounts=True)
    assert not IngestBatch.objects.filter(table="medical_claim").exists()
    assert not any((settings.LAKE_DIR / "medical_claim").glob("batch=*"))
    assert not any((settings.LAKE_DIR / "_staging").iterdir())
    with open_lake(SystemActor("stream tests")) as lake:
        assert int(lake.execute(lake.medical_claim.count())) == 0

    monkeypatch.setattr(ingestion.StreamedRows, "add", add)
    [result] = ingest_x12([path], acting_user=None, create_accounts=True)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("committed", 61, 5)
    with open_lake(SystemActor("stream tests")) as lake:
        assert int(lake.execute(lake.medical_claim.count())) == 61
    [again] = ingest_x12([path], acting_user=None)
    assert again.status == "already_loaded" and "use --replace" in again.message


def test_the_batch_files_have_the_lake_types(cast: Cast, streamed: None, tmp_path: Path) -> None:
    [result] = ingest_x12([claims_file(tmp_path / "c.837")], acting_user=None, create_accounts=True)
    files = sorted(storage.batch_dir("medical_claim", result.batch_id).glob("*.parquet"))
    assert len(files) > 1  # one per part with rows that passed
    con = duckdb.connect()
    try:
        [schema_file] = storage.committed_files(get_table("medical_claim"))[:1]
        described = [
            con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{f}', hive_partitioning = false)"  # noqa: S608  # our own paths
            ).fetchall()
            for f in (schema_file, *files)
        ]
    finally:
        con.close()
    assert all(d == described[0] for d in described)
    with open_lake(SystemActor("stream tests")) as lake:
        t = lake.medical_claim
        paid = lake.execute(t.filter(t.claim_id == "C2").paid_amount.sum())
    assert float(paid) == 120.0  # C2: 3 lines paid 40 each


def test_what_the_streamed_load_does_not_cover_loads_the_ordinary_way(
    cast: Cast,
    streamed: None,
    settings: SettingsWrapper,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A replacement acts on the file as a whole: the parts read become the converted file."""
    path = write_837(
        tmp_path / "c.837",
        *(professional(f"{n:04d}", f"C{n}", f"M{n}", lines=CODES) for n in range(1, 6)),
        professional("0006", "C3", "M3", frequency="7", lines=("99215",)),
    )
    (quick, quick_files), (plain, plain_files) = both_ways(path, settings, tmp_path, monkeypatch)
    # C3's three lines replaced by one: 4 claims x 3 lines + 1
    assert (quick.rows_read, quick.rows_loaded) == (13, 13)
    assert quick_files == plain_files
    assert quick.report == plain.report
