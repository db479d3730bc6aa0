from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "playbook.privacy"
    label = "privacy"
    verbose_name = "Privacy and data access"
