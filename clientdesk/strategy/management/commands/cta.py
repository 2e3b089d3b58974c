"""`clientdesk cta run`: run every call-to-action rule and open or update the calls."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.strategy.runs import run_calls


class Command(BaseCommand):
    help = (
        "Calls to action: `run` evaluates every rule registered in lib/calls.py (each app's and "
        "strategy's own) and opens one call per new cause or updates the open one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        run = sub.add_parser("run", help="Run every rule now.")
        run.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = run_calls()
        result = {
            "rules": outcome.total.rules,
            "causes": outcome.total.causes,
            "opened": outcome.total.opened,
            "updated": outcome.total.updated,
            "by_rule": {
                k: {"causes": r.causes, "opened": r.opened, "updated": r.updated}
                for k, r in outcome.by_rule.items()
            },
            "failed": outcome.failed,
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"{outcome.total.rules} rules: {outcome.total.causes} causes, "
                f"{outcome.total.opened} calls opened, {outcome.total.updated} updated."
            )
            for key, r in outcome.by_rule.items():
                self.stdout.write(f"  {key}: {r.causes} causes, {r.opened} opened")
        if outcome.failed:
            raise CommandError("; ".join(f"{k} failed: {v}" for k, v in outcome.failed.items()))
