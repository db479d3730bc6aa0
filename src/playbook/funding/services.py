"""Writes of the funding app: the ledger, decisions with awards, agreements, reports and match.

The ledger never over-commits an appropriation: ``ledger_post`` locks the appropriation row
(``select_for_update``) inside a transaction, checks what is available, and moves the running
totals with ``F()`` expressions that the ``appropriation_never_over_committed`` check constraint
guards in the database as well.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from playbook.programs.eligibility import applicant_profile
from playbook.programs.models import Application, ApplicationStatus, Program
from playbook.programs.permissions import application_can_decide
from playbook.programs.services import lifecycle
from playbook.programs.transitions import TransitionRefused, transition_apply

from .match import match_rate_for, match_required
from .models import (
    Account,
    AgreementBudgetLine,
    Appropriation,
    Award,
    AwardStatus,
    CommitmentProgress,
    CycleFunding,
    LedgerEntry,
    LedgerTransaction,
    MatchContribution,
    PerformanceCommitment,
    ProgressReport,
    ReportStatus,
)
from .permissions import Decision, award_can_record_match, award_can_report, funding_can_manage
from .selectors import agreement_problems_for

CENT = Decimal("0.01")


class OverCommitment(Exception):
    """An award or commitment larger than what the appropriation has available."""


def _require(decision: Decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def _money(amount: Decimal, what: str) -> Decimal:
    amount = Decimal(amount)
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError({"amount": f"{what} must be a positive amount in dollars and cents."})
    return amount


# --- ledger -----------------------------------------------------------------------------------

def appropriation_create(*, by: Any, fund: str, code: str, fiscal_year: int, amount: Decimal,
                         program: Program | None = None) -> Appropriation:
    _require(funding_can_manage(user=by))
    amount = _money(amount, "The appropriation")
    with transaction.atomic():
        appropriation = Appropriation.objects.create(fund=fund, code=code,
                                                     fiscal_year=fiscal_year, amount=amount,
                                                     program=program)
        tx = LedgerTransaction.objects.create(appropriation=appropriation,
                                              kind=LedgerTransaction.Kind.OPEN, by=by,
                                              memo=f"{fund} FY{fiscal_year} appropriated")
        LedgerEntry.objects.create(transaction=tx, appropriation=appropriation,
                                   debit_account=Account.AVAILABLE,
                                   credit_account=Account.APPROPRIATED, amount=amount)
    return appropriation


def cycle_funding_set(*, cycle: Any, appropriation: Appropriation, by: Any) -> CycleFunding:
    _require(funding_can_manage(user=by))
    link, _ = CycleFunding.objects.update_or_create(cycle=cycle,
                                                    defaults={"appropriation": appropriation})
    return link


_MOVES = {
    LedgerTransaction.Kind.COMMIT: (Account.COMMITTED, Account.AVAILABLE),
    LedgerTransaction.Kind.RELEASE: (Account.AVAILABLE, Account.COMMITTED),
    LedgerTransaction.Kind.DISBURSE: (Account.DISBURSED, Account.COMMITTED),
}


def ledger_post(*, appropriation: Appropriation, kind: str, amount: Decimal, by: Any,
                award: Award | None = None, memo: str = "") -> LedgerTransaction:
    """Post one balanced movement, under a lock on the appropriation row."""
    amount = _money(amount, "A ledger amount")
    debit, credit = _MOVES[LedgerTransaction.Kind(kind)]
    with transaction.atomic():
        locked = Appropriation.objects.select_for_update().get(pk=appropriation.pk)
        if kind == LedgerTransaction.Kind.COMMIT and amount > locked.available_amount:
            raise OverCommitment(
                f"{locked} has ${locked.available_amount:,} available; "
                f"${amount:,} cannot be committed."
            )
        if kind in (LedgerTransaction.Kind.RELEASE, LedgerTransaction.Kind.DISBURSE):
            outstanding = award_outstanding(award=award) if award else locked.committed_amount
            if amount > outstanding:
                raise OverCommitment(f"Only ${outstanding:,} is committed and outstanding.")
        updates = {
            LedgerTransaction.Kind.COMMIT: {"committed_amount": F("committed_amount") + amount},
            LedgerTransaction.Kind.RELEASE: {"committed_amount": F("committed_amount") - amount},
            LedgerTransaction.Kind.DISBURSE: {
                "committed_amount": F("committed_amount") - amount,
                "disbursed_amount": F("disbursed_amount") + amount,
            },
        }[LedgerTransaction.Kind(kind)]
        Appropriation.objects.filter(pk=locked.pk).update(**updates)
        tx = LedgerTransaction.objects.create(appropriation=locked, kind=kind, award=award,
                                              by=by if getattr(by, "pk", None) else None,
                                              memo=memo[:300])
        LedgerEntry.objects.create(transaction=tx, appropriation=locked, debit_account=debit,
                                   credit_account=credit, amount=amount)
    appropriation.refresh_from_db()
    return tx


def award_outstanding(*, award: Award) -> Decimal:
    """What is committed to ``award`` and not yet disbursed or released."""
    total = Decimal("0")
    for tx in award.ledger_transactions.prefetch_related("entries"):
        for e in tx.entries.all():
            if e.debit_account == Account.COMMITTED:
                total += e.amount
            if e.credit_account == Account.COMMITTED:
                total -= e.amount
    return total


# --- decisions and awards ---------------------------------------------------------------------

def award_terms_for(*, application: Application, amount: Decimal) -> dict[str, Decimal]:
    """Match rate and required match for ``amount``, from the application's own rules."""
    funding = application.rules.funding
    if funding is None:
        return {"match_rate": Decimal("0"), "match_required": Decimal("0"),
                "in_kind_max_share": Decimal("1")}
    profile = applicant_profile(application.applicant)
    rate = match_rate_for(rules=funding.match, poverty_share=profile.econ_disadvantaged_share)
    return {"match_rate": rate, "match_required": match_required(amount=amount, rate=rate),
            "in_kind_max_share": funding.match.in_kind_max_share}


