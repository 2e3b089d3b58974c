"""The one reader of input files: format by content, rows numbered as a person finds them,
one-line errors (that its three users say the same: web/tests/test_input_file_readers.py)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clientdesk.lake.input_files import InputFileError, open_input
from clientdesk.lake.validation import SourceFormat


def test_csv_rows_carry_the_line_they_start_on(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    # A byte-order mark, then a value in quotes that spans two lines (rows on lines 2 and 4).
    path.write_bytes(b'\xef\xbb\xbfid,note\n1,"two\nlines"\n2,plain\n')
    source = open_input(path)
    assert (source.format, source.columns) == (SourceFormat.CSV, ("id", "note"))
    assert list(source.rows()) == [
        (2, {"id": "1", "note": "two\nlines"}),
        (4, {"id": "2", "note": "plain"}),
    ]


def test_parquet_is_told_by_content_with_its_float_columns(tmp_path: Path) -> None:
    path = tmp_path / "named-like-a.csv"  # the content decides, not the name
    table = pa.table({"id": ["a", "b", "c"], "amount": [1.5, 2.0, None], "n": [1, 2, 3]})
    pq.write_table(table, path)
    source = open_input(path)
    assert source.format == SourceFormat.PARQUET
    assert source.columns == ("id", "amount", "n") and source.float_columns == {"amount"}
    assert [(n, row["id"], row["amount"]) for n, row in source.rows()] == [
        (1, "a", 1.5),
        (2, "b", 2.0),
        (3, "c", None),
    ]


def test_unreadable_files_get_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    fake = tmp_path / "fake.parquet"
    fake.write_text("id\n1\n")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("société,id\n".encode("latin-1"))
    expected = {
        missing: f"{missing}: no such file",
        empty: "empty.csv: the file is empty",
        fake: "fake.parquet: not a Parquet file (it does not start with PAR1)",
        latin: "latin.csv: not UTF-8 text (save the file as UTF-8 CSV)",
    }
    for path, message in expected.items():
        with pytest.raises(InputFileError) as error:
            open_input(path)
        assert str(error.value) == message
    with pytest.raises(InputFileError, match=r"^broken\.parquet: not a readable Parquet file \("):
        open_input(broken)


def test_a_bad_byte_below_the_header_is_a_row_problem(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(b"id,note\n1,caf\xe9\n")
    assert open_input(path).columns == ("id", "note")  # the file opens; the row is judged later
