"""Innovation-fund money: appropriations, a double-entry ledger, awards and their agreements.

The ledger: every ``LedgerEntry`` line moves an amount from one account of an appropriation to
another (``credit_account`` -> ``debit_account``), so every line balances by construction.
Accounts: ``appropriated`` (the source) -> ``available`` -> ``committed`` -> ``disbursed``
(and ``committed`` -> ``available`` when a commitment is released). The appropriation row keeps
the running ``committed_amount`` and ``disbursed_amount``; a check constraint says they never
exceed the appropriation, and the ledger services lock that row (``select_for_update``) before
posting, so concurrent awards cannot over-commit it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from playbook.programs.models import LifecycleTransition


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Money = {"max_digits": 14, "decimal_places": 2}


class Appropriation(models.Model):
    fund = models.CharField(max_length=200, help_text="e.g. Innovation Fund")
    code = models.SlugField(max_length=40)
    fiscal_year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)
    committed_amount = models.DecimalField(**MONEY, default=Decimal("0"),
                                           help_text="Outstanding commitments (not disbursed).")
    disbursed_amount = models.DecimalField(**MONEY, default=Decimal("0"))
    program = models.ForeignKey("programs.Program", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="appropriations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fiscal_year", "fund"]
        constraints = [
            models.UniqueConstraint(fields=["code", "fiscal_year"],
                                    name="one_appropriation_per_fy"),
            models.CheckConstraint(name="appropriation_amount_positive",
                                   condition=Q(amount__gt=0)),
            models.CheckConstraint(name="appropriation_totals_not_negative",
                                   condition=Q(committed_amount__gte=0)
                                   & Q(disbursed_amount__gte=0)),
            models.CheckConstraint(
                name="appropriation_never_over_committed",
                condition=Q(amount__gte=F("committed_amount") + F("disbursed_amount")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} FY{self.fiscal_year}"

    @property
    def available_amount(self) -> Decimal:
        return self.amount - self.committed_amount - self.disbursed_amount


class Account(models.TextChoices):
    APPROPRIATED = "appropriated", "Appropriated"
    AVAILABLE = "available", "Available"
    COMMITTED = "committed", "Committed"
    DISBURSED = "disbursed", "Disbursed"


class LedgerTransaction(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", "Appropriation opened"
        COMMIT = "commit", "Award committed"
        RELEASE = "release", "Commitment released"
        DISBURSE = "disburse", "Disbursement"

    appropriation = models.ForeignKey(Appropriation, on_delete=models.PROTECT,
                                      related_name="transactions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    award = models.ForeignKey("Award", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="ledger_transactions")
    memo = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.appropriation}"


class LedgerEntry(models.Model):
    """One balanced line: ``amount`` debited to one account and credited to another."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT,
                                    related_name="entries")
    appropriation = models.ForeignKey(Appropriation, on_delete=models.PROTECT,
                                      related_name="entries")
    debit_account = models.CharField(max_length=20, choices=Account.choices)
    credit_account = models.CharField(max_length=20, choices=Account.choices)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(name="ledger_entry_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="ledger_entry_two_accounts",
                                   condition=~Q(debit_account=F("credit_account"))),
        ]

    def __str__(self) -> str:
        return f"Dr {self.debit_account} / Cr {self.credit_account} {self.amount}"


class CycleFunding(models.Model):
    """Which appropriation a grant cycle's awards are committed against."""

    cycle = models.OneToOneField("programs.Cycle", on_delete=models.PROTECT,
                                 related_name="funding")
    appropriation = models.ForeignKey(Appropriation, on_delete=models.PROTECT,
                                      related_name="cycles")

    def __str__(self) -> str:
        return f"{self.cycle} <- {self.appropriation}"


