"""The clock runs each recurring job at its interval, survives a failing job, and its jobs do
real work: an inquiry past its deadline is marked breached without anyone opening it."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
import time_machine
from django.core.management import call_command

from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.testing import Cast
from clientdesk.web.clock import JOBS, Job, due, next_wake, tick

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


def _job(name: str, minutes: int, calls: list[str], fail: bool = False) -> Job:
    def run(now: dt.datetime) -> str:
        calls.append(f"{name} {now:%H:%M}")
        if fail:
            raise RuntimeError("the lake is being replaced")
        return "ok"

    return Job(name, dt.timedelta(minutes=minutes), run)


def test_jobs_run_at_their_interval_and_a_failure_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []
    jobs = (_job("sla", 5, calls), _job("reports", 60, calls, fail=True))
    last: dict[str, dt.datetime] = {}
    with caplog.at_level(logging.INFO, logger="clientdesk.web.clock"):
        assert tick(jobs, last, T0) == 1  # both due at first; reports fails
    assert calls == ["sla 14:00", "reports 14:00"]
    assert "reports failed: RuntimeError: the lake is being replaced" in caplog.text
    assert next_wake(jobs, last) == T0 + dt.timedelta(minutes=5)
    assert [j.name for j in due(jobs, last, T0 + dt.timedelta(minutes=4, seconds=59))] == []
    tick(jobs, last, T0 + dt.timedelta(minutes=5))
    tick(jobs, last, T0 + dt.timedelta(minutes=10))
    tick(jobs, last, T0 + dt.timedelta(minutes=60))
    assert calls[2:] == ["sla 14:05", "sla 14:10", "sla 15:00", "reports 15:00"]


def test_the_production_jobs() -> None:
    assert [(j.name, j.every) for j in JOBS] == [
        ("inquiry SLA", dt.timedelta(minutes=5)),
        ("scheduled reports", dt.timedelta(hours=1)),
        ("team reminders and accruals", dt.timedelta(hours=24)),
        ("account health and calls to action", dt.timedelta(hours=24)),
        ("rejects retention", dt.timedelta(hours=24)),
        ("report and attachment retention", dt.timedelta(hours=24)),
        ("implementation surveys", dt.timedelta(hours=24)),
        ("survey schedules and reminders", dt.timedelta(hours=24)),
    ]


@pytest.mark.django_db
def test_clock_once_runs_every_job() -> None:
    out = io.StringIO()
    call_command("clock", "--once", stdout=out)
    assert out.getvalue().strip() == "8 jobs run"


@pytest.mark.django_db
def test_an_inquiry_breaches_without_anyone_opening_it(cast: Cast) -> None:
    # Opened Monday 2 March 2026, 09:00 EST, normal priority: first response due 4 business
    # hours later, 13:00 EST (18:00Z). The clock's SLA job marks it at 18:05Z.
    with time_machine.travel(dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC), tick=False):
        inquiry = acme_inquiry(cast)
    assert inquiry.first_response_due_at == dt.datetime(2026, 3, 2, 18, tzinfo=dt.UTC)
    last: dict[str, dt.datetime] = {}
    tick(JOBS[:1], last, dt.datetime(2026, 3, 2, 17, 55, tzinfo=dt.UTC))
    inquiry.refresh_from_db()
    assert inquiry.sla_state == "running"
    tick(JOBS[:1], last, dt.datetime(2026, 3, 2, 18, 5, tzinfo=dt.UTC))
    inquiry.refresh_from_db()
    assert inquiry.sla_state == "breached"
