from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "clientdesk.insights"
    label = "insights"
    verbose_name = "Emerging issues and root-cause analysis"
    default_auto_field = "django.db.models.BigAutoField"
