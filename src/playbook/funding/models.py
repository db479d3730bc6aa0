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

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from playbook.core.money import MONEY
from playbook.programs.models import uploads_storage


class GrantRequest(models.Model):
    """What a grant application asks for: the state funds requested and the local match pledged,
    the totals of its budget table."""

    application = models.OneToOneField("programs.Application", on_delete=models.CASCADE,
                                       related_name="grant")
    amount_requested = models.DecimalField(**MONEY, default=Decimal("0"))
    match_cash = models.DecimalField(**MONEY, default=Decimal("0"))
    match_in_kind = models.DecimalField(**MONEY, default=Decimal("0"))
    grant_type = models.CharField(
        max_length=40, blank=True,
        help_text="The key of one of the cycle's grant types (research, pilot, scaling); blank "
                  "where the cycle has none.")

    class Meta:
        constraints = [
            models.CheckConstraint(name="grant_request_amounts_not_negative",
                                   condition=Q(amount_requested__gte=0) & Q(match_cash__gte=0)
                                   & Q(match_in_kind__gte=0)),
        ]

    def __str__(self) -> str:
        return f"${self.amount_requested:,} requested"

    @property
    def match_total(self) -> Decimal:
        return self.match_cash + self.match_in_kind


class BudgetLine(models.Model):
    """One row of an application's budget table: state funds asked, and the local match."""

    application = models.ForeignKey("programs.Application", on_delete=models.CASCADE,
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
            models.CheckConstraint(name="grant_budget_line_not_negative",
                                   condition=Q(state_amount__gte=0) & Q(match_cash__gte=0)
                                   & Q(match_in_kind__gte=0)),
            models.CheckConstraint(name="grant_budget_line_not_empty",
                                   condition=Q(state_amount__gt=0) | Q(match_cash__gt=0)
                                   | Q(match_in_kind__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.description}"

    @property
    def total(self) -> Decimal:
        return self.state_amount + self.match_cash + self.match_in_kind


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


class Award(models.Model):
    """A grant award: the money side of its agreement (``programs.Agreement``: parties, term,
    commitments, reports, signatures): amount committed, match owed, budget lines."""

    application = models.ForeignKey("programs.Application", on_delete=models.PROTECT,
                                    related_name="awards")
    agreement = models.OneToOneField("programs.Agreement", on_delete=models.PROTECT,
                                     related_name="award")
    appropriation = models.ForeignKey(Appropriation, on_delete=models.PROTECT,
                                      related_name="awards")
    amount = models.DecimalField(**MONEY)
    match_rate = models.DecimalField(max_digits=5, decimal_places=4)
    match_required = models.DecimalField(**MONEY)
    in_kind_max_share = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("1"))
    private_min_share = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0"),
        help_text="The least share of the required match that must come from private or "
                  "philanthropic sources (Florida: all of it).")
    grant_type = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="award_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="award_match_not_negative",
                                   condition=Q(match_required__gte=0) & Q(match_rate__gte=0)
                                   & Q(match_rate__lte=1)),
            models.CheckConstraint(name="award_private_share_is_a_share",
                                   condition=Q(private_min_share__gte=0)
                                   & Q(private_min_share__lte=1)),
        ]

    def __str__(self) -> str:
        return f"Award {self.application.reference}: ${self.amount:,}"

    @property
    def status(self) -> str:
        return self.agreement.status

    @property
    def status_label(self) -> str:
        return self.agreement.status_label


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


class ReportSpending(models.Model):
    """What a grantee's monitoring report says was spent to date."""

    report = models.OneToOneField("programs.MonitoringReport", on_delete=models.CASCADE,
                                  related_name="spending")
    spent_to_date = models.DecimalField(**MONEY, default=Decimal("0"))

    class Meta:
        constraints = [
            models.CheckConstraint(name="report_spending_not_negative",
                                   condition=Q(spent_to_date__gte=0)),
        ]

    def __str__(self) -> str:
        return f"${self.spent_to_date:,} spent"


def match_evidence_path(instance: MatchContribution, filename: str) -> str:
    return f"match/{instance.award_id}/{filename}"


class MatchSource(models.TextChoices):
    """Where a match contribution comes from. Private and philanthropic money is the private
    sector of Florida's matching grants (businesses, individuals, civic organizations and
    foundations)."""

    OWN_FUNDS = "own_funds", "The grantee's own funds"
    OTHER_PUBLIC = "other_public", "Other public funds"
    PRIVATE = "private", "Private: businesses, individuals, civic organizations"
    PHILANTHROPIC = "philanthropic", "Philanthropic: foundations"


#: The sources that count toward a fund's private share.
PRIVATE_SOURCES = (MatchSource.PRIVATE, MatchSource.PHILANTHROPIC)


class MatchStatusChoice(models.TextChoices):
    PENDING = "pending", "Waiting for the office to check"
    VERIFIED = "verified", "Verified by the office"
    REJECTED = "rejected", "Not accepted"


class MatchContribution(ConcurrentTransitionMixin, models.Model):
    """Match the grantee says it has delivered: cash or in kind, from a source, with a document
    that shows it. It counts toward the match only once office staff verify it (the
    ``verify`` / ``reject`` transitions, recorded through ``programs.transitions``)."""

    class Kind(models.TextChoices):
        CASH = "cash", "Cash"
        IN_KIND = "in_kind", "In kind"

    award = models.ForeignKey(Award, on_delete=models.PROTECT,
                              related_name="match_contributions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=20, choices=MatchSource.choices,
                              default=MatchSource.OWN_FUNDS)
    contributor = models.CharField(max_length=200, blank=True,
                                   help_text="Who gave it (a business, foundation, person).")
    amount = models.DecimalField(**MONEY)
    description = models.CharField(max_length=300)
    received_on = models.DateField()
    evidence = models.FileField(upload_to=match_evidence_path, storage=uploads_storage,
                                max_length=300, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_size = models.PositiveIntegerField(default=0)
    status = FSMField(max_length=10, choices=MatchStatusChoice.choices,
                      default=MatchStatusChoice.PENDING, protected=True, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["award", "received_on", "id"]
        constraints = [
            models.CheckConstraint(name="match_contribution_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="match_contribution_checked_by_someone",
                condition=Q(status="pending") | (Q(checked_by__isnull=False)
                                                 & Q(checked_at__isnull=False))),
            models.CheckConstraint(
                name="match_contribution_rejection_has_reason",
                condition=~Q(status="rejected") | ~Q(rejection_reason="")),
            models.CheckConstraint(
                name="match_contribution_not_checked_by_recorder",
                condition=Q(checked_by__isnull=True) | ~Q(checked_by=F("recorded_by"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.get_source_display()})"

    @property
    def counts(self) -> bool:
        return self.status == MatchStatusChoice.VERIFIED

    @property
    def is_private(self) -> bool:
        return self.source in PRIVATE_SOURCES

    @property
    def status_label(self) -> str:
        return MatchStatusChoice(self.status).label

    @transition(field=status, source=MatchStatusChoice.PENDING,
                target=MatchStatusChoice.VERIFIED)
    def verify(self) -> None:
        pass

    @transition(field=status, source=MatchStatusChoice.PENDING,
                target=MatchStatusChoice.REJECTED)
    def reject(self) -> None:
        pass


auditlog.register(Appropriation)
auditlog.register(CycleFunding)
auditlog.register(Award)
auditlog.register(AgreementBudgetLine)
auditlog.register(GrantRequest)
auditlog.register(BudgetLine)
auditlog.register(ReportSpending)
auditlog.register(MatchContribution)
