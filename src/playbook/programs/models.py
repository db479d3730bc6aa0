"""The spine: programs, cycles (rounds), their versioned rules, applications, decisions by
vote, the agreement core and the lifecycle log.

Every policy instrument (a grant, a designation, a waiver, a loan, ...) is a ``Program`` whose
``instrument`` names a registered instrument (``programs.registry``), and whose ``Cycle`` carries
versioned rules (``CycleConfiguration``). Application and agreement status are django-fsm-2
state machines whose transitions are called only from the lifecycle services; each one is
written to ``LifecycleTransition``, a generic append-only log. The phases' labels, tags and who
may act are data (``programs.workflow``).
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import cached_property
from typing import Any

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from playbook.core.append_only import AppendOnlyError, AppendOnlyModel
from playbook.core.money import MONEY

from .rules import CycleRules, rules_parse

__all__ = ["AppendOnlyError"]


class LifecycleTransition(AppendOnlyModel):
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

    append_only_label = "the lifecycle log"

    def __str__(self) -> str:
        return f"{self.name}: {self.source} -> {self.target}"


class Program(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    instrument = models.CharField(
        max_length=30, help_text="The registered instrument (programs.registry) it runs on.")
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def instrument_label(self) -> str:
        from .registry import _INSTRUMENTS

        found = _INSTRUMENTS.get(self.instrument)
        return found.label if found else self.instrument


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
        from .registry import instrument_get

        instrument = instrument_get(self.cycle.program.instrument)
        return rules_parse(self.data, sections=instrument.rules_sections)


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
    WITHDRAWN = "withdrawn", "Withdrawn"
    APPEALED = "appealed", "Appealed"


S = ApplicationStatus
#: Statuses in which the applicant may still withdraw.
WITHDRAWABLE = [S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.SCREENED, S.IN_REVIEW, S.RECOMMENDED]
#: Statuses the applicant may edit in.
EDITABLE = [S.DRAFT, S.INFO_REQUESTED]
#: Decided (by the decision body).
DECIDED = [S.APPROVED, S.CONDITIONAL, S.DENIED]
#: Approved, with or without conditions: an agreement follows.
APPROVED = [S.APPROVED, S.CONDITIONAL]
#: Refusals an applicant may appeal.
APPEALABLE = [S.DENIED, S.INELIGIBLE]


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
    def agreement(self) -> Agreement | None:
        """The agreement the approval opened (not a cancelled one), if any."""
        return self.agreements.exclude(status="cancelled").first()

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

    @transition(field=status, source=[S.IN_REVIEW, S.SCREENED], target=S.RECOMMENDED)
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

    @transition(field=status, source=WITHDRAWABLE, target=S.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    @transition(field=status, source=APPEALABLE, target=S.APPEALED)
    def appeal(self) -> None:
        pass

    @transition(field=status, source=S.APPEALED, target=S.SUBMITTED)
    def appeal_grant(self) -> None:
        """The appeal succeeds: the application is screened again from the start."""

    @transition(field=status, source=S.APPEALED, target=RETURN_VALUE(S.DENIED, S.INELIGIBLE))
    def appeal_dismiss(self) -> str:
        """The appeal fails: back to the refusal that was appealed."""
        last = (LifecycleTransition.objects
                .filter(content_type=ContentType.objects.get_for_model(Application),
                        object_id=self.pk, name="appeal").order_by("-at", "-id").first())
        return last.source if last is not None else S.DENIED


# --- decisions by vote -------------------------------------------------------------------------

class DecisionBody(models.Model):
    """A committee or board that decides by vote (a governing board, a controlling board, a loan
    advisory board, an expert panel). A cycle's rules name the bodies of each decision tier."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    members: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="DecisionBodyMember", related_name="decision_bodies")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DecisionBodyMember(models.Model):
    body = models.ForeignKey(DecisionBody, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="decision_body_memberships")
    active = models.BooleanField(default=True)
    chair = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["body", "user__last_name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["body", "user"],
                                               name="one_membership_per_body")]

    def __str__(self) -> str:
        return f"{self.user} on {self.body}"


