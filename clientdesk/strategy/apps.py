from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "clientdesk.strategy"
    label = "strategy"
    verbose_name = "Account strategy and health"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clientdesk.lib.panels import ACCOUNT_TABS, OVERVIEW, PLAN
        from clientdesk.lib.work import WORK_LISTS
        from clientdesk.strategy import own_measures, rules
        from clientdesk.strategy.panels import calls_work, overview_panel, plan_panel

        own_measures.register()
        rules.register()
        ACCOUNT_TABS.register("strategy.overview", OVERVIEW, overview_panel, order=-10)
        ACCOUNT_TABS.register("strategy.plan", PLAN, plan_panel)
        WORK_LISTS.register("calls-to-action", calls_work, order=8)
