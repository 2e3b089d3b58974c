"""The new-inquiry form narrows its lists to what was chosen: the sponsor contacts of the
account, the subcategories of the category; whoever logs the inquiry owns it by default."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from clientdesk.accounts.models import Contact
from clientdesk.inquiries.forms import InquiryForm
from clientdesk.inquiries.models import SUBCATEGORIES, Category
from clientdesk.testing import Cast


def _contacts(form: InquiryForm) -> list[str]:
    return [str(label) for value, label in form.fields["contact"].choices if value != ""]  # type: ignore[attr-defined]


def test_the_lists_follow_the_account_and_the_category(cast: Cast) -> None:
    Contact.objects.create(account=cast.bayside, name="Lee Pier", role="hr_director")
    everyone = InquiryForm(user=cast.mia)
    assert len(_contacts(everyone)) == 2  # every writable account's, until one is chosen
    acme = InquiryForm(user=cast.mia, initial={"account": str(cast.acme.pk)})
    assert _contacts(acme) == [str(cast.acme_contact)]
    claims = InquiryForm(user=cast.mia, initial={"category": Category.CLAIMS})
    subcategories = claims.fields["subcategory"].choices  # type: ignore[attr-defined]
    assert subcategories == [("", "—"), *SUBCATEGORIES[Category.CLAIMS]]


def test_whoever_logs_it_owns_it_unless_they_choose_routing(cast: Cast) -> None:
    assert InquiryForm(user=cast.alice).initial["owner"] == cast.alice.pk
    assert "owner" not in InquiryForm(user=cast.eve).initial  # not someone who owns inquiries


def test_changing_the_account_reloads_the_form_keeping_what_was_typed(
    cast: Cast, client: Client
) -> None:
    Contact.objects.create(account=cast.bayside, name="Lee Pier", role="hr_director")
    client.force_login(cast.mia)
    page = client.get(
        reverse("inquiries:create"),
        {"account": str(cast.bayside.pk), "subject": "ID card never arrived", "category": "claims"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Lee Pier" in page and cast.acme_contact.name not in page
    assert 'value="ID card never arrived"' in page
    assert "EOB question" in page and "Termination error" not in page
