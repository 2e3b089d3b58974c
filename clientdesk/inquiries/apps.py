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

        from clientdesk.inquiries.panels import (
            escalations_work,
            inquiries_panel,
            inquiries_work,
            sla_trend_work,
        )
        from clientdesk.lib.panels import ACCOUNT_TABS, SERVICE
        from clientdesk.lib.work import WORK_LISTS

        ACCOUNT_TABS.register("inquiries.summary", SERVICE, inquiries_panel, order=10)
        WORK_LISTS.register("inquiries", inquiries_work, order=10)
        WORK_LISTS.register("escalations", escalations_work, order=12)
        WORK_LISTS.register("sla-trend", sla_trend_work, order=6)

        from clientdesk.inquiries import measures

        measures.register()
