"""`clientdesk serve`: the production-style run (gunicorn, WhiteNoise, migrations checked)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clientdesk.lib.static_collect import collect_static_when_changed

# Django's deploy checks a production-style run may pass with. The redirect to HTTPS is the TLS
# proxy's (Django's own advice); HSTS for subdomains and the browsers' preload list are the
# domain owner's choice (CLIENTDESK_HSTS_SUBDOMAINS); the HTTPS-only cookies, HSTS itself and
# two-factor sign-in turned off (clientdesk.W002) only on a loopback bind, where the server is
# reached through a TLS proxy on the same machine or is a local demo or bench.
ALWAYS_TOLERATED = {"security.W008", "security.W005", "security.W021"}
LOOPBACK_TOLERATED = {"security.W004", "security.W012", "security.W016", "clientdesk.W002"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def refuse_failing_deploy_checks(bind: str) -> None:
    """Run Django's checks with the deployment ones; any error, or a warning not tolerated for
    this bind, stops the server before it starts, each issue named with its fix."""
    host = bind.rsplit(":", 1)[0] if ":" in bind else bind
    tolerated = ALWAYS_TOLERATED | (LOOPBACK_TOLERATED if host in LOOPBACK_HOSTS else set())
    failing = [
        issue
        for issue in checks.run_checks(include_deployment_checks=True)
        if issue.level >= checks.WARNING and not issue.is_silenced() and issue.id not in tolerated
    ]
    if failing:
        lines = "\n".join(f"  {issue.id}: {issue.msg}" for issue in failing)
        raise CommandError(
            f"{len(failing)} deploy check(s) fail; not serving on {bind}:\n{lines}\n"
            "Fix the settings (docs/configuration.md); behind TLS set CLIENTDESK_SECURE_COOKIES "
            "and CLIENTDESK_HSTS_SECONDS, or bind to 127.0.0.1 behind a local TLS proxy."
        )


LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def database_server_here(database: Mapping[str, Any]) -> bool:
    """Whether the database is a server process on this machine (PostgreSQL on loopback or a
    Unix socket), which takes CPU from the same cores as the workers; SQLite runs inside them."""
    if "sqlite" in str(database.get("ENGINE", "")):
        return False
    host = str(database.get("HOST") or "")
    return host in LOCAL_HOSTS or host.startswith("/")


def default_workers(cores: int | None = None, database: Mapping[str, Any] | None = None) -> int:
    """One worker process per core, plus one to run while another waits: the pages are CPU
    work (templates, DuckDB), so more processes than cores only queue for the same cores.
    When the database server shares the machine, it is the one that runs while a worker waits:
    no extra worker (measured with bench/load.py on 2 cores and PostgreSQL on loopback, 20
    users: p95 529 and 580 ms with 3 workers; 329, 402 and 416 ms with 2)."""
    cores = cores or os.cpu_count() or 1
    here = database_server_here(settings.DATABASES["default"] if database is None else database)
    return cores if here else cores + 1


def default_threads(database: Mapping[str, Any] | None = None) -> int:
    """Two threads per worker when the database is a server, so one request runs while another
    waits on it; one on SQLite, which runs inside the worker: there is nothing to wait on, and a
    second thread only shares the worker's interpreter lock with the first and holds its kept-open
    connections back (bench/load.py, 2 cores, 20 users, 60 s on a quiet machine, SQLite, 3
    workers: p95 213 ms and a slowest page of 7.1 s with 2 threads, 137 ms and 0.8 s with 1;
    40 s beside other work, PostgreSQL on loopback, 2 workers: p95 264 ms with 2, 441 with 1)."""
    sqlite = "sqlite" in str(
        (settings.DATABASES["default"] if database is None else database)["ENGINE"]
    )
    return 1 if sqlite else 2


class Command(BaseCommand):
    help = "Serve with gunicorn after checking migrations and collecting static files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help=(
                "Worker processes (default: one per core, plus one unless the database server "
                "runs on this machine)."
            ),
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=default_threads(),
            help=(
                "Threads per worker (default: 2, one runs while another waits on the database "
                "server; 1 on SQLite, which runs inside the worker)."
            ),
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=120,
            help="Seconds a request may take before its worker is restarted (default 120).",
        )
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
        refuse_failing_deploy_checks(options["bind"])
        if not collect_static_when_changed():
            self.stdout.write("Static files unchanged since the last collect: not collected again")
        self.stdout.write(
            f"Serving on http://{options['bind']} with {options['workers']} workers of "
            f"{options['threads']} threads"
        )
        if options["check_only"]:
            return
        sys.stdout.flush()
        if not options["no_worker"]:
            from clientdesk.lib.processes import start_child
            from clientdesk.reports.worker import start_report_worker

            start_report_worker()  # runs queued report runs; ends when gunicorn ends
            start_child("clock")  # SLA clocks and escalation, due report schedules
        os.environ["CLIENTDESK_WARM_UP"] = "1"  # wsgi.py loads what every worker needs, once
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
                "--threads",
                str(options["threads"]),
                "--timeout",
                str(options["timeout"]),
                "--preload",  # the app and warm_up() once, in the master, before the fork
            ],  # no access log: URLs may carry member refs
        )
