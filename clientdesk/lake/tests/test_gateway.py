"""The analytics gateway: account scope, row and time limits, and final-action staging."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import ibis
import ibis.expr.operations as ops
import pytest

from clientdesk.accounts.models import Account, Assignment
from clientdesk.lake import gateway, storage
from clientdesk.lake.gateway import (
    Lake,
    LakeError,
    QueryTimeout,
    Reader,
    RowLimitExceeded,
    SystemActor,
    open_lake,
)
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.schemas import get_table
from clientdesk.lake.sql_shapes import shape_of
from clientdesk.lake.staging import claim_line_versions, final_action_claim_lines
from clientdesk.lake.tests.lakefiles import (
    medical_row,
    processing_row,
    write_bulk_medical_csv,
    write_csv,
)
from clientdesk.people.roles import Role
from clientdesk.testing import Cast, make_user

pytestmark = pytest.mark.django_db

JOB = SystemActor("lake tests")


@pytest.fixture
def two_sponsors(cast: Cast, tmp_path: Path) -> Cast:
    rows = [medical_row(claim_id=f"A{i}") for i in range(3)] + [
        medical_row(claim_id=f"B{i}", group_id="G100002") for i in range(2)
    ]
    ingest_files("medical_claim", [write_csv(tmp_path / "c.csv", rows)], acting_user=None)
    return cast


def claim_ids(reader: Reader, accounts: list[Account] | None = None) -> list[str]:
    with open_lake(reader, accounts=accounts) as lake:
        t = lake.medical_claim
        return sorted(lake.execute(t.claim_id).tolist())


def test_an_associate_sees_only_their_accounts_rows(two_sponsors: Cast) -> None:
    cast = two_sponsors
    zoe = make_user("zoe", Role.ASSOCIATE, "Zoe", "Associate")
    Assignment.objects.create(
        account=cast.bayside, user=zoe, role="backup", since=dt.date(2025, 1, 1)
    )
    assert claim_ids(zoe) == ["B0", "B1"]
    assert claim_ids(cast.alice) == ["A0", "A1", "A2"]
    assert claim_ids(cast.mia) == ["A0", "A1", "A2", "B0", "B1"]  # a manager sees all
    assert claim_ids(cast.eve) == ["A0", "A1", "A2", "B0", "B1"]  # so does an executive
    assert claim_ids(cast.sam) == []  # service operations: no accounts
    assert claim_ids(JOB) == ["A0", "A1", "A2", "B0", "B1"]
    assert claim_ids(JOB, [cast.bayside]) == ["B0", "B1"]
    with open_lake(zoe) as lake:
        # Aggregates are scoped too: the filter sits under every expression.
        t = lake.medical_claim
        assert lake.execute(t.paid_amount.sum()) == Decimal("160.00")
        assert lake.execute(t.account_id.nunique()) == 1


def test_the_scope_is_in_the_view_not_in_the_expression(two_sponsors: Cast) -> None:
    """A reader's table is a view of their scope's rows: no filter sits in the expression for
    code to unwrap to every account's rows, and the same query is the same shape for every
    reader (compiled once, `sql_shapes`)."""
    with open_lake(two_sponsors.alice) as alices, open_lake(JOB) as jobs:
        for lake in (alices, jobs):
            assert isinstance(lake.medical_claim.op(), ops.DatabaseTable)
        (view,) = alices._views
        count = alices._con.raw_sql(f'SELECT count(*) FROM "{view}"').fetchall()  # noqa: S608
        assert count == [(3,)]
        theirs, every = (shape_of(lake.medical_claim.count().op()) for lake in (alices, jobs))
        assert theirs is not None and every is not None and theirs[0] == every[0]


def test_every_lake_table_opens_even_when_empty(cast: Cast) -> None:
    with open_lake(JOB) as lake:
        for name in (
            "eligibility",
            "medical_claim",
            "pharmacy_claim",
            "call_record",
            "ivr_session",
            "claim_processing",
            "inquiry_import",
            "survey_response",
        ):
            t = getattr(lake, name)
            assert lake.execute(t.count()) == 0
            assert {"account_id", "batch_id"} <= set(t.columns)
        assert lake.medical_claim.paid_amount.type().is_decimal()
        with pytest.raises(LakeError, match="no lake table 'dental'"):
            lake.table("dental")


def test_row_limit(two_sponsors: Cast) -> None:
    with open_lake(JOB, max_rows=4) as lake:
        t = lake.medical_claim
        with pytest.raises(RowLimitExceeded, match="more than 4 rows"):
            lake.execute(t)
        with pytest.raises(RowLimitExceeded):
            lake.execute(t.claim_id)
        assert len(lake.execute(t.limit(4))) == 4
        by_account = lake.execute(t.group_by("account_id").aggregate(n=t.count()))
        assert sorted(by_account["n"].tolist()) == [2, 3]


def test_time_limit_interrupts_and_the_lake_stays_usable(cast: Cast, tmp_path: Path) -> None:
    path = write_bulk_medical_csv(tmp_path / "bulk.csv", 2_000, groups=["G100001"])
    ingest_files("medical_claim", [path], acting_user=None)
    with open_lake(JOB, timeout_s=0.3) as lake:
        t = lake.medical_claim.select("claim_id", "paid_amount")
        a, b, c = (t.rename(**{f"{k}_{n}": k for k in t.columns}) for n in "abc")
        huge = a.cross_join(b).cross_join(c)  # 8 billion rows
        with pytest.raises(QueryTimeout, match=r"longer than 0\.3 s"):
            lake.execute(huge.aggregate(total=(huge.paid_amount_a * huge.paid_amount_b).sum()))
        assert lake.execute(lake.medical_claim.count()) == 2_000


def test_lakes_share_the_process_database_and_nothing_else(two_sponsors: Cast) -> None:
    """Each reader's lake is a connection to the process's one DuckDB database: its tables
    (temporary views), its caches and its time zone are its own."""

    def tables(lake: Lake) -> set[str]:  # what the connection sees (tables and views)
        rows = lake._con.raw_sql("SELECT table_name FROM information_schema.tables").fetchall()
        return {name for (name,) in rows}

    with open_lake(two_sponsors.alice) as alices, open_lake(JOB) as jobs:
        assert sorted(alices.execute(alices.medical_claim.claim_id)) == ["A0", "A1", "A2"]
        assert len(jobs.execute(jobs.medical_claim)) == 5
        (view,) = alices._views
        assert view in tables(alices)
        with alices.medical_claim.cache() as cached:
            name = cached.get_name().rpartition(".")[2]  # temp.main.ibis_cached_…
            assert name in tables(alices)
            assert not {view, name} & tables(jobs)
        alices._con.raw_sql("SET TimeZone = 'America/Chicago'")
        assert jobs._con.raw_sql("SELECT current_setting('TimeZone')").fetchall() == [("UTC",)]
        assert gateway._duckdb is not None and gateway._duckdb[0] == os.getpid()


def test_a_build_caps_the_memory_of_a_database_of_its_own(cast: Cast) -> None:
    def memory_limit(lake: Lake) -> str:
        return str(lake._con.raw_sql("SELECT current_setting('memory_limit')").fetchall()[0][0])

    with open_lake(JOB) as lake:
        readers = memory_limit(lake)
        source = lake._every_account(JOB, gateway.BUILD)
        own = memory_limit(source)
        with source._build_memory():
            assert memory_limit(source) == "3.7 GiB"  # 4 GB, as DuckDB writes it
            assert memory_limit(lake) == readers
        assert memory_limit(source) == own
        with pytest.raises(LakeError, match="own database"), lake._build_memory():
            pass


def test_a_table_has_the_types_ibis_reads_its_type_names_parsed_once(two_sponsors: Cast) -> None:
    gateway._DuckDBTypes.from_string.cache_clear()
    with open_lake(JOB) as first, open_lake(JOB) as second:
        ours = first.medical_claim.schema()
        parsed = gateway._DuckDBTypes.from_string.cache_info()
        assert second.medical_claim.schema() == ours
        again = gateway._DuckDBTypes.from_string.cache_info()
    plain = ibis.duckdb.connect()  # Ibis's own backend, reading the same files
    try:
        paths = [str(f) for f in storage.committed_files(get_table("medical_claim"))]
        theirs = plain.read_parquet(paths, union_by_name=True).schema()
    finally:
        plain.disconnect()
    assert ours == theirs
    assert parsed.misses == parsed.currsize < len(ours)  # one parse a distinct type name
    assert (again.misses, again.hits) == (parsed.misses, parsed.hits + len(ours))


def test_a_forked_process_opens_a_database_of_its_own(cast: Cast) -> None:
    with open_lake(JOB) as lake:
        assert lake.execute(lake.medical_claim.count()) == 0
    assert gateway._duckdb is not None
    parent = gateway._duckdb[1]
    child = os.fork()
    if child == 0:  # pragma: no cover  # the child reports through its exit status
        try:
            backend = gateway._duckdb_connection()
            fresh = gateway._duckdb[1] is not parent and gateway._duckdb[0] == os.getpid()
            answer = backend.raw_sql("SELECT 41 + 1").fetchall()
            os._exit(0 if fresh and answer == [(42,)] else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert gateway._duckdb[1] is parent


def test_final_action_of_resent_claim_lines(cast: Cast, tmp_path: Path) -> None:
    first = [
        medical_row(claim_id="C1", paid_amount="80.00", file_date="2025-04-01"),
        medical_row(
            claim_id="C1", claim_line_number="2", paid_amount="10.00", file_date="2025-04-01"
        ),
        medical_row(claim_id="C2", paid_amount="50.00", file_date="2025-04-01"),
        medical_row(claim_id="C3", paid_amount="0.00", file_date="2025-04-01"),  # denied
    ]
    second = [
        medical_row(claim_id="C1", paid_amount="95.00", file_date="2025-05-01"),  # adjusted
        medical_row(claim_id="C2", paid_amount="-50.00", file_date="2025-05-01"),  # reversed
        medical_row(claim_id="C3", paid_amount="40.00", file_date="2025-05-01"),  # re-submitted
    ]
    # Loaded out of order: the later extract first. file_date decides the order.
    ingest_files("medical_claim", [write_csv(tmp_path / "2.csv", second)], acting_user=None)
    ingest_files("medical_claim", [write_csv(tmp_path / "1.csv", first)], acting_user=None)
    with open_lake(JOB) as lake:
        t = lake.medical_claim
        versions = lake.execute(
            claim_line_versions(t)
            .select(
                "claim_id",
                "claim_line_number",
                "version_number",
                "record_type",
                "payment_status",
                "is_final_action",
            )
            .order_by(["claim_id", "claim_line_number", "version_number"])
        )
        final = final_action_claim_lines(t)
        final_rows = lake.execute(
            final.select("claim_id", "claim_line_number", "paid_amount").order_by(
                ["claim_id", "claim_line_number"]
            )
        )
        all_paid = lake.execute(t.paid_amount.sum())
        grain = lake.execute(
            final.group_by(["claim_id", "claim_line_number", "data_source"])
            .aggregate(n=final.count())
            .n.max()
        )
    assert [tuple(r) for r in versions.itertuples(index=False)] == [
        ("C1", 1, 1, "original", "paid", False),
        ("C1", 1, 2, "adjustment", "paid", True),
        ("C1", 2, 1, "original", "paid", True),
        ("C2", 1, 1, "original", "paid", False),
        ("C2", 1, 2, "reversal", "reversed", False),
        ("C3", 1, 1, "original", "denied", False),
        ("C3", 1, 2, "adjustment", "paid", True),
    ]
    assert [tuple(r) for r in final_rows.itertuples(index=False)] == [
        ("C1", 1, Decimal("95.00")),
        ("C1", 2, Decimal("10.00")),
        ("C3", 1, Decimal("40.00")),
    ]
    assert grain == 1
    assert all_paid == Decimal("225.00")  # the input layer keeps every version


def test_final_action_with_adjustments_under_new_claim_ids(cast: Cast, tmp_path: Path) -> None:
    medical = [
        medical_row(claim_id="C1", paid_amount="100.00"),
        medical_row(claim_id="C1R", paid_amount="-100.00"),
        medical_row(claim_id="C1A", paid_amount="70.00"),
        medical_row(claim_id="C2", paid_amount="30.00"),
        medical_row(claim_id="C2R", paid_amount="-30.00"),  # voided, no replacement
        medical_row(claim_id="C3", paid_amount="25.00"),
    ]
    processing = [
        processing_row(claim_id="C1"),
        processing_row(
            claim_id="C1R", adjustment_type="reversal", claim_frequency="8", paid_amount="-100"
        ),
        processing_row(claim_id="C1A", adjustment_type="replacement", claim_frequency="7"),
        processing_row(claim_id="C2"),
        processing_row(claim_id="C2R", adjustment_type="reversal", claim_frequency="8"),
        processing_row(claim_id="C3"),
    ]
    for row in processing:
        row["original_claim_id"] = row["claim_id"].rstrip("RA")
    ingest_files("medical_claim", [write_csv(tmp_path / "m.csv", medical)], acting_user=None)
    ingest_files("claim_processing", [write_csv(tmp_path / "p.csv", processing)], acting_user=None)
    with open_lake(JOB) as lake:
        final = final_action_claim_lines(lake.medical_claim, lake.claim_processing)
        rows = lake.execute(final.select("claim_id", "paid_amount").order_by("claim_id"))
        total = lake.execute(lake.medical_claim.paid_amount.sum())
    assert [tuple(r) for r in rows.itertuples(index=False)] == [
        ("C1A", Decimal("70.00")),
        ("C3", Decimal("25.00")),
    ]
    assert total == Decimal("95.00") == sum(rows.paid_amount)


def test_expressions_use_ibis_as_usual(two_sponsors: Cast) -> None:
    with open_lake(JOB) as lake:
        t = lake.medical_claim
        bucket = ibis.cases((t.paid_amount >= 100, "high"), else_="low")
        frame = lake.execute(t.group_by(bucket=bucket).aggregate(n=t.count()))
    assert frame.to_dict("records") == [{"bucket": "low", "n": 5}]
