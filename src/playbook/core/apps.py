from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "playbook.core"
    label = "core"
    verbose_name = "Shared core"
