"""A lake load on the named cast, made through the real ingestion (for the access matrix)."""

from __future__ import annotations

from django.conf import settings

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.testing import Cast


def rejected_batch(c: Cast) -> dict[str, int]:
    """A committed medical_claim batch with one row loaded and one rejected (a rejects file)."""
    found = IngestBatch.objects.filter(rows_rejected__gt=0).first()
    if found is None:
        folder = settings.DATA_DIR / "inbox"
        folder.mkdir(parents=True, exist_ok=True)
        rows = [medical_row(claim_id="C1"), medical_row(claim_id="C2", paid_amount="lots")]
        path = write_csv(folder / "claims.csv", rows)
        [result] = ingest_files("medical_claim", [path], acting_user=c.mia)
        found = IngestBatch.objects.get(pk=result.batch_id)
    return {"batch_id": found.pk}
