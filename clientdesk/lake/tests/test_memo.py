"""An answer read from the lake is kept while the lake holds the same batches of its tables."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from clientdesk.lake.memo import LakeMemo, tables_state
from clientdesk.lake.models import BatchStatus, IngestBatch

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _commit(table: str, checksum: str) -> IngestBatch:
    return IngestBatch.objects.create(
        table=table,
        source_name=f"{checksum}.csv",
        source_format="csv",
        checksum=checksum,
        status=BatchStatus.COMMITTED,
        started_at=MOMENT,
        finished_at=MOMENT,
    )


def test_an_answer_is_read_once_per_state_of_its_tables() -> None:
    memo: LakeMemo[int] = LakeMemo(size=8)
    reads: list[str] = []

    def read(label: str) -> int:
        reads.append(label)
        return len(reads)

    assert memo.get(["survey_response"], ("scope-a",), lambda: read("a")) == 1
    assert memo.get(["survey_response"], ("scope-a",), lambda: read("a")) == 1  # kept
    assert memo.get(["survey_response"], ("scope-b",), lambda: read("b")) == 2  # other key
    _commit("medical_claim", "f" * 64)  # another table's load changes nothing here
    assert memo.get(["survey_response"], ("scope-a",), lambda: read("a")) == 1
    _commit("survey_response", "e" * 64)  # a load of the table: read again
    assert memo.get(["survey_response"], ("scope-a",), lambda: read("a")) == 3
    assert reads == ["a", "b", "a"]


def test_the_state_tells_a_reused_batch_id_apart() -> None:
    batch = _commit("survey_response", "a" * 64)
    before = tables_state(["survey_response"])
    IngestBatch.objects.filter(pk=batch.pk).update(checksum="b" * 64)  # same id, other file
    assert tables_state(["survey_response"]) != before
    IngestBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.REPLACED)
    assert tables_state(["survey_response"]) == tables_state([])


def test_the_oldest_answer_goes_first() -> None:
    memo: LakeMemo[str] = LakeMemo(size=2)
    reads: list[str] = []

    def read(key: str) -> str:
        reads.append(key)
        return key

    for key in ("a", "b", "c", "a", "c"):
        memo.get(["survey_response"], (key,), functools.partial(read, key))
    assert reads == ["a", "b", "c", "a"]  # "a" was pushed out by "c"; "c" was still kept
