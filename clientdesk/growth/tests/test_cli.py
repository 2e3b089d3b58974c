"""`clientdesk growth suggest|pipeline` and `clientdesk rfp import|export`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from clientdesk.growth.tests.cast import acme_opportunity, library_answer, questionnaire_xlsx
from clientdesk.growth.tests.test_suggestions import _small_lake
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_rfp_import_fill_and_export(cast: Cast, tmp_path: Path) -> None:
    library_answer(cast, "How often are stewardship meetings held?", "Every quarter.")
    source = tmp_path / "acme.xlsx"
    source.write_bytes(questionnaire_xlsx())
    summary = json.loads(
        _run(
            "rfp",
            "import",
            str(source),
            "--title",
            "Acme",
            "--issuer",
            "Acme",
            "--final-due",
            "2026-05-01",
            "--account",
            "G100001",
            "--user",
            "mia",
            "--fill",
            "0.3",
            "--format",
            "json",
        )
    )
    assert summary["questions"] == 3 and summary["answered_from_library"] == 1
    out = tmp_path / "answered.xlsx"
    printed = _run("rfp", "export", str(summary["rfp"]), "--out", str(out))
    assert "1 of 3 answers" in printed
    assert load_workbook(out)["Questionnaire"]["D5"].value == "Every quarter."
    with pytest.raises(CommandError, match="not a readable XLSX"):
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"junk")
        _run(
            "rfp",
            "import",
            str(bad),
            "--title",
            "X",
            "--issuer",
            "X",
            "--final-due",
            "2026-05-01",
            "--user",
            "mia",
        )


def test_growth_pipeline_and_suggest_with_truth(cast: Cast, tmp_path: Path) -> None:
    acme_opportunity(cast)
    pipeline = json.loads(_run("growth", "pipeline", "--format", "json"))
    assert pipeline["open_value"] == "43200.00" and pipeline["weighted"] == "4320.00"
    assert pipeline["by_month"][0]["month"] == "2026-06"
    _small_lake(tmp_path)
    truth = tmp_path / "ground_truth.json"
    truth.write_text(json.dumps({"incidents": []}))
    (tmp_path / "growth_truth.json").write_text(
        json.dumps(
            {
                "programs": [
                    {"account": "G100001", "program": "disease_management", "would_pay": True},
                    {"account": "G100001", "program": "eap", "would_pay": True},
                    {"account": "G100002", "program": "eap", "would_pay": True},
                ]
            }
        )
    )
    result = json.loads(
        _run("growth", "suggest", "--period", "2025", "--truth", str(truth), "--format", "json")
    )
    # The open disease-management opportunity does not hide the finding when scoring.
    assert result["precision"] == 1.0 and result["recall"] == round(2 / 3, 4)
    assert result["missed"] == ["G100002:eap"]


def test_growth_renewals(cast: Cast) -> None:
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 9, 1, 15, tzinfo=dt.UTC)):
        assert "renewal opportunities opened: 1" in _run("growth", "renewals", "--within", "180")
        assert "opened: 0" in _run("growth", "renewals")  # Acme's renewal is open already
