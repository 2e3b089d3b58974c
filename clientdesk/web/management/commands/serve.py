"""`clientdesk serve`: the production-style run (gunicorn, WhiteNoise, migrations checked)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve with gunicorn after checking migrations and collecting static files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--check-only", action="store_true", help="Check and collect, do not serve."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the report worker and the clock beside it (run them yourself).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise CommandError(
                f"{len(pending)} migration(s) not applied; run `clientdesk migrate` first."
            )
        call_command("check", deploy=False)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving on http://{options['bind']} with {options['workers']} workers")
        if options["check_only"]:
            return
        sys.stdout.flush()
        if not options["no_worker"]:
            from clientdesk.lib.processes import start_child
            from clientdesk.reports.worker import start_report_worker

            start_report_worker()  # runs queued report runs; ends when gunicorn ends
            start_child("clock")  # SLA clocks and escalation, due report schedules
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        os.execv(  # noqa: S606  (replace this process with gunicorn; arguments are ours)
            gunicorn,
            [
                gunicorn,
                "clientdesk.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
            ],  # no access log: URLs may carry member refs
        )
