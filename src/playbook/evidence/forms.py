from __future__ import annotations

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
