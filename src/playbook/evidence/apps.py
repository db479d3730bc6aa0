from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "playbook.evidence"
    label = "evidence"
    verbose_name = "Evidence runs, frameworks and published results"

    def ready(self) -> None:
        from . import tasks

        tasks.register()
