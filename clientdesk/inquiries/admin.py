"""Django admin for inquiries: read-only. Every change goes through the pages (actions with
their audit rows); the admin is for looking things up."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientdesk.inquiries.models import (
    AccountEscalation,
    Inquiry,
    InquiryImport,
    InquiryStatusChange,
    SlaEvent,
    SlaPolicy,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "subject",
        "account",
        "status",
        "priority",
        "category",
        "owner",
        "opened_at",
        "sla_state",
    ]
    list_filter = ["status", "priority", "category", "sla_state", "channel"]
    search_fields = ["subject", "account__name", "external_id"]
    exclude = ["member_reference"]  # PHI: shown in full only on the page, with an audit row


@admin.register(InquiryStatusChange)
class InquiryStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["inquiry", "from_status", "to_status", "at", "actor"]


@admin.register(SlaEvent)
class SlaEventAdmin(ReadOnlyAdmin):
    list_display = ["inquiry", "metric", "kind", "due_at", "occurred_at", "superseded_at"]
    list_filter = ["metric", "kind"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "tier",
        "category",
        "priority",
        "first_response_hours",
        "resolution_hours",
        "is_active",
    ]


@admin.register(AccountEscalation)
class AccountEscalationAdmin(ReadOnlyAdmin):
    list_display = ["title", "account", "severity", "status", "owner", "raised_at"]


@admin.register(InquiryImport)
class InquiryImportAdmin(ReadOnlyAdmin):
    list_display = ["at", "source", "actor", "rows_read", "created", "already_present", "rejected"]
