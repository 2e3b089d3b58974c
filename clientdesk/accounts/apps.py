from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clientdesk.accounts"
    verbose_name = "Account book"
    default_auto_field = "django.db.models.BigAutoField"
