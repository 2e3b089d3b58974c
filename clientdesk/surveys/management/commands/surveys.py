"""`clientdesk surveys send|remind|import|results`: surveys from the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.lake.gateway import SystemActor
from clientdesk.surveys import actions
from clientdesk.surveys.imports import MappingError, parse_mapping
from clientdesk.surveys.models import Audience, Survey, SurveyKind
from clientdesk.surveys.queries import (
    MEASURE_MONTHS,
    months_back,
    satisfaction_by_account,
)
from clientdesk.surveys.satisfaction import Figures

CLI_READER = SystemActor("clientdesk surveys CLI")


def _account(reference: str) -> Account:
    account = Account.objects.filter(group_number=reference.upper()).first()
    if account is None and reference.isdigit():
        account = Account.objects.filter(pk=int(reference)).first()
    if account is None:
        raise CommandError(f"No account {reference!r}.")
    return account


def _survey(reference: str) -> Survey:
    survey = Survey.objects.filter(pk=int(reference)).first() if reference.isdigit() else None
    survey = survey or Survey.objects.filter(name=reference).first()
    if survey is None:
        raise CommandError(f"No survey {reference!r}.")
    return survey


def _date(text: str | None, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Satisfaction surveys: `send` a survey to an account's contacts or after resolved "
        "inquiries (mailed at once), `remind` the one reminder, `import` another tool's CSV "
        "export through a column mapping, `results` the satisfaction metric per account."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        send = sub.add_parser("send", help="Send a survey and mail the invitations.")
        send.add_argument("--survey", required=True, help="Survey id or name.")
        target = send.add_mutually_exclusive_group(required=True)
        target.add_argument("--account", help="Account id or group number: its contacts.")
        target.add_argument(
            "--resolved-days",
            type=int,
            help="Transactional: inquiries resolved in the last N days.",
        )
        send.add_argument("--language", choices=["en", "es"], default="en")
        send.add_argument("--format", choices=["text", "json"], default="text")
        remind = sub.add_parser("remind", help="Send the one reminder that is due.")
        remind.add_argument("--format", choices=["text", "json"], default="text")
        imp = sub.add_parser("import", help="Load another tool's CSV export.")
        imp.add_argument("file", help="The CSV export.")
        imp.add_argument(
            "--mapping",
            required=True,
            help='Our field -> its column, JSON: \'{"account": "Group", "nps": "Q1"}\'.',
        )
        imp.add_argument("--tool", choices=["", "qualtrics", "limesurvey"], default="")
        imp.add_argument("--kind", choices=SurveyKind.values, default=SurveyKind.RELATIONSHIP)
        imp.add_argument(
            "--audience",
            choices=Audience.values,
            default=Audience.SPONSOR,
            help="Who answered the other tool's survey (default: sponsor).",
        )
        imp.add_argument("--format", choices=["text", "json"], default="text")
        res = sub.add_parser("results", help="NPS, CSAT and CES per account, every source.")
        res.add_argument("--account", help="Account id or group number (default: all).")
        res.add_argument("--first", help="YYYY-MM-DD (default: 12 months back).")
        res.add_argument("--last", help="YYYY-MM-DD (default: today).")
        res.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "send":
            self._send(options)
        elif verb == "remind":
            count = actions.do_send_reminders(acting_user=None)
            self._out(options, {"reminded": count}, f"{count} reminders sent.")
        elif verb == "import":
            self._import(options)
        else:
            self._results(options)

    def _out(self, options: dict[str, Any], data: Any, text: str) -> None:
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, default=str))
        else:
            self.stdout.write(text)

    def _send(self, options: dict[str, Any]) -> None:
        survey = _survey(options["survey"])
        try:
            if options["account"]:
                account = _account(options["account"])
                contacts = list(account.contacts.exclude(email=""))
                send = actions.do_send_survey(
                    survey, account, contacts, language=options["language"], acting_user=None
                )
            else:
                days = options["resolved_days"]
                if not 1 <= days <= 366:
                    raise CommandError("--resolved-days is 1 to 366.")
                found = actions.do_send_transactional(
                    survey,
                    since=timezone.now() - dt.timedelta(days=days),
                    language=options["language"],
                    acting_user=None,
                )
                if found is None:
                    self._out(options, {"invited": 0}, "No resolved inquiry waits for a survey.")
                    return
                send = found
        except actions.SurveyError as error:
            raise CommandError(str(error)) from None
        send = actions.deliver_send(send.pk)
        self._out(
            options,
            {"send": send.pk, "invited": send.invited, "skipped": send.skipped},
            f"Send {send.pk}: {send.invited} invitations mailed, {send.skipped} not sent.",
        )

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            mapping = parse_mapping(options["mapping"], tool=options["tool"])
            batch = actions.do_import_responses(
                path.read_bytes(),
                mapping,
                kind=options["kind"],
                source_name=path.name,
                tool=options["tool"],
                audience=options["audience"],
                acting_user=None,
            )
        except (MappingError, json.JSONDecodeError) as error:
            raise CommandError(f"mapping: {error}") from None
        lines = [f"{batch.rows_read} rows read, {batch.loaded} loaded, {batch.rejected} rejected."]
        lines += [f"  row {r['row']}: {r['reason']}" for r in batch.rejections[:50]]
        self._out(
            options,
            {
                "import": batch.pk,
                "read": batch.rows_read,
                "loaded": batch.loaded,
                "rejected": batch.rejections,
            },
            "\n".join(lines),
        )

    def _results(self, options: dict[str, Any]) -> None:
        last = _date(options["last"], timezone.localdate())
        first = _date(options["first"], months_back(last, MEASURE_MONTHS))
        accounts = (
            [_account(options["account"])] if options["account"] else list(Account.objects.all())
        )
        counts = satisfaction_by_account(CLI_READER, [a.pk for a in accounts], first, last)
        rows: list[dict[str, Any]] = []
        for account in accounts:
            if account.pk not in counts:
                continue
            f = Figures(counts[account.pk])
            rows.append(
                {
                    "account": account.group_number,
                    "name": account.name,
                    "invitations": f.counts.sent,
                    "responses": f.counts.responses,
                    "response_rate": f.response_rate,
                    "nps": f.nps,
                    "nps_interval": f.nps_interval,
                    "csat_satisfied": f.csat,
                    "ces_mean": f.ces,
                }
            )
        text = [f"Satisfaction {first} to {last} (our surveys, imports and the survey feed):"]
        for r in rows:
            low_high = r["nps_interval"]
            interval = f" ({low_high[0]} to {low_high[1]})" if low_high else ""
            text.append(
                f"{r['account']} {r['name']}: {r['responses']} responses of "
                f"{r['invitations']} invitations, NPS {_text(r['nps'])}{interval}, "
                f"CSAT {_text(r['csat_satisfied'])} %, CES {_text(r['ces_mean'])}"
            )
        if not rows:
            text.append("No answers in these dates.")
        self._out(options, rows, "\n".join(text))
