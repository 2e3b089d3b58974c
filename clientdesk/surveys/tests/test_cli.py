"""`clientdesk surveys` on the cast: send, import, results."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from clientdesk.surveys.tests.cast import relationship_survey
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("surveys", *args, stdout=out)
    return out.getvalue()


def test_send_import_and_results(cast: Cast, tmp_path: Path) -> None:
    survey = relationship_survey(cast)
    mail.outbox = []
    sent = json.loads(
        run("send", "--survey", str(survey.pk), "--account", "G100001", "--format", "json")
    )
    assert (sent["invited"], sent["skipped"]) == (1, 0)
    assert len(mail.outbox) == 1
    export = tmp_path / "limesurvey.csv"
    export.write_text("id,submitdate,token,q1\n1,2026-11-02 10:00:00,G100001,10\n2,,G100001,9\n")
    text = run(
        "import",
        str(export),
        "--tool",
        "limesurvey",
        "--mapping",
        '{"account": "token", "nps": "q1"}',
    )
    assert text.splitlines() == [
        "2 rows read, 1 loaded, 1 rejected.",
        "  row 3: answered_at '' is not a date and time",
    ]
    results = run(
        "results", "--account", "G100001", "--first", "2026-11-01", "--last", "2026-11-30"
    )
    assert "G100001 Acme Steel Works: 1 responses of 0 invitations, NPS 100.0" in results


def test_errors_are_one_line(cast: Cast) -> None:
    with pytest.raises(CommandError, match="No survey"):
        run("send", "--survey", "999999", "--account", "G100001")
    with pytest.raises(CommandError, match="mapping"):
        run("import", __file__, "--mapping", '{"nps": "x"}')
