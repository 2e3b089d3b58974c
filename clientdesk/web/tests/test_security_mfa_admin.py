"""Administering second factors: the reset page (admins only, audited, the user enrols again)
and devices added, changed or deleted in Django admin (audited, keys never shown)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientdesk.audit.models import AuditEvent
from clientdesk.people import mfa
from clientdesk.testing import PASSWORD, Cast


def test_an_admin_resets_a_lost_authenticator_and_the_user_enrols_again(
    cast: Cast, client: Client, settings: Any
) -> None:
    device = mfa.do_seed_device(cast.bob, acting_user=None)
    mfa.do_new_recovery_codes(cast.bob)
    mfa.do_seed_device(cast.alice, acting_user=None)
    client.force_login(cast.ada)

    page = client.get(reverse("mfa:users"))
    assert page.status_code == 200
    rows = {s.user.username: s for s in page.context["statuses"]}
    assert rows["bob"].enrolled and rows["bob"].recovery_codes_left == 10
    assert rows["alice"].enrolled and rows["alice"].recovery_codes_left == 0
    assert not rows["mia"].enrolled
    html = page.content.decode()
    assert reverse("mfa:reset", args=[cast.bob.pk]) in html
    assert reverse("mfa:reset", args=[cast.mia.pk]) not in html  # nothing to reset
    assert mfa.secret_base32(device) not in html

    answer = client.post(reverse("mfa:reset", args=[cast.bob.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("mfa:users")
    assert not TOTPDevice.objects.filter(user=cast.bob).exists()
    assert not StaticDevice.objects.filter(user=cast.bob).exists()
    assert TOTPDevice.objects.filter(user=cast.alice).exists()  # no one else's
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.kind == "security" and event.actor_id == cast.ada.pk
    assert event.object_id == str(cast.bob.pk)
    assert event.before == {"authenticator": True, "recovery_codes": 10}
    assert event.after == {"authenticator": False, "recovery_codes": 0}

    # Bob's next sign-in: the password, then enrolment (not the old code).
    settings.MFA_REQUIRED = True
    bob = Client()
    signed = bob.post("/login/", {"username": "bob", "password": PASSWORD})
    assert signed.status_code == 302
    assert bob.get("/")["Location"].startswith("/mfa/enrol/")


@pytest.mark.parametrize("who", ["mia", "alice", "eve", "sam"])
def test_only_an_admin_resets(cast: Cast, client: Client, who: str) -> None:
    mfa.do_seed_device(cast.bob, acting_user=None)
    client.force_login(cast.users()[who])
    assert client.get(reverse("mfa:users")).status_code == 403
    assert client.post(reverse("mfa:reset", args=[cast.bob.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=cast.bob).exists()
    assert not AuditEvent.objects.filter(action="mfa.reset").exists()


def test_a_reset_of_an_unknown_user_answers_404(cast: Cast, client: Client) -> None:
    client.force_login(cast.ada)
    assert client.post(reverse("mfa:reset", args=[987654])).status_code == 404


def test_devices_changed_in_django_admin_are_audited_without_keys(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.ada)
    device = mfa.do_seed_device(cast.bob, acting_user=None)
    secret = mfa.secret_base32(device)
    change_url = f"/admin/otp_totp/totpdevice/{device.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert device.key not in page.content.decode()  # the key is hidden in admin
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update({"name": "bob's old phone", "confirmed": "on", "user": cast.bob.pk})
    data = {k: ("" if v is None else v) for k, v in data.items()}
    saved = client.post(change_url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    change = AuditEvent.objects.get(action="mfa.device_change")
    assert change.actor_id == cast.ada.pk and change.object_id == str(cast.bob.pk)
    assert change.detail == {"device": "totp", "name": "bob's old phone", "fields": ["name"]}

    deleted = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    gone = AuditEvent.objects.get(action="mfa.device_delete")
    assert gone.object_id == str(cast.bob.pk) and gone.kind == "security"

    mfa.do_new_recovery_codes(cast.alice)
    static = StaticDevice.objects.get(user=cast.alice)
    bulk = client.post(
        "/admin/otp_static/staticdevice/",
        {"action": "delete_selected", "_selected_action": [static.pk], "post": "yes"},
    )
    assert bulk.status_code == 302
    assert not StaticDevice.objects.filter(user=cast.alice).exists()
    bulk_row = AuditEvent.objects.get(action="mfa.device_delete", object_id=str(cast.alice.pk))
    assert bulk_row.detail is not None and bulk_row.detail["device"] == "recovery codes"

    trail = str(list(AuditEvent.objects.values_list("before", "after", "detail")))
    assert secret not in trail and device.key not in trail
