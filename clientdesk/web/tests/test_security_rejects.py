"""The lake's rejects file: keys from the file as sent are written as text, not formulas, in a
file only the service user can read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat
from pathlib import Path

from django.utils import timezone

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.rejects import masked_reason
from clientdesk.lake.retention import Purged, purge_rejects
from clientdesk.lake.tests.lakefiles import eligibility_row, medical_row, write_csv
from clientdesk.testing import Cast
from clientdesk.web.clock import _rejects_retention
from clientdesk.web.tests.test_security_exports import assert_safe, csv_cells


def test_the_lake_rejects_file_writes_keys_as_text(cast: Cast, tmp_path: Path) -> None:
    payload = '=HYPERLINK("http://evil.example","x")'
    rows = [medical_row(claim_id="C1"), medical_row(claim_id=payload, paid_amount="lots")]
    path = write_csv(tmp_path / "claims.csv", rows, list(rows[0]))
    [result] = ingest_files("medical_claim", [path], acting_user=cast.mia)
    assert result.rows_rejected == 1
    rejects = Path(str(result.rejects_file))
    assert_safe(csv_cells(rejects.read_bytes()), expect=[payload])
    # Readable by the service user only (settings: umask 077), the batch's folder too.
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    assert stat.S_IMODE(rejects.parent.stat().st_mode) == 0o700


def test_rejects_files_are_erased_after_their_retention(
    cast: Cast, tmp_path: Path, settings: object
) -> None:
    settings.REJECTS_RETENTION_DAYS = 90  # type: ignore[attr-defined]
    rows = [medical_row(claim_id="C1"), medical_row(claim_id="C2", paid_amount="lots")]
    path = write_csv(tmp_path / "claims.csv", rows, list(rows[0]))
    [result] = ingest_files("medical_claim", [path], acting_user=cast.mia)
    rejects = Path(str(result.rejects_file))
    batch = IngestBatch.objects.get(rejects_path=str(rejects))
    assert batch.finished_at is not None
    assert purge_rejects(batch.finished_at + dt.timedelta(days=89)) == Purged(0, 0)
    assert rejects.is_file()
    assert purge_rejects(batch.finished_at + dt.timedelta(days=91)) == Purged(1, 1)
    assert not rejects.exists()
    batch.refresh_from_db()
    assert (batch.rejects_path, batch.rows_rejected) == ("", 1)  # the counts stay
    assert "rejects retention: 0 files" in _rejects_retention(timezone.now())


def test_the_rejects_file_holds_no_member_identifier_in_clear(cast: Cast, tmp_path: Path) -> None:
    """Read as bytes: the key columns and the reasons that quote a member id are masked as
    the data-loads page shows them, so the file itself (a download, a backup) leaks none."""
    good = eligibility_row(
        person_id="P100001",
        member_id="M123456789",
        subscriber_id="M123456789",
        social_security_number="123-45-6789",
        birth_date="1980-04-05",
    )
    broken = eligibility_row(
        person_id="P777777",
        member_id="M777777777",
        social_security_number="987-65-432X",
        birth_date="1979-02-30",
        enrollment_start_date="soon",
    )
    path = write_csv(tmp_path / "elig.csv", [good, dict(good), broken])
    [spans] = ingest_files("eligibility", [path], acting_user=cast.mia)
    assert (spans.rows_loaded, spans.rows_rejected) == (1, 2)
    claims = [medical_row(claim_id="C9", member_id="M555555555", person_id="P5", group_id="")]
    [lines] = ingest_files(
        "medical_claim", [write_csv(tmp_path / "c.csv", claims, list(claims[0]))],
        acting_user=cast.mia,
    )  # fmt: skip
    assert lines.rows_rejected == 1
    written = (
        Path(str(spans.rejects_file)).read_bytes() + Path(str(lines.rejects_file)).read_bytes()
    )
    for clear in (
        "P100001", "M123456789", "P777777", "M777777777", "M555555555", "123-45-6789",
        "987-65-432X", "1980-04-05", "1979-02-30",
    ):  # fmt: skip
        assert clear.encode() not in written, clear
    text = Path(str(spans.rejects_file)).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    # line 3 repeats line 2's key: the key and the reason quoting it masked alike
    assert (rows[0]["line"], rows[0]["person_id"], rows[0]["member_id"]) == (
        "3",
        "P1•••01",
        "M1••••••89",
    )
    assert "person_id=P1•••01, member_id=M1••••••89" in rows[0]["reasons"]
    assert (rows[1]["line"], rows[1]["member_id"]) == ("4", "M7••••••77")
    claim_text = Path(str(lines.rejects_file)).read_text(encoding="utf-8")
    assert "member_id M5••••••55 has no eligibility" in claim_text
    # the page's masking leaves the file's masked values as they are
    assert masked_reason(rows[0]["reasons"]) == rows[0]["reasons"]
    assert stat.S_IMODE(Path(str(spans.rejects_file)).stat().st_mode) == 0o600


def test_every_file_the_lake_writes_is_the_service_users_only(
    cast: Cast, tmp_path: Path, settings: object
) -> None:
    """Not only the rejects file: the Parquet parts, the schema and the batch's folders (DuckDB
    writes them, under the process umask 077 that settings sets)."""
    rows = [eligibility_row(person_id="P100001"), eligibility_row(person_id="P100002")]
    path = write_csv(tmp_path / "eligibility.csv", rows, list(rows[0]))
    [result] = ingest_files("eligibility", [path], acting_user=cast.mia)
    assert result.rows_loaded == 2
    lake = Path(settings.LAKE_DIR)  # type: ignore[attr-defined]
    written = list(lake.rglob("*"))
    assert any(p.suffix == ".parquet" for p in written)
    modes = {str(p.relative_to(lake)): stat.S_IMODE(p.stat().st_mode) for p in written}
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (lake / name).is_dir() else 0o600)
    }
    assert wrong == {}
    assert stat.S_IMODE(lake.stat().st_mode) == 0o700
