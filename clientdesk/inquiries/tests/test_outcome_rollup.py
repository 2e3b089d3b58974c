"""The per-day SLA outcome counts (SlaOutcomeDay) against the SlaEvent rows they summarise.

The whole book's "% met" reads the per-day counts; a reader who sees only some accounts gets
the counts from the events. After every kind of write that adds or supersedes an outcome
(resolving, reopening, a policy change, a calendar change, deleting a user), both must give
the same numbers, and those numbers are computed here by hand.

Team time zone: America/New_York. Acme is a key account in New York (key policy 4 h / 24 h);
Bayside a standard account in Los Angeles (8 h / 40 h). Opening hours 8:00-18:00, weekdays.
March 2026: Mon 2, Tue 3, Wed 4, Thu 5 (all before DST starts on March 8: EST = UTC-5).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User

from clientdesk.accounts.models import Account
from clientdesk.inquiries import actions
from clientdesk.inquiries.models import Inquiry, SlaEvent
from clientdesk.inquiries.queries import (
    attainment,
    outcome_counts_from_days,
    outcome_counts_from_events,
)
from clientdesk.inquiries.runs import run_sla
from clientdesk.inquiries.tests.conftest import OpenInquiry, at, utc
from clientdesk.testing import Cast

Counts = dict[tuple[str, str, str, str], int]
MONTH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
WINDOWS = [
    MONTH,
    (dt.date(2026, 3, 2), dt.date(2026, 3, 2)),
    (dt.date(2026, 3, 3), dt.date(2026, 3, 5)),
]


def from_days(start: dt.date, end: dt.date) -> Counts:
    return {(d, k, m, kind): n for d, k, m, kind, n in outcome_counts_from_days(start, end) if n}


def from_events(start: dt.date, end: dt.date) -> Counts:
    rows = outcome_counts_from_events(SlaEvent.objects.all(), start, end)
    return {(d, k, m, kind): n for d, k, m, kind, n in rows if n}


def assert_rollup_agrees() -> None:
    for start, end in WINDOWS:
        assert from_days(start, end) == from_events(start, end), (start, end)


def resolve(inquiry: Inquiry, moment: dt.datetime, by: User) -> Inquiry:
    with at(moment):
        return actions.do_change_status(
            inquiry,
            "resolved",
            expected_version=inquiry.version,
            acting_user=by,
            resolution_code="answered",
            resolution_summary="Answered.",
        )


def test_rollup_agrees_with_the_events_through_every_kind_of_change(
    cast: Cast, open_inquiry: OpenInquiry
) -> None:
    alice, bob, oscar = (str(u.pk) for u in (cast.alice, cast.bob, cast.oscar))
    acme, bayside = str(cast.acme.pk), str(cast.bayside.pk)
    fr, res = "first_response", "resolution"

    # A: Acme, alice, claims. Mon 09:00 EST (14:00Z), resolved Mon 11:00 EST (16:00Z):
    # 2 business hours; the resolution is the first response: both met on Mar 2.
    a = open_inquiry(at=utc(2026, 3, 2, 14), owner=cast.alice)
    a = resolve(a, utc(2026, 3, 2, 16), cast.alice)
    # B: Acme, bob, pharmacy. Mon 09:00 EST, resolved Wed 17:00 EST (22:00Z).
    # First response due Mon 13:00 EST (18:00Z Mar 2): breached then.
    # Resolution 24 h: Mon 9 + Tue 10 + Wed 5 → Wed 13:00 EST (18:00Z Mar 4): breached then.
    b = open_inquiry(
        at=utc(2026, 3, 2, 14), owner=cast.bob, category="pharmacy", subcategory="mail_order"
    )
    resolve(b, utc(2026, 3, 4, 22), cast.bob)
    # C: Bayside, oscar, claims. Tue 08:00 PST (16:00Z), resolved Tue 10:00 PST (18:00Z):
    # 2 business hours, both met on Mar 3.
    c = open_inquiry(at=utc(2026, 3, 3, 16), account=cast.bayside, owner=cast.oscar, by=cast.mia)
    resolve(c, utc(2026, 3, 3, 18), cast.mia)  # oscar never acts: he can be deleted

    expected: Counts = {
        ("owner", alice, fr, "met"): 1,
        ("owner", alice, res, "met"): 1,
        ("owner", bob, fr, "breached"): 1,
        ("owner", bob, res, "breached"): 1,
        ("owner", oscar, fr, "met"): 1,
        ("owner", oscar, res, "met"): 1,
        ("account", acme, fr, "met"): 1,
        ("account", acme, fr, "breached"): 1,
        ("account", acme, res, "met"): 1,
        ("account", acme, res, "breached"): 1,
        ("account", bayside, fr, "met"): 1,
        ("account", bayside, res, "met"): 1,
        ("category", "claims", fr, "met"): 2,
        ("category", "claims", res, "met"): 2,
        ("category", "pharmacy", fr, "breached"): 1,
        ("category", "pharmacy", res, "breached"): 1,
    }
    assert from_days(*MONTH) == expected
    assert_rollup_agrees()
    # Mar 2 alone: A's two outcomes and B's first-response breach.
    assert from_days(dt.date(2026, 3, 2), dt.date(2026, 3, 2))[("account", acme, fr, "met")] == 1
    assert ("account", acme, res, "breached") not in from_days(
        dt.date(2026, 3, 2), dt.date(2026, 3, 2)
    )

    # Reopen A Tue 10:00 EST (15:00Z); resolved again Thu 13:00 EST (18:00Z Mar 5).
    # Resolution clock: Mon 2 h, then Tue 10:00-18:00 8 h, Wed 10 h, Thu 8:00-12:00 4 h
    # = 24 h at Thu 12:00 EST (17:00Z): breached then. Its Mar 2 "met" is superseded, so
    # the Mar 2 counts must be rebuilt too. The first response (Mon 11:00) stays met.
    with at(utc(2026, 3, 3, 15)):
        a = actions.do_change_status(a, "open", expected_version=a.version, acting_user=cast.alice)
    a = resolve(a, utc(2026, 3, 5, 18), cast.alice)
    expected[("owner", alice, res, "met")] -= 1
    expected[("owner", alice, res, "breached")] = 1
    expected[("account", acme, res, "met")] -= 1
    expected[("account", acme, res, "breached")] += 1
    expected[("category", "claims", res, "met")] -= 1
    expected[("category", "claims", res, "breached")] = 1
    expected = {k: n for k, n in expected.items() if n}
    assert from_days(*MONTH) == expected
    assert_rollup_agrees()
    assert SlaEvent.objects.filter(inquiry=a, superseded_at__isnull=False).count() == 1

    # Policy change: key accounts' claims get 30 h / 30 h; recompute everything. A's
    # resolution (25 business hours) is met now, on Thu Mar 5 at the resolution; its first
    # response (2 h) is met again under the new deadline (the old row superseded, a new one).
    actions.do_save_sla_policy(
        None,
        {
            "name": "Key claims",
            "tier": "key",
            "category": "claims",
            "first_response_hours": Decimal("30"),
            "resolution_hours": Decimal("30"),
            "is_active": True,
        },
        acting_user=cast.mia,
    )
    result = run_sla(now=utc(2026, 3, 20, 12), include_done=True)
    assert result.superseded == 2
    expected[("owner", alice, res, "met")] = 1
    del expected[("owner", alice, res, "breached")]
    expected[("account", acme, res, "met")] = 1
    expected[("account", acme, res, "breached")] -= 1
    expected[("category", "claims", res, "met")] = 2
    del expected[("category", "claims", res, "breached")]
    assert from_days(*MONTH) == expected
    assert_rollup_agrees()
    met_on = SlaEvent.objects.get(inquiry=a, metric=res, superseded_at__isnull=True)
    assert (met_on.kind, met_on.occurred_at) == ("met", utc(2026, 3, 5, 18))

    # Calendar change: Bayside moves to New York time. C ran Tue 11:00-13:00 EST: still
    # 2 business hours and met, under new deadlines (rows superseded, counts unchanged).
    Account.objects.filter(pk=cast.bayside.pk).update(timezone="America/New_York")
    result = run_sla(now=utc(2026, 3, 20, 12), include_done=True)
    assert result.superseded == 2
    assert from_days(*MONTH) == expected
    assert_rollup_agrees()

    # Deleting oscar (an owner who never acted, so no audit row protects him) makes him
    # nobody on his events: his outcomes move to "" in both.
    cast.oscar.delete()
    expected[("owner", "", fr, "met")] = expected.pop(("owner", oscar, fr, "met"))
    expected[("owner", "", res, "met")] = expected.pop(("owner", oscar, res, "met"))
    assert from_days(*MONTH) == expected
    assert_rollup_agrees()

    # The dashboard: a manager reads the rollup, alice (Acme's team) the events of Acme;
    # both give Acme 50 % resolution met (A met, B breached) and 50 % first response met.
    for user in (cast.mia, cast.alice):
        by_account = {item.label: item for item in attainment(user, *MONTH)["account"]}
        assert by_account[cast.acme.name].percent(res) == 50.0
        assert by_account[cast.acme.name].percent(fr) == 50.0
    assert cast.bayside.name not in {
        item.label for item in attainment(cast.alice, *MONTH)["account"]
    }
