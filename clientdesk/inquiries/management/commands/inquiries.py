"""`clientdesk inquiries sla|import`: recompute SLA states and apply the escalation rules;
load the inquiry_import feed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from clientdesk.inquiries.importing import (
    ImportFileError,
    import_from_lake,
    import_inquiries,
    read_rows,
)
from clientdesk.inquiries.models import ACTIVE_STATUSES, Inquiry
from clientdesk.inquiries.runs import run_sla
from clientdesk.lib.exports import SafeCsvWriter
from clientdesk.people.cli import active_user


def parse_now(raw: str | None) -> dt.datetime | None:
    """An ISO timestamp; without an offset it is UTC."""
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(
            f"--now {raw!r} is not an ISO timestamp (e.g. 2026-03-02T14:00Z)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


class Command(BaseCommand):
    help = (
        "Inquiries. `sla`: recompute the SLA state of open inquiries (all with --all) from their "
        "status history and apply the escalation rules (mail on at-risk and breach, reassign "
        "after a breach). `import FILE` or `import --from-lake`: load an inquiry_import CSV or "
        "Parquet file, or the lake's inquiry_import feed; every row is loaded or rejected with "
        "its line and reasons, idempotent on external_id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="sla|import")
        sla = verbs.add_parser("sla", help="Recompute SLA states and apply escalation rules.")
        sla.add_argument("--now", help="Evaluate as of this ISO timestamp (default: now).")
        sla.add_argument(
            "--all",
            action="store_true",
            help="Also resolved and closed inquiries (after a policy or calendar change).",
        )
        sla.add_argument("--format", choices=["text", "json"], default="text")
        load = verbs.add_parser(
            "import", help="Load an inquiry_import CSV or Parquet file, or the lake's feed."
        )
        load.add_argument("file", nargs="?", help="A .csv (with a header) or .parquet file.")
        load.add_argument(
            "--from-lake",
            action="store_true",
            help="Load the lake's inquiry_import feed (every committed batch) instead of a file.",
        )
        load.add_argument("--now", help="Compute SLA clocks as of this ISO timestamp.")
        load.add_argument("--user", help="Load as this user (only their accounts are accepted).")
        load.add_argument("--rejects", help="Write every rejected row to this CSV file.")
        load.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "sla":
            self._sla(options)
        else:
            self._import(options)

    def _sla(self, options: dict[str, Any]) -> None:
        now = parse_now(options["now"])
        as_json = options["format"] == "json"
        if as_json or options["verbosity"] == 0:
            result = run_sla(now=now, include_done=options["all"])
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            filters = Q() if options["all"] else Q(status__in=ACTIVE_STATUSES)
            total = Inquiry.objects.filter(filters).count()
            with Progress(
                TextColumn("SLA"), BarColumn(), MofNCompleteColumn(), transient=True
            ) as progress:
                task = progress.add_task("sla", total=total)
                result = run_sla(
                    now=now,
                    include_done=options["all"],
                    progress=lambda n: progress.update(task, advance=n),
                )
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self.stdout.write(
            f"{result.inquiries} inquiries recomputed in {result.seconds:.1f} s: "
            f"{result.changed} changed, {result.at_risk} at risk, {result.breached} breached, "
            f"{result.met} met, {result.superseded} outcomes superseded, "
            f"{result.reassigned} reassigned."
        )

    def _import(self, options: dict[str, Any]) -> None:
        from clientdesk.lake.gateway import LakeError  # the lake's engine loads only here

        user = active_user(options["user"]) if options["user"] else None
        now = parse_now(options["now"])
        if options["from_lake"] == bool(options["file"]):
            raise CommandError("Give a FILE or --from-lake (one of them).")
        try:
            if options["from_lake"]:
                result = import_from_lake(acting_user=user, now=now)
            else:
                path = Path(options["file"])
                result = import_inquiries(
                    read_rows(path), acting_user=user, source=path.name, now=now
                )
        except (ImportFileError, LakeError) as error:
            raise CommandError(str(error)) from None
        if options["rejects"] and result.rejects:
            with Path(options["rejects"]).open("w", newline="") as handle:
                writer = SafeCsvWriter(handle)
                writer.writerow(["line", "external_id", "reasons"])
                for reject in result.rejects:
                    writer.writerow([reject.line, reject.external_id, "; ".join(reject.reasons)])
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self.stdout.write(result.message)
        for reject in result.rejects[:20]:
            self.stdout.write(f"  line {reject.line}: {'; '.join(reject.reasons)}")
        if len(result.rejects) > 20:
            more = len(result.rejects) - 20
            where = f" (all in {options['rejects']})" if options["rejects"] else ""
            self.stdout.write(f"  … and {more} more rejected rows{where}")
