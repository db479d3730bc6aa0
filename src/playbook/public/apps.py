from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "playbook.public"
    label = "public"
    verbose_name = "Public site"
