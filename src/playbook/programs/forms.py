"""Forms of the programs pages. They parse input; the services decide."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from playbook.core.forms import MoneyField
from playbook.organizations.models import Organization, OrgKind, SchoolType

from .models import AgreementCommitment, ApplicationStatus, EvidenceSource, VoteChoice
from .registry import instrument_choices
from .rules import CycleRules, FormField

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProgramForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(label="Short name", max_length=60,
                           help_text="Letters, digits and hyphens; used in links and references.")
    instrument = forms.ChoiceField(choices=instrument_choices,
                                   help_text="The kind of program: what it gives and how.")
    description = forms.CharField(widget=forms.Textarea, required=False)


class CycleForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. FY2027 round")
    slug = forms.SlugField(label="Short name", max_length=60)
    opens_at = forms.DateTimeField(label="Opens", widget=DATETIME,
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    closes_at = forms.DateTimeField(label="Closes (deadline)", widget=DATETIME,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100)
    budget = MoneyField(label="Round budget ($)", min_value=Decimal("0"))


class CycleEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    opens_at = forms.DateTimeField(label="Opens", widget=DATETIME,
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    closes_at = forms.DateTimeField(label="Closes (deadline)", widget=DATETIME,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    budget = MoneyField(label="Round budget ($)", min_value=Decimal("0"))
    results_public = forms.BooleanField(label="Publish the round page", required=False)


JSON_HELP = "JSON. Errors name the exact entry (e.g. criteria[2].weight)."


class RulesJSONForm(forms.Form):
    """The cycle's rules as the raw JSON document, checked with the same validation as the
    structured editor."""

    document = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
                               label="Rules (JSON)")

    def clean_document(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cleaned_data["document"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"Not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("The rules are one JSON object.")
        return data


def district_choices() -> Any:
    return Organization.objects.filter(kind=OrgKind.DISTRICT, active=True).order_by("name")


def partner_choices(partner_types: tuple[str, ...]) -> Any:
    """The active organizations that may be a partner under the rules' ``partner_types``
    (districts, district schools, charter schools)."""
    q = Q(pk__in=[])
    if "district" in partner_types:
        q |= Q(kind=OrgKind.DISTRICT)
    if "school" in partner_types:
        q |= Q(kind=OrgKind.SCHOOL) & ~Q(school_type=SchoolType.CHARTER)
    if "charter" in partner_types:
        q |= Q(kind=OrgKind.SCHOOL, school_type=SchoolType.CHARTER)
    return Organization.objects.filter(q, active=True).order_by("kind", "name")


class StartApplicationForm(forms.Form):
    applicant = forms.ModelChoiceField(queryset=Organization.objects.none(),
                                       label="Applying for", empty_label=None)
    title = forms.CharField(max_length=200, label="Project title")

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applicant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations])
        field.help_text = "Your organization, or a consortium it leads."


def _answer_field(spec: FormField) -> forms.Field:
    help_parts = [spec.help] if spec.help else []
    if spec.word_limit:
        help_parts.append(f"Up to {spec.word_limit} words.")
    if spec.required:
        help_parts.append("Required to submit.")
    common: dict[str, Any] = {"label": spec.label, "required": False,
                              "help_text": " ".join(help_parts)}
    if spec.type == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), **common)
    if spec.type == "number":  # a count: students, schools, staff
        return forms.IntegerField(min_value=0, max_value=10_000_000, **common)
    if spec.type == "money":
        return MoneyField(min_value=Decimal("0"), **common)
    if spec.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.type == "choice":
        return forms.ChoiceField(choices=[("", "Choose"), *[(c, c) for c in spec.choices]],
                                 **common)
    if spec.type == "yes_no":
        return forms.ChoiceField(choices=[("", "Choose"), ("yes", "Yes"), ("no", "No")],
                                 **common)
    return forms.CharField(max_length=500, **common)


class ApplicationForm(forms.Form):
    """The application's own sections, built from the version it was written under."""

    title = forms.CharField(max_length=200, label="Project title")
    summary = forms.CharField(max_length=600, label="Purpose", widget=forms.Textarea(
        attrs={"rows": 3}), help_text="One paragraph; published on the round page. "
                                      "Required to submit.", required=False)

    def __init__(self, *args: Any, rules: CycleRules, consortium: bool, needs_partner: bool,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_partner:
            words = rules.eligibility.partner_words()
            self.fields["partner_district"] = forms.ModelChoiceField(
                queryset=partner_choices(rules.eligibility.partner_types), required=False,
                label="Partner", help_text=f"Required to submit: non-public applicants apply "
                                           f"with a partner ({words}).")
        self.section_fields: list[tuple[str, list[str]]] = []
        for section in rules.form.sections:
            if section.consortium_only and not consortium:
                continue
            names = []
            for spec in section.fields:
                name = f"answer_{spec.key}"
                self.fields[name] = _answer_field(spec)
                names.append(name)
            self.section_fields.append((section.title, names))
        if consortium:
            self.fields["answer_collaboration_plan"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 8}), required=False,
                label="Collaboration plan",
                help_text="How the member districts and schools will work together to widen "
                          "students' access to personalized learning. Up to "
                          f"{rules.form.collaboration_plan_word_limit} words. Required to "
                          "submit.")
            self.section_fields.append(("Consortium", ["answer_collaboration_plan"]))

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[n] for n in names]) for title, names in self.section_fields]

    def answers(self) -> dict[str, Any]:
        out = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("answer_") and value not in (None, ""):
                out[name.removeprefix("answer_")] = (
                    value.isoformat() if hasattr(value, "isoformat") else
                    str(value) if isinstance(value, Decimal) else value)
        return out


