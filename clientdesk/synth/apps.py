"""Django app registration for the synthetic book generator (management command only)."""

from django.apps import AppConfig


class SynthConfig(AppConfig):
    """The ``synth`` app: no models, one management command (``synth``)."""

    name = "clientdesk.synth"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Synthetic book of business"
