from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "playbook.funding"
    label = "funding"
    verbose_name = "Funding, awards and ledgers"

    def ready(self) -> None:
        from . import instrument, tasks

        instrument.register()
        tasks.register()
