"""Time off: accruals, a request, the manager's approval on the page and by API, the balance,
and the account's coverage (an onsite team left empty is warned about)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from clientdesk.people.tokens import do_create_api_token
from clientdesk.team.actions import TeamRuleError, do_request_time_off, do_set_schedule
from clientdesk.team.models import Balance, RequestStatus, TimeOffRequest
from clientdesk.team.panels import coverage_work
from clientdesk.team.queries import account_coverage
from clientdesk.team.runs import run_accruals
from clientdesk.team.tests.cast import team, vacation
from clientdesk.testing import Cast

WEEKDAYS = [
    {"weekday": d, "starts": dt.time(8, 30), "ends": dt.time(17), "onsite": d in (1, 3)}
    for d in range(5)
]


def test_accruals_add_each_month_once_up_to_the_cap(cast: Cast) -> None:
    people = team(cast)
    kind = vacation()  # 10 hours a month, capped at 160
    run = run_accruals(dt.date(2026, 12, 1))
    # alice hired 2024-03-04: Mar 2024..Dec 2026 = 34 months = 340 h, capped at 160.
    # bob hired 2025-06-02: Jun 2025..Dec 2026 = 19 months = 190 h, capped at 160.
    # oscar hired 2023-01-09: capped at 160.
    assert run.balances == 3
    hours = dict(Balance.objects.filter(kind=kind).values_list("user__username", "hours"))
    assert hours == {"alice": Decimal(160), "bob": Decimal(160), "oscar": Decimal(160)}
    assert run_accruals(dt.date(2026, 12, 1)).balances == 0  # the same month again: nothing
    Balance.objects.filter(user=cast.bob).update(hours=Decimal(20))
    assert run_accruals(dt.date(2027, 1, 1)).balances == 3
    assert Balance.objects.get(user=cast.bob).hours == Decimal(30)
    assert people["bob"].hire_date == dt.date(2025, 6, 2)


def test_manager_approves_time_off_and_sees_the_coverage(cast: Cast, client: Client) -> None:
    team(cast)
    kind = vacation()
    Balance.objects.create(user=cast.alice, kind=kind, hours=Decimal(24))
    do_set_schedule(cast.alice, WEEKDAYS, acting_user=cast.mia)
    do_set_schedule(cast.bob, [{**d, "onsite": False} for d in WEEKDAYS], acting_user=cast.mia)
    client.force_login(cast.alice)
    # Thu 2026-12-24 and Fri 2026-12-25 (Christmas, a holiday): 8 hours.
    client.post(
        reverse("team:time_off_request"),
        {"kind": kind.pk, "first_day": "2026-12-22", "last_day": "2026-12-25", "note": "family"},
    )
    request = TimeOffRequest.objects.get()
    assert request.hours == Decimal(24)  # Tue, Wed, Thu; Christmas Friday is free
    client.force_login(cast.mia)
    home = client.get(reverse("home")).content.decode()
    assert "Time off to approve" in home and "Alice Owner: Paid time off" in home
    client.post(
        reverse("team:time_off_decide", args=[request.pk]),
        {"decision": "approve", "version": request.version},
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert Balance.objects.get(user=cast.alice).hours == Decimal(0)

    days = {d.day: d for d in account_coverage(cast.acme, dt.date(2026, 12, 21), 9)}
    # Monday is not an onsite day of alice's: no one expected at the sponsor, no warning.
    assert (days[dt.date(2026, 12, 21)].onsite, days[dt.date(2026, 12, 21)].warning) == ([], "")
    assert days[dt.date(2026, 12, 29)].onsite == ["Alice Owner"]
    assert days[dt.date(2026, 12, 22)].out == ["Alice Owner (paid time off)"]
    assert days[dt.date(2026, 12, 22)].in_ == ["Bob Teammate"]
    # Tuesday is alice's onsite day and she is out: the site is empty.
    assert days[dt.date(2026, 12, 22)].warning == "No one onsite at the sponsor"
    assert days[dt.date(2026, 12, 25)].working_day is False
    with time_machine.travel(dt.datetime(2026, 12, 21, 15, tzinfo=dt.UTC), tick=False):
        client.force_login(cast.mia)
        overview = client.get(reverse("accounts:detail", args=[cast.acme.pk])).content.decode()
        # The gap is on the manager's home, as work to act on, and on the team's page.
        home = client.get(reverse("home")).content.decode()
        assert "Coverage gaps" in home
        assert "Acme Steel Works: no one onsite at the sponsor" in home
        assert "Tue Dec 22 · away: Alice Owner" in home
        assert "Thu Dec 24" in home and "Wed Dec 23" not in home  # her onsite days only
        page = client.get(reverse("team:adherence")).content.decode()
        assert page.count("No one onsite at the sponsor") == 2  # Tue 22, Thu 24
        assert "Alice Owner" in page and "Bob Teammate" in page
        now = dt.datetime(2026, 12, 21, 15, tzinfo=dt.UTC)
        admins = coverage_work(cast.ada, now)  # an admin sees every team's gaps
        # Acme's 2, and Bayside's every working day of the 10 (Dec 21-24, 28-30: 7): its
        # lead oscar (ada's team) has no schedule.
        assert admins is not None and admins.total == 9
        assert coverage_work(cast.alice, now) is None  # not an associate's list
    assert "Team coverage" in overview and "No one onsite at the sponsor" in overview
    assert "no OH license" in overview  # neither alice nor bob holds an Ohio license


def test_time_off_by_api_and_the_rules(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    team(cast)
    kind = vacation()
    Balance.objects.create(user=cast.alice, kind=kind, hours=Decimal(8))
    _, alice_token = do_create_api_token(cast.alice, "t", acting_user=cast.alice)
    _, mia_token = do_create_api_token(cast.mia, "t", acting_user=cast.mia)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            "/api/team/time-off",
            {"kind": "PTO", "first_day": "2027-01-04", "last_day": "2027-01-05", "note": "x"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {alice_token}"},
        )
    assert asked.status_code == 201 and Decimal(asked.json()["hours"]) == 16
    # Her manager is told there is a request to decide (days and hours, not the note).
    (notice,) = mail.outbox
    assert notice.to == ["mia@example.org"]
    assert notice.subject == "Time off to approve: Alice Owner, Mon Jan 4 to Tue Jan 5, 2027"
    assert ", 16 hours." in notice.body and "/team/time-off/" in notice.body
    request_id = asked.json()["id"]
    pending = client.get(
        "/api/team/time-off/pending", headers={"Authorization": f"Bearer {mia_token}"}
    )
    assert [r["id"] for r in pending.json()] == [request_id]
    short = client.post(
        f"/api/team/time-off/{request_id}/decision",
        {"approve": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {mia_token}"},
    )
    assert short.status_code == 409 and "balance is 8.00 hours" in short.json()["detail"]
    declined = client.post(
        f"/api/team/time-off/{request_id}/decision",
        {"approve": False, "version": 1},
        content_type="application/json",
        headers={"Authorization": f"Bearer {mia_token}"},
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = client.post(
        f"/api/team/time-off/{request_id}/decision",
        {"approve": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {mia_token}"},
    )
    assert again.status_code == 409
    assert again.json()["version"] == 2 and again.json()["saved"]["status"] == "declined"
    # alice cannot decide her own request; overlapping requests are refused
    mine = client.post(
        f"/api/team/time-off/{request_id}/decision",
        {"approve": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_token}"},
    )
    assert mine.status_code == 403
    do_request_time_off(
        cast.alice, kind, dt.date(2027, 2, 1), dt.date(2027, 2, 2), acting_user=cast.alice
    )
    try:
        do_request_time_off(
            cast.alice, kind, dt.date(2027, 2, 2), dt.date(2027, 2, 3), acting_user=cast.alice
        )
        raised = False
    except TeamRuleError:
        raised = True
    assert raised
