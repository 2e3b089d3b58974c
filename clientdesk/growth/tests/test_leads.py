"""Leads passed to sales: the status comes back, first contact against the SLA on the
business calendar, conversion by source and by associate; sales sees only its own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clientdesk.growth import actions
from clientdesk.growth.access import leads_visible_to
from clientdesk.growth.models import Lead, LeadStatus
from clientdesk.growth.queries import LEAD_FIRST_CONTACT_SLA, lead_clock, lead_conversion
from clientdesk.growth.tests.cast import NOW, acme_lead, sales_user
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def test_status_comes_back_and_first_contact_is_timed(cast: Cast) -> None:
    lead = acme_lead(cast)  # passed Monday 2026-03-02 10:00 New York
    sal = sales_user()
    actions.do_update_lead(
        lead, LeadStatus.ACCEPTED, now=NOW + dt.timedelta(hours=1), acting_user=sal
    )
    # The SLA is two business days of 10 hours (08:00-18:00) = 20 h. Contacted Wednesday
    # 11:00: Monday 10:00-18:00 (8 h) + Tuesday (10 h) + Wednesday 08:00-11:00 (3 h) = 21 h.
    contacted_at = dt.datetime(2026, 3, 4, 16, 0, tzinfo=dt.UTC)
    lead = actions.do_update_lead(lead, LeadStatus.CONTACTED, now=contacted_at, acting_user=sal)
    assert lead.first_contact_at == contacted_at
    clock = lead_clock(lead, contacted_at + dt.timedelta(days=5))
    assert clock.elapsed == dt.timedelta(hours=21) and clock.hours == 21
    assert clock.breached and clock.done
    # Wednesday 10:00 is exactly 20 h: in time.
    wednesday_10am = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC)
    on_time = lead_clock(Lead(passed_at=NOW, first_contact_at=wednesday_10am), wednesday_10am)
    assert LEAD_FIRST_CONTACT_SLA == 20 * HOUR and on_time.hours == 20 and not on_time.breached
    with pytest.raises(ValidationError):
        actions.do_update_lead(lead, LeadStatus.ACCEPTED, now=contacted_at, acting_user=sal)
    lead = actions.do_update_lead(lead, LeadStatus.CONVERTED, now=contacted_at, acting_user=sal)
    assert [c.status for c in lead.changes.all()] == [
        "passed",
        "accepted",
        "contacted",
        "converted",
    ]


def test_a_rejection_needs_its_reason(cast: Cast) -> None:
    lead = acme_lead(cast)
    with pytest.raises(ValidationError):
        actions.do_update_lead(lead, LeadStatus.REJECTED, now=NOW, acting_user=sales_user())
    lead = actions.do_update_lead(
        lead,
        LeadStatus.REJECTED,
        note="Too small for our segment",
        now=NOW,
        acting_user=sales_user(),
    )
    assert lead.reason == "Too small for our segment"


def test_conversion_by_source_and_associate(cast: Cast) -> None:
    sal = sales_user()
    first = acme_lead(cast)
    actions.do_update_lead(first, LeadStatus.ACCEPTED, now=NOW, acting_user=sal)
    actions.do_update_lead(
        first, LeadStatus.CONTACTED, now=NOW + dt.timedelta(hours=2), acting_user=sal
    )
    actions.do_update_lead(
        first, LeadStatus.CONVERTED, now=NOW + dt.timedelta(hours=3), acting_user=sal
    )
    second = actions.do_pass_lead(
        {
            "company": "Harbor Freight Co-op",
            "contact_name": "Lee",
            "need": "Stop-loss",
            "size": 90,
            "source": "broker",
        },
        sales_owner=sal,
        now=NOW,
        acting_user=cast.bob,
    )
    actions.do_update_lead(
        second, LeadStatus.REJECTED, note="Below minimum size", now=NOW, acting_user=sal
    )
    by_source, by_associate = lead_conversion(cast.mia, NOW + dt.timedelta(days=1))
    assert [
        (r.key, r.passed, r.converted, r.rejected, str(r.rate), r.within_sla, r.contacted)
        for r in by_source
    ] == [
        ("Broker", 1, 0, 1, "0.0", 0, 0),
        ("Subsidiary", 1, 1, 0, "100.0", 1, 1),
    ]
    assert [(r.key, r.converted) for r in by_associate] == [("Alice Owner", 1), ("Bob Teammate", 0)]


def test_each_sees_their_leads(cast: Cast, client) -> None:  # type: ignore[no-untyped-def]
    lead = acme_lead(cast)
    sal = sales_user()
    assert list(leads_visible_to(sal)) == [lead]
    assert list(leads_visible_to(cast.bob)) == []
    client.force_login(sal)
    page = client.get(f"/growth/leads/{lead.pk}/")
    assert page.status_code == 200 and "Acme Logistics" in page.content.decode()
    response = client.post(f"/growth/leads/{lead.pk}/", {"status": "accepted"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED
    home = client.get("/")
    assert "Leads waiting on you" in home.content.decode()
