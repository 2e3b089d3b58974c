"""Answers read from the lake, kept for as long as the lake holds the same batches.

A page that reads the lake on every request (the home page's satisfaction work list, a tab's
counts) reads it again only when a batch of one of its tables commits or is replaced:
`LakeMemo.get(tables, key, compute)` answers from memory when the tables' state and the key are
the ones it has seen. The key must hold whatever narrows the answer, above all the scope the
reader gets (`gateway.scope_of`), so a reader never receives an answer computed for a wider
scope. The memo is per process and bounded (least recently used out first).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connection

from clientdesk.audit.models import AuditEvent
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.people.roles import roles_of

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


class _BoundedMemo(Generic[T]):
    """At most `size` answers by key, per process, least recently used out first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[Hashable, ...], T] = OrderedDict()

    def _lookup(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        answer = compute()
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


class KeyedMemo(_BoundedMemo[T]):
    """At most `size` answers by a key that holds everything the answer is drawn from (the
    lake's fingerprint among it), so nothing needs invalidating: new inputs are a new key."""

    def get(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        return self._lookup(key, compute)


class LakeMemo(_BoundedMemo[T]):
    """At most `size` answers, each valid for one state of the tables it was read from."""

    def get(self, tables: Iterable[str], key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        return self._lookup((tables_state(tables), *key), compute)


# --- answers per reader, until the next write (the home page's, the guarantees portfolio's) ---
# The home page's answers, kept while nothing was written and for at most a minute.
#
# The home page asks every app for its work list (lib/work.py): twenty lists, about a hundred
# queries and 80 to 250 ms of CPU on the demo book, on every view, though the answer changes only
# when someone writes something or the clock passes a deadline. `ReaderMemo.get(user, now,
# compute)` answers from memory when the same reader asks again with the same data and in the
# same minute:
#
# - **the data**: every write goes through an app's actions and appends an audit row in the same
#   transaction (STYLE.md), so the last audit row's id changes with every write; every lake load
#   adds an ingest batch (the last batch's id and state). A write anywhere recomputes every
#   reader's answer on its next view.
# - **the clock**: the minute of `now` is in the key, so a deadline passing (an SLA breached, a
#   task late) shows within a minute, and a test that travels in time gets a fresh answer.
# - **the reader**: their id and their roles (a grant is a write too), so an answer computed for
#   one reader is never given to another.
# - **the book**: the data dir and the database name, so two books in one process (tests: each
#   has its own data dir) never share an answer.
#
# Per process, bounded (least recently used out first), like LakeMemo above.


def data_state() -> tuple[Hashable, ...]:
    """What changes with every write: the last audit row and the last ingest batch."""
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    last_batch = (
        IngestBatch.objects.order_by("-pk").values_list("pk", "status", "finished_at").first()
    )
    return (last_audit, last_batch)


class ReaderMemo(_BoundedMemo[T]):
    """At most `size` answers, each for one reader, one state of the data and one minute."""

    def key(self, user: Any, now: dt.datetime) -> tuple[Hashable, ...]:
        return (
            str(settings.DATA_DIR),
            str(connection.settings_dict.get("NAME")),
            user.pk,
            frozenset(roles_of(user)),
            int(now.timestamp() // 60),
            *data_state(),
        )

    def get(
        self,
        user: Any,
        now: dt.datetime,
        compute: Callable[[], T],
        about: tuple[Hashable, ...] = (),
    ) -> T:
        """`about`: whatever else narrows the answer (the account a panel is of)."""
        return self._lookup((*self.key(user, now), *about), compute)
