"""`clientdesk token create USERNAME --name NAME`: a personal API token, printed once."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clientdesk.people.cli import active_user
from clientdesk.people.tokens import do_create_api_token


class Command(BaseCommand):
    help = "Create a personal API token for a user; the token is printed once and kept hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="What the token is for.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        user = active_user(options["username"])
        token, raw = do_create_api_token(user, options["name"], acting_user=user)
        if options["format"] == "json":
            self.stdout.write(json.dumps({"user": user.username, "name": token.name, "token": raw}))
        else:
            self.stdout.write(raw)
