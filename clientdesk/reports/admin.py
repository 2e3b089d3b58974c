from django.contrib import admin

from clientdesk.reports.models import ReportRun, ReportSchedule


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin[ReportRun]):
    list_display = ["id", "kind", "account", "period", "requested_by", "requested_at", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ReportRun._meta.fields]


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin[ReportSchedule]):
    list_display = ["name", "kind", "account", "cadence", "next_run_on", "owner", "active"]
    list_filter = ["kind", "cadence", "active"]
