from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "clientdesk.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from django.core import checks

        from clientdesk.lib.panels import ACCOUNT_TABS, DOCUMENTS
        from clientdesk.reports.branding import check_branding

        checks.register(check_branding)
        from clientdesk.reports.panels import documents_panel

        ACCOUNT_TABS.register("reports.stewardship", DOCUMENTS, documents_panel)
