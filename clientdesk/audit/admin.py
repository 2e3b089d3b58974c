from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest

from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit


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


class AuditedUserAdmin(UserAdmin[User]):
    """Django's user admin, with an audit row for every change of roles (groups), staff,
    superuser or active flags: role grants made here are recorded like every other change."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        request._roles_before = _roles(obj) if obj.pk else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = getattr(request, "_roles_before", None)
        after = _roles(user)
        if before != after:
            record_audit(
                actor=request.user,
                action="user.roles" if before is not None else "user.create",
                obj=user,
                before=before,
                after=after,
                kind="security",
            )


def _roles(user: User) -> dict[str, Any]:
    stored = User.objects.filter(pk=user.pk).first()
    if stored is None:
        return {}
    return {
        "groups": sorted(stored.groups.values_list("name", flat=True)),
        "is_staff": stored.is_staff,
        "is_superuser": stored.is_superuser,
        "is_active": stored.is_active,
    }


admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)
