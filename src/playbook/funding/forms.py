"""Forms of the funding pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from playbook.core.forms import MoneyField
from playbook.programs.models import Cycle

from .models import MatchContribution, MatchSource

DATE = forms.DateInput(attrs={"type": "date"})


class WhatIfForm(forms.Form):
    budget = MoneyField(label="Budget ($)", min_value=Decimal("0"), required=False,
                        help_text="Leave empty for the round budget.")

    def __init__(self, *args: Any, set_asides: tuple[Any, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sa in set_asides:
            self.fields[f"sa_{sa.key}"] = MoneyField(
                label=f"Set-aside: {sa.label} ($)", min_value=Decimal("0"), required=False,
                help_text=f"Configured: ${sa.amount:,}.")

    def overrides(self) -> dict[str, Decimal]:
        return {k.removeprefix("sa_"): v for k, v in self.cleaned_data.items()
                if k.startswith("sa_") and v is not None}


class AppropriationForm(forms.Form):
    fund = forms.CharField(max_length=200, initial="Innovation Fund")
    code = forms.SlugField(max_length=40, help_text="e.g. innovation-fund")
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100)
    amount = MoneyField(label="Amount appropriated ($)", min_value=Decimal("0.01"))
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.select_related("program"),
                                   required=False, label="Commit awards of this cycle against it")


class BudgetLineForm(forms.Form):
    category = forms.CharField(max_length=80)
    description = forms.CharField(max_length=300)
    amount = MoneyField(label="Amount ($)", min_value=Decimal("0.01"))


class DisburseForm(forms.Form):
    amount = MoneyField(label="Amount to disburse ($)", min_value=Decimal("0.01"))
    memo = forms.CharField(max_length=300, required=False)


class MatchForm(forms.Form):
    kind = forms.ChoiceField(choices=MatchContribution.Kind.choices)
    source = forms.ChoiceField(choices=MatchSource.choices, label="Where it comes from",
                               initial=MatchSource.OWN_FUNDS)
    contributor = forms.CharField(max_length=200, required=False, label="Given by",
                                  help_text="Required for private and philanthropic money: the "
                                            "business, person or foundation.")
    amount = MoneyField(label="Amount ($)", min_value=Decimal("0.01"))
    description = forms.CharField(max_length=300)
    received_on = forms.DateField(widget=DATE, label="Received on")
    evidence = forms.FileField(label="Evidence", help_text="A PDF, PNG or JPG up to 10 MB that "
                               "shows it: a bank record, a donor letter, a receipt. The office "
                               "checks it before the contribution counts.")


class MatchCheckForm(forms.Form):
    decision = forms.ChoiceField(choices=[("verify", "Verify: it counts toward the match"),
                                          ("reject", "Not accepted")],
                                 widget=forms.RadioSelect, label="Decision")
    reason = forms.CharField(max_length=2000, required=False, label="Reason",
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Required when the contribution is not accepted.")


class SpendingForm(forms.Form):
    spent_to_date = MoneyField(label="Spent to date ($)", min_value=Decimal("0"))


class ApplicationBudgetLineForm(forms.Form):
    category = forms.ChoiceField(choices=[], required=False)
    description = forms.CharField(max_length=300, required=False)
    state_amount = MoneyField(label="State funds ($)", min_value=Decimal("0"), required=False)
    match_cash = MoneyField(label="Match, cash ($)", min_value=Decimal("0"), required=False)
    match_in_kind = MoneyField(label="Match, in kind ($)", min_value=Decimal("0"),
                               required=False)

    def __init__(self, *args: Any, categories: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose"), *[(c, c) for c in categories]]


class GrantTypeForm(forms.Form):
    grant_type = forms.ChoiceField(choices=[], required=False, label="Grant type")

    def __init__(self, *args: Any, grant_types: tuple[Any, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grant_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose"), *[(t.key, t.label) for t in grant_types]]
        field.help_text = " ".join(f"{t.label}: {t.description}" for t in grant_types
                                   if t.description)



#: At most 40 lines (``services.MAX_BUDGET_LINES``): more posted is a form error, not a longer
#: table (``absolute_max`` stops Django from building more forms than that at all).
BudgetFormSet = forms.formset_factory(ApplicationBudgetLineForm, extra=3, max_num=40,
                                      validate_max=True, absolute_max=40)
