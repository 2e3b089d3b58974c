"""`clientdesk installation_evaluate`: readiness scored on synthetic implementations with known
problems (the generator's ground truth), ten business days before go-live."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clientdesk.implementations.synthetic_check import check
from clientdesk.synth.implementations import generate_implementations


class Command(BaseCommand):
    help = __doc__ or ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=19)
        parser.add_argument("--count", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        r = check(generate_implementations(options["seed"], options["count"]))
        self.stdout.write(
            f"{r.implementations} synthetic implementations, {r.with_problems} with a true "
            f"readiness problem; score below ready (80) ten business days before go-live: "
            f"{r.flagged} ({r.flagged_with_problems} true, {r.false_flags} false), recall "
            f"{r.recall:.0%}; below ready or warned: {r.warned} ({r.warned_with_problems} true)"
        )
        for problem, (seen, caught) in r.by_problem.items():
            self.stdout.write(f"  {problem}: {caught} of {seen} flagged by the score")
