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


class StudentResultsForm(forms.Form):
    """Which school's student-level results to read, and why (the access log records both)."""

    school_id = forms.RegexField(
        label="School NCES ID (12 digits)", regex=r"^[0-9]{12}$", max_length=12,
        error_messages={"invalid": "Give the school's 12-digit NCES ID."})
    purpose = forms.CharField(
        label="Purpose of this read", max_length=300,
        help_text="Written to the access log with your name, the school, the students and the "
                  "time.")

    def clean_purpose(self) -> str:
        purpose = " ".join(self.cleaned_data["purpose"].split())
        if not purpose:
            raise forms.ValidationError("Say why you need these students' results.")
        return purpose


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
