from django.apps import AppConfig


class FinancialsConfig(AppConfig):
    name = "clientdesk.financials"
    label = "financials"
    verbose_name = "Financials"

    def ready(self) -> None:
        from clientdesk.financials import measures
        from clientdesk.financials.marts import prepare_for_today
        from clientdesk.financials.panels import register
        from clientdesk.lake.gateway import register_preparer

        register()
        measures.register()
        register_preparer("financials", prepare_for_today)
