"""Independent review: the reviewer pool, conflicts, assignments, rubric scores and the stored
normalization runs. ``docs/reviews.md`` describes the model; business rules are in
``services.py`` and reads in ``selectors.py``."""

from __future__ import annotations

from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

#: The expertise vocabulary reviewers are tagged with and applications are matched against.
EXPERTISE_TAGS: dict[str, str] = {
    "blended_learning": "Blended and online learning",
    "competency_based": "Competency-based education",
    "school_finance": "School finance and sustainability",
    "rural": "Rural and small districts",
    "urban": "Urban districts",
    "consortia": "Consortia and shared services",
    "early_grades": "Early grades (PK-3)",
    "secondary": "Secondary schools and pathways",
    "special_education": "Students with disabilities",
    "english_learners": "English learners",
    "high_poverty": "High-poverty schools",
    "evaluation": "Research and evaluation",
    "technology": "Education technology",
    "human_capital": "Staffing and human capital",
    "data_privacy": "Student data privacy",
}

#: Conflict-of-interest statements reviewers sign each fiscal year, by version (never edited:
#: a new wording is a new version).
ATTESTATION_TEXTS: dict[str, str] = {
    "2025.1": (
        "I will review only applications with which I have no conflict of interest. I have "
        "declared every organization I, or a member of my household, have worked for, served "
        "on the board of, been paid by or held a financial interest in during the past two "
        "years, and I will declare any new relationship as soon as it arises. I will keep "
        "applications and scores confidential, and I will not contact applicants about their "
        "applications."
    ),
}
CURRENT_ATTESTATION_VERSION = "2025.1"



