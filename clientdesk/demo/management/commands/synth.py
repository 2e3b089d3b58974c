"""``clientdesk synth``: generate a synthetic book of business (and optionally load it).

    clientdesk synth --accounts 24 --members 20000 --months 24 --start 2024-12 --seed 7 \\
        --out var/book [--load] [--x12] [--format json]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.demo.loading import load_book
from clientdesk.lake.x12.write import write_x12
from clientdesk.synth.generator import generate_book
from clientdesk.synth.options import params_from_options


class Command(BaseCommand):
    """Generate the synthetic book into a folder; ``--load`` puts it into the DB and lake."""

    help = (
        "Generate a synthetic book of business (sponsors, members, claims, calls, IVR, "
        "inquiries, surveys) with ground truth, into --out; --load loads it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=24, help="plan sponsors (2-2000)")
        parser.add_argument(
            "--members",
            type=int,
            default=20_000,
            help="distinct members over the window (at least 50 per account)",
        )
        parser.add_argument("--months", type=int, default=24, help="window length (6-120)")
        parser.add_argument("--start", default="2024-12", help="first month, YYYY-MM")
        parser.add_argument("--seed", type=int, default=7, help="random seed")
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="worker processes (0 = one per core); never changes output",
        )
        parser.add_argument(
            "--runout-months",
            type=int,
            default=0,
            help="months of claims payments after the window end",
        )
        parser.add_argument("--out", required=True, help="output folder")
        parser.add_argument(
            "--load",
            action="store_true",
            help="load the book into the operational DB and the lake, build the derived tables",
        )
        parser.add_argument(
            "--x12",
            action="store_true",
            help="also write eligibility, medical claims and claim processing as X12 834, "
            "837P/837I and 835 files into OUT/x12 (load them with `clientdesk ingest x12`)",
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="json prints the run summary as JSON",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            params = params_from_options(
                accounts=options["accounts"],
                members=options["members"],
                months=options["months"],
                start=options["start"],
                seed=options["seed"],
                workers=options["workers"],
                runout_months=options["runout_months"],
            )
        except ValueError as err:
            raise CommandError(str(err)) from None
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} exists and is not a folder")
        as_json = options["format"] == "json"
        try:
            summary = generate_book(params, out, progress=not as_json)
        except OSError as err:
            raise CommandError(f"cannot write the book to {out}: {err.strerror}") from None
        if options["load"]:
            load_book(out, stdout=cast(TextIO, self.stdout))
        x12 = write_x12(out, out / "x12") if options["x12"] else None
        if as_json:
            document = summary.as_dict()
            if x12 is not None:
                document["x12"] = x12.as_dict()
            self.stdout.write(json.dumps(document, indent=2))
            return
        rows = ", ".join(f"{name} {count:,}" for name, count in summary.rows.items())
        self.stdout.write(
            f"Wrote {summary.accounts} accounts, {summary.members:,} members, "
            f"{summary.incidents} incidents ({summary.guarantee_misses} guarantee misses) "
            f"to {out} in {summary.seconds:.1f} s: {rows}"
        )
        if x12 is not None:
            files = ", ".join(path.name for path in x12.files.values())
            written = ", ".join(f"{name} {count:,}" for name, count in x12.records.items())
            left = "; ".join(f"{what}: {count:,}" for what, count in x12.left_out.items())
            self.stdout.write(
                f"X12 in {out / 'x12'}: {files} ({written}); not written: {left or 'nothing'}"
            )
