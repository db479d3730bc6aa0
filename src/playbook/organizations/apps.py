from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "playbook.organizations"
    label = "organizations"
    verbose_name = "Organization registry"