class ReviewerProfile(models.Model):
    """A member of the reviewer pool: an external expert or a staff member who reviews."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="reviewer_profile")
    expertise = models.JSONField(default=list, blank=True,
                                 help_text="Expertise tags (keys of EXPERTISE_TAGS).")
    external = models.BooleanField(
        default=True, help_text="External reviewers never see staff reviews or decisions.")
    active = models.BooleanField(default=True)
    notes = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def expertise_labels(self) -> list[str]:
        return [EXPERTISE_TAGS.get(t, t) for t in self.expertise]


class ReviewerAffiliation(models.Model):
    """An organization a reviewer works or worked for, or serves: a source of conflicts."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", "Employed by"
        BOARD = "board", "Board member of"
        CONTRACTOR = "contractor", "Paid consultant or contractor to"
        FINANCIAL = "financial", "Financial interest in"
        HOUSEHOLD = "household", "Household member employed by"

    reviewer = models.ForeignKey(ReviewerProfile, on_delete=models.CASCADE,
                                 related_name="affiliations")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="reviewer_affiliations")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EMPLOYMENT)
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)])
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text="Empty while it lasts.")

    class Meta:
        ordering = ["reviewer", "-end_year", "organization__name"]
        constraints = [
            models.CheckConstraint(
                name="affiliation_ends_after_start",
                condition=Q(start_year__isnull=True) | Q(end_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
            ),
            models.UniqueConstraint(fields=["reviewer", "organization", "kind"],
                                    name="one_affiliation_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.get_kind_display()} {self.organization}"


class ConflictAttestation(models.Model):
    """A reviewer's signed conflict-of-interest statement for one fiscal year."""

    reviewer = models.ForeignKey(ReviewerProfile, on_delete=models.CASCADE,
                                 related_name="attestations")
    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    text_version = models.CharField(max_length=20)
    signed_at = models.DateTimeField()
    no_conflicts_beyond_declared = models.BooleanField(default=True)

    class Meta:
        ordering = ["reviewer", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "fiscal_year"],
                                    name="one_attestation_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} attested for FY{self.fiscal_year}"

    @property
    def text(self) -> str:
        return ATTESTATION_TEXTS.get(self.text_version, "")


class DeclaredConflict(models.Model):
    """A conflict the reviewer declared: with an organization (every application it is party
    to), or with one application (a recusal)."""

    reviewer = models.ForeignKey(ReviewerProfile, on_delete=models.CASCADE,
                                 related_name="declared_conflicts")
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey("programs.Application", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    declared_at = models.DateTimeField()

    class Meta:
        ordering = ["reviewer", "-declared_at"]
        constraints = [
            models.CheckConstraint(
                name="declared_conflict_names_org_or_application",
                condition=Q(organization__isnull=False) | Q(application__isnull=False),
            ),
            models.UniqueConstraint(fields=["reviewer", "organization"],
                                    condition=Q(organization__isnull=False),
                                    name="one_declared_conflict_per_org"),
            models.UniqueConstraint(fields=["reviewer", "application"],
                                    condition=Q(application__isnull=False),
                                    name="one_declared_conflict_per_application"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.organization or self.application}"


class ReviewRound(models.Model):
    """A cycle's review settings: the panel, load bounds and the outlier rule. Reviewers per
    application (k) and the rubric come from the cycle configuration (programs)."""

    cycle = models.OneToOneField("programs.Cycle", on_delete=models.CASCADE,
                                 related_name="review_round")
    panel = models.ManyToManyField(
        ReviewerProfile, blank=True, related_name="rounds",
        help_text="Leave empty to use every active reviewer in the pool.")
    min_load = models.PositiveSmallIntegerField(default=0)
    max_load = models.PositiveSmallIntegerField(default=8)
    outlier_sd = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.50"),
        help_text="Flag a review this many pool standard deviations from the other reviews.")
    outlier_points = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True,
        help_text="Or: flag a review this many points (of 100) from the others.")
    reviews_due = models.DateField(
        null=True, blank=True,
        help_text="The date reviewers should submit their scores by (shown on their home).")

    class Meta:
        constraints = [
            models.CheckConstraint(name="round_max_load_positive", condition=Q(max_load__gte=1)),
            models.CheckConstraint(name="round_min_load_within_max",
                                   condition=Q(min_load__lte=F("max_load"))),
            models.CheckConstraint(name="round_outlier_sd_positive",
                                   condition=Q(outlier_sd__gt=0)),
        ]

    def __str__(self) -> str:
        return f"Review of {self.cycle}"


class AssignmentRun(models.Model):
    """One run of automatic assignment, feasible or not, with what it said."""

    cycle = models.ForeignKey("programs.Cycle", on_delete=models.CASCADE,
                              related_name="assignment_runs")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    k = models.PositiveSmallIntegerField()
    min_load = models.PositiveSmallIntegerField()
    max_load = models.PositiveSmallIntegerField()
    reviewers = models.PositiveIntegerField()
    applications = models.PositiveIntegerField()
    feasible = models.BooleanField()
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    total_match = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["cycle", "-at", "-id"]

    def __str__(self) -> str:
        return f"Assignment run for {self.cycle} at {self.at:%Y-%m-%d %H:%M}"


class Assignment(models.Model):
    class Source(models.TextChoices):
        AUTO = "auto", "Automatic"
        MANUAL = "manual", "Manual"

    cycle = models.ForeignKey("programs.Cycle", on_delete=models.PROTECT,
                              related_name="review_assignments")
    application = models.ForeignKey("programs.Application", on_delete=models.PROTECT,
                                    related_name="review_assignments")
    reviewer = models.ForeignKey(ReviewerProfile, on_delete=models.PROTECT,
                                 related_name="assignments")
    source = models.CharField(max_length=10, choices=Source.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()
    match = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"),
                                help_text="Expertise match when assigned.")

    class Meta:
        ordering = ["application", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"],
                                    name="one_assignment_per_reviewer_per_application"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reads {self.application_id}"


class Review(models.Model):
    """A reviewer's scores on one assignment, read with the application's own rubric version."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT,
                                      related_name="review")
    configuration = models.ForeignKey(
        "programs.CycleConfiguration", on_delete=models.PROTECT, related_name="+",
        help_text="The rubric version scored against (the application's own).")
    scores = models.JSONField(default=dict, blank=True)
    comments = models.JSONField(default=dict, blank=True)
    overall_comment = models.TextField(blank=True)
    total = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Weighted total on 0-100, set on submission.")
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment"]
        constraints = [
            models.CheckConstraint(
                name="submitted_review_has_total",
                condition=Q(submitted_at__isnull=True) | Q(total__isnull=False),
            ),
            models.CheckConstraint(
                name="review_total_on_scale",
                condition=Q(total__isnull=True) | (Q(total__gte=0) & Q(total__lte=100)),
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.assignment}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class NormalizationRun(models.Model):
    """One stored normalization of a cycle's submitted reviews (method and settings kept)."""

    cycle = models.ForeignKey("programs.Cycle", on_delete=models.CASCADE,
                              related_name="normalization_runs")
    method = models.CharField(max_length=30)
    parameters = models.JSONField(default=dict)
    pool_mean = models.DecimalField(max_digits=6, decimal_places=2)
    pool_sd = models.DecimalField(max_digits=6, decimal_places=2)
    threshold = models.DecimalField(max_digits=6, decimal_places=2)
    reviewer_stats = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    reviews_included = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["cycle", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Normalization of {self.cycle} ({self.method})"


class NormalizedScore(models.Model):
    run = models.ForeignKey(NormalizationRun, on_delete=models.CASCADE, related_name="scores")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="normalized")
    raw = models.DecimalField(max_digits=6, decimal_places=2)
    normalized = models.DecimalField(max_digits=6, decimal_places=2)
    z = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    others_mean = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    outlier = models.BooleanField(default=False)

    class Meta:
        ordering = ["run", "review"]
        constraints = [
            models.UniqueConstraint(fields=["run", "review"], name="one_score_per_review_per_run"),
            models.CheckConstraint(
                name="normalized_on_scale",
                condition=Q(normalized__gte=0) & Q(normalized__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.raw} -> {self.normalized}"


auditlog.register(ReviewerProfile)
auditlog.register(ReviewerAffiliation)
auditlog.register(ConflictAttestation)
auditlog.register(DeclaredConflict)
auditlog.register(ReviewRound, m2m_fields={"panel"})
auditlog.register(Assignment)
auditlog.register(Review)
