"""Forms of the programs pages. They parse input; the services decide."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms

from playbook.organizations.models import Organization, OrgKind

from .config import APPLICANT_TYPES, PARTIAL_POLICIES, CycleRules, FormField
from .models import ApplicationStatus, Program

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProgramForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(label="Short name", max_length=60,
                           help_text="Letters, digits and hyphens; used in links and references.")
    instrument = forms.ChoiceField(choices=Program.Instrument.choices,
                                   initial=Program.Instrument.GRANT)
    description = forms.CharField(widget=forms.Textarea, required=False)


class CycleForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. FY2027 round")
    slug = forms.SlugField(label="Short name", max_length=60)
    opens_at = forms.DateTimeField(label="Opens", widget=DATETIME,
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    closes_at = forms.DateTimeField(label="Closes (deadline)", widget=DATETIME,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100)
    budget = forms.DecimalField(label="Round budget ($)", max_digits=14, decimal_places=2,
                                min_value=Decimal("0"))


class CycleEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    opens_at = forms.DateTimeField(label="Opens", widget=DATETIME,
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    closes_at = forms.DateTimeField(label="Closes (deadline)", widget=DATETIME,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    budget = forms.DecimalField(label="Round budget ($)", max_digits=14, decimal_places=2,
                                min_value=Decimal("0"))
    results_public = forms.BooleanField(label="Publish the round page", required=False)


JSON_HELP = "JSON. Errors name the exact entry (e.g. criteria[2].weight)."


class RulesForm(forms.Form):
    """The cycle's rules: simple settings as fields, lists as small JSON documents."""

    applicant_types = forms.MultipleChoiceField(
        choices=list(APPLICANT_TYPES.items()), widget=forms.CheckboxSelectMultiple,
        label="Eligible applicant types")
    non_public_requires_district_partner = forms.BooleanField(
        required=False, label="Colleges, nonprofits and companies must name a district partner")
    thresholds = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 label="Thresholds on registry data",
                                 help_text='[{"field": "econ_disadvantaged_share", "op": ">=", '
                                           '"value": 0.3}]. ' + JSON_HELP)
    sections = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}),
                               label="Application form sections", help_text=JSON_HELP)
    budget_categories = forms.CharField(label="Budget categories",
                                        help_text="Comma-separated.")
    attachments = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  label="Attachments", help_text=JSON_HELP)
    collaboration_plan_word_limit = forms.IntegerField(
        min_value=50, label="Consortium collaboration plan: word limit")
    criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}),
                               label="Rubric criteria (key, title, weight, scale_min, scale_max, "
                                     "guidance)", help_text=JSON_HELP)
    reviewers_per_application = forms.IntegerField(min_value=1, max_value=20)
    decision_body = forms.CharField(max_length=200, label="Decision body")
    quorum = forms.IntegerField(min_value=1, label="Decision body quorum")
    funded = forms.BooleanField(required=False, label="This cycle awards money (funding rules "
                                                      "below apply)")
    cap_single = forms.DecimalField(required=False, max_digits=14, decimal_places=2,
                                    label="Award cap, single applicant ($)")
    cap_consortium = forms.DecimalField(required=False, max_digits=14, decimal_places=2,
                                        label="Award cap, consortium ($)")
    match_base_rate = forms.DecimalField(max_digits=5, decimal_places=4, required=False,
                                         label="Match: base rate", help_text="e.g. 0.15")
    poverty_scale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                    label="Match: sliding scale by poverty",
                                    help_text='[{"min_poverty_share": 0.5, "rate": 0.10}]. '
                                              + JSON_HELP)
    in_kind_max_share = forms.DecimalField(max_digits=5, decimal_places=4, required=False,
                                           label="Match: most of it that may be in kind",
                                           help_text="A share, e.g. 0.5")
    set_asides = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 label="Set-asides",
                                 help_text='[{"key": "rural_consortia", "label": "Rural consortia",'
                                           ' "amount": "2000000.00", "requires": ["consortium", '
                                           '"rural"]}]. ' + JSON_HELP)
    partial_policy = forms.ChoiceField(choices=[(p, p) for p in PARTIAL_POLICIES],
                                       required=False, label="When the next application does "
                                                             "not fit the budget",
                                       help_text="stop: strict funding line; skip: fund smaller "
                                                 "ones below; partial: offer the remainder.")
    partial_min_share = forms.DecimalField(max_digits=5, decimal_places=4, required=False,
                                           label="Partial funding: least share of the request")
    tie_breaks = forms.CharField(required=False, label="Tie-breaks, in order",
                                 help_text="Comma-separated: poverty_desc, requested_asc, "
                                           "requested_desc, submitted_asc")
    min_score = forms.DecimalField(required=False, max_digits=6, decimal_places=2,
                                   label="Minimum score to be funded")
    note = forms.CharField(max_length=300, required=False, label="What changed (for the record)")

    JSON_FIELDS = ("thresholds", "sections", "attachments", "criteria", "poverty_scale",
                   "set_asides")
    #: configuration path prefix -> form field, so validator errors land on the right field
    ERROR_FIELDS = [
        ("eligibility.applicant_types", "applicant_types"),
        ("eligibility.thresholds", "thresholds"), ("eligibility", "applicant_types"),
        ("form.sections", "sections"), ("form.budget_categories", "budget_categories"),
        ("form.attachments", "attachments"),
        ("form.collaboration_plan_word_limit", "collaboration_plan_word_limit"),
        ("rubric", "criteria"), ("review", "reviewers_per_application"),
        ("decision_body.quorum", "quorum"), ("decision_body", "decision_body"),
        ("funding.caps.consortium", "cap_consortium"), ("funding.caps", "cap_single"),
        ("funding.match.poverty_scale", "poverty_scale"),
        ("funding.match.in_kind_max_share", "in_kind_max_share"),
        ("funding.match", "match_base_rate"), ("funding.set_asides", "set_asides"),
        ("funding.partial_funding.min_share", "partial_min_share"),
        ("funding.partial_funding", "partial_policy"), ("funding.tie_breaks", "tie_breaks"),
        ("funding.min_score", "min_score"), ("funding", "funded"),
    ]

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        el, form, funding = data["eligibility"], data["form"], data.get("funding")
        initial: dict[str, Any] = {
            "applicant_types": el["applicant_types"],
            "non_public_requires_district_partner": el.get(
                "non_public_requires_district_partner", True),
            "thresholds": _dump(el.get("thresholds", [])),
            "sections": _dump(form["sections"]),
            "budget_categories": ", ".join(form["budget_categories"]),
            "attachments": _dump(form.get("attachments", [])),
            "collaboration_plan_word_limit": form.get("collaboration_plan_word_limit", 1000),
            "criteria": _dump(data["rubric"]["criteria"]),
            "reviewers_per_application": data["review"]["reviewers_per_application"],
            "decision_body": data["decision_body"]["name"],
            "quorum": data["decision_body"].get("quorum", 1),
            "funded": funding is not None,
        }
        if funding is not None:
            match = funding.get("match", {})
            partial = funding.get("partial_funding", {})
            initial.update({
                "cap_single": funding.get("caps", {}).get("single"),
                "cap_consortium": funding.get("caps", {}).get("consortium"),
                "match_base_rate": match.get("base_rate"),
                "poverty_scale": _dump(match.get("poverty_scale", [])),
                "in_kind_max_share": match.get("in_kind_max_share"),
                "set_asides": _dump(funding.get("set_asides", [])),
                "partial_policy": partial.get("policy", "skip"),
                "partial_min_share": partial.get("min_share"),
                "tie_breaks": ", ".join(funding.get("tie_breaks", [])),
                "min_score": funding.get("min_score"),
            })
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.JSON_FIELDS:
            raw = (cleaned.get(name) or "").strip() or "[]"
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                self.add_error(name, f"Not valid JSON: {exc.msg} (line {exc.lineno}, "
                                     f"column {exc.colno}).")
                continue
            if not isinstance(value, list):
                self.add_error(name, "Must be a JSON list [ ... ].")
                continue
            cleaned[name] = value
        return cleaned

    def to_configuration(self, base: dict[str, Any]) -> dict[str, Any]:
        c = self.cleaned_data
        data = {
            "eligibility": {
                "applicant_types": list(c["applicant_types"]),
                "non_public_requires_district_partner": c["non_public_requires_district_partner"],
                "thresholds": c["thresholds"],
            },
            "form": {
                "sections": c["sections"],
                "budget_categories": [s.strip() for s in c["budget_categories"].split(",")
                                      if s.strip()],
                "attachments": c["attachments"],
                "collaboration_plan_word_limit": c["collaboration_plan_word_limit"],
            },
            "rubric": {"criteria": c["criteria"]},
            "review": {"reviewers_per_application": c["reviewers_per_application"]},
            "decision_body": {"name": c["decision_body"], "quorum": c["quorum"]},
        }
        if c["funded"]:
            caps = {}
            if c.get("cap_single") is not None:
                caps["single"] = str(c["cap_single"])
            if c.get("cap_consortium") is not None:
                caps["consortium"] = str(c["cap_consortium"])
            for k, v in (base.get("funding") or {}).get("caps", {}).items():
                caps.setdefault(k, v) if k not in ("single", "consortium") else None
            funding: dict[str, Any] = {
                "caps": caps,
                "match": {
                    "base_rate": str(c.get("match_base_rate") or 0),
                    "poverty_scale": c["poverty_scale"],
                    "in_kind_max_share": str(c["in_kind_max_share"]
                                             if c.get("in_kind_max_share") is not None else 1),
                },
                "set_asides": c["set_asides"],
                "partial_funding": {"policy": c.get("partial_policy") or "skip",
                                    "min_share": str(c.get("partial_min_share") or "0.5")},
                "tie_breaks": [s.strip() for s in (c.get("tie_breaks") or "").split(",")
                               if s.strip()],
            }
            if c.get("min_score") is not None:
                funding["min_score"] = str(c["min_score"])
            hp = (base.get("funding") or {}).get("high_poverty_share")
            if hp is not None:
                funding["high_poverty_share"] = hp
            data["funding"] = funding
        return data

    def add_configuration_errors(self, errors: list[str]) -> None:
        for message in errors:
            target = next((f for prefix, f in self.ERROR_FIELDS if message.startswith(prefix)),
                          None)
            self.add_error(target, message)


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2)


