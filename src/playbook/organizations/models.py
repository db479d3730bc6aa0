"""The registry: the state agency, districts, schools, consortia, providers and their models.

One ``Organization`` table holds every kind, so that applicants, account owners and parties to an
agreement are all one foreign key; fields that apply to one kind only are null for the others,
and check constraints say which kinds need which fields.
"""

from __future__ import annotations

from decimal import Decimal

from auditlog.registry import auditlog
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q


class OrgKind(models.TextChoices):
    STATE_AGENCY = "state_agency", "State education agency"
    DISTRICT = "district", "School district"
    ESC = "esc", "Educational service center"
    SCHOOL = "school", "School"
    CONSORTIUM = "consortium", "Consortium"
    PROVIDER = "provider", "Provider"


class Locale(models.TextChoices):
    """NCES urban-centric locale codes (the subcodes of city, suburb, town and rural)."""

    CITY_LARGE = "11", "City: large"
    CITY_MIDSIZE = "12", "City: midsize"
    CITY_SMALL = "13", "City: small"
    SUBURB_LARGE = "21", "Suburb: large"
    SUBURB_MIDSIZE = "22", "Suburb: midsize"
    SUBURB_SMALL = "23", "Suburb: small"
    TOWN_FRINGE = "31", "Town: fringe"
    TOWN_DISTANT = "32", "Town: distant"
    TOWN_REMOTE = "33", "Town: remote"
    RURAL_FRINGE = "41", "Rural: fringe"
    RURAL_DISTANT = "42", "Rural: distant"
    RURAL_REMOTE = "43", "Rural: remote"


LOCALE_GROUPS = {"1": "city", "2": "suburb", "3": "town", "4": "rural"}


class SchoolType(models.TextChoices):
    DISTRICT_RUN = "district_run", "District-run"
    CHARTER = "charter", "Charter"
    INNOVATION = "innovation", "Innovation"


class ProviderType(models.TextChoices):
    COMPANY = "company", "Company"
    NONPROFIT = "nonprofit", "Nonprofit"
    COLLEGE = "college", "College or university"


GRADE_VALIDATORS = [MinValueValidator(-1), MaxValueValidator(13)]  # -1 pre-K, 0 K, 13 adult ed

nces_id_validator = RegexValidator(
    r"^\d{7}(\d{5})?$", "An NCES ID is 7 digits (district) or 12 digits (school)."
)


