from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "clientdesk.reports"
    label = "reports"
    verbose_name = "Reports"
