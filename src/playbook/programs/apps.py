from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "playbook.programs"
    label = "programs"
    verbose_name = "Programs and applications"

    def ready(self) -> None:
        from playbook.core.labels import labels_register

        from . import tasks
        from .forms import EVIDENCE_METRICS
        from .models import AgreementStatus, ApplicationStatus

        tasks.register()
        labels_register(EVIDENCE_METRICS)
        labels_register(ApplicationStatus.choices)
        labels_register(AgreementStatus.choices)
