from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "playbook.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from playbook.core.labels import labels_register

        from .roles import Role

        labels_register(Role.choices)
