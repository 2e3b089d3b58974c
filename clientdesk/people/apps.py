from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "clientdesk.people"
    verbose_name = "People and roles"
    default_auto_field = "django.db.models.BigAutoField"
