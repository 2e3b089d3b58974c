from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientdesk.people.mfa import record_device_admin
from clientdesk.people.models import ApiToken
from clientdesk.people.tokens import do_revoke_api_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Read-only but for revoking, which goes through the audited action. Tokens are created
    with `clientdesk token create` (the raw token is shown once, so never in a form)."""

    list_display = [
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = [
        "name",
        "user",
        "prefix",
        "digest",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    search_fields = ["name", "user__username"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoke instead: the row stays as evidence

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.select_related("user"):
            do_revoke_api_token(token, acting_user=request.user)  # type: ignore[arg-type]


class AuditedDeviceAdmin:
    """django-otp's device admin with a security audit row for every device added, changed or
    deleted there (who did it, whose device, which fields; never the key or the codes)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            changed = list(form.changed_data) if change else ["created"]
            record_device_admin(request.user, obj, "change" if change else "add", changed)  # type: ignore[arg-type]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_related(request, form, formsets, change)  # type: ignore[misc]
            if change and any(formset.has_changed() for formset in formsets):
                record_device_admin(request.user, form.instance, "change", ["tokens"])  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record_device_admin(request.user, obj, "delete", [])  # type: ignore[arg-type]
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for device in queryset.select_related("user"):
                record_device_admin(request.user, device, "delete", [])  # type: ignore[arg-type]
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class AuditedTOTPDeviceAdmin(AuditedDeviceAdmin, TOTPDeviceAdmin):  # type: ignore[misc]  # untyped library
    pass


class AuditedStaticDeviceAdmin(AuditedDeviceAdmin, StaticDeviceAdmin):  # type: ignore[misc]  # untyped library
    pass


for _model, _admin in (
    (TOTPDevice, AuditedTOTPDeviceAdmin),
    (StaticDevice, AuditedStaticDeviceAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
