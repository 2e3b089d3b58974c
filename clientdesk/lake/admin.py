from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientdesk.lake.models import IngestBatch


@admin.register(IngestBatch)
class IngestBatchAdmin(admin.ModelAdmin[IngestBatch]):
    """Read-only: batches are written by ingestion only."""

    list_display = [
        "id",
        "table",
        "source_name",
        "status",
        "test",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "started_at",
    ]
    list_filter = ["table", "status", "test"]
    search_fields = ["source_name", "checksum"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
