from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "playbook.privacy"
    label = "privacy"
    verbose_name = "Privacy and data access"

    def ready(self) -> None:
        from playbook.core.labels import labels_register

        from .models import ACCESS_ACTIONS

        labels_register(ACCESS_ACTIONS)
