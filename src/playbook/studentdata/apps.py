from django.apps import AppConfig


class StudentDataConfig(AppConfig):
    name = "playbook.studentdata"
    label = "studentdata"
    verbose_name = "Student data"

    def ready(self) -> None:
        from playbook.core.labels import labels_register

        from .schemas import KINDS

        labels_register({k: kind.title for k, kind in KINDS.items()})
