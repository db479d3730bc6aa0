from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "playbook.ui"
    label = "ui"
    verbose_name = "Page layout (USWDS)"
