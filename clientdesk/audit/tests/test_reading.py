"""The audit trail reads in words: names for people, labels for choices, the house time
format, no bookkeeping fields."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.audit.reading import Change, readable_changes
from clientdesk.insights.actions import do_update_problem
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast


def test_a_problem_update_reads_in_words(cast: Cast, client: Client) -> None:
    problem = acme_problem(cast)  # owned by Sam Serviceops
    do_update_problem(
        problem,
        {"owner": cast.bob, "root_cause_category": "process", "fix_date": dt.date(2026, 4, 2)},
        acting_user=cast.mia,
    )
    row = AuditEvent.objects.filter(object_type="insights.problem").order_by("-id").first()
    assert row is not None
    assert row.actor_label == "Mia Manager"
    changes = {c.label: c for c in readable_changes([row])[row.pk]}
    assert changes["Owner"] == Change("Owner", "Sam Serviceops", "Bob Teammate")
    assert changes["Root cause category"].after == "Process"
    assert changes["Fix date"] == Change("Fix date", "—", "Apr 2, 2026")
    assert "Updated at" not in changes

    client.force_login(cast.mia)
    page = client.get(reverse("audit:account", args=[cast.acme.pk])).content.decode()
    assert "<del>Sam Serviceops</del> → <ins>Bob Teammate</ins>" in page
    assert "→ 1" not in page and "T00:00" not in page


def test_a_many_to_many_change_reads_as_names(cast: Cast, client: Client) -> None:
    """A many-to-many field is audited as a list of ids (an activity's contacts): it reads as
    the names, and the trail's pages show it (it answered 500 before)."""
    AuditEvent.objects.create(
        at=dt.datetime(2026, 4, 2, 15, 0, tzinfo=dt.UTC),
        actor=cast.alice,
        actor_label="Alice Owner",
        action="activity.update",
        object_type="accounts.activityevent",
        object_id="1",
        object_label="Quarterly review",
        account=cast.acme,
        before={"contacts": []},
        after={"contacts": [cast.acme_contact.pk, 999_999]},
    )
    row = AuditEvent.objects.get(action="activity.update")
    [change] = readable_changes([row])[row.pk]
    name = str(cast.acme_contact)  # "Dana Whitfield (Benefits manager)"
    assert change == Change("Contacts", "—", f"{name}, #999999 (removed)")

    client.force_login(cast.mia)
    for url in (reverse("audit:list"), reverse("audit:account", args=[cast.acme.pk])):
        page = client.get(url)
        assert page.status_code == 200
        assert f"{name}, #999999 (removed)" in page.content.decode()


def test_a_value_that_is_not_an_id_reads_as_written(cast: Cast, client: Client) -> None:
    """A new API token's row names its user by username, not id: the trail shows the name as
    written (its pages answered 500 once the log held one, looking the username up as an id)."""
    do_create_api_token(cast.bob, "reports robot", acting_user=cast.ada)
    row = AuditEvent.objects.get(action="api_token.create")
    changes = {c.label: c for c in readable_changes([row])[row.pk]}
    assert changes["User"] == Change("User", None, "bob")
    assert changes["Name"] == Change("Name", None, "reports robot")

    client.force_login(cast.ada)
    for url in (reverse("audit:list"), reverse("audit:user", args=[cast.ada.pk])):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "reports robot" in page.content.decode()
