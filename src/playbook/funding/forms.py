"""Forms of the funding pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict

from django import forms

from playbook.programs.models import Cycle

from .models import MatchContribution, PerformanceCommitment


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Money = {"max_digits": 14, "decimal_places": 2}
DATE = forms.DateInput(attrs={"type": "date"})


class WhatIfForm(forms.Form):
    budget = forms.DecimalField(label="Budget ($)", min_value=Decimal("0"), required=False,
                                help_text="Leave empty for the round budget.", **MONEY)

    def __init__(self, *args: Any, set_asides: tuple[Any, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sa in set_asides:
            self.fields[f"sa_{sa.key}"] = forms.DecimalField(
                label=f"Set-aside: {sa.label} ($)", min_value=Decimal("0"), required=False,
                help_text=f"Configured: ${sa.amount:,}.", **MONEY)

    def overrides(self) -> dict[str, Decimal]:
        return {k.removeprefix("sa_"): v for k, v in self.cleaned_data.items()
                if k.startswith("sa_") and v is not None}


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(widget=forms.RadioSelect, label="Decision", choices=[
        ("approved", "Approve"), ("conditional", "Approve with conditions"), ("denied", "Deny")])
    amount = forms.DecimalField(label="Amount awarded ($)", min_value=Decimal("0.01"),
                                required=False, help_text="From the award plan; the request "
                                                          "within the cap at most.", **MONEY)
    conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 max_length=2000, label="Conditions (for a conditional approval)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             max_length=2000, label="Reason (required to deny)")


class AppropriationForm(forms.Form):
    fund = forms.CharField(max_length=200, initial="Innovation Fund")
    code = forms.SlugField(max_length=40, help_text="e.g. innovation-fund")
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100)
    amount = forms.DecimalField(label="Amount appropriated ($)", min_value=Decimal("0.01"),
                                **MONEY)
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.select_related("program"),
                                   required=False, label="Commit awards of this cycle against it")


class TermsForm(forms.Form):
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    terms = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class BudgetLineForm(forms.Form):
    category = forms.CharField(max_length=80)
    description = forms.CharField(max_length=300)
    amount = forms.DecimalField(label="Amount ($)", min_value=Decimal("0.01"), **MONEY)


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = PerformanceCommitment
        fields = ["metric", "unit", "baseline", "target", "due_date"]
        widgets = {"due_date": DATE}


class DisburseForm(forms.Form):
    amount = forms.DecimalField(label="Amount to disburse ($)", min_value=Decimal("0.01"),
                                **MONEY)
    memo = forms.CharField(max_length=300, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             label="Reason for closing")


class MatchForm(forms.Form):
    kind = forms.ChoiceField(choices=MatchContribution.Kind.choices)
    amount = forms.DecimalField(label="Amount ($)", min_value=Decimal("0.01"), **MONEY)
    description = forms.CharField(max_length=300)
    received_on = forms.DateField(widget=DATE)


class ProgressReportForm(forms.Form):
    period_end = forms.DateField(widget=DATE, label="Period ending")
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                                label="Progress in a few sentences")
    spent_to_date = forms.DecimalField(label="Spent to date ($)", min_value=Decimal("0"),
                                       **MONEY)

    def __init__(self, *args: Any, commitments: list[PerformanceCommitment],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commitment_fields = []
        for c in commitments:
            self.fields[f"value_{c.pk}"] = forms.DecimalField(
                max_digits=12, decimal_places=2, label=f"{c.metric} ({c.unit or 'value'})",
                help_text=f"Baseline {c.baseline}, target {c.target} by {c.due_date:%B %-d, %Y}.")
            self.fields[f"note_{c.pk}"] = forms.CharField(
                max_length=500, required=False, label=f"Note on {c.metric}")
            self.commitment_fields.append((f"value_{c.pk}", f"note_{c.pk}"))

    def values(self) -> dict[int, tuple[Decimal, str]]:
        out = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("value_"):
                pk = int(name.removeprefix("value_"))
                out[pk] = (value, self.cleaned_data.get(f"note_{pk}", ""))
        return out


class ReportReviewForm(forms.Form):
    decision = forms.ChoiceField(widget=forms.RadioSelect, choices=[
        ("accept", "Accept"), ("revise", "Ask for a revision")])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=2000, label="Note to the grantee")
