from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "playbook.programs"
    label = "programs"
    verbose_name = "Programs and applications"

    def ready(self) -> None:
        from . import tasks
        tasks.register()
