"""`clientdesk token create USERNAME --name NAME`: a personal API token, printed once."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.people.cli import active_user
from clientdesk.people.tokens import do_create_api_token


class Command(BaseCommand):
    help = "Create a personal API token for a user; the token is printed once and kept hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="What the token is for.")
        parser.add_argument(
            "--scopes",
            default="read,write,reports",
            help="Comma-separated: read (GET), write (changes), reports (report runs and files).",
        )
        parser.add_argument(
            "--days", type=int, default=None, help="Days it works (CLIENTDESK_API_TOKEN_DAYS)."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        user = active_user(options["username"])
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            token, raw = do_create_api_token(
                user, options["name"], acting_user=user, scopes=scopes, days=options["days"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            expires = token.expires_at.isoformat() if token.expires_at else None
            self.stdout.write(
                json.dumps(
                    {
                        "user": user.username,
                        "name": token.name,
                        "token": raw,
                        "scopes": token.scopes.split(","),
                        "expires_at": expires,
                    }
                )
            )
        else:
            self.stdout.write(raw)
