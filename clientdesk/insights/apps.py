from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "clientdesk.insights"
    label = "insights"
    verbose_name = "Emerging issues and root-cause analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clientdesk.insights import links  # noqa: F401  (registers the link clean-up)
        from clientdesk.insights.panels import (
            actions_work,
            insights_panel,
            issues_work,
            problems_work,
        )
        from clientdesk.lib.panels import ACCOUNT_TABS, SERVICE
        from clientdesk.lib.work import WORK_LISTS

        ACCOUNT_TABS.register("insights.issues", SERVICE, insights_panel, order=20)
        WORK_LISTS.register("issues", issues_work, order=30)
        WORK_LISTS.register("problems", problems_work, order=40)
        WORK_LISTS.register("actions", actions_work, order=50)

        from clientdesk.insights import measures

        measures.register()
