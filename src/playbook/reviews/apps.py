from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "playbook.reviews"
    label = "reviews"
    verbose_name = "Independent review"

    def ready(self) -> None:
        from . import spine, tasks

        spine.register()
        tasks.register()
        from playbook.core.labels import labels_register

        from .models import EXPERTISE_TAGS

        labels_register(EXPERTISE_TAGS)