class BallotStatus(models.TextChoices):
    OPEN = "open", "Voting open"
    CLOSED = "closed", "Vote closed"


class BallotOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    CONDITIONAL = "conditional", "Approved with conditions"
    DENIED = "denied", "Denied"
    RECOMMENDED = "recommended", "Recommended to the next tier"
    NOT_RECOMMENDED = "not_recommended", "Not recommended"


class Ballot(models.Model):
    """One vote of one decision body on one application: tier 1 of one or of two."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                     related_name="ballots")
    tier = models.PositiveSmallIntegerField(default=1)
    body = models.ForeignKey(DecisionBody, on_delete=models.PROTECT, related_name="ballots")
    acts = models.CharField(max_length=12, help_text="recommends or decides")
    quorum = models.PositiveSmallIntegerField()
    majority = models.CharField(max_length=12)
    terms = models.JSONField(default=dict, blank=True,
                             help_text="The terms the vote is on (e.g. the amount of a grant).")
    status = models.CharField(max_length=10, choices=BallotStatus.choices,
                              default=BallotStatus.OPEN)
    outcome = models.CharField(max_length=20, choices=BallotOutcome.choices, blank=True)
    conditions = models.TextField(blank=True)
    tally = models.JSONField(default=dict, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "tier", "opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(status="open"),
                                    name="one_open_ballot_per_application"),
            models.CheckConstraint(name="ballot_quorum_positive", condition=Q(quorum__gte=1)),
            models.CheckConstraint(
                name="closed_ballot_has_outcome",
                condition=Q(status="open", outcome="") | (Q(status="closed") & ~Q(outcome=""))),
        ]

    def __str__(self) -> str:
        return f"{self.body} on {self.application.reference}"


class VoteChoice(models.TextChoices):
    APPROVE = "approve", "Approve"
    CONDITIONAL = "conditional", "Approve with conditions"
    DENY = "deny", "Deny"
    ABSTAIN = "abstain", "Abstain"
    RECUSE = "recuse", "Recuse (conflict of interest)"


class Vote(AppendOnlyModel):
    """One member's vote. Kept for ever: a member votes once per ballot."""

    append_only_label = "a vote"
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="votes")
    choice = models.CharField(max_length=12, choices=VoteChoice.choices)
    conditions = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ballot", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="one_vote_per_member"),
            models.CheckConstraint(name="conditional_vote_states_conditions",
                                   condition=~Q(choice="conditional") | ~Q(conditions="")),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_choice_display()}"


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


# --- the agreement core -------------------------------------------------------------------------

class AgreementStatus(models.TextChoices):
    DRAFTED = "drafted", "Drafted"
    SIGNED = "signed", "Signed by the office, awaiting countersignature"
    EXECUTED = "executed", "Executed (countersigned)"
    ACTIVE = "active", "Active"
    MONITORED = "monitored", "Monitored"
    PROBATION = "probation", "On probation"
    RENEWED = "renewed", "Renewed"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


A = AgreementStatus
#: In force: the party holds what the agreement gives and owes what it commits to.
IN_FORCE = [A.EXECUTED, A.ACTIVE, A.MONITORED, A.PROBATION, A.RENEWED]
#: Still being written: terms, commitments and documents may change without an amendment.
UNSIGNED = [A.DRAFTED]
ENDED = [A.REVOKED, A.EXPIRED, A.CLOSED, A.CANCELLED]
#: A progress report is due this many days after the end of the period it covers.
REPORT_DUE_DAYS = 30


