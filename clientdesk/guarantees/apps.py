from django.apps import AppConfig


class GuaranteesConfig(AppConfig):
    name = "clientdesk.guarantees"
    label = "guarantees"
    verbose_name = "Performance guarantees"

    def ready(self) -> None:
        from clientdesk.guarantees.panels import guarantees_panel, guarantees_work, money_work
        from clientdesk.lib.panels import ACCOUNT_TABS, GUARANTEES
        from clientdesk.lib.work import WORK_LISTS

        ACCOUNT_TABS.register("guarantees.summary", GUARANTEES, guarantees_panel)
        WORK_LISTS.register("guarantees", guarantees_work, order=20)
        WORK_LISTS.register("money", money_work, order=5)

        from clientdesk.guarantees import measures

        measures.register()
