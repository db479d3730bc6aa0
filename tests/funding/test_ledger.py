"""The appropriation ledger: double entry, never over-committed; decisions commit awards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from playbook.funding.models import Account, Appropriation, Award, LedgerEntry, LedgerTransaction
from playbook.funding.selectors import ledger_balances, ledger_is_consistent
from playbook.funding.services import (
    OverCommitment,
    appropriation_create,
    award_commit,
    decision_record,
    ledger_post,
)
from playbook.programs.models import Application, ApplicationStatus

from .helpers import funded_cycle, recommended_application

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


def test_approval_commits_the_award_and_the_ledger_follows(personas):
    cycle, approp = funded_cycle(personas.officer)
    app = recommended_application(personas, cycle, amount="400000.00",
                                  econ_disadvantaged_share=D("0.800"))
    decided = decision_record(application=app, by=personas.decider, outcome="approved",
                              amount=D("400000.00"), reason="Strong design.")
    assert decided.status == ApplicationStatus.APPROVED
    award = Award.objects.get(application=app)
    assert award.amount == D("400000.00")
    # 80% poverty: the sliding scale lowers the 15% match to 5%.
    assert award.match_rate == D("0.0500")
    assert award.match_required == D("20000.00")
    approp.refresh_from_db()
    assert approp.committed_amount == D("400000.00")
    assert approp.available_amount == D("600000.00")
    assert ledger_is_consistent(appropriation=approp)
    assert sum(b.amount for b in award.budget_lines.all()) == award.amount


def test_an_award_the_appropriation_cannot_cover_is_refused_as_a_whole(personas):
    cycle, approp = funded_cycle(personas.officer, appropriation="500000.00")
    first = recommended_application(personas, cycle, amount="400000.00")
    second = recommended_application(personas, cycle, amount="400000.00")
    decision_record(application=first, by=personas.decider, outcome="approved",
                    amount=D("400000.00"))
    with pytest.raises(OverCommitment, match=r"\$100,000.00 available"):
        decision_record(application=second, by=personas.decider, outcome="approved",
                        amount=D("400000.00"))
    second = Application.objects.get(pk=second.pk)
    assert second.status == ApplicationStatus.RECOMMENDED  # the decision rolled back too
    assert not Award.objects.filter(application=second).exists()
    assert ledger_is_consistent(appropriation=approp)


def test_partial_award_scales_the_agreement_budget(personas):
    cycle, _ = funded_cycle(personas.officer)
    app = recommended_application(personas, cycle, amount="400000.00")
    decision_record(application=app, by=personas.decider, outcome="conditional",
                    amount=D("250000.00"), conditions="Confirm the match letters.")
    award = Award.objects.get(application=app)
    assert sum(b.amount for b in award.budget_lines.all()) == D("250000.00")
    assert award.match_required == (D("250000.00") * award.match_rate).quantize(D("0.01"))


def test_award_cannot_exceed_the_request_or_the_cap(personas):
    cycle, _ = funded_cycle(personas.officer)
    app = recommended_application(personas, cycle, amount="400000.00")
    with pytest.raises(ValidationError, match="cannot exceed"):
        award_commit(application=app, amount=D("400000.01"), by=personas.decider)


def test_denial_commits_nothing(personas):
    cycle, approp = funded_cycle(personas.officer)
    app = recommended_application(personas, cycle)
    decision_record(application=app, by=personas.decider, outcome="denied", reason="Low score.")
    approp.refresh_from_db()
    assert approp.committed_amount == 0


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