class Agreement(ConcurrentTransitionMixin, models.Model):
    """What a decision opens, for every instrument: parties, term, conditions, commitments with
    their evidence source, monitoring reports, documents, countersignature, amendments, and the
    renew / probation / revoke / expire / close transitions. An instrument's own record (a grant
    award, a designation, a loan) points at its agreement."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="agreements")
    instrument = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    status = FSMField(max_length=12, choices=AgreementStatus.choices, default=A.DRAFTED,
                      protected=True, db_index=True)
    start_date = models.DateField()
    end_date = models.DateField()
    next_review_date = models.DateField(null=True, blank=True)
    report_every_months = models.PositiveSmallIntegerField(
        default=6, help_text="A progress report covers each period of this many months from "
        "the start date (the last period ends with the term); it is due within "
        "30 days after its period ends.")
    conditions = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    countersigned_at = models.DateTimeField(null=True, blank=True)
    countersigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    transitions = GenericRelation(LifecycleTransition)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A cancelled agreement (conditions not met, say) stays on record; an approval on
            # appeal may then open a new one.
            models.UniqueConstraint(fields=["application"], condition=~Q(status="cancelled"),
                                    name="one_live_agreement_per_application"),
            models.CheckConstraint(name="agreement_ends_after_start",
                                   condition=Q(end_date__gt=F("start_date"))),
            models.CheckConstraint(name="agreement_report_period_1_to_24_months",
                                   condition=Q(report_every_months__gte=1,
                                               report_every_months__lte=24)),
            models.CheckConstraint(
                name="signed_agreement_has_signature",
                condition=Q(status__in=["drafted", "cancelled"]) | Q(signed_at__isnull=False)),
            models.CheckConstraint(
                name="executed_agreement_is_countersigned",
                condition=Q(status__in=["drafted", "signed", "cancelled"])
                | Q(countersigned_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_label(self) -> str:
        return AgreementStatus(self.status).label

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE

    # --- declared transitions (call only from programs.services.agreements) ----------------

    @transition(field=status, source=A.DRAFTED, target=A.SIGNED)
    def sign(self) -> None:
        pass

    @transition(field=status, source=A.SIGNED, target=A.EXECUTED)
    def countersign(self) -> None:
        pass

    @transition(field=status, source=A.EXECUTED, target=A.ACTIVE)
    def activate(self) -> None:
        pass

    @transition(field=status, source=[A.ACTIVE, A.RENEWED], target=A.MONITORED)
    def monitor(self) -> None:
        pass

    @transition(field=status, source=[A.ACTIVE, A.MONITORED, A.RENEWED], target=A.PROBATION)
    def probation(self) -> None:
        pass

    @transition(field=status, source=A.PROBATION, target=A.MONITORED)
    def lift_probation(self) -> None:
        pass

    @transition(field=status, source=[A.ACTIVE, A.MONITORED, A.PROBATION], target=A.RENEWED)
    def renew(self) -> None:
        pass

    @transition(field=status, source=[A.EXECUTED, A.ACTIVE, A.MONITORED, A.PROBATION,
                                      A.RENEWED], target=A.REVOKED)
    def revoke(self) -> None:
        pass

    @transition(field=status, source=[A.EXECUTED, A.ACTIVE, A.MONITORED, A.PROBATION,
                                      A.RENEWED], target=A.EXPIRED)
    def expire(self) -> None:
        pass

    @transition(field=status, source=[A.ACTIVE, A.MONITORED, A.PROBATION, A.RENEWED],
                target=A.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=status, source=[A.DRAFTED, A.SIGNED, A.EXECUTED], target=A.CANCELLED)
    def cancel(self) -> None:
        pass


class AgreementParty(models.Model):
    class Role(models.TextChoices):
        STATE = "state", "State agency"
        PARTY = "party", "Party (countersigns)"
        PARTNER = "partner", "Partner"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="agreement_parties")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["agreement", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "organization"],
                                               name="one_role_per_party")]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class EvidenceSource(models.TextChoices):
    SELF_REPORTED = "self_reported", "Reported by the party"
    REPORT_CARD = "report_card", "Published report card"
    GROWTH_RUN = "growth_run", "Published growth results"


class AgreementCommitment(models.Model):
    """A performance commitment: a measure, its baseline and target, by when, and where the
    evidence comes from (what the party reports, or a published report card or growth run)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE,
                                  related_name="commitments")
    measure = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. percent, students")
    baseline = models.DecimalField(max_digits=12, decimal_places=2)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    due_date = models.DateField()
    evidence_source = models.CharField(max_length=20, choices=EvidenceSource.choices,
                                       default=EvidenceSource.SELF_REPORTED)
    evidence_ref = models.JSONField(
        default=dict, blank=True,
        help_text="Where published evidence is read: e.g. {'framework': ..., 'metric': ...}.")

    class Meta:
        ordering = ["agreement", "due_date", "id"]
        constraints = [
            models.CheckConstraint(name="agreement_commitment_target_differs",
                                   condition=~Q(target=F("baseline"))),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.baseline} -> {self.target} by {self.due_date}"

    @property
    def metric(self) -> str:
        return self.measure


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REVISION_REQUESTED = "revision_requested", "Revision requested"


