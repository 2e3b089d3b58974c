from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

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
