"""`clientdesk clock [--once]`: run the team's recurring jobs at their interval (see
clientdesk/web/clock.py); `clientdesk serve` and `clientdesk demo` start it beside the server."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clientdesk.web.clock import JOBS, next_wake, tick


class Command(BaseCommand):
    help = (
        "Run the recurring jobs (inquiry SLA clocks every 5 minutes, due report schedules "
        "every hour) until stopped; --once runs each job once and exits (for cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        last_run: dict[str, Any] = {}
        if options["once"]:
            failed = tick(JOBS, last_run, timezone.now())
            if failed:
                raise CommandError(f"{failed} of {len(JOBS)} jobs failed (see the log)")
            self.stdout.write(f"{len(JOBS)} jobs run")
            return
        while True:
            tick(JOBS, last_run, timezone.now())
            wait = (next_wake(JOBS, last_run) - timezone.now()).total_seconds()
            time.sleep(max(wait, 1.0))
