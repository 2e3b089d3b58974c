"""The session's shelf generates a book once per set of parameters and hands out its folder."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from clientdesk.synth.generator import SynthParams
from clientdesk.synth.testing import BookShelf

TINY = SynthParams(accounts=2, members=100, months=6, start=date(2025, 1, 1), seed=5, workers=1)


def test_the_same_parameters_get_the_same_book_generated_once(tmp_path: Path) -> None:
    shelf = BookShelf(tmp_path)
    first = shelf(TINY)
    (first.path / "book.json").touch()  # a second generation would rewrite it
    stamp = (first.path / "book.json").stat().st_mtime_ns

    again = shelf(replace(TINY))  # equal parameters, another object

    assert again is first
    assert len(shelf) == 1
    assert (first.path / "book.json").stat().st_mtime_ns == stamp
    assert (first.summary.accounts, first.summary.members) == (2, 100)


def test_other_parameters_get_another_book(tmp_path: Path) -> None:
    shelf = BookShelf(tmp_path)
    one, other = shelf(TINY), shelf(replace(TINY, seed=6))
    assert len(shelf) == 2
    assert one.path != other.path
    assert (one.path / "book.json").read_bytes() != (other.path / "book.json").read_bytes()


def test_a_second_process_reads_the_book_another_generated(tmp_path: Path) -> None:
    """Two shelves on one folder, as two pytest-xdist workers have: the second finds the
    book whole (its summary written last) and does not generate it again."""
    first = BookShelf(tmp_path)(TINY)
    stamp = (first.path / "book.json").stat().st_mtime_ns

    other = BookShelf(tmp_path)(replace(TINY))

    assert other.path == first.path
    assert (first.path / "book.json").stat().st_mtime_ns == stamp
    assert other.summary.as_dict() == first.summary.as_dict()
    assert other.summary.rows["eligibility"] == first.summary.rows["eligibility"] > 0
