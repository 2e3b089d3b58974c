from django.apps import AppConfig


class GuaranteesConfig(AppConfig):
    name = "clientdesk.guarantees"
    label = "guarantees"
    verbose_name = "Performance guarantees"