class Organization(models.Model):
    kind = models.CharField(max_length=20, choices=OrgKind.choices, db_index=True)
    name = models.CharField(max_length=200)
    nces_id = models.CharField(
        "NCES ID", max_length=12, unique=True, null=True, blank=True,
        validators=[nces_id_validator],
        help_text="LEAID (7 digits) for districts, NCESSCH (12 digits) for schools.",
    )
    # Providers and consortia get a state-issued code instead of an NCES ID.
    code = models.SlugField(max_length=40, unique=True, null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text="A school's district.",
    )
    locale = models.CharField(max_length=2, choices=Locale.choices, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    econ_disadvantaged_share = models.DecimalField(
        "share economically disadvantaged", max_digits=4, decimal_places=3,
        null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    school_type = models.CharField(max_length=20, choices=SchoolType.choices, blank=True)
    grade_low = models.SmallIntegerField(null=True, blank=True, validators=GRADE_VALIDATORS)
    grade_high = models.SmallIntegerField(null=True, blank=True, validators=GRADE_VALIDATORS)
    provider_type = models.CharField(max_length=20, choices=ProviderType.choices, blank=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    city = models.CharField(max_length=80, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]
        constraints = [
            models.CheckConstraint(
                name="school_has_district_and_type",
                condition=~Q(kind="school") | (Q(parent__isnull=False) & ~Q(school_type="")),
            ),
            models.CheckConstraint(
                name="only_schools_have_parent",
                condition=Q(kind="school") | Q(parent__isnull=True),
            ),
            models.CheckConstraint(
                name="provider_has_type",
                condition=~Q(kind="provider") | ~Q(provider_type=""),
            ),
            models.CheckConstraint(
                name="grade_span_ordered",
                condition=Q(grade_low__isnull=True)
                | Q(grade_high__isnull=True)
                | Q(grade_low__lte=models.F("grade_high")),
            ),
            models.CheckConstraint(
                name="econ_share_is_a_share",
                condition=Q(econ_disadvantaged_share__isnull=True)
                | (Q(econ_disadvantaged_share__gte=0) & Q(econ_disadvantaged_share__lte=1)),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.nces_id or self.code or str(self.pk)

    @property
    def locale_group(self) -> str:
        return LOCALE_GROUPS.get(self.locale[:1], "") if self.locale else ""

    @property
    def is_rural(self) -> bool:
        return self.locale_group == "rural"

    @property
    def grade_span(self) -> str:
        if self.grade_low is None or self.grade_high is None:
            return ""
        return f"{grade_label(self.grade_low)}-{grade_label(self.grade_high)}"


def grade_label(grade: int) -> str:
    return {-1: "PK", 0: "K"}.get(grade, str(grade))


class ConsortiumMembership(models.Model):
    class MemberRole(models.TextChoices):
        LEAD = "lead", "Lead"
        MEMBER = "member", "Member"

    consortium = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships",
        limit_choices_to={"kind": OrgKind.CONSORTIUM},
    )
    member = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="consortium_memberships"
    )
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.member} in {self.consortium} ({self.role})"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consortium", "member"], name="one_membership"),
            models.UniqueConstraint(
                fields=["consortium"], condition=Q(role="lead"), name="one_lead_per_consortium"
            ),
        ]


class LearningModel(models.Model):
    """A personalized-learning model: a provider's, or homegrown by a district."""

    class Scope(models.TextChoices):
        WHOLE_SCHOOL = "whole_school", "Whole school"
        SUBJECT_GRADES = "subject_grades", "Subject and grade span"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    provider = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT,
        related_name="learning_models", limit_choices_to={"kind": OrgKind.PROVIDER},
    )
    home_district = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT,
        related_name="homegrown_models", limit_choices_to={"kind": OrgKind.DISTRICT},
        help_text="For a homegrown model: the district that built it.",
    )
    scope = models.CharField(max_length=20, choices=Scope.choices)
    subjects = models.CharField(max_length=120, blank=True, help_text="Comma-separated.")
    grade_low = models.SmallIntegerField(validators=GRADE_VALIDATORS)
    grade_high = models.SmallIntegerField(validators=GRADE_VALIDATORS)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="model_has_one_owner",
                condition=(Q(provider__isnull=False) & Q(home_district__isnull=True))
                | (Q(provider__isnull=True) & Q(home_district__isnull=False)),
            ),
            models.CheckConstraint(
                name="model_grade_span_ordered", condition=Q(grade_low__lte=models.F("grade_high"))
            ),
            models.CheckConstraint(
                name="subject_model_names_subjects",
                condition=~Q(scope="subject_grades") | ~Q(subjects=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_homegrown(self) -> bool:
        return self.home_district_id is not None

    @property
    def owner(self) -> Organization:
        owner = self.provider or self.home_district
        assert owner is not None
        return owner


class ModelAdoption(models.Model):
    """Which school uses which model in which school year (the year it ends: 2025 = 2024-25)."""

    school = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="adoptions",
        limit_choices_to={"kind": OrgKind.SCHOOL},
    )
    model = models.ForeignKey(LearningModel, on_delete=models.PROTECT, related_name="adoptions")
    school_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )

    def __str__(self) -> str:
        return f"{self.school} uses {self.model} in {self.school_year}"

    class Meta:
        ordering = ["school_year", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "model", "school_year"], name="one_adoption_per_year"
            ),
        ]


auditlog.register(Organization)
auditlog.register(ConsortiumMembership)
auditlog.register(LearningModel)
auditlog.register(ModelAdoption)
