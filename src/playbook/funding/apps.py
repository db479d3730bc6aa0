from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "playbook.funding"
    label = "funding"
    verbose_name = "Funding, awards and ledgers"

    def ready(self) -> None:
        from . import instrument, tasks

        instrument.register()
        tasks.register()
        from playbook.core.labels import labels_register

        from .rules import PARTIAL_POLICY_LABELS, TIE_BREAK_LABELS

        # (set-aside tags share codes with reviewers' expertise tags: their own labels,
        # SET_ASIDE_TAG_LABELS, are used where set-asides are shown)
        labels_register({**TIE_BREAK_LABELS, **PARTIAL_POLICY_LABELS,
                         "tie_breaks": "Tie-breaks", "set_asides": "Set-asides"})