def award_fundable(*, application: Application) -> Decimal:
    """The most this application may be awarded: its request, capped by its type's cap."""
    funding = application.rules.funding
    cap = funding.cap_for(applicant_profile(application.applicant).type) if funding else None
    return min(application.amount_requested, cap) if cap is not None else (
        application.amount_requested)


def award_commit(*, application: Application, amount: Decimal, by: Any,
                 appropriation: Appropriation | None = None) -> Award:
    """Create the award (a draft agreement) and commit its amount against the appropriation."""
    amount = _money(amount, "The award")
    fundable = award_fundable(application=application)
    if amount > fundable:
        raise ValidationError({"amount": f"The award cannot exceed ${fundable:,} (the request, "
                                         "within the cap)."})
    if appropriation is None:
        link = CycleFunding.objects.filter(cycle=application.cycle_id).select_related(
            "appropriation").first()
        if link is None:
            raise ValidationError(f"{application.cycle} has no appropriation to commit against.")
        appropriation = link.appropriation
    today = timezone.localdate()
    with transaction.atomic():
        award = Award.objects.create(
            application=application, appropriation=appropriation, amount=amount,
            start_date=today, end_date=today + timedelta(days=730), created_by=by,
            **award_terms_for(application=application, amount=amount),
        )
        _copy_budget(award=award, application=application)
        ledger_post(appropriation=appropriation, kind=LedgerTransaction.Kind.COMMIT,
                    amount=amount, by=by, award=award,
                    memo=f"Award to {application.applicant.name} ({application.reference})")
    return award


def _copy_budget(*, award: Award, application: Application) -> None:
    """The agreement's budget starts as the application's state-funded lines, scaled to the
    award when partially funded (cents rounded down, remainder on the largest line)."""
    lines = [b for b in application.budget_lines.all() if b.state_amount > 0]
    requested = sum((b.state_amount for b in lines), Decimal("0"))
    if not lines or requested <= 0:
        AgreementBudgetLine.objects.create(award=award, category="Award",
                                           description="Whole award", amount=award.amount)
        return
    factor = award.amount / requested
    scaled = [(b, (b.state_amount * factor).quantize(CENT, rounding=ROUND_DOWN)) for b in lines]
    remainder = award.amount - sum(a for _, a in scaled)
    biggest = max(range(len(scaled)), key=lambda i: scaled[i][1])
    scaled[biggest] = (scaled[biggest][0], scaled[biggest][1] + remainder)
    AgreementBudgetLine.objects.bulk_create([
        AgreementBudgetLine(award=award, category=b.category, description=b.description,
                            amount=a) for b, a in scaled if a > 0
    ])