class MonitoringReport(ConcurrentTransitionMixin, models.Model):
    """A report on an agreement's commitments, for one period."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reports")
    period_end = models.DateField()
    narrative = models.TextField()
    status = FSMField(max_length=20, choices=ReportStatus.choices,
                      default=ReportStatus.SUBMITTED, protected=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    transitions = GenericRelation(LifecycleTransition)

    class Meta:
        ordering = ["agreement", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period_end"],
                                    name="one_agreement_report_per_period"),
        ]

    def __str__(self) -> str:
        return f"Progress to {self.period_end}"

    @property
    def status_label(self) -> str:
        return ReportStatus(self.status).label

    @transition(field=status, source=ReportStatus.SUBMITTED, target=ReportStatus.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=status, source=ReportStatus.SUBMITTED,
                target=ReportStatus.REVISION_REQUESTED)
    def request_revision(self) -> None:
        pass

    @transition(field=status, source=ReportStatus.REVISION_REQUESTED,
                target=ReportStatus.SUBMITTED)
    def resubmit(self) -> None:
        pass


class CommitmentValue(models.Model):
    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE,
                               related_name="values")
    commitment = models.ForeignKey(AgreementCommitment, on_delete=models.PROTECT,
                                   related_name="values")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "commitment"],
                                    name="one_value_per_agreement_commitment"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.measure}: {self.value}"


def agreement_document_path(instance: AgreementDocument, filename: str) -> str:
    return f"agreements/{instance.agreement_id}/{filename}"


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=agreement_document_path, storage=uploads_storage,
                            max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "uploaded_at"]

    def __str__(self) -> str:
        return self.title


class AgreementAmendment(AppendOnlyModel):
    """A change to an agreement in force: what changed, from what to what, why, by whom."""

    append_only_label = "an amendment"
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT,
                                  related_name="amendments")
    number = models.PositiveSmallIntegerField()
    summary = models.TextField()
    changes = models.JSONField(default=dict, help_text="field -> [before, after]")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"],
                                               name="one_amendment_number")]

    def __str__(self) -> str:
        return f"Amendment {self.number}"


# --- why: traces of automated determinations -----------------------------------------------------

class DeterminationTrace(AppendOnlyModel):
    """Why an automated determination came out as it did: each rule with its version, the
    values it read and its result (eligibility screening, ranking, the funding line, renewal
    proposals, waiver grants)."""

    append_only_label = "a determination trace"
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=40, help_text="e.g. eligibility, funding_line")
    result = models.CharField(max_length=300)
    steps = models.JSONField(
        default=list,
        help_text="[{rule, version, values, result, applicant}]; applicant: shown to them.")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.result}"

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
auditlog.register(DecisionBody)
auditlog.register(DecisionBodyMember)
auditlog.register(Ballot)
auditlog.register(Agreement)
auditlog.register(AgreementParty)
auditlog.register(AgreementCommitment)
auditlog.register(MonitoringReport)
