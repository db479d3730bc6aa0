"""The appropriation ledger: double entry, never over-committed; a closing vote commits the
award in the same transaction as the decision."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from playbook.funding.models import (
    Account,
    Appropriation,
    Award,
    CycleFunding,
    LedgerEntry,
    LedgerTransaction,
)
from playbook.funding.selectors import ledger_balances, ledger_is_consistent
from playbook.funding.services import OverCommitment, appropriation_create, ledger_post
from playbook.programs.models import Agreement, Application, ApplicationStatus, Ballot
from playbook.programs.services import decisions

from .helpers import board, decide, funded_cycle, recommended_application

pytestmark = pytest.mark.django_db
D = Decimal


def test_opening_an_appropriation_posts_a_balanced_entry(personas):
    approp = appropriation_create(by=personas.officer, fund="Innovation Fund", code="if",
                                  fiscal_year=2026, amount=D("15000000.00"))
    assert ledger_balances(appropriation=approp) == {
        Account.APPROPRIATED: D("-15000000.00"), Account.AVAILABLE: D("15000000.00"),
        Account.COMMITTED: D("0"), Account.DISBURSED: D("0"),
    }
    assert ledger_is_consistent(appropriation=approp)


@pytest.mark.parametrize("who", ["auditor", "decider", "leader_a", "reviewer"])
def test_only_staff_open_appropriations(personas, who):
    with pytest.raises(PermissionDenied):
        appropriation_create(by=getattr(personas, who), fund="X", code="x", fiscal_year=2026,
                             amount=D("1"))
    assert not Appropriation.objects.exists()


def test_approval_commits_the_award_and_the_ledger_follows(personas):
    cycle, approp = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, amount="400000.00",
                                  econ_disadvantaged_share=D("0.800"))
    ballot = decide(app, officer=personas.officer, outcome="approved", amount="400000.00",
                    reason="Strong design.")
    decided = Application.objects.get(pk=app.pk)
    assert ballot.outcome == "approved"
    assert decided.status == ApplicationStatus.APPROVED
    award = Award.objects.get(application=app)
    assert award.agreement == Agreement.objects.get(application=app)
    assert award.amount == D("400000.00")
    # 80% poverty: the sliding scale lowers the 15% match to 5%.
    assert award.match_rate == D("0.0500")
    assert award.match_required == D("20000.00")
    approp.refresh_from_db()
    assert approp.committed_amount == D("400000.00")
    assert approp.available_amount == D("600000.00")
    assert ledger_is_consistent(appropriation=approp)
    assert sum(b.amount for b in award.budget_lines.all()) == award.amount
    commit = LedgerTransaction.objects.get(appropriation=approp, kind="commit")
    assert commit.award == award and commit.by == personas.officer


def test_an_award_the_appropriation_cannot_cover_is_refused_as_a_whole(personas):
    """The award is committed inside the vote's closing transaction: when the appropriation
    cannot cover it, the vote stays open, the application stays recommended, and no agreement,
    award or ledger line is left behind."""
    cycle, approp = funded_cycle(personas.officer, appropriation="500000.00")
    members = board(personas)
    first = recommended_application(personas, cycle, amount="400000.00")
    second = recommended_application(personas, cycle, amount="400000.00")
    decide(first, officer=personas.officer, outcome="approved", amount="400000.00")
    ballot = decisions.ballot_open(application=second, by=personas.officer,
                                   terms={"amount": "400000.00"})
    for member in members:
        decisions.vote_cast(ballot=ballot, by=member, choice="approve")
    with pytest.raises(OverCommitment, match=r"\$100,000.00 available"):
        decisions.ballot_close(ballot=ballot, by=personas.officer)
    second = Application.objects.get(pk=second.pk)
    assert second.status == ApplicationStatus.RECOMMENDED  # the decision rolled back too
    assert second.decided_at is None
    assert not second.transitions.filter(name="approve").exists()
    ballot = Ballot.objects.get(pk=ballot.pk)
    assert ballot.status == "open" and ballot.outcome == "" and ballot.closed_at is None
    assert ballot.votes.count() == len(members)  # the votes stand; the vote may close later
    assert not Agreement.objects.filter(application=second).exists()
    assert not Award.objects.filter(application=second).exists()
    approp.refresh_from_db()
    assert approp.committed_amount == D("400000.00")
    assert LedgerTransaction.objects.filter(appropriation=approp, kind="commit").count() == 1
    assert ledger_is_consistent(appropriation=approp)


def test_a_cycle_without_an_appropriation_cannot_approve_and_the_vote_stays_open(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, amount="300000.00")
    CycleFunding.objects.filter(cycle=cycle).delete()
    with pytest.raises(ValidationError, match="no appropriation"):
        decide(app, officer=personas.officer, outcome="approved", amount="300000.00")
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.RECOMMENDED
    assert Ballot.objects.get(application=app).status == "open"
    assert not Agreement.objects.filter(application=app).exists()


def test_partial_award_scales_the_agreement_budget(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, amount="400000.00")
    decide(app, officer=personas.officer, outcome="conditional", amount="250000.00",
           conditions="Confirm the match letters.")
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.CONDITIONAL
    award = Award.objects.get(application=app)
    assert award.amount == D("250000.00")
    assert sum(b.amount for b in award.budget_lines.all()) == D("250000.00")
    assert award.match_required == (D("250000.00") * award.match_rate).quantize(D("0.01"))
    assert "match letters" in award.agreement.conditions


def test_award_cannot_exceed_the_request_or_the_cap(personas):
    cycle, approp = funded_cycle(personas.officer)
    members = board(personas)
    app = recommended_application(personas, cycle, amount="400000.00")
    # The vote is opened on terms the instrument checks ...
    with pytest.raises(ValidationError, match="cannot exceed") as info:
        decisions.ballot_open(application=app, by=personas.officer,
                              terms={"amount": "400000.01"})
    assert "amount" in info.value.message_dict
    assert not Ballot.objects.filter(application=app).exists()
    # ... and the award service checks again when the vote closes.
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "400000.00"})
    Ballot.objects.filter(pk=ballot.pk).update(terms={"amount": "400000.01"})
    for member in members:
        decisions.vote_cast(ballot=ballot, by=member, choice="approve")
    with pytest.raises(ValidationError, match="cannot exceed"):
        decisions.ballot_close(ballot=ballot, by=personas.officer)
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.RECOMMENDED
    assert not Award.objects.filter(application=app).exists()
    approp.refresh_from_db()
    assert approp.committed_amount == 0


def test_denial_commits_nothing(personas):
    cycle, approp = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle)
    decide(app, officer=personas.officer, outcome="denied", reason="Low score.")
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DENIED
    assert not Award.objects.filter(application=app).exists()
    approp.refresh_from_db()
    assert approp.committed_amount == 0
    assert ledger_is_consistent(appropriation=approp)


def test_the_database_refuses_over_commitment_even_without_the_service(personas):
    approp = appropriation_create(by=personas.officer, fund="F", code="f", fiscal_year=2026,
                                  amount=D("100.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appropriation.objects.filter(pk=approp.pk).update(committed_amount=D("100.01"))


def test_ledger_lines_are_balanced_and_positive_by_construction(personas):
    approp = appropriation_create(by=personas.officer, fund="F", code="f", fiscal_year=2026,
                                  amount=D("100.00"))
    tx = LedgerTransaction.objects.create(appropriation=approp, kind="commit")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(transaction=tx, appropriation=approp,
                                   debit_account="available", credit_account="available",
                                   amount=D("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(transaction=tx, appropriation=approp,
                                   debit_account="committed", credit_account="available",
                                   amount=D("-1"))


def test_release_and_disburse_cannot_exceed_what_is_committed(personas):
    approp = appropriation_create(by=personas.officer, fund="F", code="f", fiscal_year=2026,
                                  amount=D("100.00"))
    ledger_post(appropriation=approp, kind="commit", amount=D("60.00"), by=personas.officer)
    with pytest.raises(OverCommitment):
        ledger_post(appropriation=approp, kind="disburse", amount=D("60.01"),
                    by=personas.officer)
    ledger_post(appropriation=approp, kind="disburse", amount=D("50.00"), by=personas.officer)
    ledger_post(appropriation=approp, kind="release", amount=D("10.00"), by=personas.officer)
    approp.refresh_from_db()
    assert (approp.committed_amount, approp.disbursed_amount, approp.available_amount) == (
        D("0"), D("50.00"), D("50.00"))
    assert ledger_is_consistent(appropriation=approp)