def decision_record(*, application: Application, by: Any, outcome: str,
                    amount: Decimal | None = None, reason: str = "", conditions: str = "",
                    appropriation: Appropriation | None = None) -> Application:
    """The decision body decides a grant application; approvals commit the award in the same
    transaction, so a decision the appropriation cannot cover is refused as a whole."""
    _require(application_can_decide(user=by))
    funded = outcome in ("approved", "conditional")
    if funded and amount is None:
        raise ValidationError({"amount": "Give the amount awarded."})
    with transaction.atomic():
        if funded:
            if application.status != ApplicationStatus.RECOMMENDED:
                raise TransitionRefused(f"Cannot decide an application that is "
                                        f"{application.status_label.lower()}.")
            # Commit first: the decision's emails go out only once the money is secured.
            award_commit(application=application, amount=amount,  # type: ignore[arg-type]
                         by=by, appropriation=appropriation)
        return lifecycle.application_decide(application=application, by=by, outcome=outcome,
                                            reason=reason, conditions=conditions)


# --- agreements -------------------------------------------------------------------------------

def _draft_award(award: Award, by: Any) -> None:
    _require(funding_can_manage(user=by))
    if award.status != AwardStatus.DRAFT:
        raise TransitionRefused("The agreement has been executed; it can no longer change.")


def agreement_update(*, award: Award, by: Any, start_date: date, end_date: date,
                     terms: str) -> Award:
    _draft_award(award, by)
    if end_date <= start_date:
        raise ValidationError({"end_date": "The agreement must end after it starts."})
    award.start_date, award.end_date, award.terms = start_date, end_date, terms
    award.save(update_fields=["start_date", "end_date", "terms"])
    return award


def agreement_budget_line_add(*, award: Award, by: Any, category: str, description: str,
                              amount: Decimal) -> AgreementBudgetLine:
    _draft_award(award, by)
    return AgreementBudgetLine.objects.create(award=award, category=category,
                                              description=description,
                                              amount=_money(amount, "A budget line"))


def agreement_budget_line_remove(*, line: AgreementBudgetLine, by: Any) -> None:
    _draft_award(line.award, by)
    line.delete()


def commitment_add(*, award: Award, by: Any, metric: str, unit: str, baseline: Decimal,
                   target: Decimal, due_date: date) -> PerformanceCommitment:
    _draft_award(award, by)
    if target == baseline:
        raise ValidationError({"target": "The target must differ from the baseline."})
    return PerformanceCommitment.objects.create(award=award, metric=metric, unit=unit,
                                                baseline=baseline, target=target,
                                                due_date=due_date)


def commitment_remove(*, commitment: PerformanceCommitment, by: Any) -> None:
    _draft_award(commitment.award, by)
    commitment.delete()


def award_execute(*, award: Award, by: Any, reason: str = "") -> Award:
    """Sign the agreement: the award becomes executed and the application active."""
    _require(funding_can_manage(user=by))
    problems = agreement_problems_for(award=award)
    if problems:
        raise TransitionRefused(" ".join(problems))
    with transaction.atomic():

        def sign(locked: Award) -> None:
            locked.signed_at, locked.signed_by = timezone.now(), by

        award = transition_apply(obj=award, name="execute", by=by, reason=reason, before=sign)
        lifecycle.application_activate(application=award.application, by=by,
                                       reason="Award agreement executed.")
    return award


def award_disburse(*, award: Award, by: Any, amount: Decimal, memo: str = "") -> LedgerTransaction:
    _require(funding_can_manage(user=by))
    award = Award.objects.get(pk=award.pk)  # the status as it is now, not as the caller saw it
    if award.status != AwardStatus.EXECUTED:
        raise TransitionRefused("Funds are disbursed on an executed agreement.")
    return ledger_post(appropriation=award.appropriation, kind=LedgerTransaction.Kind.DISBURSE,
                       amount=amount, by=by, award=award, memo=memo or "Disbursement")


