"""`clientdesk demo`: migrate, load the demo book, create the demo team and serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.demo.growth import load_growth_demo
from clientdesk.demo.loading import load_book
from clientdesk.demo.runs import (
    DEMO_SEED,
    demo_start,
    last_day_of_data,
    run_demo_analyses,
    write_runout_twin,
)
from clientdesk.demo.strategy import populate_strategy
from clientdesk.demo.team import (
    DEMO_PASSWORD,
    DEMO_USERS,
    assign_demo_team,
    demo_authenticators,
    ensure_demo_users,
)
from clientdesk.demo.team_app import load_team
from clientdesk.lib.static_collect import collect_static_when_changed
from clientdesk.people.mfa import mfa_required
from clientdesk.synth.generator import generate_book
from clientdesk.synth.params import SynthParams


class Command(BaseCommand):
    help = "Set up the demo: migrate, generate and load the demo book, create the team, serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Load, then stop.")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Where to serve.")
        parser.add_argument("--accounts", type=int, default=24)
        parser.add_argument("--members", type=int, default=20_000)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="The book's random seed (a new book only)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        users = ensure_demo_users()
        today = timezone.localdate()
        data_end = None
        if not Account.objects.exists():
            params = SynthParams(
                accounts=options["accounts"],
                members=options["members"],
                months=options["months"],
                start=demo_start(today, options["months"]),
                seed=options["seed"],
            )
            try:
                params.validate()
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            out = Path(settings.DATA_DIR) / "demo-book"
            self.stdout.write(f"Generating the demo book into {out} …")
            generate_book(params, out, progress=True)
            load_book(out, stdout=cast(TextIO, self.stdout), acting_user=users["admin"])
            data_end = last_day_of_data(params.start, params.months)
        assign_demo_team(users, today=today)  # before the analyses: inquiries route to the team
        if data_end is not None:  # a book just loaded: what the nightly jobs would have done
            run_demo_analyses(
                acting_user=users["admin"], data_end=data_end, today=today, say=self.stdout.write
            )
            load_growth_demo(out, users, today=today, now=timezone.now(), say=self.stdout.write)
            assign_demo_team(users, today=today)  # the account the installation demo added
            write_runout_twin(params, out, data_end, say=self.stdout.write)
        load_team(say=self.stdout.write)  # the team's records (once), after the analyses
        populate_strategy(users=users, today=today, say=self.stdout.write)  # plans, health
        self._print_logins()
        if not options["no_serve"]:
            from clientdesk.lib.processes import start_child
            from clientdesk.reports.worker import start_report_worker

            self.collect_static()
            start_report_worker()  # runs the reports asked for on the pages; ends with us
            start_child("clock")  # SLA clocks and escalation every 5 minutes, as in production
            call_command("runserver", options["addr"], use_reloader=False)

    def collect_static(self) -> None:
        """Served as in production (DEBUG off): WhiteNoise serves the collected, hashed static
        files and a missing page is the app's own error page. With DEBUG on (a developer's
        choice), runserver serves the sources and nothing is collected."""
        if settings.DEBUG:
            return
        self.stdout.write(f"Collecting the static files into {settings.STATIC_ROOT} …")
        if not collect_static_when_changed():
            self.stdout.write("Static files unchanged since the last collect: not collected again")

    def _print_logins(self) -> None:
        """The demo's users, and the authenticator secret of each one that still has the
        published password: two-factor sign-in stays on in the demo (see docs/security.md)."""
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        secrets = demo_authenticators(DEMO_PASSWORD, [u.username for u in DEMO_USERS])
        if mfa_required():
            self.stdout.write(
                "Two-factor sign-in is on: add each user's key to an authenticator app "
                "(type it in as a time-based key), then sign in with its 6-digit code."
            )
        for user in DEMO_USERS:
            key = secrets.get(user.username, "(own password: key not shown)")
            self.stdout.write(f"  {user.username:<12} {user.role.value:<20} {key}")
        self.stdout.write("")
