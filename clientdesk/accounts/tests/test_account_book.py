"""The account book: pages, forms, actions and their audit rows, with the named cast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts import actions
from clientdesk.accounts.models import Account, ActivityEvent, Contact, Contract
from clientdesk.audit.models import AuditEvent
from clientdesk.testing import Cast

VALID_ACCOUNT = {
    "name": "Cedar County Schools",
    "group_number": "g100003",
    "segment": "public_sector",
    "funding": "fully_insured",
    "tier": "standard",
    "status": "active",
    "employees": "450",
    "members": "1100",
    "state": "IA",
    "region": "Midwest",
    "timezone": "America/Chicago",
    "broker": "",
    "effective_date": "2024-07-01",
    "renewal_date": "2026-07-01",
    "special_handling": "",
}


def test_list_shows_only_an_associates_accounts(cast: Cast, client: Client) -> None:
    client.force_login(cast.oscar)
    page = client.get(reverse("accounts:list")).content.decode()
    assert "Bayside Carpenters Health Fund" in page
    assert "Acme Steel Works" not in page


def test_list_search_filter_and_sort(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    url = reverse("accounts:list")
    assert "Bayside" not in client.get(url, {"q": "acme"}).content.decode()
    assert "Bayside" in client.get(url, {"q": "G100002"}).content.decode()
    by_segment = client.get(url, {"segment": "labor_fund"}).content.decode()
    assert "Bayside" in by_segment and "Acme" not in by_segment
    by_renewal = client.get(url, {"renewal_month": "2027-07"}).content.decode()
    assert "Bayside" in by_renewal and "Acme" not in by_renewal
    by_associate = client.get(url, {"associate": cast.alice.pk}).content.decode()
    assert "Acme" in by_associate and "Bayside" not in by_associate
    ordered = client.get(url, {"sort": "-name"}).content.decode()
    assert ordered.index("Bayside") < ordered.index("Acme")
    bad_month = client.get(url, {"renewal_month": "2027-13"})
    assert bad_month.status_code == 200
    assert "Use the form YYYY-MM." in bad_month.content.decode()


def test_list_answers_htmx_with_rows_only(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    response = client.get(reverse("accounts:list"), {"q": "acme"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "Acme Steel Works" in body


def test_list_paginates_and_pins_its_query_count(
    cast: Cast, client: Client, django_assert_max_num_queries: object
) -> None:
    for n in range(30):
        acct = actions.do_create_account(
            {
                **VALID_ACCOUNT,
                "group_number": f"P{n:05d}",
                "name": f"Parish {n:02d}",
                "effective_date": dt.date(2024, 1, 1),
                "renewal_date": dt.date(2026, 1, 1),
            },
            acting_user=cast.mia,
        )
        actions.do_assign(acct, cast.alice, "lead", acting_user=cast.mia)
    client.force_login(cast.mia)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        first = client.get(reverse("accounts:list"))
    assert "32 accounts · page 1 of 2" in first.content.decode()
    second = client.get(reverse("accounts:list"), {"page": 2}).content.decode()
    assert "Parish 29" in second or "Parish 2" in second


def test_account_page_shows_facts_contract_team_contacts(cast: Cast, client: Client) -> None:
    client.force_login(cast.bob)
    page = client.get(reverse("accounts:detail", args=[cast.acme.pk])).content.decode()
    expected = [
        "Acme Steel Works",
        "G100001",
        "C-G100001-2025",
        "Medical, Pharmacy",
        "$38.50",
        "Alice Owner",
        "Lead associate",
        "Bob Teammate",
        "Dana Whitfield",
        "primary",
    ]
    for text in expected:
        assert text in page, text


def test_create_account_saves_and_audits(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    response = client.post(reverse("accounts:create"), VALID_ACCOUNT)
    account = Account.objects.get(group_number="G100003")  # upper-cased on the way in
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", args=[account.pk])
    event = AuditEvent.objects.get(action="account.create", account=account)
    assert event.actor == cast.mia
    assert event.after is not None and event.after["name"] == "Cedar County Schools"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"renewal_date": "2024-06-30"}, "renewal_date", "must be after the effective date"),
        ({"segment": "church"}, "segment", "Select a valid choice"),
        ({"group_number": "G100001"}, "group_number", "already exists"),
        ({"employees": "-3"}, "employees", "greater than or equal to 0"),
        ({"members": "10"}, "members", "cannot be fewer"),
        ({"group_number": "g 1"}, "group_number", "Use 3–20 capital letters"),
        ({"name": ""}, "name", "This field is required"),
    ],
)
def test_bad_account_input_gets_a_field_message_and_saves_nothing(
    cast: Cast, client: Client, change: dict[str, str], field: str, message: str
) -> None:
    client.force_login(cast.mia)
    before = (Account.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse("accounts:create"), {**VALID_ACCOUNT, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert (Account.objects.count(), AuditEvent.objects.count()) == before


def test_edit_account_records_before_and_after(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    data = {
        **VALID_ACCOUNT,
        "name": "Acme Steel Works",
        "group_number": "G100001",
        "segment": "commercial",
        "funding": "aso",
        "broker": "Mercer",
        "effective_date": "2019-01-01",
        "renewal_date": "2027-01-01",
        "employees": "1200",
        "members": "2900",
        "state": "OH",
        "timezone": "America/New_York",
    }
    assert client.post(reverse("accounts:edit", args=[cast.acme.pk]), data).status_code == 302
    event = AuditEvent.objects.filter(action="account.update").get()
    changed = {name: (old, new) for name, old, new in event.changed_fields()}
    assert changed["broker"] == ("Gallagher", "Mercer")
    assert changed["tier"] == ("key", "standard")


def test_account_cannot_be_its_own_ancestor(cast: Cast, client: Client) -> None:
    actions.do_update_account(cast.bayside, {"parent": cast.acme}, acting_user=cast.mia)
    client.force_login(cast.mia)
    data = {
        **VALID_ACCOUNT,
        "name": "Acme",
        "group_number": "G100001",
        "segment": "commercial",
        "funding": "aso",
        "members": "2900",
        "employees": "1200",
        "parent": str(cast.bayside.pk),
    }
    response = client.post(reverse("accounts:edit", args=[cast.acme.pk]), data)
    assert "own parent or ancestor" in " ".join(response.context["form"].errors["parent"])


def test_contact_add_edit_remove_with_audit(cast: Cast, client: Client) -> None:
    client.force_login(cast.alice)
    add = reverse("accounts:contact_create", args=[cast.acme.pk])
    response = client.post(
        add,
        {
            "name": "Rob Hale",
            "role": "cfo",
            "email": "rob@acme.example",
            "phone": "614-555-0199",
            "is_primary": "on",
        },
    )
    assert response.status_code == 302
    rob = Contact.objects.get(name="Rob Hale")
    assert rob.is_primary
    cast.acme_contact.refresh_from_db()
    assert not cast.acme_contact.is_primary  # one primary contact per account
    edit = reverse("accounts:contact_edit", args=[cast.acme.pk, rob.pk])
    bad = client.post(edit, {"name": "Rob Hale", "role": "cfo", "email": "not-an-email"})
    assert "Enter a valid email address." in bad.context["form"].errors["email"]
    client.post(reverse("accounts:contact_delete", args=[cast.acme.pk, rob.pk]))
    assert not Contact.objects.filter(pk=rob.pk).exists()
    actions_seen = list(
        AuditEvent.objects.filter(account=cast.acme, object_type="accounts.contact")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_seen[-3:] == ["contact.update", "contact.create", "contact.delete"]


def test_contract_rules_follow_funding(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    url = reverse("accounts:contract_create", args=[cast.acme.pk])
    base = {
        "number": "C-G100001-2027",
        "start_date": "2027-01-01",
        "end_date": "2028-12-31",
        "products": ["medical", "dental"],
    }
    response = client.post(url, {**base, "premium_pmpm": "612.00"})
    errors = response.context["form"].errors
    assert errors["admin_fee_pepm"] == ["An ASO contract needs its admin fee PEPM."]
    assert errors["premium_pmpm"] == ["An ASO contract has no premium."]
    negative = client.post(url, {**base, "admin_fee_pepm": "-1.00"})
    assert "greater than or equal to 0" in " ".join(
        negative.context["form"].errors["admin_fee_pepm"]
    )
    backwards = client.post(url, {**base, "admin_fee_pepm": "40", "end_date": "2026-01-01"})
    assert backwards.context["form"].errors["end_date"] == [
        "The contract must end after it starts."
    ]
    assert client.post(url, {**base, "admin_fee_pepm": "40.25"}).status_code == 302
    contract = Contract.objects.get(number="C-G100001-2027")
    assert contract.admin_fee_pepm == Decimal("40.25")
    assert contract.products == ["medical", "dental"]


def test_new_lead_demotes_the_previous_lead(cast: Cast) -> None:
    actions.do_assign(cast.acme, cast.oscar, "lead", acting_user=cast.mia)
    roles = dict(cast.acme.assignments.values_list("user__username", "role"))
    assert roles == {"alice": "backup", "bob": "backup", "oscar": "lead"}


def test_database_refuses_a_second_lead(cast: Cast) -> None:
    from clientdesk.accounts.models import Assignment

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            account=cast.acme, user=cast.oscar, role="lead", since=dt.date(2026, 1, 1)
        )


def test_team_page_assigns_and_removes(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    url = reverse("accounts:team", args=[cast.bayside.pk])
    assert client.post(url, {"user": cast.alice.pk, "role": "backup"}).status_code == 302
    assert cast.bayside.assignments.filter(user=cast.alice, role="backup").exists()
    not_an_associate = client.post(url, {"user": cast.eve.pk, "role": "backup"})
    assert "Select a valid choice" in " ".join(not_an_associate.context["form"].errors["user"])


def test_logging_activity_adds_to_the_timeline(cast: Cast, client: Client) -> None:
    client.force_login(cast.bob)
    url = reverse("accounts:activity_create", args=[cast.acme.pk])
    response = client.post(
        url,
        {
            "kind": "visit",
            "subject": "Quarterly onsite review",
            "body": "Walked through Q2 results.",
            "occurred_at": "2026-06-12T10:30",
        },
    )
    timeline = reverse("accounts:tab", args=[cast.acme.pk, "timeline"])
    assert (response.status_code, response["Location"]) == (302, timeline)
    event = ActivityEvent.objects.get(subject="Quarterly onsite review")
    assert (event.kind, event.actor) == ("visit", cast.bob)
    page = client.get(timeline).content.decode()
    assert "Quarterly onsite review" in page and "Jun 12, 2026" in page
    overview = client.get(reverse("accounts:detail", args=[cast.acme.pk])).content.decode()
    assert "Quarterly onsite review" not in overview  # the Overview leaves the timeline out
    bad = client.post(url, {"kind": "guarantee", "subject": ""})
    assert bad.status_code == 422
    assert set(bad.context["form"].errors) == {"kind", "subject"}


def test_home_lists_what_needs_attention(cast: Cast, client: Client) -> None:
    actions.do_update_account(
        cast.bayside,
        {"renewal_date": timezone.localdate() + dt.timedelta(days=45)},
        acting_user=cast.mia,
    )
    client.force_login(cast.mia)
    page = client.get(reverse("home")).content.decode()
    assert "Renews in 45 days" in page
    assert "No primary contact on file" in page  # Bayside has no contact


def test_service_operations_home_has_no_account_list(cast: Cast, client: Client) -> None:
    client.force_login(cast.sam)
    page = client.get(reverse("home")).content.decode()
    assert "Acme" not in page and "Bayside" not in page


def test_the_system_s_own_events_are_kept_apart_from_the_relationship(
    cast: Cast, client: Client
) -> None:
    with transaction.atomic():
        actions.do_log_activity(
            cast.acme, kind="call", subject="Call with the benefits director", acting_user=cast.bob
        )
        actions.do_log_activity(
            cast.acme, kind="data_load", subject="Loaded 1,204 claim lines", acting_user=cast.mia
        )
        actions.do_log_activity(
            cast.acme, kind="issue", subject="Denials up: CARC 197", acting_user=None
        )
    client.force_login(cast.bob)
    page = client.get(reverse("accounts:tab", args=[cast.acme.pk, "timeline"])).content.decode()
    relationship, _, system = page.partition("System: data loads, imports and jobs (2)")
    assert "Call with the benefits director" in relationship
    assert "Loaded 1,204 claim lines" not in relationship and "Denials up" not in relationship
    assert "Loaded 1,204 claim lines" in system and "System (run by Mia Manager)" in system
    assert "Denials up: CARC 197" in system
