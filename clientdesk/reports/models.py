"""Report runs (who asked for which report, its progress and its files) and schedules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import models


class ReportKind(models.TextChoices):
    STEWARDSHIP = "stewardship", "Stewardship report"
    PORTFOLIO = "portfolio", "Portfolio report"


class ReportEdition(models.TextChoices):
    """Who a stewardship report is for: the sponsor (nothing internal: the team's own next
    steps, escalation titles, sources in code) or the account team."""

    CLIENT = "client", "For the sponsor"
    INTERNAL = "internal", "For the account team"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# "brief" is the short executive deck (about 15 slides), a PPTX beside the full deck.
FORMATS = ("pptx", "brief", "xlsx", "pdf")
DEFAULT_FORMATS = ("pptx", "xlsx", "pdf")
CONTENT_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "brief": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def file_name(stem: str, fmt: str) -> str:
    """The file of one format: stewardship-G100001-2026Q3.pptx, ...-executive.pptx for brief."""
    return f"{stem}-executive.pptx" if fmt == "brief" else f"{stem}.{fmt}"


def reports_dir() -> Path:
    return Path(settings.DATA_DIR) / "reports"


class ReportRun(models.Model):
    """One run of a report: asked for by a person (or a schedule), run in the background."""

    kind = models.CharField(max_length=12, choices=ReportKind.choices)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_runs",
        help_text="Empty for a portfolio report.",
    )
    period = models.CharField(max_length=24, help_text="Period code, e.g. 2026Q2.")
    formats = models.JSONField(default=list)
    edition = models.CharField(
        max_length=8, choices=ReportEdition.choices, default=ReportEdition.CLIENT
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_runs",
        help_text="Empty for a run from the CLI without --user (it sees every account).",
    )
    requested_at = models.DateTimeField()
    schedule = models.ForeignKey(
        "ReportSchedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    step = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    files = models.JSONField(default=list, help_text="[{format, name, size}] once done.")
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["account", "-requested_at"])]

    def __str__(self) -> str:
        what = self.account.name if self.account_id and self.account else "portfolio"
        return f"{ReportKind(self.kind).label} {self.period} ({what})"

    @property
    def folder(self) -> Path:
        return reports_dir() / f"run-{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)

    def file_for(self, fmt: str) -> Path | None:
        for f in self.files:
            if f.get("format") == fmt:
                return self.folder / str(f["name"])
        return None


class Cadence(models.TextChoices):
    MONTHLY = "monthly", "Monthly (the month before)"
    QUARTERLY = "quarterly", "Quarterly (the quarter before)"
    YEARLY = "yearly", "Yearly (the year before)"


class ReportSchedule(models.Model):
    """A report run on a cadence and mailed to a list (`clientdesk report run-due`)."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=ReportKind.choices)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_schedules",
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.QUARTERLY)
    formats = models.JSONField(default=list)
    recipients = models.TextField(help_text="E-mail addresses, comma or newline separated.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_schedules",
        help_text="The report runs with this person's access.",
    )
    next_run_on = models.DateField()
    active = models.BooleanField(default=True)
    last_run = models.ForeignKey(
        ReportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_run_on", "id"]

    def __str__(self) -> str:
        return self.name

    def recipient_list(self) -> list[str]:
        parts = self.recipients.replace("\n", ",").replace(";", ",").split(",")
        return [p.strip() for p in parts if p.strip()]

    def is_due(self, today: dt.date) -> bool:
        return self.active and self.next_run_on <= today
