"""The lake's loads, the inquiry import and the drug reference read files with the one reader
(`lake/input_files.py`), so they refuse a file in the same words (here, above all three)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientdesk.inquiries.importing import ImportFileError, read_rows
from clientdesk.lake.ingestion import IngestError, inspect_source
from clientdesk.lake.schemas import get_table
from clientdesk.testing import Cast
from clientdesk.utilization.actions import DrugReferenceError, do_load_drug_reference
from clientdesk.utilization.models import DrugProduct


def test_the_three_readers_say_the_same(cast: Cast, tmp_path: Path) -> None:
    # One file with a Latin-1 header: the lake's load, the inquiry import and the drug
    # reference refuse it with the one reader's words.
    path = tmp_path / "latin.csv"
    path.write_bytes("société,id\n1,2\n".encode("latin-1"))
    message = "latin.csv: not UTF-8 text (save the file as UTF-8 CSV)"
    with pytest.raises(IngestError) as lake:
        inspect_source(get_table("inquiry_import"), path)
    with pytest.raises(ImportFileError) as imported:
        read_rows(path)
    with pytest.raises(DrugReferenceError) as drugs:
        do_load_drug_reference(path, acting_user=None)
    assert str(lake.value) == str(imported.value) == str(drugs.value) == message


def test_the_drug_reference_keeps_leading_zeros(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "ndc.csv"
    path.write_text("NDC_CODE,Generic_Flag,drug_name\n00002143380,true,insulin lispro\n")
    assert do_load_drug_reference(path, acting_user=None) == {
        "rows": 1,
        "created": 1,
        "updated": 0,
    }
    product = DrugProduct.objects.get()
    assert (product.ndc_code, product.generic, product.drug_name) == (
        "00002143380",
        True,
        "insulin lispro",
    )
