"""A lake built once per test process and laid down again for each later test that asks.

Building the utilization fixture book (five ingests through the real ingestion, then the
derived tables its first reader builds) costs a test more than its own assertions do, and
every test of utilization and reports starts from it. The first test of a process builds it
for real; what the build added to the database and to the data dir is kept, and each later
test gets both back: the same rows under the same primary keys, the same files (with the
derived tables the first test built) under its own data dir.

Only where that is exact: on SQLite, where a rolled-back test leaves the id sequences as
they were, so the cast's accounts (whose ids the lake rows carry) come out the same; and only
when they did (`_key`), and no row of the kept ones' keys exists yet. Anywhere else, and on
PostgreSQL, each test builds its own, as before.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import connection, models

from clientdesk.accounts.models import Account
from clientdesk.lake.models import BatchStatus, IngestBatch

# The audit log is left out: its rows are written by the build, not read by the tests that
# ask for a lake, and they carry the request context of the test that built it.
_SKIPPED_APPS = {"audit", "sessions", "admin", "contenttypes", "auth"}


def _key() -> tuple[tuple[int, str], ...]:
    return tuple(Account.objects.order_by("pk").values_list("pk", "group_number"))


def _models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label not in _SKIPPED_APPS and not m._meta.proxy and m._meta.managed
    ]


def _high_water() -> dict[type[models.Model], tuple[int, Any]]:
    """Each model's row count and its greatest primary key."""
    marks: dict[type[models.Model], tuple[int, Any]] = {}
    for model in _models():
        last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        marks[model] = (model._default_manager.count(), last)
    return marks


def _batches() -> list[tuple[int, str]]:
    committed = IngestBatch.objects.filter(status=BatchStatus.COMMITTED).order_by("pk")
    return list(committed.values_list("pk", "checksum"))


class LakeSnapshot:
    """`lay_down(folder)` in a test: builds with `build(folder)` the first time, copies after."""

    def __init__(self, build: Callable[[Path], None]) -> None:
        self._build = build
        self._key: tuple[tuple[int, str], ...] | None = None
        self._rows: list[Any] = []
        self._pks: dict[type[models.Model], list[Any]] = {}
        self._files: Path | None = None
        self._batches: list[tuple[int, str]] = []

    def lay_down(self, folder: Path) -> None:
        key = _key()
        if self._files is not None and key == self._key and not self._taken():
            shutil.copytree(self._files, settings.DATA_DIR, dirs_exist_ok=True)
            for obj in serializers.deserialize("python", self._rows):
                obj.save()
            return
        before = _high_water()
        self._build(folder)
        if connection.vendor == "sqlite":
            self._keep(key, before)

    def keep_derived(self) -> None:
        """After a test: the derived tables it built, if its lake still holds the same
        batches (their versions digest the batch ids, so they are valid for every copy)."""
        if self._files is None or _batches() != self._batches:
            return
        derived = Path(settings.LAKE_DIR) / "_derived"
        if not derived.is_dir():
            return
        target = self._files / Path(settings.LAKE_DIR).relative_to(settings.DATA_DIR) / "_derived"
        for table in derived.iterdir():
            for version in table.iterdir() if table.is_dir() else ():
                if version.name.startswith(".") or (target / table.name / version.name).exists():
                    continue
                shutil.copytree(version, target / table.name / version.name)

    def _taken(self) -> bool:
        return any(m._default_manager.filter(pk__in=pks).exists() for m, pks in self._pks.items())

    def _keep(self, key: tuple[tuple[int, str], ...], before: dict[Any, tuple[int, Any]]) -> None:
        rows: list[Any] = []
        pks: dict[type[models.Model], list[Any]] = {}
        for model, (count, last) in before.items():
            added = (
                model._default_manager.all()
                if last is None
                else model._default_manager.filter(pk__gt=last)
            )
            if model._default_manager.count() - count != added.count():
                return  # rows changed under keys it cannot follow: build every time
            if added.exists():
                rows.extend(serializers.serialize("python", added.order_by("pk")))
                pks[model] = list(added.values_list("pk", flat=True))
        files = Path(tempfile.mkdtemp(prefix="clientdesk-lake-snapshot-"))
        atexit.register(shutil.rmtree, files, True)
        shutil.copytree(settings.DATA_DIR, files, dirs_exist_ok=True)
        self._key, self._rows, self._pks, self._files = key, rows, pks, files
        self._batches = _batches()
