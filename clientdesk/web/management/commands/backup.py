"""`clientdesk backup DEST` (while the app runs) and `clientdesk backup verify DEST`.

See clientdesk.lake.backup.py for what a backup holds and docs/operations.md for the drill."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.lake.backup import BackupError, backup, verify_backup


class Command(BaseCommand):
    help = (
        "Back up the database and the lake to a new folder, with a manifest of checksums and "
        "row counts (`backup DEST`), or check that a backup is whole (`backup verify DEST`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("words", nargs="+", metavar="[verify] DEST")

    def handle(self, *args: Any, **options: Any) -> None:
        words: list[str] = options["words"]
        if words[0] == "verify":
            if len(words) != 2:
                raise CommandError("usage: clientdesk backup verify DEST")
            found = verify_backup(Path(words[1]))
            if not found.ok:
                for problem in found.problems:
                    self.stderr.write(problem)
                raise CommandError(f"the backup is not whole: {len(found.problems)} problem(s)")
            self.stdout.write(
                f"whole: {found.files} files, {found.batches} batches, {found.rows} lake rows"
            )
            return
        if len(words) != 1:
            raise CommandError("usage: clientdesk backup DEST  |  clientdesk backup verify DEST")
        try:
            manifest = backup(Path(words[0]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["database"]["row_counts"].values())
        self.stdout.write(
            f"backed up to {words[0]}: {len(manifest['files'])} files, "
            f"{len(manifest['batches'])} lake batches, {rows} database rows"
        )
