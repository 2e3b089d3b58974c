"""`clientdesk ingest TABLE FILE...`: load CSV or Parquet files into a lake table."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.lake.gateway import LakeError, prepare_derived
from clientdesk.lake.ingestion import IngestError, ingest_files
from clientdesk.lake.schemas import TABLE_NAMES


class Command(BaseCommand):
    help = (
        "Load CSV or Parquet files into a lake table, one batch per file. Every row is checked; "
        "rejected rows go to a rejects file with their line and reasons. A file loaded before "
        "(same SHA-256) loads nothing unless --replace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("table", choices=TABLE_NAMES, help="Lake table to load into.")
        parser.add_argument("files", nargs="+", help="CSV (with a header) or Parquet files.")
        parser.add_argument(
            "--create-accounts",
            action="store_true",
            help="Create an account for every sponsor group_id the account book lacks "
            "(otherwise such rows are rejected).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Load a file again and replace the batch that loaded it before.",
        )
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", help="Output format."
        )
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="Then build the derived tables of the new load (else the first query does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        try:
            results = ingest_files(
                options["table"],
                options["files"],
                acting_user=None,
                create_accounts=options["create_accounts"],
                replace=options["replace"],
                progress=not as_json and options["verbosity"] > 0,
            )
        except IngestError as error:
            raise CommandError(str(error)) from None
        if options["prepare"]:
            started = time.perf_counter()
            try:
                built = prepare_derived()
            except LakeError as error:
                raise CommandError(str(error)) from None
            names = [name for tables in built.values() for name in tables]
            self.stderr.write(
                f"derived tables: {len(names)} built in {time.perf_counter() - started:.1f} s"
                + (f" ({', '.join(names)})" if names else " (all current)")
            )
        if as_json:
            self.stdout.write(json.dumps([r.as_dict() for r in results], indent=2))
            return
        for result in results:
            line = result.message
            if result.rejects_file:
                line += f" (rejects: {result.rejects_file})"
            if result.accounts_created:
                line += f"; accounts created: {', '.join(result.accounts_created)}"
            self.stdout.write(line)
