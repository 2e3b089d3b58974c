"""Loading files: batches, counts, idempotency, replace, sponsors, timeline, audit, output."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.utils import timezone

from clientdesk.accounts.models import Account, ActivityEvent
from clientdesk.audit.models import AuditEvent
from clientdesk.guarantees.evaluation import committed_batches
from clientdesk.lake import storage
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lake.schemas import MEDICAL_CLAIM
from clientdesk.lake.tests.lakefiles import (
    eligibility_row,
    medical_row,
    read_csv_rows,
    write_csv,
    write_parquet,
)
from clientdesk.testing import Cast, known
from clientdesk.utilization.analysis import lake_fingerprint

pytestmark = pytest.mark.django_db

JOB = SystemActor("lake tests")


def lake_rows(table: str, *columns: str) -> list[tuple[object, ...]]:
    with open_lake(JOB) as lake:
        t = lake.table(table)
        frame = lake.execute(t.select(*columns).order_by(list(columns)))
    return [tuple(row) for row in frame.itertuples(index=False)]


def test_a_file_loads_as_one_committed_batch(cast: Cast, tmp_path: Path) -> None:
    rows = [
        medical_row(claim_id="C1"),
        medical_row(claim_id="C2", group_id="G100002", paid_amount="", allowed_amount=""),
        medical_row(claim_id="C3", person_id=""),
    ]
    # Any column order: the header decides.
    columns = list(reversed(list(rows[0])))
    path = write_csv(tmp_path / "claims.csv", rows, columns)
    [result] = ingest_files("medical_claim", [path], acting_user=cast.mia)

    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "committed",
        3,
        2,
        1,
    )
    batch = IngestBatch.objects.get()
    assert batch.pk == result.batch_id
    assert batch.status == BatchStatus.COMMITTED
    assert (batch.rows_read, batch.rows_loaded, batch.rows_rejected) == (3, 2, 1)
    assert batch.source_name == "claims.csv"
    assert batch.checksum == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert batch.created_by == cast.mia
    assert batch.finished_at is not None
    assert batch.rejects_path == result.rejects_file
    assert read_csv_rows(Path(batch.rejects_path)) == [
        {
            "line": "4",
            "claim_id": "C3",
            "claim_line_number": "1",
            "data_source": "test",
            "reasons": "person_id: required, empty",
        }
    ]
    assert [p.name for p in batch.parquet_files()] == ["part-00000.parquet"]
    assert lake_rows("medical_claim", "claim_id", "account_id", "batch_id", "paid_amount") == [
        ("C1", cast.acme.pk, batch.pk, Decimal("80.00")),
        ("C2", cast.bayside.pk, batch.pk, None),
    ]
    # Empty file_name / ingest_datetime are filled by the load.
    [(name, when)] = lake_rows("medical_claim", "file_name", "ingest_datetime")[:1]
    assert name == "claims.csv"
    assert when is not None


def test_timeline_events_and_audit_row(cast: Cast, tmp_path: Path) -> None:
    rows = [medical_row(claim_id=f"C{i}") for i in range(3)] + [
        medical_row(claim_id="B1", group_id="G100002")
    ]
    [result] = ingest_files(
        "medical_claim", [write_csv(tmp_path / "c.csv", rows)], acting_user=cast.mia
    )
    events = ActivityEvent.objects.filter(kind="data_load").order_by("account__name")
    assert [(e.account, e.subject, e.source_id) for e in events] == [
        (cast.acme, "medical_claim: 3 rows loaded from c.csv", str(result.batch_id)),
        (cast.bayside, "medical_claim: 1 rows loaded from c.csv", str(result.batch_id)),
    ]
    assert all(e.actor == cast.mia and e.source_type == "lake.ingestbatch" for e in events)
    audit = AuditEvent.objects.get(action="lake.ingest")
    assert audit.actor == cast.mia
    assert audit.object_id == str(result.batch_id)
    assert known(audit.after)["rows_loaded"] == 4
    assert known(audit.after)["rows_read"] == 4


def test_the_same_file_again_loads_nothing_new(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [medical_row(claim_id="C1"), medical_row(claim_id="C2")])
    [first] = ingest_files("medical_claim", [path], acting_user=None)
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    [again] = ingest_files("medical_claim", [copy], acting_user=None)
    assert again.status == "already_loaded"
    assert again.batch_id == first.batch_id
    assert (again.rows_read, again.rows_loaded, again.rows_rejected) == (0, 0, 0)
    assert "already loaded as batch" in again.message
    assert IngestBatch.objects.count() == 1
    assert len(lake_rows("medical_claim", "claim_id")) == 2
    # The same bytes are another file for another table.
    assert ActivityEvent.objects.filter(kind="data_load").count() == 1


def test_replace_swaps_the_earlier_batch(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [medical_row(claim_id="C1"), medical_row(claim_id="C2")])
    [first] = ingest_files("medical_claim", [path], acting_user=None)
    old_dir = storage.batch_dir("medical_claim", first.batch_id)
    assert old_dir.is_dir()
    [second] = ingest_files("medical_claim", [path], acting_user=None, replace=True)
    assert second.status == "committed"
    assert second.replaced_batch_id == first.batch_id
    assert second.rows_loaded == 2
    old = IngestBatch.objects.get(pk=first.batch_id)
    assert old.status == BatchStatus.REPLACED
    assert IngestBatch.objects.get(pk=second.batch_id).replaces == old
    assert not old_dir.exists()
    assert lake_rows("medical_claim", "claim_id", "batch_id") == [
        ("C1", second.batch_id),
        ("C2", second.batch_id),
    ]


def test_unknown_sponsors_are_rejected_unless_created(cast: Cast, tmp_path: Path) -> None:
    rows = [
        eligibility_row(member_id="M1", person_id="P1", subscriber_id="M1"),
        eligibility_row(
            member_id="N1",
            person_id="Q1",
            subscriber_id="N1",
            group_id="g300001",
            group_name="Northwind Traders",
            state="TX",
            enrollment_start_date="2024-03-15",
        ),
        eligibility_row(
            member_id="N2",
            person_id="Q2",
            subscriber_id="N1",
            group_id="G300001",
            group_name="Northwind Traders",
            state="TX",
            enrollment_start_date="2024-05-01",
        ),
    ]
    path = write_csv(tmp_path / "elig.csv", rows)
    [plain] = ingest_files("eligibility", [path], acting_user=cast.mia)
    assert (plain.rows_loaded, plain.rows_rejected) == (1, 2)
    reasons = [r["reasons"] for r in read_csv_rows(Path(str(plain.rejects_file)))]
    assert (
        reasons
        == [
            "group_id G300001: no account has this sponsor group number "
            "(load with --create-accounts to create it)"
        ]
        * 2
    )
    assert not Account.objects.filter(group_number="G300001").exists()

    [created] = ingest_files(
        "eligibility", [path], acting_user=cast.mia, create_accounts=True, replace=True
    )
    assert (created.rows_loaded, created.rows_rejected) == (3, 0)
    assert created.accounts_created == ["G300001"]
    account = Account.objects.get(group_number="G300001")
    assert (account.name, account.segment, account.funding, account.state, account.region) == (
        "Northwind Traders",
        "commercial",
        "aso",
        "TX",
        "South",
    )
    assert account.timezone == "America/Chicago"
    assert account.effective_date == dt.date(2024, 3, 1)
    assert account.renewal_date > timezone.localdate()
    assert account.renewal_date.month == 3
    assert account.renewal_date.day == 1
    assert (account.members, account.employees) == (2, 1)
    assert AuditEvent.objects.filter(action="account.create", account=account).exists()
    assert ActivityEvent.objects.filter(account=account, kind="data_load").count() == 1
    assert IngestBatch.objects.get(pk=created.batch_id).accounts_created == 1


def test_claims_without_group_id_find_their_sponsor_in_eligibility(
    cast: Cast, tmp_path: Path
) -> None:
    eligibility = [
        # M1 moved from Acme to Bayside on 2025-07-01.
        eligibility_row(member_id="M1", enrollment_end_date="2025-06-30"),
        eligibility_row(member_id="M1", group_id="G100002", enrollment_start_date="2025-07-01"),
        eligibility_row(member_id="M2", person_id="P2", group_id="G100002"),
    ]
    ingest_files("eligibility", [write_csv(tmp_path / "e.csv", eligibility)], acting_user=None)
    claims = [
        medical_row(claim_id="A", member_id="M1", claim_start_date="2025-03-03"),
        medical_row(
            claim_id="B",
            member_id="M1",
            claim_start_date="2025-08-01",
            claim_end_date="2025-08-01",
        ),
        medical_row(
            claim_id="C",
            member_id="M1",
            claim_start_date="2024-12-01",
            claim_end_date="2024-12-01",
        ),  # before any span: the member's first sponsor
        medical_row(claim_id="D", member_id="M2"),
        medical_row(claim_id="E", member_id="M9"),
        medical_row(claim_id="F", member_id="M2", group_id="G100001"),  # group_id wins
    ]
    columns = [c for c in claims[0] if c != "group_id"] + ["group_id"]
    for row in claims[:5]:
        row["group_id"] = ""
    [result] = ingest_files(
        "medical_claim", [write_csv(tmp_path / "m.csv", claims, columns)], acting_user=None
    )
    assert (result.rows_loaded, result.rows_rejected) == (5, 1)
    [reject] = read_csv_rows(Path(str(result.rejects_file)))
    assert reject["claim_id"] == "E"
    assert reject["reasons"] == (
        "group_id is empty and member_id •• has no eligibility loaded to find its sponsor "  # M9
        "(load the eligibility file or 834 first, then this file again)"
    )
    acme, bayside = cast.acme.pk, cast.bayside.pk
    assert lake_rows("medical_claim", "claim_id", "account_id") == [
        ("A", acme),
        ("B", bayside),
        ("C", acme),
        ("D", bayside),
        ("F", acme),
    ]
    # A file without the group_id column at all (Tuva's own layout) loads the same way.
    tuva = [medical_row(claim_id="G", member_id="M2")]
    tuva[0].pop("group_id")
    [plain] = ingest_files("medical_claim", [write_csv(tmp_path / "t.csv", tuva)], acting_user=None)
    assert plain.rows_loaded == 1


def test_parquet_files_load_with_typed_columns(cast: Cast, tmp_path: Path) -> None:
    rows = [
        medical_row(claim_id="C1"),
        medical_row(claim_id="C2", paid_amount=""),
        medical_row(claim_id="C3", claim_type="vision"),
    ]
    path = write_parquet(tmp_path / "claims.parquet", "medical_claim", rows)
    [result] = ingest_files("medical_claim", [path], acting_user=None)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert read_csv_rows(Path(str(result.rejects_file)))[0]["line"] == "3"  # row number from 1
    assert lake_rows("medical_claim", "claim_id", "paid_amount", "claim_start_date") == [
        ("C1", Decimal("80.00"), pd.Timestamp("2025-03-03")),
        ("C2", None, pd.Timestamp("2025-03-03")),
    ]


def test_parquet_float_amounts_are_read_to_the_cent(cast: Cast, tmp_path: Path) -> None:
    table = pa.table(
        {
            "claim_id": ["C1", "C2"],
            "claim_line_number": pa.array([1, 1], pa.int64()),
            "claim_type": ["professional"] * 2,
            "person_id": ["P1"] * 2,
            "member_id": ["M1"] * 2,
            "payer": ["Keystone"] * 2,
            "data_source": ["test"] * 2,
            "group_id": ["G100001"] * 2,
            "paid_amount": [0.1 + 0.2, 10.005],
        }
    )
    pq.write_table(table, tmp_path / "f.parquet")
    [result] = ingest_files("medical_claim", [tmp_path / "f.parquet"], acting_user=None)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert lake_rows("medical_claim", "paid_amount") == [(Decimal("0.30"),)]


def test_a_header_only_file_loads_zero_rows(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "empty.csv", [], list(medical_row()))
    [result] = ingest_files("medical_claim", [path], acting_user=None)
    assert (result.status, result.rows_read, result.rows_loaded) == ("committed", 0, 0)
    assert lake_rows("medical_claim", "claim_id") == []


def test_the_ingest_command_prints_json(cast: Cast, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "a.csv", [medical_row(claim_id="C1")])
    bad = write_csv(tmp_path / "b.csv", [medical_row(claim_id="C2", claim_type="vision")])
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:  # a file of which every row was rejected
        call_command("ingest", "medical_claim", str(good), str(bad), "--format", "json", stdout=out)
    assert exited.value.code == 1
    first, second = json.loads(out.getvalue())
    assert {k: first[k] for k in ("status", "rows_read", "rows_loaded", "rows_rejected")} == {
        "status": "committed",
        "rows_read": 1,
        "rows_loaded": 1,
        "rows_rejected": 0,
    }
    assert first["rejects_file"] is None
    assert isinstance(first["batch_id"], int)
    assert (second["rows_rejected"], Path(second["rejects_file"]).is_file()) == (1, True)
    out = io.StringIO()
    call_command("ingest", "medical_claim", str(good), stdout=out)
    assert "already loaded as batch" in out.getvalue()
    assert "use --replace to load it again" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("ingest", "medical_claim", str(tmp_path / "nope.csv"), "--format", "json",
                     stdout=out)  # fmt: skip
    assert json.loads(out.getvalue()) == {"error": "nope.csv: no such file"}


def test_only_committed_batches_are_read(cast: Cast, tmp_path: Path) -> None:
    [result] = ingest_files(
        "medical_claim", [write_csv(tmp_path / "c.csv", [medical_row()])], acting_user=None
    )
    # A batch left running (a load in progress or one that crashed) is never read, even
    # when its folder is in place.
    running = IngestBatch.objects.create(
        table="medical_claim",
        source_name="x.csv",
        source_format="csv",
        checksum="0" * 64,
        started_at=dt.datetime.now(tz=dt.UTC),
    )
    folder = storage.batch_dir("medical_claim", running.pk)
    folder.mkdir(parents=True)
    for part in IngestBatch.objects.get(pk=result.batch_id).parquet_files():
        (folder / part.name).write_bytes(part.read_bytes())
    assert len(lake_rows("medical_claim", "claim_id")) == 1
    # The next load cleans it up.
    ingest_files(
        "medical_claim",
        [write_csv(tmp_path / "d.csv", [medical_row(claim_id="C9")])],
        acting_user=None,
    )
    running.refresh_from_db()
    assert running.status == BatchStatus.FAILED
    assert "interrupted" in running.error
    assert not folder.exists()
    assert storage.committed_files(MEDICAL_CLAIM)[0].name.startswith("medical_claim-")


def test_a_batch_written_before_a_column_joined_the_table_reads_it_as_null(
    cast: Cast, tmp_path: Path
) -> None:
    # A lake outlives an upgrade that adds a column: the batches written by the older release
    # lack it, and so does the schema file it wrote. Both are read on, the column null.
    [old] = ingest_files(
        "medical_claim",
        [write_csv(tmp_path / "old.csv", [medical_row(claim_id="OLD")])],
        acting_user=None,
    )
    assert (old.status, old.rows_loaded) == ("committed", 1)
    [part] = sorted(storage.batch_dir("medical_claim", old.batch_id).rglob("*.parquet"))
    table = pq.read_table(part)
    pq.write_table(table.drop_columns(["claim_start_date"]), part)  # as the older release wrote it
    [current] = storage.committed_files(MEDICAL_CLAIM)[:1]
    legacy = current.with_name("medical_claim.parquet")
    pq.write_table(pq.read_table(current).drop_columns(["claim_start_date"]), legacy)
    current.unlink()
    [new] = ingest_files(
        "medical_claim",
        [
            write_csv(
                tmp_path / "new.csv", [medical_row(claim_id="NEW", claim_start_date="2025-03-01")]
            )
        ],
        acting_user=None,
    )
    assert new.status == "committed"

    rows = lake_rows("medical_claim", "claim_id", "claim_start_date")
    assert [(c, None if pd.isna(d) else pd.Timestamp(d).date()) for c, d in rows] == [
        ("NEW", dt.date(2025, 3, 1)),
        ("OLD", None),
    ]
    schema_files = sorted(p.name for p in (storage.lake_dir() / "_schema").glob("medical_claim*"))
    assert schema_files == [storage.schema_file(MEDICAL_CLAIM).name]  # the legacy file is gone
    assert "claim_start_date" in pq.read_schema(storage.schema_file(MEDICAL_CLAIM)).names


def test_a_test_batch_is_not_listed_with_results_nor_in_the_book_cache_key(
    cast: Cast, tmp_path: Path
) -> None:
    # The guarantees store the batch ids a result was computed from, and the utilization
    # cache is keyed by the committed claims batches: a test file is read by neither.
    [real] = ingest_files(
        "medical_claim", [write_csv(tmp_path / "c.csv", [medical_row()])], acting_user=None
    )
    before = lake_fingerprint()
    [trial] = ingest_files(
        "medical_claim",
        [write_csv(tmp_path / "t.csv", [medical_row(claim_id="T1")])],
        acting_user=None,
        test=True,
    )
    assert (trial.status, trial.test) == ("committed", True)
    assert committed_batches(["medical_claim"]) == {"medical_claim": [real.batch_id]}
    assert lake_fingerprint() == before


def test_windows_line_ends_and_a_byte_order_mark(cast: Cast, tmp_path: Path) -> None:
    rows = [medical_row(claim_id="C1"), medical_row(claim_id="C2", claim_type="vision")]
    plain = write_csv(tmp_path / "plain.csv", rows)
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + plain.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    )
    [result] = ingest_files("medical_claim", [path], acting_user=None)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    [reject] = read_csv_rows(Path(str(result.rejects_file)))
    assert reject["line"] == "3"
    assert reject["reasons"].endswith(": vision")  # no stray carriage return
    assert lake_rows("medical_claim", "claim_id", "data_source") == [("C1", "test")]


def test_optional_key_columns_may_be_left_out(cast: Cast, tmp_path: Path) -> None:
    rows = [eligibility_row(member_id="M1"), eligibility_row(member_id="M1")]
    for row in rows:
        del row["plan"], row["enrollment_end_date"]
    [result] = ingest_files("eligibility", [write_csv(tmp_path / "e.csv", rows)], acting_user=None)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    [reject] = read_csv_rows(Path(str(result.rejects_file)))
    # member identifiers masked in the file (P1, M1: too short to show any of)
    assert reject["reasons"].startswith("duplicate key (person_id=••, member_id=••, payer=Keystone")
    assert reject["plan"] == ""
