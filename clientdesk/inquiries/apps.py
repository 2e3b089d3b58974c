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

        from clientdesk.inquiries.panels import inquiries_panel, inquiries_work
        from clientdesk.lib.panels import ACCOUNT_TABS, SERVICE
        from clientdesk.lib.work import WORK_LISTS

        ACCOUNT_TABS.register("inquiries.summary", SERVICE, inquiries_panel, order=10)
        WORK_LISTS.register("inquiries", inquiries_work, order=10)
