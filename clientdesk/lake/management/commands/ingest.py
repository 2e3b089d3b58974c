"""`clientdesk ingest TABLE FILE...`: load CSV or Parquet files into a lake table;
`clientdesk ingest x12 FILE...`: X12 834/835/837 files into the tables they feed;
`clientdesk ingest fhir FILE...`: FHIR R4 Bundles or NDJSON (Patient, Coverage,
ExplanationOfBenefit) into eligibility, medical_claim and pharmacy_claim."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.lake.gateway import LakeError, prepare_derived
from clientdesk.lake.ingestion import BatchResult, IngestError, ingest_files
from clientdesk.lake.schemas import TABLE_NAMES


class Command(BaseCommand):
    help = (
        "Load CSV or Parquet files into a lake table, one batch per file. Every row is checked; "
        "rejected rows go to a rejects file with their line and reasons. A file loaded before "
        "(same SHA-256) loads nothing unless --replace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "table",
            choices=(*TABLE_NAMES, "x12", "fhir"),
            help="Lake table to load into, or x12 (834/835/837 files: the tables follow from "
            "the transaction sets), or fhir (R4 Bundles/NDJSON: the tables follow from the "
            "resources).",
        )
        parser.add_argument(
            "files",
            nargs="+",
            help="CSV (with a header) or Parquet files; X12 files for x12; FHIR JSON for fhir.",
        )
        parser.add_argument(
            "--data-source",
            default=None,
            help="x12/fhir: the data_source of the rows (default: the sender of the GS group; "
            "fhir for FHIR).",
        )
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
            "--test",
            action="store_true",
            help="A test file (e.g. a sponsor's eligibility test round): checked and kept "
            "with its rejects for the implementation's readiness, never read as production "
            "data (members, claims, PMPM, guarantees).",
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
            results = self._load(options, as_json)
        except IngestError as error:
            if as_json:
                self.stdout.write(json.dumps({"error": str(error)}, indent=2))
                raise SystemExit(1) from None
            raise CommandError(str(error)) from None
        self._print(results, as_json, options)
        if any(r.status == "committed" and r.rows_read and not r.rows_loaded for r in results):
            if not as_json:
                self.stderr.write("every row of a file was rejected: nothing of it loaded")
            raise SystemExit(1)
        # An X12 file whose every transaction set was rejected has no batch at all.
        refused = [
            r.source
            for r in results
            if r.status == "nothing_to_load"
            and r.report.get("rejected")
            and not r.report.get("accepted")
            and not r.report.get("accepted_with_errors")
        ]
        if refused:
            if not as_json:
                for name in refused:
                    self.stderr.write(
                        f"every transaction set of {name} was rejected: nothing of it loaded"
                    )
            raise SystemExit(1)

    def _load(self, options: dict[str, Any], as_json: bool) -> list[BatchResult]:
        if options["test"] and options["table"] == "fhir":
            raise IngestError("--test loads CSV, Parquet or X12 (834) files, not fhir")
        if options["table"] == "x12":
            from clientdesk.lake.x12.load import ingest_x12

            return ingest_x12(
                options["files"],
                acting_user=None,
                create_accounts=options["create_accounts"],
                replace=options["replace"],
                data_source=options["data_source"],
                test=options["test"],
            )
        if options["table"] == "fhir":
            from clientdesk.lake.fhir import ingest_fhir

            return ingest_fhir(
                options["files"],
                acting_user=None,
                create_accounts=options["create_accounts"],
                replace=options["replace"],
                data_source=options["data_source"],
            )
        return ingest_files(
            options["table"],
            options["files"],
            acting_user=None,
            create_accounts=options["create_accounts"],
            replace=options["replace"],
            progress=not as_json and options["verbosity"] > 0,
            test=options["test"],
        )

    def _print(self, results: list[BatchResult], as_json: bool, options: dict[str, Any]) -> None:
        if options["prepare"]:
            started = time.perf_counter()
            try:
                built = prepare_derived()
            except LakeError as error:
                if as_json:
                    self.stdout.write(json.dumps({"error": str(error)}, indent=2))
                    raise SystemExit(1) from None
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
            for warning in result.warnings:
                examples = ", ".join(str(x) for x in warning["examples"])
                self.stdout.write(
                    f"  warning: {warning['column']}: {warning['rule']}: "
                    f"{warning['count']:,} value(s) (e.g. {examples})"
                )
            if result.warnings_file:
                self.stdout.write(f"  warnings file: {result.warnings_file}")
