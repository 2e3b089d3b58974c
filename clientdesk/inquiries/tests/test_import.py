"""Loading the inquiry_import feed: every row loaded or rejected with its line and reasons,
idempotent on external_id, all-or-nothing."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from clientdesk.audit.models import AuditEvent
from clientdesk.inquiries.importing import COLUMNS, import_inquiries, read_rows
from clientdesk.inquiries.models import (
    Inquiry,
    InquiryEvent,
    InquiryImport,
    InquiryStatusChange,
    SlaEvent,
    SlaState,
)
from clientdesk.inquiries.tests.conftest import utc
from clientdesk.testing import Cast

NOW = utc(2026, 3, 20, 15)


def row(**values: Any) -> dict[str, Any]:
    base = {
        "external_id": "CRM-1",
        "group_id": "G100001",
        "opened_at": "2026-03-02T14:00:00Z",
        "channel": "phone",
        "requester_type": "member",
        "category": "claims",
        "subcategory": "claim_status",
        "priority": "normal",
        "member_id": "M00012345",
        "claim_id": "C0001",
        "description": "Member asks about a pending claim.\nDetails.",
        "status": "resolved",
        "resolved_at": "2026-03-02T16:00:00Z",
    }
    base.update(values)
    return base


GOOD = [
    row(),
    row(external_id="CRM-2", status="in_progress", resolved_at="", priority="high"),
    row(
        external_id="CRM-3",
        group_id="G100002",
        status="waiting_on_sponsor",
        resolved_at="",
        requester_type="sponsor",
        member_id="",
    ),
    row(external_id="CRM-4", status="closed", resolved_at="2026-03-04T15:00:00+00:00"),
]


def test_good_rows_load_with_their_history_and_sla(cast: Cast) -> None:
    result = import_inquiries(GOOD, acting_user=None, source="crm.csv", now=NOW)
    assert (result.rows_read, result.created, result.rejected) == (4, 4, 0)
    first = Inquiry.objects.get(external_id="CRM-1")
    assert first.status == "resolved" and first.subject == "Member asks about a pending claim."
    assert first.claim_ids == ["C0001"] and first.owner is None
    history = list(first.status_changes.values_list("to_status", "at"))
    assert history == [
        ("new", utc(2026, 3, 2, 14)),
        ("open", utc(2026, 3, 2, 14)),
        ("resolved", utc(2026, 3, 2, 16)),
    ]
    # Acme key account: 2 business hours, both clocks met.
    assert first.sla_state == SlaState.MET
    assert set(SlaEvent.objects.filter(inquiry=first).values_list("kind", flat=True)) == {"met"}
    paused = Inquiry.objects.get(external_id="CRM-3")
    assert paused.status == "waiting_on_sponsor" and paused.sla_state == SlaState.PAUSED
    closed = Inquiry.objects.get(external_id="CRM-4")
    assert [c.to_status for c in closed.status_changes.all()][-1] == "closed"
    # Imported open work is late and stays in the queue: a breach, no mail, no reassignment.
    assert Inquiry.objects.get(external_id="CRM-2").sla_state == SlaState.BREACHED
    batch = InquiryImport.objects.get()
    assert (batch.rows_read, batch.created, batch.rejected) == (4, 4, 0)
    audit = AuditEvent.objects.filter(action="inquiry.import")
    assert sorted(a.detail["created"] for a in audit) == [1, 3]
    assert InquiryEvent.objects.filter(kind="imported").count() == 4


def test_bad_rows_are_rejected_with_line_and_reasons(cast: Cast) -> None:
    rows = [
        *GOOD[:2],
        row(external_id="CRM-9", group_id="G999999", opened_at="yesterday"),
        row(external_id="", channel="chat", requester_type="provider"),
        row(
            external_id="CRM-10",
            status="open",
            resolved_at="2026-03-03T00:00:00Z",
            priority="asap",
            subcategory="cobra",
        ),
        row(external_id="CRM-11", resolved_at="2026-03-01T00:00:00Z"),
        row(external_id="CRM-12", member_id="", status="resolved", resolved_at=""),
        row(external_id="CRM-1"),
        row(external_id="CRM-13", opened_at="2027-01-01T00:00:00Z", resolved_at="", status="open"),
    ]
    result = import_inquiries(enumerate_lines(rows), acting_user=None, now=NOW)
    assert result.rows_read == 9 and result.rows_read == result.loaded + result.rejected
    assert (result.created, result.rejected) == (2, 7)
    reasons = {r.line: r.reasons for r in result.rejects}
    assert reasons[4] == [
        "group_id 'G999999' is not one of your accounts",
        "opened_at 'yesterday' is not an ISO timestamp",
    ]
    assert reasons[5] == [
        "external_id is missing",
        "channel 'chat' is not one of phone, email, portal, onsite",
        "requester_type 'provider' is not one of member, sponsor, broker",
    ]
    assert reasons[6] == [
        "priority 'asap' is not one of low, normal, high, urgent",
        "subcategory 'cobra' is not in category 'claims'",
        "resolved_at is set but the status is open",
    ]
    assert reasons[7] == ["resolved_at is before opened_at"]
    assert reasons[8] == [
        "a resolved inquiry needs resolved_at",
        "a member inquiry needs member_id",
    ]
    assert reasons[9] == ["external_id repeats line 2"]
    assert reasons[10] == ["opened_at is in the future"]


def enumerate_lines(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(index + 2, r) for index, r in enumerate(rows)]


def test_loading_again_changes_nothing(cast: Cast) -> None:
    import_inquiries(GOOD, acting_user=None, now=NOW)
    counts = (
        Inquiry.objects.count(),
        InquiryStatusChange.objects.count(),
        SlaEvent.objects.count(),
    )
    again = import_inquiries([*GOOD, row(external_id="CRM-5")], acting_user=None, now=NOW)
    assert (again.rows_read, again.created, again.already_present, again.rejected) == (5, 1, 4, 0)
    assert again.loaded == 5
    assert Inquiry.objects.count() == counts[0] + 1
    assert InquiryStatusChange.objects.count() == counts[1] + 3


def test_all_or_nothing(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("clientdesk.inquiries.sla.recompute", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_inquiries(GOOD, acting_user=None, now=NOW)
    assert not Inquiry.objects.exists() and not InquiryImport.objects.exists()
    assert (
        not InquiryStatusChange.objects.exists()
        and not AuditEvent.objects.filter(action="inquiry.import").exists()
    )


def test_a_user_loads_only_into_their_accounts(cast: Cast) -> None:
    result = import_inquiries(GOOD, acting_user=cast.alice, now=NOW)
    assert result.created == 3
    assert result.rejects[0].reasons == ["group_id 'G100002' is not one of your accounts"]


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_command_reads_csv_and_parquet(cast: Cast, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "feed.csv", [*GOOD[:2], row(external_id="X", channel="fax")])
    out = StringIO()
    rejects = tmp_path / "rejects.csv"
    call_command(
        "inquiries",
        "import",
        str(source),
        "--format",
        "json",
        "--rejects",
        str(rejects),
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert (result["rows_read"], result["loaded"], result["rejected"]) == (3, 2, 1)
    assert result["rejects"][0]["line"] == 6  # each description spans two lines
    assert "fax" in rejects.read_text()
    table = pa.Table.from_pylist(
        [
            row(external_id="PQ-1"),
            row(
                external_id="PQ-2",
                opened_at="2026-03-03T14:00:00",
                resolved_at="2026-03-03T16:00:00",
            ),
        ]
    )
    pq.write_table(table, tmp_path / "feed.parquet")
    text = StringIO()
    call_command(
        "inquiries", "import", str(tmp_path / "feed.parquet"), "--user", "mia", stdout=text
    )
    assert text.getvalue().startswith(
        "2 rows read: 2 loaded (2 new, 0 already present), 0 rejected"
    )
    assert InquiryImport.objects.get(source="feed.parquet").actor == cast.mia
    (tmp_path / "short.csv").write_text("external_id,group_id\nA,G100001\n")
    with pytest.raises(CommandError, match="missing columns: opened_at"):
        call_command("inquiries", "import", str(tmp_path / "short.csv"))
    (tmp_path / "feed.txt").write_text("external_id\n")
    with pytest.raises(CommandError, match=r"read \.csv or \.parquet"):
        call_command("inquiries", "import", str(tmp_path / "feed.txt"))
    assert [line for line, _ in read_rows(source)] == [2, 4, 6]


def test_the_lake_feed_loads_once_with_sla_clocks(cast: Cast, tmp_path: Path) -> None:
    """What the demo calls: import_from_lake reads every committed batch of the lake's
    inquiry_import feed; a second run finds everything already present."""
    from clientdesk.inquiries.importing import import_from_lake
    from clientdesk.inquiries.models import SlaOutcomeDay
    from clientdesk.lake.ingestion import ingest_files

    feed = [
        row(external_id="L-1", first_responded_at="2026-03-02T15:00:00Z"),
        row(
            external_id="L-2",
            group_id="G100002",
            status="in_progress",
            resolved_at="",
            opened_at="2026-03-03T16:00:00Z",
        ),
        row(external_id="L-3", subcategory="cobra"),  # not a claims subcategory
    ]
    [batch] = ingest_files(
        "inquiry_import", [write_csv(tmp_path / "feed.csv", feed)], acting_user=None
    )
    assert batch.rows_loaded == 3

    first = import_from_lake(now=NOW)
    assert (first.rows_read, first.created, first.already_present, first.rejected) == (3, 2, 0, 1)
    # Ordered by opened_at, then external_id: L-1, L-3 (same instant), L-2.
    assert [(r.line, r.external_id) for r in first.rejects] == [(2, "L-3")]
    assert first.rejects[0].reasons == ["subcategory 'cobra' is not in category 'claims'"]
    # L-1 at Acme: answered after 1 business hour, resolved after 2, both clocks met, counted
    # on Mon Mar 2 (the first response from the lake's optional first_responded_at column).
    met = Inquiry.objects.get(external_id="L-1")
    assert met.sla_state == SlaState.MET and met.owner is None
    # L-2 at Bayside (standard, 8 h first response from Tue 08:00 PST): still in progress on
    # Mar 20, so breached, unassigned, in the queue.
    late = Inquiry.objects.get(external_id="L-2")
    assert (late.status, late.sla_state, late.owner) == ("open", SlaState.BREACHED, None)
    days = dict(
        SlaOutcomeDay.objects.filter(
            dimension="account", key=str(cast.acme.pk), kind="met"
        ).values_list("metric", "day")
    )
    monday = dt.date(2026, 3, 2)
    assert days == {"first_response": monday, "resolution": monday}

    counts = (
        Inquiry.objects.count(),
        InquiryStatusChange.objects.count(),
        SlaEvent.objects.count(),
        SlaOutcomeDay.objects.count(),
    )
    again = import_from_lake(now=NOW)
    assert (again.created, again.already_present, again.rejected) == (0, 2, 1)
    assert counts == (
        Inquiry.objects.count(),
        InquiryStatusChange.objects.count(),
        SlaEvent.objects.count(),
        SlaOutcomeDay.objects.count(),
    )

    out = StringIO()
    call_command("inquiries", "import", "--from-lake", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["already_present"] == 2
    with pytest.raises(CommandError, match="Give a FILE or --from-lake"):
        call_command("inquiries", "import")
