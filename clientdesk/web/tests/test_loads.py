"""The data-loads pages: each batch's counts and grouped reasons, its rejected rows masked
and audited, the rejects file as an audited export."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.rejects import DUPLICATE, NO_SPONSOR, mask, masked_reason
from clientdesk.lake.tests.lakefiles import eligibility_row, write_csv
from clientdesk.lake.tests.test_x12 import professional, write_837
from clientdesk.lake.x12.load import ingest_x12
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

MEMBER = "M123456789"
PERSON = "P100001"


def _load(cast: Cast, tmp_path: Path) -> IngestBatch:
    good = eligibility_row(person_id=PERSON, member_id=MEMBER, subscriber_id=MEMBER)
    rows = [
        good,  # line 2: loads
        dict(good),  # line 3: the same key again
        eligibility_row(person_id="P3", enrollment_start_date="2025-02-30"),  # line 4
        eligibility_row(person_id="P4", enrollment_start_date="soon", group_id="G999999"),  # 5
        eligibility_row(person_id="P5", group_id="G999999"),  # line 6
    ]
    [result] = ingest_files(
        "eligibility", [write_csv(tmp_path / "acme-elig.csv", rows)], acting_user=cast.mia
    )
    assert (result.rows_loaded, result.rows_rejected) == (1, 4)
    return IngestBatch.objects.get(pk=result.batch_id)


def test_a_batch_keeps_its_reasons_grouped_without_their_values(
    cast: Cast, tmp_path: Path, client: Client
) -> None:
    batch = _load(cast, tmp_path)
    # Lines 4 and 5 have a date that is not one; 5 and 6 name an unknown sponsor; 3 repeats
    # line 2's key. The values (2025-02-30, soon, G999999, the member id) are not in them.
    assert batch.rejected_reasons == [
        {"reason": "enrollment_start_date: not a date (YYYY-MM-DD)", "rows": 2},
        {"reason": NO_SPONSOR, "rows": 2},
        {"reason": DUPLICATE, "rows": 1},
    ]
    client.force_login(cast.mia)
    listed = client.get(reverse("loads:list")).content.decode()
    assert "acme-elig.csv" in listed and f"{NO_SPONSOR} · 2" in listed
    assert batch.checksum[:12] in listed
    page = client.get(reverse("loads:detail", args=[batch.pk])).content.decode()
    assert "enrollment_start_date: not a date (YYYY-MM-DD)" in page
    assert MEMBER not in page and "2025-02-30" not in page
    assert not AuditEvent.objects.filter(action="lake.view_rejects").exists()


def test_rejected_rows_are_masked_and_each_look_is_audited(
    cast: Cast, tmp_path: Path, client: Client
) -> None:
    batch = _load(cast, tmp_path)
    client.force_login(cast.ada)
    page = client.get(reverse("loads:rejected", args=[batch.pk])).content.decode()
    assert "4 rows" in page
    assert MEMBER not in page and PERSON not in page
    assert mask(MEMBER) == "M1••••••89" and mask(MEMBER) in page  # the key column
    assert f"member_id={mask(MEMBER)}" in page  # inside the duplicate-key reason
    look = AuditEvent.objects.get(action="lake.view_rejects")
    assert (look.kind, look.actor, look.detail["rows_shown"]) == ("phi_read", cast.ada, 4)
    response = client.get(reverse("loads:rejects_file", args=[batch.pk]))
    assert response.getvalue() == Path(batch.rejects_path).read_bytes()
    export = AuditEvent.objects.get(action="lake.export_rejects")
    assert (export.kind, export.detail["rows"]) == ("export", 4)


def test_reasons_mask_the_member_ids_they_quote() -> None:
    reason = (
        "duplicate key (person_id=P100001, member_id=M123456789, payer=Keystone): first on "
        "line 2 | group_id is empty and member_id W99887766 has no eligibility loaded"
    )
    assert masked_reason(reason) == (
        "duplicate key (person_id=P1•••01, member_id=M1••••••89, payer=Keystone): first on "
        "line 2 | group_id is empty and member_id W9•••••66 has no eligibility loaded"
    )


def test_an_x12_batch_shows_its_acceptance_report_and_its_rejected_lines(
    cast: Cast, tmp_path: Path, client: Client
) -> None:
    # Set 1: CLM1 with 2 lines, both numbered LX*1 (read; the second repeats the first's key
    # and the lake rejects it); set 2: a service line before its claim (the set is rejected,
    # CLM2 not read).
    good = professional("0001", "CLM1", MEMBER, lines=("99213", "87070")).replace("LX*2", "LX*1")
    path = write_837(tmp_path / "clinic.837", good, professional("0002", "CLM2", "M2", broken=True))
    [result] = ingest_x12([path], acting_user=cast.mia)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    batch = IngestBatch.objects.get(pk=result.batch_id)
    client.force_login(cast.mia)
    page = client.get(reverse("loads:detail", args=[batch.pk])).content.decode()
    assert "Acceptance report (X12)" in page
    assert (
        "2 transaction sets: 1 accepted, 0 accepted with errors, 1 rejected; 3 records read, "
        "1 in rejected sets" in page
    )
    assert '<span class="badge bad">rejected</span>' in page
    # set 2 starts at segment 27 (ISA, GS, set 1's 24 segments); its stray SV1 is segment 29
    assert "segment 29: SV1 without its LX (service line) loop" in page
    assert f"{DUPLICATE}</td>" in page
    assert MEMBER not in page
    rejected = client.get(reverse("loads:rejected", args=[batch.pk])).content.decode()
    assert "1 row as the file had them" in rejected and MEMBER not in rejected
    # the converted file's line 2 (CLM1's second line), its key and why
    assert (
        '<td>2</td><td>CLM1</td><td>1</td><td>SENDER</td><td class="small">duplicate key '
        "(claim_id=CLM1, claim_line_number=1, data_source=SENDER): first on line 1</td>"
    ) in rejected
    assert AuditEvent.objects.filter(action="lake.view_rejects").count() == 1
