from django.apps import AppConfig


class UtilizationConfig(AppConfig):
    name = "clientdesk.utilization"
    label = "utilization"
    verbose_name = "Utilization and cost"

    def ready(self) -> None:
        from clientdesk.lake.gateway import register_preparer
        from clientdesk.utilization.marts.materialized import prepare_for_today

        register_preparer("utilization", prepare_for_today)

        from clientdesk.lib.panels import ACCOUNT_TABS, UTILIZATION
        from clientdesk.utilization.panels import utilization_panel

        ACCOUNT_TABS.register("utilization.analysis", UTILIZATION, utilization_panel)

        from clientdesk.utilization.measures import register

        register()
