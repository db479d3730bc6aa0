"""Writes of the funding app: the ledger, decisions with awards, agreements, reports and match.

The ledger never over-commits an appropriation: ``ledger_post`` locks the appropriation row
(``select_for_update``) inside a transaction, checks what is available, and moves the running
totals with ``F()`` expressions that the ``appropriation_never_over_committed`` check constraint
guards in the database as well.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from playbook.accounts.models import User
from playbook.core.access import require, signed_in_or_none
from playbook.core.money import CENT, money_clean
from playbook.programs.eligibility import applicant_profile
from playbook.programs.models import Agreement, Application, Ballot, Program
from playbook.programs.permissions import application_can_edit, signed_in_user
from playbook.programs.services.applications import CONTENT_TYPES, MAGIC
from playbook.programs.transitions import TransitionRefused, transition_apply

from .match import match_rate_for, match_required
from .models import (
    Account,
    AgreementBudgetLine,
    Appropriation,
    Award,
    BudgetLine,
    CycleFunding,
    GrantRequest,
    LedgerEntry,
    LedgerTransaction,
    MatchContribution,
    MatchSource,
    ReportSpending,
)
from .permissions import award_can_record_match, funding_can_manage, match_can_check
from .rules import FundingRules, funding_of


class OverCommitment(TransitionRefused):
    """An award or commitment larger than what the appropriation has available (a refusal the
    spine's pages show, e.g. when a closing vote's award cannot be committed)."""


def grant_request_for(application: Application) -> GrantRequest:
    """The application's request, created empty the first time it is asked for."""
    found = GrantRequest.objects.filter(application=application).first()
    if found is None:
        found, _ = GrantRequest.objects.get_or_create(application=application)
    return found


#: The most lines an application's budget table may have.
MAX_BUDGET_LINES = 40


def grant_type_problem(*, funding: FundingRules, grant_type: str) -> str | None:
    """Why ``grant_type`` is not a choice under ``funding``; None when it is (blank is a choice
    not made yet where the fund has types, and the only choice where it has none)."""
    if not grant_type:
        return None
    if not funding.grant_types:
        return "This round has no grant types."
    if funding.grant_type(grant_type) is None:
        keys = ", ".join(t.label for t in funding.grant_types)
        return f"Choose one of this round's grant types ({keys})."
    return None


def application_budget_save(*, application: Application, by: User | AnonymousUser,
                            lines: list[dict[str, Any]],
                            grant_type: str | None = None) -> Application:
    """Replace the budget table. Each line: category, description, state_amount, match_cash,
    match_in_kind. The request's totals follow. ``grant_type`` (a key of the round's grant
    types) is set when given; None leaves it as it is."""
    require(application_can_edit(user=by, application=application))
    if len(lines) > MAX_BUDGET_LINES:
        raise ValidationError(f"A budget has at most {MAX_BUDGET_LINES} lines; this one has "
                              f"{len(lines)}. Combine similar costs into one line.")
    funding = funding_of(application.rules)
    categories = set(funding.budget_categories)
    if grant_type is not None:
        problem = grant_type_problem(funding=funding, grant_type=grant_type)
        if problem:
            raise ValidationError({"grant_type": problem})
    errors: list[str] = []
    rows = []
    for i, line in enumerate(lines, start=1):
        try:
            amounts = {k: Decimal(str(line.get(k) or "0"))
                       for k in ("state_amount", "match_cash", "match_in_kind")}
        except (ArithmeticError, ValueError):
            errors.append(f"Line {i}: amounts are numbers of dollars and cents.")
            continue
        if not all(v.is_finite() for v in amounts.values()):  # NaN, sNaN, Infinity
            errors.append(f"Line {i}: amounts are numbers of dollars and cents.")
            continue
        if not any(amounts.values()) and not str(line.get("description", "")).strip():
            continue
        if line.get("category") not in categories:
            errors.append(f"Line {i}: choose a category.")
        if not str(line.get("description", "")).strip():
            errors.append(f"Line {i}: describe the cost.")
        if any(v < 0 for v in amounts.values()):
            errors.append(f"Line {i}: amounts cannot be negative.")
        if not any(amounts.values()):
            errors.append(f"Line {i}: enter an amount.")
        if any(v != v.quantize(CENT) for v in amounts.values()):
            errors.append(f"Line {i}: amounts are dollars and cents.")
        rows.append(BudgetLine(application=application, category=line.get("category", ""),
                               description=str(line.get("description", "")).strip()[:300],
                               position=i, **amounts))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(rows)
        totals: dict[str, Any] = {
            "amount_requested": sum((r.state_amount for r in rows), Decimal("0")),
            "match_cash": sum((r.match_cash for r in rows), Decimal("0")),
            "match_in_kind": sum((r.match_in_kind for r in rows), Decimal("0")),
        }
        if grant_type is not None:
            totals["grant_type"] = grant_type
        GrantRequest.objects.update_or_create(application=application, defaults=totals)
        application.save(update_fields=["updated_at"])
    return application


