from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clientdesk.accounts"
    verbose_name = "Account book"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clientdesk.accounts.panels import overview_panel, timeline_panel
        from clientdesk.lib.panels import ACCOUNT_TABS, OVERVIEW, TIMELINE

        ACCOUNT_TABS.register("accounts.overview", OVERVIEW, overview_panel)
        ACCOUNT_TABS.register("accounts.timeline", TIMELINE, timeline_panel)