class AwardStatus(models.TextChoices):
    DRAFT = "draft", "Agreement drafted"
    EXECUTED = "executed", "Agreement executed"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Award(ConcurrentTransitionMixin, models.Model):
    """An award and its agreement: amount committed, match owed, budget lines, commitments."""

    application = models.OneToOneField("programs.Application", on_delete=models.PROTECT,
                                       related_name="award")
    appropriation = models.ForeignKey(Appropriation, on_delete=models.PROTECT,
                                      related_name="awards")
    amount = models.DecimalField(**MONEY)
    match_rate = models.DecimalField(max_digits=5, decimal_places=4)
    match_required = models.DecimalField(**MONEY)
    in_kind_max_share = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("1"))
    status = FSMField(max_length=20, choices=AwardStatus.choices, default=AwardStatus.DRAFT,
                      protected=True)
    start_date = models.DateField()
    end_date = models.DateField()
    terms = models.TextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    transitions = GenericRelation(LifecycleTransition)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="award_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="award_match_not_negative",
                                   condition=Q(match_required__gte=0) & Q(match_rate__gte=0)
                                   & Q(match_rate__lte=1)),
            models.CheckConstraint(name="award_ends_after_start",
                                   condition=Q(end_date__gt=F("start_date"))),
            models.CheckConstraint(name="executed_award_is_signed",
                                   condition=~Q(status="executed") | Q(signed_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Award {self.application.reference}: ${self.amount:,}"

    @transition(field=status, source=AwardStatus.DRAFT, target=AwardStatus.EXECUTED)
    def execute(self) -> None:
        pass

    @transition(field=status, source=AwardStatus.EXECUTED, target=AwardStatus.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=status, source=[AwardStatus.DRAFT, AwardStatus.EXECUTED],
                target=AwardStatus.CANCELLED)
    def cancel(self) -> None:
        pass


class AgreementBudgetLine(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=80)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["award", "id"]
        constraints = [
            models.CheckConstraint(name="agreement_line_amount_positive",
                                   condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.amount}"


class PerformanceCommitment(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="commitments")
    metric = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. percent, students")
    baseline = models.DecimalField(max_digits=12, decimal_places=2)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    due_date = models.DateField()

    class Meta:
        ordering = ["award", "due_date", "id"]
        constraints = [
            models.CheckConstraint(name="commitment_target_differs_from_baseline",
                                   condition=~Q(target=F("baseline"))),
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {self.baseline} -> {self.target} by {self.due_date}"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REVISION_REQUESTED = "revision_requested", "Revision requested"


class ProgressReport(ConcurrentTransitionMixin, models.Model):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="progress_reports")
    period_end = models.DateField()
    narrative = models.TextField()
    spent_to_date = models.DecimalField(**MONEY, default=Decimal("0"))
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
        ordering = ["award", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["award", "period_end"], name="one_report_per_period"),
            models.CheckConstraint(name="report_spent_not_negative",
                                   condition=Q(spent_to_date__gte=0)),
        ]

    def __str__(self) -> str:
        return f"Progress to {self.period_end}"

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


class CommitmentProgress(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    commitment = models.ForeignKey(PerformanceCommitment, on_delete=models.PROTECT,
                                   related_name="progress")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "commitment"],
                                    name="one_value_per_commitment_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.metric}: {self.value}"


class MatchContribution(models.Model):
    """Match the grantee has delivered: cash or in kind."""

    class Kind(models.TextChoices):
        CASH = "cash", "Cash"
        IN_KIND = "in_kind", "In kind"

    award = models.ForeignKey(Award, on_delete=models.PROTECT,
                              related_name="match_contributions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(**MONEY)
    description = models.CharField(max_length=300)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award", "received_on", "id"]
        constraints = [
            models.CheckConstraint(name="match_contribution_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


auditlog.register(Appropriation)
auditlog.register(CycleFunding)
auditlog.register(Award)
auditlog.register(AgreementBudgetLine)
auditlog.register(PerformanceCommitment)
auditlog.register(ProgressReport)
auditlog.register(MatchContribution)