# --- ledger -----------------------------------------------------------------------------------

def appropriation_create(*, by: User | AnonymousUser, fund: str, code: str, fiscal_year: int,
                         amount: Decimal, program: Program | None = None) -> Appropriation:
    require(funding_can_manage(user=by))
    amount = money_clean(amount, "The appropriation")
    with transaction.atomic():
        appropriation = Appropriation.objects.create(fund=fund, code=code,
                                                     fiscal_year=fiscal_year, amount=amount,
                                                     program=program)
        tx = LedgerTransaction.objects.create(appropriation=appropriation,
                                              kind=LedgerTransaction.Kind.OPEN,
                                              by=signed_in_or_none(by),
                                              memo=f"{fund} FY{fiscal_year} appropriated")
        LedgerEntry.objects.create(transaction=tx, appropriation=appropriation,
                                   debit_account=Account.AVAILABLE,
                                   credit_account=Account.APPROPRIATED, amount=amount)
    return appropriation


def cycle_funding_set(*, cycle: Any, appropriation: Appropriation,
                      by: User | AnonymousUser) -> CycleFunding:
    require(funding_can_manage(user=by))
    link, _ = CycleFunding.objects.update_or_create(cycle=cycle,
                                                    defaults={"appropriation": appropriation})
    return link


_MOVES = {
    LedgerTransaction.Kind.COMMIT: (Account.COMMITTED, Account.AVAILABLE),
    LedgerTransaction.Kind.RELEASE: (Account.AVAILABLE, Account.COMMITTED),
    LedgerTransaction.Kind.DISBURSE: (Account.DISBURSED, Account.COMMITTED),
}


def ledger_post(*, appropriation: Appropriation, kind: str, amount: Decimal,
                by: User | AnonymousUser | None, award: Award | None = None,
                memo: str = "") -> LedgerTransaction:
    """Post one balanced movement, under a lock on the appropriation row."""
    amount = money_clean(amount, "A ledger amount")
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
                                              by=signed_in_or_none(by),
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
    funding = funding_of(application.rules)
    profile = applicant_profile(application.applicant)
    rate = match_rate_for(rules=funding.match, poverty_share=profile.econ_disadvantaged_share)
    return {"match_rate": rate, "match_required": match_required(amount=amount, rate=rate),
            "in_kind_max_share": funding.match.in_kind_max_share,
            "private_min_share": funding.match.private_min_share}


def award_fundable(*, application: Application) -> Decimal:
    """The most this application may be awarded: its request, capped by the cap for its
    applicant type (and its grant type, where the round has grant types)."""
    funding = funding_of(application.rules)
    request = grant_request_for(application)
    cap = funding.cap_for(applicant_profile(application.applicant).type, request.grant_type)
    requested = request.amount_requested
    return min(requested, cap) if cap is not None else requested


