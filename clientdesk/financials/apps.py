from django.apps import AppConfig


class FinancialsConfig(AppConfig):
    name = "clientdesk.financials"
    label = "financials"
    verbose_name = "Financials"

    def ready(self) -> None:
        from clientdesk.financials.panels import register

        register()
