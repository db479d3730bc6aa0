from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from playbook.accounts.models import User
from playbook.core.forms import ModelIdsField
from playbook.organizations.models import Organization
from playbook.programs.models import Application

from .models import EXPERTISE_TAGS, ReviewerAffiliation, ReviewerProfile
from .permissions import REVIEWER_ROLES

EXPERTISE_CHOICES = list(EXPERTISE_TAGS.items())


class OrganizationField(forms.CharField):
    """An organization by NCES ID or state code, for office staff recording a reviewer's
    affiliation from the registry (reviewers pick theirs from a search instead)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Organization NCES ID or code")
        kwargs.setdefault("help_text", "The 7-digit district or 12-digit school NCES ID, or the "
                                       "code of a consortium or provider (see the registry).")
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Organization | None:
        value = super().clean(value)
        if not value:
            return None
        org = Organization.objects.filter(Q(nces_id=value.strip()) | Q(code=value.strip())).first()
        if org is None:
            raise forms.ValidationError(f"No organization has the NCES ID or code {value!r}.")
        return org


class OrganizationPickField(forms.ModelChoiceField):
    """One organization, picked from the matches of a search (radio buttons; ids checked as
    ASCII integers before the database sees them)."""

    widget = forms.RadioSelect

    def label_from_instance(self, obj: Any) -> str:
        where = ", ".join(p for p in (obj.city, obj.get_kind_display()) if p)
        return f"{obj.name} ({where})" if where else str(obj.name)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value)
        if not (text.isascii() and text.isdigit() and int(text) < 2**63):
            raise forms.ValidationError(self.error_messages["invalid_choice"],
                                        code="invalid_choice")
        return super().to_python(value)


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PanelField(ModelIdsField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({'external' if obj.external else 'staff'})"


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference}: {obj.applicant.name}"


class AttestationForm(forms.Form):
    agree = forms.BooleanField(
        label="I have read the statement above and attest that it is true.", required=True)


class ConflictSearchForm(forms.Form):
    q = forms.CharField(label="Find the organization", max_length=100, required=False,
                        help_text="Part of its name, its city, or its NCES ID.")


class DeclareConflictForm(forms.Form):
    organization = OrganizationPickField(
        queryset=Organization.objects.none(), label="The organization",
        empty_label=None, error_messages={"required": "Pick the organization."})
    reason = forms.CharField(label="What is the conflict?", max_length=300,
                             help_text="For example: I was employed there until 2024.")

    def __init__(self, *args: Any, matches: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        # the choices shown are the search's matches; any active organization is accepted
        field.queryset = Organization.objects.filter(active=True)
        self.matches = list(matches) if matches is not None else []
        field.choices = [(o.pk, field.label_from_instance(o)) for o in self.matches]


class RecuseForm(forms.Form):
    reason = forms.CharField(label="Why you cannot review this application", max_length=300)


class ReviewForm(forms.Form):
    """One score select and one comment per criterion of the application's rubric version."""

    overall_comment = forms.CharField(
        label="Overall comment", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required to submit: the strengths and weaknesses that decided your scores.")

    def __init__(self, *args: Any, criteria: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        overall = self.fields.pop("overall_comment")
        for c in self.criteria:
            anchor = getattr(c, "anchor_for", lambda v: "")
            choices = [("", "Not scored yet")] + [
                (str(v), f"{v}: {anchor(v)}" if anchor(v) else str(v))
                for v in range(c.scale_min, c.scale_max + 1)
            ]
            self.fields[f"score_{c.key}"] = forms.ChoiceField(
                label=f"{c.title} (weight {c.weight}): score {c.scale_min}-{c.scale_max}",
                choices=choices, required=False,
                help_text=c.guidance or "No guidance was written for this criterion.",
            )
            self.fields[f"comment_{c.key}"] = forms.CharField(
                label=f"Comment on {c.title}", required=False, max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["overall_comment"] = overall

    def pairs(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.key}"], self[f"comment_{c.key}"]) for c in self.criteria]

    @classmethod
    def initial_from(cls, review: Any) -> dict[str, Any]:
        if review is None:
            return {}
        data: dict[str, Any] = {"overall_comment": review.overall_comment}
        for key, value in review.scores.items():
            data[f"score_{key}"] = str(value)
        for key, value in review.comments.items():
            data[f"comment_{key}"] = value
        return data

    def scores(self) -> dict[str, Any]:
        return {c.key: self.cleaned_data.get(f"score_{c.key}") or None for c in self.criteria}

    def comments(self) -> dict[str, str]:
        return {c.key: self.cleaned_data.get(f"comment_{c.key}", "") for c in self.criteria}


class ReviewerProfileCreateForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Account", queryset=User.objects.none(),
        help_text="Reviewer and office-staff accounts not yet in the pool.")
    expertise = forms.MultipleChoiceField(label="Expertise", choices=EXPERTISE_CHOICES,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    external = forms.BooleanField(label="External reviewer (not office staff)", required=False,
                                  initial=True)
    notes = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            role__in=sorted(str(r) for r in REVIEWER_ROLES), is_active=True,
            reviewer_profile__isnull=True,
        ).order_by("last_name", "first_name", "username")


class ReviewerProfileForm(forms.Form):
    expertise = forms.MultipleChoiceField(label="Expertise", choices=EXPERTISE_CHOICES,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    external = forms.BooleanField(label="External reviewer (not office staff)", required=False)
    active = forms.BooleanField(label="Active in the pool", required=False)
    notes = forms.CharField(max_length=300, required=False)


class AffiliationForm(forms.Form):
    organization = OrganizationField()
    kind = forms.ChoiceField(label="Relationship", choices=ReviewerAffiliation.Kind.choices)
    start_year = forms.IntegerField(required=False, min_value=1950, max_value=2100)
    end_year = forms.IntegerField(required=False, min_value=1950, max_value=2100,
                                  help_text="Leave empty while it lasts.")


class RoundForm(forms.Form):
    min_load = forms.IntegerField(label="Minimum applications per reviewer", min_value=0,
                                  max_value=500)
    max_load = forms.IntegerField(label="Maximum applications per reviewer", min_value=1,
                                  max_value=500)
    outlier_sd = forms.DecimalField(
        label="Outlier threshold (pool standard deviations)", min_value=Decimal("0.1"),
        max_value=Decimal("10"), decimal_places=2)
    outlier_points = forms.DecimalField(
        label="Or outlier threshold in points (of 100)", required=False,
        min_value=Decimal("0.5"), max_value=Decimal("100"), decimal_places=2,
        help_text="When given, used instead of standard deviations.")
    reviews_due = forms.DateField(
        label="Reviews due", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Reviewers see it beside each assignment on their home page.")
    panel = PanelField(
        label="Panel", queryset=ReviewerProfile.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave every box empty to use every active reviewer in the pool.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["panel"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = ReviewerProfile.objects.filter(active=True).select_related("user")


class ManualAssignForm(forms.Form):
    application = ApplicationChoiceField(queryset=Application.objects.none())
    reviewer = ReviewerChoiceField(queryset=ReviewerProfile.objects.none())

    def __init__(self, *args: Any, applications: Any = (), reviewers: Any = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        app_field = self.fields["application"]
        rev_field = self.fields["reviewer"]
        assert isinstance(app_field, forms.ModelChoiceField)
        assert isinstance(rev_field, forms.ModelChoiceField)
        app_field.queryset = Application.objects.filter(
            pk__in=[a.pk for a in applications]).select_related("cycle__program", "applicant")
        rev_field.queryset = ReviewerProfile.objects.filter(
            pk__in=[r.pk for r in reviewers]).select_related("user")