def award_commit(*, agreement: Agreement, amount: Decimal, by: User | AnonymousUser | None,
                 appropriation: Appropriation | None = None) -> Award:
    """The award of an approved grant: commit its amount against the appropriation and give the
    agreement its budget (called by the spine when a vote approves, in the same transaction)."""
    application = agreement.application
    amount = money_clean(amount, "The award")
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
    with transaction.atomic():
        award = Award.objects.create(
            application=application, agreement=agreement, appropriation=appropriation,
            amount=amount, created_by=signed_in_user(by),
            grant_type=grant_request_for(application).grant_type,
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


def on_approved(*, agreement: Agreement, ballot: Ballot | None,
                by: User | AnonymousUser | None) -> None:
    """What a grant's approval opens: the award, for the amount the vote was on."""
    if ballot is None or not ballot.terms.get("amount"):
        raise ValidationError({"amount": "The vote must state the amount awarded."})
    award_commit(agreement=agreement, amount=Decimal(ballot.terms["amount"]), by=by)


def on_agreement_transition(*, agreement: Agreement, name: str, by: User | AnonymousUser | None,
                            reason: str) -> None:
    """An award agreement that ends (closed, revoked, expired, cancelled) releases what was
    committed and never disbursed."""
    if name not in ("close", "revoke", "expire", "cancel"):
        return
    award = Award.objects.filter(agreement=agreement).select_related("appropriation").first()
    if award is None:
        return
    left = award_outstanding(award=award)
    if left > 0:
        ledger_post(appropriation=award.appropriation, kind=LedgerTransaction.Kind.RELEASE,
                    amount=left, by=by, award=award,
                    memo=f"Unspent commitment released ({name.replace('_', ' ')})")


# --- agreements -------------------------------------------------------------------------------

def _draft_award(award: Award, by: User | AnonymousUser) -> None:
    require(funding_can_manage(user=by))
    if Agreement.objects.get(pk=award.agreement_id).status != "drafted":
        raise TransitionRefused("The agreement has been signed; it can no longer change.")


def agreement_budget_line_add(*, award: Award, by: User | AnonymousUser, category: str,
                              description: str, amount: Decimal) -> AgreementBudgetLine:
    _draft_award(award, by)
    return AgreementBudgetLine.objects.create(award=award, category=category,
                                              description=description,
                                              amount=money_clean(amount, "A budget line"))


def agreement_budget_line_remove(*, line: AgreementBudgetLine, by: User | AnonymousUser) -> None:
    _draft_award(line.award, by)
    line.delete()


def award_disburse(*, award: Award, by: User | AnonymousUser, amount: Decimal,
                   memo: str = "") -> LedgerTransaction:
    require(funding_can_manage(user=by))
    agreement = Agreement.objects.get(pk=award.agreement_id)  # as it is now
    if not agreement.in_force:
        raise TransitionRefused("Funds are disbursed on an agreement in force (countersigned "
                                "and not ended).")
    return ledger_post(appropriation=award.appropriation, kind=LedgerTransaction.Kind.DISBURSE,
                       amount=amount, by=by, award=award, memo=memo or "Disbursement")


def report_spending_record(*, report: Any, spent_to_date: Decimal) -> ReportSpending:
    if spent_to_date < 0:
        raise ValidationError({"spent_to_date": "Cannot be negative."})
    spending, _ = ReportSpending.objects.update_or_create(
        report=report, defaults={"spent_to_date": spent_to_date})
    return spending


# --- match --------------------------------------------------------------------------------

EVIDENCE_TYPES = ("pdf", "png", "jpg")
EVIDENCE_MAX_MB = 10


def _evidence_clean(upload: UploadedFile | None) -> tuple[str, int]:
    """The evidence document's name and size, after checking its type (extension, declared type
    and first bytes) and size; a ``ValidationError`` on ``evidence`` otherwise."""
    if upload is None:
        raise ValidationError({"evidence": "Attach the document that shows the contribution "
                                           "(a bank record, a donor letter, a receipt)."})
    name = PurePath(upload.name or "evidence").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    ext = "jpg" if ext == "jpeg" else ext
    if ext not in EVIDENCE_TYPES:
        raise ValidationError({"evidence": "The evidence must be a PDF, PNG or JPG file."})
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"evidence": "The file is empty."})
    if size > EVIDENCE_MAX_MB * 1024 * 1024:
        raise ValidationError({"evidence": f"The file is {size / 1048576:.1f} MB; the limit is "
                                           f"{EVIDENCE_MAX_MB} MB."})
    declared = (upload.content_type or "").split(";")[0].strip()
    if declared and declared not in CONTENT_TYPES[ext] | {"application/octet-stream"}:
        raise ValidationError({"evidence": f"The file says it is {declared}, not a {ext} file."})
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(MAGIC[ext]):
        raise ValidationError({"evidence": f"The file's contents are not a {ext} file."})
    return name[:200], size


def match_contribution_record(*, award: Award, by: User | AnonymousUser, kind: str,
                              amount: Decimal, description: str, received_on: date,
                              evidence: UploadedFile | None,
                              source: str = MatchSource.OWN_FUNDS,
                              contributor: str = "") -> MatchContribution:
    """The grantee (or office staff) records match delivered, with the document that shows it.
    It waits for the office to check it and counts toward the match only once verified."""
    require(award_can_record_match(user=by, award=award))
    if kind not in MatchContribution.Kind.values:
        raise ValidationError({"kind": "Cash or in kind."})
    if source not in MatchSource.values:
        raise ValidationError({"source": "Choose where the contribution comes from."})
    if source in (MatchSource.PRIVATE, MatchSource.PHILANTHROPIC) and not contributor.strip():
        raise ValidationError({"contributor": "Name the business, person or foundation that "
                                              "gave it."})
    if not description.strip():
        raise ValidationError({"description": "Describe the contribution."})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "A contribution is recorded once received, not "
                                              "before."})
    amount = money_clean(amount, "A match contribution")
    name, size = _evidence_clean(evidence)
    return MatchContribution.objects.create(
        award=award, kind=kind, source=source, contributor=contributor.strip()[:200],
        amount=amount, description=description.strip()[:300], received_on=received_on,
        evidence=evidence, evidence_name=name, evidence_size=size,
        recorded_by=signed_in_user(by))


def match_contribution_check(*, contribution: MatchContribution, by: User | AnonymousUser,
                             verify: bool, reason: str = "") -> MatchContribution:
    """Office staff verify a contribution (it then counts toward the match) or refuse it,
    saying why. Recorded as a transition: who, when, from, to and why."""
    reason = reason.strip()
    if not verify and not reason:
        raise ValidationError({"reason": "Say why the contribution is not accepted."})
    checker = signed_in_user(by)

    def stamp(locked: MatchContribution) -> None:
        require(match_can_check(user=by, contribution=locked))
        locked.checked_by = checker
        locked.checked_at = timezone.now()
        locked.rejection_reason = "" if verify else reason[:2000]

    return transition_apply(obj=contribution, name="verify" if verify else "reject", by=by,
                            reason=reason, before=stamp)