def award_close(*, award: Award, by: Any, reason: str) -> Award:
    """Close the agreement, release what was never disbursed, close the application."""
    _require(funding_can_manage(user=by))
    if not reason.strip():
        raise TransitionRefused("Give a reason when you close an award.")
    with transaction.atomic():
        left = award_outstanding(award=award)
        if left > 0:
            ledger_post(appropriation=award.appropriation, kind=LedgerTransaction.Kind.RELEASE,
                        amount=left, by=by, award=award, memo="Unspent commitment released")
        award = transition_apply(obj=award, name="close", by=by, reason=reason)
        lifecycle.application_close(application=award.application, by=by, reason=reason)
    return award


# --- progress reports and match ---------------------------------------------------------------

def progress_report_submit(*, award: Award, by: Any, period_end: date, narrative: str,
                           spent_to_date: Decimal,
                           values: dict[int, tuple[Decimal, str]]) -> ProgressReport:
    """The grantee reports against every commitment of the agreement."""
    award = Award.objects.select_related("application").get(pk=award.pk)
    _require(award_can_report(user=by, award=award))
    commitments = {c.pk: c for c in award.commitments.all()}
    missing = [c.metric for pk, c in commitments.items() if pk not in values]
    if missing:
        raise ValidationError({"values": [f"Report a value for {m}." for m in missing]})
    if not narrative.strip():
        raise ValidationError({"narrative": "Describe the progress in a few sentences."})
    if spent_to_date < 0:
        raise ValidationError({"spent_to_date": "Cannot be negative."})
    if ProgressReport.objects.filter(award=award, period_end=period_end).exists():
        raise ValidationError({"period_end": "A report for this period exists."})
    with transaction.atomic():
        report = ProgressReport.objects.create(award=award, period_end=period_end,
                                               narrative=narrative, spent_to_date=spent_to_date,
                                               submitted_by=by)
        CommitmentProgress.objects.bulk_create([
            CommitmentProgress(report=report, commitment=commitments[pk], value=v, note=n[:500])
            for pk, (v, n) in values.items() if pk in commitments
        ])
    return report


def progress_report_review(*, report: ProgressReport, by: Any, accept: bool,
                           note: str = "") -> ProgressReport:
    """The officer accepts a report (the first accepted one puts the grant in monitoring) or
    asks for a revision."""
    _require(funding_can_manage(user=by))
    if not accept and not note.strip():
        raise TransitionRefused("Say what needs revising.")

    def stamp(locked: ProgressReport) -> None:
        locked.reviewed_by, locked.reviewed_at, locked.review_note = by, timezone.now(), note

    with transaction.atomic():
        report = transition_apply(obj=report, name="accept" if accept else "request_revision",
                                  by=by, reason=note, before=stamp)
        app = report.award.application
        if accept and app.status == ApplicationStatus.ACTIVE:
            lifecycle.application_monitor(application=app, by=by,
                                          reason="First progress report accepted.")
    return report


def progress_report_resubmit(*, report: ProgressReport, by: Any, narrative: str,
                             values: dict[int, tuple[Decimal, str]]) -> ProgressReport:
    _require(award_can_report(user=by, award=report.award))
    if report.status != ReportStatus.REVISION_REQUESTED:
        raise TransitionRefused("Only a report returned for revision is resubmitted.")
    with transaction.atomic():
        for value in report.values.all():
            if value.commitment_id in values:
                value.value, value.note = values[value.commitment_id]
                value.save(update_fields=["value", "note"])

        def rewrite(locked: ProgressReport) -> None:
            locked.narrative = narrative

        return transition_apply(obj=report, name="resubmit", by=by, before=rewrite)


def match_contribution_record(*, award: Award, by: Any, kind: str, amount: Decimal,
                              description: str, received_on: date) -> MatchContribution:
    _require(award_can_record_match(user=by, award=award))
    if kind not in MatchContribution.Kind.values:
        raise ValidationError({"kind": "Cash or in kind."})
    return MatchContribution.objects.create(award=award, kind=kind,
                                            amount=_money(amount, "A match contribution"),
                                            description=description, received_on=received_on,
                                            recorded_by=by)
