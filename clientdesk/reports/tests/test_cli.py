"""`clientdesk report stewardship|portfolio`: files written, runs recorded, clear errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clientdesk.audit.models import AuditEvent
from clientdesk.reports.models import ReportRun, RunStatus
from clientdesk.reports.tests.files import deck_slides, row_by_label, sheet_rows, workbook
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_stewardship_by_group_number(book: Cast, tmp_path: Path) -> None:
    out = run(
        "stewardship",
        "--account",
        "g100001",
        "--period",
        "2025Q2",
        "--format",
        "pptx,xlsx",
        "--out",
        str(tmp_path / "out"),
        "--json",
        "--today",
        "2025-12-31",
    )
    result = json.loads(out)
    names = sorted(Path(p).name for p in result["files"])
    assert names == ["stewardship-G100001-2025Q2.pptx", "stewardship-G100001-2025Q2.xlsx"]
    xlsx = (tmp_path / "out" / "stewardship-G100001-2025Q2.xlsx").read_bytes()
    assert row_by_label(sheet_rows(workbook(xlsx), "Headlines"), "Paid PMPM ($)")[1] == 2691.25
    pptx = (tmp_path / "out" / "stewardship-G100001-2025Q2.pptx").read_bytes()
    assert deck_slides(pptx)[0]["title"] == "Acme Steel Works — stewardship report"
    recorded = ReportRun.objects.get(pk=result["run"])
    assert recorded.requested_by is None and recorded.status == RunStatus.DONE
    assert AuditEvent.objects.filter(action="reports.generated", actor_label="system").exists()


def test_portfolio_with_a_users_access(book: Cast, tmp_path: Path) -> None:
    out = run(
        "portfolio",
        "--period",
        "2025Q2",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path),
        "--user",
        "eve",
    )
    assert out.strip() == str(tmp_path / "portfolio-2025Q2.xlsx")
    assert ReportRun.objects.get().requested_by == book.eve


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["stewardship", "--account", "G999999", "--period", "2025Q2"],
            "no account 'G999999' (use its id or group number)",
        ),
        (
            ["stewardship", "--account", "G100002", "--period", "2025Q2", "--user", "alice"],
            "no account 'G100002' (use its id or group number)",
        ),
        (
            ["stewardship", "--account", "G100001", "--period", "2025Q9"],
            "'2025Q9' is not a period; write 2026-03, 2026Q1, 2026, R12-2026-03"
            " or 2025-04..2026-03",
        ),
        (
            ["stewardship", "--account", "G100001", "--period", "2025Q2", "--format", "docx"],
            "formats are pptx, brief, xlsx, pdf (got docx)",
        ),
        (
            ["portfolio", "--period", "2025Q2", "--user", "alice"],
            "the portfolio report is for managers, executives and admins",
        ),
        (["portfolio", "--period", "2025Q2", "--user", "nobody"], "No active user 'nobody'."),
    ],
)
def test_errors_are_one_line(cast: Cast, tmp_path: Path, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as error:
        run(*args, "--out", str(tmp_path))
    assert str(error.value) == message
    assert not ReportRun.objects.exists()
