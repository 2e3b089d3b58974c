"""The lake's rejects file: keys from the file as sent are written as text, not formulas, in a
file only the service user can read."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

from django.utils import timezone

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.retention import Purged, purge_rejects
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
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
