from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "clientdesk.insights"
    label = "insights"
    verbose_name = "Emerging issues and root-cause analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clientdesk.insights import links  # noqa: F401  (registers the link clean-up)
