from django.apps import AppConfig


class ImplementationsConfig(AppConfig):
    name = "clientdesk.implementations"
    label = "implementations"
    verbose_name = "Case installation"

    def ready(self) -> None:
        from clientdesk.implementations import guarantee_events
        from clientdesk.implementations.panels import register

        register()
        guarantee_events.register()
