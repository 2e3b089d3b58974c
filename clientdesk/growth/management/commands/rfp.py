"""`clientdesk rfp import|export`: a consultant's questionnaire in, and back out filled in."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.growth.actions import do_fill_from_library
from clientdesk.growth.models import Rfp
from clientdesk.growth.questionnaires import QuestionnaireError
from clientdesk.growth.rfps import export_rfp, import_rfp, progress


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "RFPs: `import FILE` reads a consultant's XLSX or DOCX questionnaire, ranks the answer "
        "library for every question and (with --fill) answers from it; `export ID` writes the "
        "answers into the consultant's own file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        imp = sub.add_parser("import", help="Import a questionnaire.")
        imp.add_argument("file")
        imp.add_argument("--title", required=True)
        imp.add_argument("--issuer", required=True)
        imp.add_argument("--final-due", required=True, help="YYYY-MM-DD")
        imp.add_argument("--intent-due")
        imp.add_argument("--questions-due")
        imp.add_argument("--consultant", default="")
        imp.add_argument("--account", help="The sponsor's group number, if it is an account.")
        imp.add_argument("--user", required=True, help="Username the RFP is created by.")
        imp.add_argument(
            "--fill",
            type=float,
            metavar="SIMILARITY",
            help="Answer every question whose best library answer scores at least this (0-1).",
        )
        imp.add_argument("--format", choices=["text", "json"], default="text")
        exp = sub.add_parser("export", help="Export an RFP in the consultant's layout.")
        exp.add_argument("rfp_id", type=int)
        exp.add_argument("--out", required=True, help="File to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "import":
            self.do_import(options)
        else:
            self.do_export(options)

    def do_import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        account = None
        if options["account"]:
            account = Account.objects.filter(group_number=options["account"].upper()).first()
            if account is None:
                raise CommandError(f"No account {options['account']!r}.")
        meta = {
            "title": options["title"],
            "issuer": options["issuer"],
            "consultant": options["consultant"],
            "account": account,
            "final_due": _date(options["final_due"]),
            "intent_due": _date(options["intent_due"]),
            "questions_due": _date(options["questions_due"]),
        }
        started = time.perf_counter()
        now = timezone.now()
        try:
            rfp = import_rfp(path.name, path.read_bytes(), meta, now=now, acting_user=user)
        except QuestionnaireError as error:
            raise CommandError(str(error)) from None
        filled = 0
        if options["fill"] is not None:
            filled = do_fill_from_library(rfp, min_score=options["fill"], now=now, acting_user=user)
        questions = list(rfp.questions.all())
        summary = {
            "rfp": rfp.pk,
            "questions": len(questions),
            "with_suggestions": sum(1 for q in questions if q.suggestions),
            "answered_from_library": filled,
            "sections": [
                {"name": p.name, "answered": p.answered, "total": p.total} for p in progress(rfp)
            ],
            "seconds": round(time.perf_counter() - started, 3),
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, indent=1))
        else:
            for key, value in summary.items():
                self.stdout.write(f"{key}: {value}")

    def do_export(self, options: dict[str, Any]) -> None:
        rfp = Rfp.objects.filter(pk=options["rfp_id"]).first()
        if rfp is None:
            raise CommandError(f"No RFP {options['rfp_id']}.")
        export = export_rfp(rfp)
        Path(options["out"]).write_bytes(export.content)
        answered = rfp.questions.exclude(answer="").count()
        self.stdout.write(
            f"{options['out']}: {answered} of {rfp.questions.count()} answers written into "
            f"{rfp.source_name}'s layout"
        )
