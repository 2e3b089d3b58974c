"""`clientdesk restore DEST`: a verified backup into a fresh data dir and an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.lake.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `clientdesk backup` into this data dir (which must hold no "
        "lake) and database (which must be empty or freshly migrated): refused if any checksum "
        "or row count differs; the lake is checked against the batch table afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="DEST")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            found = restore(Path(options["source"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"restored: {found.batches} lake batches, {found.rows} rows, lake matches the database"
        )
