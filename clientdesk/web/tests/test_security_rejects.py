"""The lake's rejects file: keys from the file as sent are written as text, not formulas."""

from __future__ import annotations

from pathlib import Path

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.testing import Cast
from clientdesk.web.tests.test_security_exports import assert_safe, csv_cells


def test_the_lake_rejects_file_writes_keys_as_text(cast: Cast, tmp_path: Path) -> None:
    payload = '=HYPERLINK("http://evil.example","x")'
    rows = [medical_row(claim_id="C1"), medical_row(claim_id=payload, paid_amount="lots")]
    path = write_csv(tmp_path / "claims.csv", rows, list(rows[0]))
    [result] = ingest_files("medical_claim", [path], acting_user=cast.mia)
    assert result.rows_rejected == 1
    content = Path(str(result.rejects_file)).read_bytes()
    assert_safe(csv_cells(content), expect=[payload])
