"""`clientdesk utilization` and `clientdesk ndc`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_by_group_number(book: Cast) -> None:
    out, _ = run(
        "utilization",
        "--account",
        "g100001",
        "--from",
        "2025-04",
        "--to",
        "2025-06",
        "--format",
        "json",
        "--threshold",
        "10000",
    )
    report = json.loads(out)
    assert report["period"]["code"] == "2025Q2"
    assert report["member_months"]["total"] == 8
    assert report["paid_pmpm"]["total"] == 2691.25
    assert "ed" in {c["leaf"] for c in report["allowed_pmpm"]["by_service_category"]}
    assert set(report["paid_pmpm"]) >= {"total", "medical", "pharmacy", "by_service_category"}
    assert report["trend"]["paid"]["unit_cost"] == 812.5
    assert report["high_cost_claimants"]["count"] == 1


def test_table_and_csv(book: Cast) -> None:
    out, _ = run(
        "utilization", "--account", str(book.acme.pk), "--from", "2025-04", "--to", "2025-06"
    )
    assert "paid pmpm      total   2,691.25" in out
    csv_out, _ = run(
        "utilization",
        "--account",
        "G100001",
        "--from",
        "2025-04",
        "--to",
        "2025-06",
        "--format",
        "csv",
    )
    assert csv_out.splitlines()[0].startswith("category 1,category 2")


def test_plausibility_warning_in_the_cli(book: Cast) -> None:
    _, err = run("utilization", "--account", "G100002", "--from", "2025-04", "--to", "2025-06")
    assert "outside the plausible range" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "G999999", "--from", "2025-04", "--to", "2025-06"], "no account"),
        (["--account", "G100001", "--from", "2025-13", "--to", "2025-06"], "not a month"),
        (["--account", "G100001", "--from", "2025-06", "--to", "2025-04"], "end on or after"),
        (
            ["--account", "G100001", "--from", "2025-04", "--to", "2025-06", "--threshold", "5"],
            r"at least \$1,000",
        ),
    ],
)
def test_errors_are_one_line(cast: Cast, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as error:
        call_command("utilization", *args)
    assert "\n" not in str(error.value)


def test_ndc_reference(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "ndc.csv"
    path.write_text("ndc_code,generic_flag,specialty_flag\n00000000011,true,false\n")
    out, _ = run("ndc", str(path))
    assert out.strip() == "1 NDCs read: 1 added, 0 updated"
    bad = tmp_path / "bad.csv"
    bad.write_text("ndc,generic\n1,true\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("ndc", str(bad))
