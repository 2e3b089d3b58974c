"""`clientdesk verify`: the lake against the batch table (every committed batch present, with
the rows it committed). Exit status 1 on a mismatch: run it after a restore, before analyses."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clientdesk.lake.backup import verify_lake


class Command(BaseCommand):
    help = "Check the lake against the batch table: every committed batch and its row count."

    def handle(self, *args: Any, **options: Any) -> None:
        found = verify_lake()
        for problem in found.problems:
            self.stderr.write(problem)
        if not found.ok:
            raise CommandError(f"the lake does not match the database: {len(found.problems)}")
        self.stdout.write(f"the lake matches: {found.batches} batches, {found.rows} rows")
