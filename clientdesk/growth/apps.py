from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "clientdesk.growth"
    label = "growth"
    verbose_name = "Growth"

    def ready(self) -> None:
        from clientdesk.growth.panels import growth_panel, leads_work, register_calls, rfp_work
        from clientdesk.lib.panels import ACCOUNT_TABS, GROWTH
        from clientdesk.lib.work import WORK_LISTS

        ACCOUNT_TABS.register("growth.summary", GROWTH, growth_panel)
        WORK_LISTS.register("growth.leads", leads_work, order=70)
        WORK_LISTS.register("growth.rfp_questions", rfp_work, order=75)
        register_calls()

        from clientdesk.growth import measures

        measures.register()