def district_choices() -> Any:
    return Organization.objects.filter(kind=OrgKind.DISTRICT, active=True).order_by("name")


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
    if spec.type == "number":
        return forms.IntegerField(**common)
    if spec.type == "money":
        return forms.DecimalField(max_digits=14, decimal_places=2, **common)
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
            self.fields["partner_district"] = forms.ModelChoiceField(
                queryset=district_choices(), required=False, label="District partner",
                help_text="Required to submit: non-public applicants apply with a district.")
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


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(choices=[], required=False)
    description = forms.CharField(max_length=300, required=False)
    state_amount = forms.DecimalField(label="State funds ($)", max_digits=14, decimal_places=2,
                                      min_value=Decimal("0"), required=False)
    match_cash = forms.DecimalField(label="Match, cash ($)", max_digits=14, decimal_places=2,
                                    min_value=Decimal("0"), required=False)
    match_in_kind = forms.DecimalField(label="Match, in kind ($)", max_digits=14,
                                       decimal_places=2, min_value=Decimal("0"), required=False)

    def __init__(self, *args: Any, categories: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose"), *[(c, c) for c in categories]]


BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=3, max_num=40)


class AttachmentForm(forms.Form):
    slot = forms.ChoiceField(label="Which attachment", choices=[])
    file = forms.FileField(label="File")

    def __init__(self, *args: Any, rules: CycleRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a.key, f"{a.label} ({', '.join(a.types)}, up to {a.max_mb} MB)")
                         for a in rules.form.attachments]


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             label="Reason", max_length=2000)


class ScreenForm(forms.Form):
    ACTIONS = [("eligible", "Eligible: move on to review"),
               ("ineligible", "Ineligible (give the reason)"),
               ("request_info", "Ask the applicant for more information")]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect, label="Screening")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             label="Reason or request", max_length=2000)


class ManageForm(forms.Form):
    ACTIONS = [("start_review", "Send to review"), ("recommend", "Recommend to the decision body"),
               ("conditions_met", "Conditions met"), ("conditions_unmet", "Conditions not met"),
               ("close", "Close")]
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             label="Reason", max_length=2000)


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
