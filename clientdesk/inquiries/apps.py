from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "clientdesk.inquiries"
    label = "inquiries"
    verbose_name = "Inquiries"

    def ready(self) -> None:
        from clientdesk.inquiries import (
            checks,  # noqa: F401  (registers the start-up checks)
            signals,
        )

        signals.connect()
