from __future__ import annotations

from django import forms

from .models import Locale, Organization, OrgKind


class RegistrySearchForm(forms.Form):
    q = forms.CharField(label="Name, NCES ID or city", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *OrgKind.choices]
    )
    locale = forms.ChoiceField(
        label="Locale",
        required=False,
        choices=[("", "Any locale"), ("city", "City"), ("suburb", "Suburb"), ("town", "Town"),
                 ("rural", "Rural")],
    )


class FindSchoolForm(forms.Form):
    """The public home page's search: one box, schools and districts."""

    q = forms.CharField(label="Find a school or district", required=False, max_length=100,
                        help_text="Its name, city or NCES ID.")


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")
    class Meta:
        model = Organization
        fields = [
            "name", "locale", "enrollment", "econ_disadvantaged_share", "school_type",
            "grade_low", "grade_high", "provider_type", "city", "website", "contact_email",
            "active",
        ]
        help_texts = {
            "econ_disadvantaged_share": "A share between 0 and 1, e.g. 0.42.",
            "locale": "NCES urban-centric locale code.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = self.fields["locale"]
        assert isinstance(locale, forms.ChoiceField)
        locale.choices = [("", "Not set"), *Locale.choices]
