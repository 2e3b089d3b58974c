"""The home page's answers, kept while nothing was written and for at most a minute.

The home page asks every app for its work list (lib/work.py): twenty lists, about a hundred
queries and 80 to 250 ms of CPU on the demo book, on every view, though the answer changes only
when someone writes something or the clock passes a deadline. `ReaderMemo.get(user, now,
compute)` answers from memory when the same reader asks again with the same data and in the
same minute:

- **the data**: every write goes through an app's actions and appends an audit row in the same
  transaction (STYLE.md), so the last audit row's id changes with every write; every lake load
  adds an ingest batch (the last batch's id and state). A write anywhere recomputes every
  reader's answer on its next view.
- **the clock**: the minute of `now` is in the key, so a deadline passing (an SLA breached, a
  task late) shows within a minute, and a test that travels in time gets a fresh answer.
- **the reader**: their id and their roles (a grant is a write too), so an answer computed for
  one reader is never given to another.
- **the book**: the data dir and the database name, so two books in one process (tests: each
  has its own data dir) never share an answer.

Per process, bounded (least recently used out first), like lake/memo.py's LakeMemo.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connection

from clientdesk.audit.models import AuditEvent
from clientdesk.lake.models import IngestBatch
from clientdesk.people.roles import roles_of

T = TypeVar("T")


def data_state() -> tuple[Hashable, ...]:
    """What changes with every write: the last audit row and the last ingest batch."""
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    last_batch = (
        IngestBatch.objects.order_by("-pk").values_list("pk", "status", "finished_at").first()
    )
    return (last_audit, last_batch)


class ReaderMemo(Generic[T]):
    """At most `size` answers, each for one reader, one state of the data and one minute."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[Hashable, ...], T] = OrderedDict()

    def key(self, user: Any, now: dt.datetime) -> tuple[Hashable, ...]:
        return (
            str(settings.DATA_DIR),
            str(connection.settings_dict.get("NAME")),
            user.pk,
            frozenset(roles_of(user)),
            int(now.timestamp() // 60),
            *data_state(),
        )

    def get(self, user: Any, now: dt.datetime, compute: Callable[[], T]) -> T:
        key = self.key(user, now)
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
