"""Answers read from the lake, kept for as long as the lake holds the same batches.

A page that reads the lake on every request (the home page's satisfaction work list, a tab's
counts) reads it again only when a batch of one of its tables commits or is replaced:
`LakeMemo.get(tables, key, compute)` answers from memory when the tables' state and the key are
the ones it has seen. The key must hold whatever narrows the answer, above all the scope the
reader gets (`gateway.scope_of`), so a reader never receives an answer computed for a wider
scope. The memo is per process and bounded (least recently used out first).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from django.conf import settings

from clientdesk.lake.models import BatchStatus, IngestBatch

T = TypeVar("T")


def tables_state(tables: Iterable[str]) -> str:
    """A digest of the committed batches of `tables` (test batches too: they are few) and the
    data dir. A batch is its id, file checksum and commit time, so a batch id used again (after
    a restore, or in a rolled-back test) never matches an earlier state."""
    rows = (
        IngestBatch.objects.filter(table__in=sorted(set(tables)), status=BatchStatus.COMMITTED)
        .order_by("pk")
        .values_list("pk", "table", "checksum", "finished_at")
    )
    text = f"{settings.DATA_DIR}|" + ";".join(f"{p}:{t}:{c}:{f}" for p, t, c, f in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class LakeMemo(Generic[T]):
    """At most `size` answers, each valid for one state of the tables it was read from."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[Hashable, ...], T] = OrderedDict()

    def get(self, tables: Iterable[str], key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        full = (tables_state(tables), *key)
        with self._lock:
            if full in self._answers:
                self._answers.move_to_end(full)
                return self._answers[full]
        answer = compute()
        with self._lock:
            self._answers[full] = answer
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
