"""Django app registration for the demo (management commands only, no models)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The ``demo`` app: the ``demo`` and ``synth`` commands, loading a generated book."""

    name = "clientdesk.demo"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Demo and synthetic book loading"
