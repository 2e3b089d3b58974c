"""Derived tables: built once per load version, stale after a reload, scoped, atomic."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import ibis.expr.types as ir
import pytest
from django.core.management import call_command

from clientdesk.accounts.models import Account
from clientdesk.lake import gateway, storage
from clientdesk.lake.gateway import DerivedTable, Lake, Reader, SystemActor, open_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

JOB = SystemActor("lake tests")

BUILDS: list[tuple[str, str, object]] = []
BUILT = ("system: derived-table build", "derived build", None)  # reader, kind, every account


def _paid_by_claim(lake: Lake) -> ir.Table:
    BUILDS.append((str(lake.reader), lake.kind, lake.scope.account_ids))
    t = lake.medical_claim
    return t.group_by(["account_id", "claim_id"]).aggregate(paid=t.paid_amount.sum())


PAID_BY_CLAIM = DerivedTable("test_paid_by_claim", ("medical_claim",), _paid_by_claim)


def _load(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    ingest_files("medical_claim", [write_csv(folder / name, rows)], acting_user=None)


def _rows(reader: Reader, accounts: list[Account] | None = None) -> list[tuple[str, Decimal]]:
    with open_lake(reader, accounts=accounts) as lake:
        t = lake.derived(PAID_BY_CLAIM)
        frame = lake.execute(t.order_by("claim_id"))
    return [(r.claim_id, Decimal(str(r.paid))) for r in frame.itertuples()]


@pytest.fixture(autouse=True)
def _count_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    BUILDS.clear()
    monkeypatch.setattr(gateway, "_empty_builds", {})


def test_built_once_per_load_scoped_on_read_and_rebuilt_after_a_reload(
    cast: Cast, tmp_path: Path
) -> None:
    _load(
        tmp_path,
        "a.csv",
        [
            medical_row(claim_id="A1", paid_amount="10.00"),
            medical_row(claim_id="A1", claim_line_number="2", paid_amount="5.50"),
            medical_row(claim_id="B1", group_id="G100002", paid_amount="7.00"),
        ],
    )
    # Built from every account, by the system, even when the first reader is a person who
    # sees one account (Alice: Acme); she reads her rows of it.
    assert _rows(cast.alice) == [("A1", Decimal("15.50"))]
    assert _rows(JOB, [cast.bayside]) == [("B1", Decimal("7.00"))]
    assert BUILDS == [BUILT]
    assert _rows(JOB) == [("A1", Decimal("15.50")), ("B1", Decimal("7.00"))]
    assert _rows(JOB, [cast.acme]) == [("A1", Decimal("15.50"))]
    assert BUILDS == [BUILT]  # read from the files, not rebuilt
    versions = [p.name for p in storage.derived_dir("test_paid_by_claim").iterdir()]
    assert [v for v in versions if not v.startswith(".")] == [
        open_lake(JOB).derived_version(PAID_BY_CLAIM)
    ]

    # A new batch of a source table: the old version is stale, the next read rebuilds.
    _load(tmp_path, "b.csv", [medical_row(claim_id="A2", paid_amount="1.25")])
    assert _rows(JOB) == [
        ("A1", Decimal("15.50")),
        ("A2", Decimal("1.25")),
        ("B1", Decimal("7.00")),
    ]
    assert len(BUILDS) == 2
    kept = list(storage.derived_dir("test_paid_by_claim").iterdir())
    assert len([p for p in kept if p.is_dir()]) == 1  # the stale version was removed


def test_a_replaced_batch_changes_the_version(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [medical_row(claim_id="A1")])
    ingest_files("medical_claim", [path], acting_user=None)
    with open_lake(JOB) as lake:
        first = lake.derived_version(PAID_BY_CLAIM)
        assert lake.derived_version(PAID_BY_CLAIM, key="x") != first
    ingest_files("medical_claim", [path], acting_user=None, replace=True)
    with open_lake(JOB) as lake:
        assert lake.derived_version(PAID_BY_CLAIM) != first
    # Batches of a table it does not read leave it alone.
    assert storage.load_version(["eligibility"]) == storage.load_version(["eligibility"])


def test_a_crashed_build_leaves_nothing_readable(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(tmp_path, "a.csv", [medical_row(claim_id="A1", paid_amount="10.00")])

    def crash(lake: Lake) -> ir.Table:
        expr = _paid_by_claim(lake)
        original = lake._con.to_parquet

        def write_half_then_die(e: ir.Table, path: Path, **kwargs: object) -> None:
            original(e, path)  # the file is complete on disk, the build is not
            raise KeyboardInterrupt

        monkeypatch.setattr(lake._con, "to_parquet", write_half_then_die)
        return expr

    broken = DerivedTable("test_paid_by_claim", ("medical_claim",), crash)
    with open_lake(JOB) as lake, pytest.raises(KeyboardInterrupt):
        lake.derived(broken)
    folder = storage.derived_dir("test_paid_by_claim")
    assert [p.name for p in folder.iterdir() if p.is_dir()] == []
    # The same version then builds and reads normally.
    assert _rows(JOB) == [("A1", Decimal("10.00"))]


def test_an_unfinished_build_folder_is_never_read_and_is_cleaned(
    cast: Cast, tmp_path: Path
) -> None:
    _load(tmp_path, "a.csv", [medical_row(claim_id="A1", paid_amount="10.00")])
    folder = storage.derived_dir("test_paid_by_claim")
    leftover = folder / ".tmp-dead"
    leftover.mkdir(parents=True)
    (leftover / "part-00000.parquet").write_bytes(b"PAR1 half a file")
    assert _rows(JOB) == [("A1", Decimal("10.00"))]
    assert not leftover.exists()


def test_names_must_be_plain_and_sorted_by_account() -> None:
    with pytest.raises(ValueError, match="name"):
        DerivedTable("../escape", ("medical_claim",), _paid_by_claim)
    with pytest.raises(ValueError, match="account_id"):
        DerivedTable("ok", ("medical_claim",), _paid_by_claim, sort_by=("claim_id",))


def test_ingest_prepare_builds_them_after_the_load(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def prepare(lake: Lake) -> list[str]:
        return [PAID_BY_CLAIM.name] if lake.materialize(PAID_BY_CLAIM).built else []

    monkeypatch.setattr(gateway, "_preparers", {"test": prepare})
    path = write_csv(tmp_path / "a.csv", [medical_row(claim_id="A1", paid_amount="10.00")])
    err = io.StringIO()
    call_command(
        "ingest", "medical_claim", str(path), "--prepare", stdout=io.StringIO(), stderr=err
    )
    assert "derived tables: 1 built" in err.getvalue() and "test_paid_by_claim" in err.getvalue()
    assert BUILDS == [BUILT]
    err = io.StringIO()
    call_command(
        "ingest", "medical_claim", str(path), "--prepare", stdout=io.StringIO(), stderr=err
    )
    assert "derived tables: 0 built" in err.getvalue() and "(all current)" in err.getvalue()
    assert _rows(JOB) == [("A1", Decimal("10.00"))]
    assert BUILDS == [BUILT]


def test_an_empty_lakes_table_is_built_once_a_process_and_never_once_rows_come(
    cast: Cast, tmp_path: Path, settings: object
) -> None:
    """With no committed batch in its sources, a version is the same table in every lake: the
    next empty lake gets a copy of the first one's file (same bytes, so the same types) instead
    of a build; a lake with rows builds its own."""

    def files(lake_dir: Path) -> list[bytes]:
        folder = lake_dir / "_derived" / "test_paid_by_claim"
        return [p.read_bytes() for p in sorted(folder.glob("*/part-*.parquet"))]

    first, second = tmp_path / "first", tmp_path / "second"
    settings.LAKE_DIR = first  # type: ignore[attr-defined]
    assert _rows(JOB) == []
    settings.LAKE_DIR = second  # type: ignore[attr-defined]
    assert _rows(cast.alice) == []
    assert BUILDS == [BUILT]  # copied into the second lake, not built
    assert files(first) == files(second) and len(files(first)) == 1
    with open_lake(JOB) as lake:
        assert lake.materialize(PAID_BY_CLAIM, key="other").built
    assert len(BUILDS) == 2  # another key, another version: built

    _load(tmp_path, "a.csv", [medical_row(claim_id="A1", paid_amount="10.00")])
    assert _rows(JOB) == [("A1", Decimal("10.00"))]
    assert len(BUILDS) == 3
    assert len(gateway._empty_builds) == 2  # what a lake with rows built is not kept
