"""Ingestion batches: the operational-DB record of every file loaded into the lake.

A batch's rows are visible to lake readers only while the batch is committed; the gateway
reads the list of committed batches from here, never by listing folders. A *test* batch (a
sponsor's eligibility test file, loaded to see what it rejects) is kept and scored by the
implementations' readiness, but no lake reader sees its rows: members, claims, PMPM and every
mart count production batches only.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q

from clientdesk.lake.schemas import TABLE_NAMES


class BatchStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMMITTED = "committed", "Committed"
    FAILED = "failed", "Failed"
    REPLACED = "replaced", "Replaced"


class IngestBatch(models.Model):
    """One source file loaded (or being loaded) into one lake table."""

    table = models.CharField(max_length=32, choices=[(name, name) for name in TABLE_NAMES])
    source_name = models.CharField("source file name", max_length=255)
    source_format = models.CharField(max_length=8)
    source_bytes = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField("SHA-256 of the file", max_length=64, db_index=True)
    status = models.CharField(
        max_length=12, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    rows_read = models.PositiveBigIntegerField(default=0)
    rows_loaded = models.PositiveBigIntegerField(default=0)
    rows_rejected = models.PositiveBigIntegerField(default=0)
    rejects_path = models.CharField("rejects file", max_length=500, blank=True)
    rejected_reasons = models.JSONField(
        default=list,
        blank=True,
        help_text="Why rows were rejected, grouped with no value in them: [{reason, rows}] "
        "(lake.rejects.reason_group).",
    )
    rejected_claims = models.JSONField(
        default=list,
        blank=True,
        help_text="Claim tables only: the rejected lines per sponsor and service month, "
        "[{account_id, group_id, month, rows, paid}] (month and paid empty when unreadable), "
        "so a report on a period says what it leaves out (lake.rejects.rejected_claim_lines).",
    )
    accounts_created = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="Values loaded with a warning: [{column, rule, count, examples}].",
    )
    warnings_path = models.CharField("warnings file", max_length=500, blank=True)
    report = models.JSONField(
        default=dict,
        blank=True,
        help_text="What an X12 or FHIR file held and what became of it (acceptance report).",
    )
    full_file_groups = models.JSONField(
        default=list,
        blank=True,
        help_text="Eligibility only: the sponsor groups this file carried as a full file (an "
        "834 transaction set with BGN08 RX or 4): it replaces those sponsors' spans of the same "
        "data source loaded from earlier files (lake.staging.enrollment_spans).",
    )
    error = models.TextField(blank=True)
    test = models.BooleanField(
        "test file",
        default=False,
        help_text="A test load (e.g. an eligibility test round): its rows are never read by "
        "the lake's readers; readiness scores it from its counts and rejects.",
    )
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        help_text="The earlier batch of the same file that this one replaced (--replace).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "checksum", "test"],
                condition=Q(status="committed"),
                name="one_committed_batch_per_file",
            ),
            models.CheckConstraint(
                condition=Q(rows_read=models.F("rows_loaded") + models.F("rows_rejected")),
                name="batch_rows_add_up",
            ),
        ]
        indexes = [models.Index(fields=["table", "status"])]

    def __str__(self) -> str:
        return f"{self.table} batch {self.pk} ({self.source_name})"

    @property
    def data_dir(self) -> Path:
        """Folder of the batch's Parquet files: LAKE_DIR/<table>/batch=<id>."""
        return Path(settings.LAKE_DIR) / self.table / f"batch={self.pk}"

    def parquet_files(self) -> list[Path]:
        return sorted(self.data_dir.glob("*.parquet"))
