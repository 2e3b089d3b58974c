from django.apps import AppConfig


class UtilizationConfig(AppConfig):
    name = "clientdesk.utilization"
    label = "utilization"
    verbose_name = "Utilization and cost"
