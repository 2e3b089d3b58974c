"""Loading a synthetic book also loads its drug reference (the `ndc/` folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clientdesk.demo.loading import load_book
from clientdesk.testing import Cast
from clientdesk.utilization.models import DrugProduct

pytestmark = pytest.mark.django_db


def test_load_book_loads_the_ndc_folder(cast: Cast, tmp_path: Path) -> None:
    (tmp_path / "book.json").write_text(json.dumps({"sponsors": []}))
    (tmp_path / "ndc").mkdir()
    pq.write_table(
        pa.table(
            {
                "ndc_code": ["00000000011", "00000000022"],
                "generic_flag": [True, False],
                "specialty_flag": [False, True],
            }
        ),
        tmp_path / "ndc" / "part-00000.parquet",
    )
    summary = load_book(tmp_path)
    assert summary["drugs"] == {"rows": 2, "created": 2, "updated": 0}
    assert list(
        DrugProduct.objects.order_by("ndc_code").values_list("ndc_code", "generic", "specialty")
    ) == [("00000000011", True, False), ("00000000022", False, True)]


def test_a_book_without_an_ndc_folder_loads_without_one(cast: Cast, tmp_path: Path) -> None:
    (tmp_path / "book.json").write_text(json.dumps({"sponsors": []}))
    assert "drugs" not in load_book(tmp_path)
    assert not DrugProduct.objects.exists()


def test_load_book_logs_the_decision_maker_touches_once(cast: Cast, tmp_path: Path) -> None:
    (tmp_path / "book.json").write_text(json.dumps({"sponsors": []}))
    touch = {
        "account": "G100001",
        "contact_email": "dana.whitfield@acme.example",
        "kind": "meeting",
        "subject": "Benefits review",
        "occurred_on": "2026-03-04",
    }
    (tmp_path / "activity.json").write_text(
        json.dumps({"touches": [touch, {**touch, "account": "G999999"}]})
    )
    assert load_book(tmp_path)["touches_logged"] == 1  # the unknown account is skipped
    event = cast.acme.activity.get(source_type="synth.activity")
    assert (event.kind, f"{event.occurred_at:%Y-%m-%d}") == ("meeting", "2026-03-04")
    assert list(event.contacts.all()) == [cast.acme_contact]
    assert load_book(tmp_path)["touches_logged"] == 0  # loaded again: nothing twice
