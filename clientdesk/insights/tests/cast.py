"""Issues and problems on the named cast, built through the real actions (for the access
matrix and the app's tests)."""

from __future__ import annotations

import datetime as dt

from clientdesk.insights.actions import (
    do_add_action,
    do_open_problem,
    do_record_detection,
    do_update_problem,
)
from clientdesk.insights.issue_records import IssueRecord
from clientdesk.insights.models import CorrectiveAction, EmergingIssue, Problem
from clientdesk.testing import Cast

START = dt.date(2026, 3, 2)


def issue_record(
    account_id: int | None, *, carc: str = "197", first: dt.date = START
) -> IssueRecord:
    """A CARC denial issue: 14 denials over 5 days against 2.5 expected."""
    return IssueRecord(
        fingerprint=f"{account_id or 'book'}|denials|carc={carc}|{first:%Y-%m-%d}",
        account_id=account_id,
        family="denials",
        cause_key=f"carc={carc}",
        dimension={"carc": carc},
        title=f"Denials — CARC {carc} up",
        summary=f"Denied claims with CARC {carc} rose to 14 over 5 days against 2.5 expected.",
        estimated_start=first,
        first_alert_date=first + dt.timedelta(days=2),
        last_alert_date=first + dt.timedelta(days=4),
        alert_days=3,
        observed=14.0,
        expected=2.5,
        p_value=1e-6,
        detectors=["spike", "cusum"],
        series=[{"family": "denials", "dims": {"carc": carc}}],
        contributors=[
            {
                "account_id": account_id,
                "account": "",
                "family": "denial_details",
                "dims": {"carc": carc, "billing_npi": "1234567893", "hcpcs_code": "72148"},
                "label": "CARC 197, billing NPI 1234567893, procedure 72148",
                "observed": 12.0,
                "expected": 0.5,
                "excess": 11.5,
                "share": 1.0,
            }
        ],
        evidence={
            "dates": [(first + dt.timedelta(days=i)).isoformat() for i in range(5)],
            "observed": [1, 2, 4, 3, 4],
            "expected": [0.5] * 5,
            "upper": [3.0] * 5,
            "start": first.isoformat(),
            "first_alert": first.isoformat(),
            "alerts": [(first + dt.timedelta(days=2)).isoformat()],
        },
        affected={
            "members": 12,
            "claims": 14,
            "dollars": "8400.00",
            "inquiries": 3,
            "inquiry_ids": ["CS1", "CS2", "CS3"],
        },
        guarantees_at_risk=[],
    )


def acme_issue(c: Cast) -> EmergingIssue:
    existing = EmergingIssue.objects.filter(account=c.acme).first()
    if existing:
        return existing
    stored = do_record_detection(
        [issue_record(c.acme.pk)],
        as_of=START + dt.timedelta(days=5),
        since=START,
        stats={},
        acting_user=None,
    )
    return stored.created[0]


def acme_problem(c: Cast) -> Problem:
    """A problem on Acme owned by sam (service operations) with one action sam owns."""
    issue = acme_issue(c)
    problem = do_open_problem(issue, acting_user=c.mia)
    problem = do_update_problem(problem, {"owner": c.sam}, acting_user=c.mia)
    do_add_action(
        problem,
        {
            "description": "Fix the prior-auth rule",
            "owner": c.sam,
            "due_date": dt.date(2026, 3, 20),
        },
        acting_user=c.mia,
    )
    return problem


def acme_action(c: Cast) -> CorrectiveAction:
    return acme_problem(c).actions.get()
