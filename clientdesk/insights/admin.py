from django.contrib import admin

from clientdesk.insights.models import CorrectiveAction, DetectionRun, EmergingIssue, Problem


@admin.register(DetectionRun)
class DetectionRunAdmin(admin.ModelAdmin[DetectionRun]):
    list_display = ["as_of", "since", "series", "alerts", "issues_created", "issues_updated"]


@admin.register(EmergingIssue)
class EmergingIssueAdmin(admin.ModelAdmin[EmergingIssue]):
    list_display = ["title", "account", "family", "first_alert_date", "status"]
    list_filter = ["family", "status"]


class CorrectiveActionInline(admin.TabularInline[CorrectiveAction, Problem]):
    model = CorrectiveAction
    extra = 0


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin[Problem]):
    list_display = ["title", "account", "status", "owner", "fix_date"]
    list_filter = ["status", "root_cause_category"]
    inlines = [CorrectiveActionInline]
