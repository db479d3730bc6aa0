from __future__ import annotations

from typing import Any

from django import forms

from playbook.studentdata.schemas import SUBJECTS


class GrowthRunForm(forms.Form):
    subject = forms.ChoiceField(label="Subject", choices=list(SUBJECTS.items()))
    school_year = forms.IntegerField(
        label="School year (the year it ends)", min_value=2000, max_value=2100,
        help_text="2025 means 2024-25. Students need a score that year and the year before.",
    )


class AggregateFilterForm(forms.Form):
    entity_type = forms.ChoiceField(
        label="Rated entities", required=False,
        choices=[("", "All"), ("school", "Schools"), ("district", "Districts"),
                 ("consortium", "Consortia"), ("model", "Models"), ("provider", "Providers")],
    )
    entity_id = forms.CharField(label="NCES ID or code", required=False, max_length=40)


class PublicGrowthForm(forms.Form):
    """What a reader picks on the public growth page: a published subject and year, then
    which entities and which group of students. Subject and year offer only what is
    published; the view answers 404 for others."""

    subject = forms.ChoiceField(label="Subject", required=False, choices=[])
    year = forms.TypedChoiceField(label="School year", required=False, coerce=int,
                                  empty_value=None, choices=[])
    entity_type = forms.ChoiceField(
        label="Show", required=False,
        choices=[("", "Schools, districts, consortia, models and providers"),
                 ("school", "Schools"), ("district", "Districts"), ("consortium", "Consortia"),
                 ("model", "Learning models"), ("provider", "Providers")],
    )
    subgroup = forms.ChoiceField(label="Students", required=False, choices=[])
    q = forms.CharField(label="Name or ID contains", required=False, max_length=100,
                        help_text="For example a school's name, or its 12-digit NCES ID.")

    def __init__(self, *args: Any, subjects: list[tuple[str, str]],
                 years: list[tuple[int, str]], subgroups: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subjects  # type: ignore[attr-defined]
        self.fields["year"].choices = years  # type: ignore[attr-defined]
        self.fields["subgroup"].choices = [  # type: ignore[attr-defined]
            ("", "Every group"), *subgroups.items()]
