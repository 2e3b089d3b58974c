from django.apps import AppConfig


class LakeConfig(AppConfig):
    name = "clientdesk.lake"
    verbose_name = "Lake and ingestion"
    default_auto_field = "django.db.models.BigAutoField"