class AttachmentForm(forms.Form):
    slot = forms.ChoiceField(label="Which attachment", choices=[])
    file = forms.FileField(label="File")

    def __init__(self, *args: Any, rules: CycleRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a.key, f"{a.label} ({', '.join(a.types)}, up to {a.max_mb} MB)")
                         for a in rules.form.attachments]

    def clean_file(self) -> Any:
        if self.files is not None and len(self.files.getlist(self.add_prefix("file"))) > 1:
            raise forms.ValidationError("Attach one file: each attachment holds a single file.")
        return self.cleaned_data["file"]


class ScreenForm(forms.Form):
    ACTIONS = [("eligible", "Eligible: move on to review"),
               ("ineligible", "Ineligible (give the reason)"),
               ("request_info", "Ask the applicant for more information")]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect, label="Screening")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             label="Reason or request", max_length=2000)


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label="Title or applicant", required=False, max_length=100)
    cycle = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"),
                                                        *ApplicationStatus.choices])
    applicant_type = forms.ChoiceField(required=False, label="Applicant", choices=[
        ("", "Any"), ("single", "Single applicants"), ("consortium", "Consortia")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import Cycle

        field = self.fields["cycle"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any cycle"), *[(c.pk, str(c)) for c in
                                              Cycle.objects.select_related("program")]]


# --- decisions and agreements -------------------------------------------------------------------

DATE = forms.DateInput(attrs={"type": "date"})

#: The published measures a commitment may read its evidence from.
EVIDENCE_METRICS = [
    ("points", "Report card: points"), ("rating", "Report card: rating"),
    ("median_sgp", "Growth: median growth percentile"),
    ("pct_adequate", "Growth: share on track (adequate growth)"),
]


class VoteForm(forms.Form):
    choice = forms.ChoiceField(widget=forms.RadioSelect, label="Your vote",
                               choices=VoteChoice.choices)
    conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 max_length=2000,
                                 label="Conditions (when you approve with conditions)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             max_length=2000,
                             label="Reason (required to recuse: name the conflict)")


class AgreementTermsForm(forms.Form):
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    next_review_date = forms.DateField(widget=DATE, required=False,
                                       help_text="When the office next reviews it.")
    report_every_months = forms.IntegerField(
        label="Progress reports every (months)", min_value=1, max_value=24, required=False,
        help_text="Each report covers that many months from the start date and is due 30 days "
                  "after its period ends.")
    terms = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class CommitmentForm(forms.Form):
    measure = forms.CharField(max_length=200, label="Measure")
    unit = forms.CharField(max_length=40, required=False, help_text="e.g. percent, students")
    baseline = forms.DecimalField(max_digits=12, decimal_places=2)
    target = forms.DecimalField(max_digits=12, decimal_places=2)
    due_date = forms.DateField(widget=DATE)
    evidence_source = forms.ChoiceField(choices=EvidenceSource.choices,
                                        initial=EvidenceSource.SELF_REPORTED,
                                        label="Where the evidence comes from")
    evidence_from = forms.CharField(
        max_length=80, required=False, label="Report-card framework or growth subject",
        help_text="For a report card: the framework's short name (e.g. "
                  "school-district-performance); for growth: math or ela.")
    evidence_metric = forms.ChoiceField(
        required=False, label="Published measure",
        choices=[("", "Choose (for a report card or growth)"), *EVIDENCE_METRICS])


class AmendmentForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              label="What the amendment does and why")
    end_date = forms.DateField(widget=DATE, required=False, label="New end date")
    next_review_date = forms.DateField(widget=DATE, required=False, label="New review date")
    terms = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            label="New terms (leave empty to keep them)")


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField()


class ReportForm(forms.Form):
    period_end = forms.DateField(widget=DATE, label="Period ending")
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                                label="Progress in a few sentences")

    def __init__(self, *args: Any, commitments: list[AgreementCommitment],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commitment_fields = []
        for c in commitments:
            if c.evidence_source != EvidenceSource.SELF_REPORTED:
                continue
            self.fields[f"value_{c.pk}"] = forms.DecimalField(
                max_digits=12, decimal_places=2, label=f"{c.measure} ({c.unit or 'value'})",
                help_text=f"Baseline {c.baseline}, target {c.target} by {c.due_date:%B %-d, %Y}.")
            self.fields[f"note_{c.pk}"] = forms.CharField(
                max_length=500, required=False, label=f"Note on {c.measure}")
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
                           max_length=2000, label="Note to the party")
