from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "playbook.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
