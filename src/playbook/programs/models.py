"""The spine: programs, cycles (rounds), their versioned rules, applications and the lifecycle log.

Every policy instrument (grants first; designations, loans, waivers, ... later) is a ``Program``
whose ``Cycle`` carries versioned rules (``CycleConfiguration``). Application status is a
django-fsm-2 state machine whose transitions are called only from
``programs.services.lifecycle``; each one is written to ``LifecycleTransition``, a generic log
any other stateful record (award agreements, designations, loans) reuses.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import cached_property
from typing import Any, TypedDict

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .config import CycleRules


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Money = {"max_digits": 14, "decimal_places": 2}


class AppendOnlyError(Exception):
    pass


class LifecycleTransition(models.Model):
    """One recorded state change of any lifecycle record: who, when, from, to and why.

    Generic (content type + id) so that awards, designations, loans and waivers share one log.
    Append-only.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    name = models.CharField(max_length=60, help_text="The transition, e.g. submit.")
    source = models.CharField(max_length=40)
    target = models.CharField(max_length=40)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="Empty for the system.",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        constraints = [
            models.CheckConstraint(name="transition_changes_state",
                                   condition=~Q(source=F("target"))),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.source} -> {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("the lifecycle log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the lifecycle log is append-only")


class Program(models.Model):
    class Instrument(models.TextChoices):
        GRANT = "grant", "Competitive grant"
        DESIGNATION = "designation", "Approved-model designation"
        LOAN = "loan", "Loan"
        WAIVER = "waiver", "Waiver"
        FLEXIBILITY = "flexibility", "Flexibility plan"
        PROCUREMENT = "procurement", "Procurement"
        RECONSIDERATION = "reconsideration", "Reconsideration request"
        MICRO_CREDENTIAL = "micro_credential", "Micro-credential"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    instrument = models.CharField(max_length=30, choices=Instrument.choices,
                                  default=Instrument.GRANT)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cycle(models.Model):
    """A round of a program, with open and close dates and (for grants) a budget."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cycles")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    fiscal_year = models.PositiveSmallIntegerField()
    budget = models.DecimalField(**MONEY, default=Decimal("0"),
                                 help_text="The round budget in dollars.")
    results_public = models.BooleanField(
        default=True, help_text="Publish the round page (applicants, status, amounts, scores).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(name="cycle_closes_after_opens",
                                   condition=Q(closes_at__gt=F("opens_at"))),
            models.CheckConstraint(name="cycle_budget_not_negative", condition=Q(budget__gte=0)),
            models.UniqueConstraint(fields=["program", "slug"], name="cycle_slug_per_program"),
        ]

    def __str__(self) -> str:
        return f"{self.program.name}: {self.name}"

    def has_opened(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.opens_at

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def is_closed(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    @property
    def phase(self) -> str:
        if not self.has_opened():
            return "upcoming"
        return "open" if self.is_open() else "closed"


class CycleConfiguration(models.Model):
    """One version of a cycle's rules. Immutable once the cycle opens: edits make a new version."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="configurations")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["cycle", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "version"], name="one_config_per_version"),
            models.CheckConstraint(name="config_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} v{self.version}"

    @cached_property
    def rules(self) -> CycleRules:
        return CycleRules.from_data(self.data)


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    INFO_REQUESTED = "info_requested", "More information requested"
    SCREENED = "screened", "Screened eligible"
    INELIGIBLE = "ineligible", "Ineligible"
    IN_REVIEW = "in_review", "In review"
    RECOMMENDED = "recommended", "Recommended to the decision body"
    APPROVED = "approved", "Approved"
    CONDITIONAL = "conditional", "Approved with conditions"
    DENIED = "denied", "Denied"
    ACTIVE = "active", "Active"
    MONITORED = "monitored", "Monitored"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = ApplicationStatus
#: Statuses in which the applicant may still withdraw.
WITHDRAWABLE = [S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.SCREENED, S.IN_REVIEW, S.RECOMMENDED]
#: Statuses the applicant may edit in.
EDITABLE = [S.DRAFT, S.INFO_REQUESTED]
#: Decided (by the decision body) and after.
DECIDED = [S.APPROVED, S.CONDITIONAL, S.DENIED, S.ACTIVE, S.MONITORED, S.CLOSED]
#: Funded: an award exists.
FUNDED = [S.APPROVED, S.CONDITIONAL, S.ACTIVE, S.MONITORED, S.CLOSED]


class Application(ConcurrentTransitionMixin, models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="applications")
    configuration = models.ForeignKey(
        CycleConfiguration, on_delete=models.PROTECT, related_name="applications",
        help_text="The rules version the application was written under, and is read with.",
    )
    applicant = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                  related_name="applications")
    partner_district = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
        related_name="partner_applications",
        help_text="Required for non-public applicants (colleges, nonprofits, companies).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="applications_created")
    title = models.CharField(max_length=200)
    summary = models.CharField("purpose", max_length=600, blank=True,
                               help_text="One paragraph, published on the round page.")
    answers = models.JSONField(default=dict, blank=True)
    amount_requested = models.DecimalField(**MONEY, default=Decimal("0"))
    match_cash = models.DecimalField(**MONEY, default=Decimal("0"))
    match_in_kind = models.DecimalField(**MONEY, default=Decimal("0"))
    status = FSMField(max_length=20, choices=ApplicationStatus.choices, default=S.DRAFT,
                      protected=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    conditions = models.TextField(blank=True, help_text="Conditions of a conditional approval.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    transitions = GenericRelation(LifecycleTransition)

    class Meta:
        ordering = ["cycle", "id"]
        constraints = [
            models.CheckConstraint(name="application_amounts_not_negative",
                                   condition=Q(amount_requested__gte=0) & Q(match_cash__gte=0)
                                   & Q(match_in_kind__gte=0)),
            models.UniqueConstraint(fields=["cycle", "applicant"],
                                    condition=~Q(status="withdrawn"),
                                    name="one_live_application_per_applicant_per_cycle"),
            models.CheckConstraint(name="submitted_application_has_submitted_at",
                                   condition=Q(status__in=["draft", "withdrawn"])
                                   | Q(submitted_at__isnull=False)),
            models.CheckConstraint(name="conditional_approval_states_conditions",
                                   condition=~Q(status="conditional") | ~Q(conditions="")),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.cycle.program.slug[:8].upper()}-{self.cycle.fiscal_year}-{self.pk:04d}"

    @property
    def status_label(self) -> str:
        return ApplicationStatus(self.status).label

    @property
    def rules(self) -> CycleRules:
        return self.configuration.rules

    @property
    def match_total(self) -> Decimal:
        return self.match_cash + self.match_in_kind

    # --- declared transitions (call only from programs.services.lifecycle) -------------------

    @transition(field=status, source=S.DRAFT, target=S.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=status, source=[S.SUBMITTED, S.SCREENED], target=S.INFO_REQUESTED)
    def request_info(self) -> None:
        pass

    @transition(field=status, source=S.INFO_REQUESTED, target=S.SUBMITTED)
    def provide_info(self) -> None:
        pass

    @transition(field=status, source=S.SUBMITTED, target=S.SCREENED)
    def screen_eligible(self) -> None:
        pass

    @transition(field=status, source=S.SUBMITTED, target=S.INELIGIBLE)
    def screen_ineligible(self) -> None:
        pass

    @transition(field=status, source=S.SCREENED, target=S.IN_REVIEW)
    def start_review(self) -> None:
        pass

    @transition(field=status, source=S.IN_REVIEW, target=S.RECOMMENDED)
    def recommend(self) -> None:
        pass

    @transition(field=status, source=S.RECOMMENDED, target=S.APPROVED)
    def approve(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=status, source=S.RECOMMENDED, target=S.CONDITIONAL)
    def approve_with_conditions(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=status, source=S.RECOMMENDED, target=S.DENIED)
    def deny(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=status, source=S.CONDITIONAL, target=S.APPROVED)
    def conditions_met(self) -> None:
        pass

    @transition(field=status, source=S.CONDITIONAL, target=S.DENIED)
    def conditions_unmet(self) -> None:
        pass

    @transition(field=status, source=S.APPROVED, target=S.ACTIVE)
    def activate(self) -> None:
        pass

    @transition(field=status, source=S.ACTIVE, target=S.MONITORED)
    def monitor(self) -> None:
        pass

    @transition(field=status, source=[S.ACTIVE, S.MONITORED], target=S.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=status, source=WITHDRAWABLE, target=S.WITHDRAWN)
    def withdraw(self) -> None:
        pass


class BudgetLine(models.Model):
    """One row of an application's budget table: state funds asked, and the local match."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="budget_lines")
    category = models.CharField(max_length=80)
    description = models.CharField(max_length=300)
    state_amount = models.DecimalField("state funds", **MONEY, default=Decimal("0"))
    match_cash = models.DecimalField("match (cash)", **MONEY, default=Decimal("0"))
    match_in_kind = models.DecimalField("match (in kind)", **MONEY, default=Decimal("0"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["application", "position", "id"]
        constraints = [
            models.CheckConstraint(name="budget_line_amounts_not_negative",
                                   condition=Q(state_amount__gte=0) & Q(match_cash__gte=0)
                                   & Q(match_in_kind__gte=0)),
            models.CheckConstraint(name="budget_line_not_empty",
                                   condition=Q(state_amount__gt=0) | Q(match_cash__gt=0)
                                   | Q(match_in_kind__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.description}"

    @property
    def total(self) -> Decimal:
        return self.state_amount + self.match_cash + self.match_in_kind


class UploadsStorage(FileSystemStorage):
    """Application files live under ``DATA_DIR/uploads`` (never served publicly), read from the
    settings at each use so a changed ``DATA_DIR`` (tests, deployments) is honoured."""

    @property
    def base_location(self) -> str:
        return str(settings.DATA_DIR / "uploads")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def uploads_storage() -> FileSystemStorage:
    return UploadsStorage()


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"applications/{instance.application_id}/{instance.slot}/{filename}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="attachments")
    slot = models.CharField(max_length=60, help_text="The attachment key in the form schema.")
    file = models.FileField(upload_to=attachment_path, storage=uploads_storage, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "slot", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


auditlog.register(Program)
auditlog.register(Cycle)
auditlog.register(CycleConfiguration)
auditlog.register(Application, exclude_fields=["updated_at"])
auditlog.register(BudgetLine)
