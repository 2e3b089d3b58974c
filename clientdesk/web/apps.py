from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "clientdesk.web"
    verbose_name = "Web shell"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clientdesk.web import checks  # noqa: F401  (registers the start-up checks)
