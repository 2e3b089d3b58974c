from django.contrib import admin
from django.http import HttpRequest

from clientdesk.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is append-only, even for admins."""

    list_display = ["at", "actor_label", "kind", "action", "object_label", "account"]
    list_filter = ["kind", "action"]
    search_fields = ["actor_label", "object_label", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
