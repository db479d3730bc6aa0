"""The access log's filters (a GET form: every field optional, each checked)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from playbook.accounts.roles import Role

from .models import ACCESS_ACTIONS

DATE = forms.DateInput(attrs={"type": "date"})


class AccessLogFilterForm(forms.Form):
    since = forms.DateField(label="From", required=False, widget=DATE)
    until = forms.DateField(label="To (inclusive)", required=False, widget=DATE)
    role = forms.ChoiceField(label="Role", required=False,
                             choices=[("", "Any role"), *Role.choices])
    user = forms.CharField(label="User name contains", required=False, max_length=150)
    action = forms.ChoiceField(label="What was read", required=False,
                               choices=[("", "Anything"), *ACCESS_ACTIONS.items()])
    student = forms.CharField(label="Pseudonymous student key", required=False, max_length=80,
                              help_text="Every read that included this student.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def apply(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """``qs`` narrowed to the valid filters (call after ``is_valid``)."""
        data = self.cleaned_data
        if data.get("since"):
            qs = qs.filter(at__date__gte=data["since"])
        if data.get("until"):
            qs = qs.filter(at__date__lte=data["until"])
        if data.get("role"):
            qs = qs.filter(role=data["role"])
        if data.get("user"):
            qs = qs.filter(user__username__icontains=data["user"])
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("student"):
            key = data["student"].strip()
            # keys are stored as a JSON list; match the quoted key so "S1" does not find "S10"
            qs = qs.filter(Q(student_keys__icontains=f'"{key}"'))
        return qs
