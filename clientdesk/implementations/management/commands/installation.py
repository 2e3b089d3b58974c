"""`clientdesk installation schedule FILE --effective YYYY-MM-DD`: schedule a plan file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.implementations.plan_files import read_plan
from clientdesk.implementations.schedule_report import schedule_json, schedule_text
from clientdesk.implementations.scheduling import ScheduleError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Case installation: `schedule FILE.csv|.xlsx --effective YYYY-MM-DD` schedules a plan "
        "file backward from the effective date on the business calendar (critical path, "
        "slack), without storing it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        schedule = sub.add_parser("schedule", help="Schedule a plan file (nothing stored).")
        schedule.add_argument("file", help="CSV or XLSX: ID, Name, Duration, Predecessors, ...")
        schedule.add_argument("--effective", required=True, help="Effective date, YYYY-MM-DD.")
        schedule.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"no file {path}")
        effective = _date(str(options["effective"]))
        try:
            plan = read_plan(path.read_bytes(), path.name)
            data = schedule_json(plan, effective)
        except ScheduleError as error:
            raise CommandError(f"{path.name}: {error}") from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
        else:
            self.stdout.write(schedule_text(data))
