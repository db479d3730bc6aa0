"""The ledger rules grantees and the office rely on, each pinned at its edge: an award is paid
at most what is committed to it (never twice, never out of another award's commitment), only on
an agreement in force; an agreement that ends releases exactly what was never paid; the last
dollar of an appropriation can be committed; only the grantee of an agreement in force (or
office staff) records match; a drafted agreement's term is edited by staff only, and sensibly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from playbook.funding.models import Appropriation, Award, LedgerTransaction, MatchContribution
from playbook.funding.selectors import ledger_is_consistent
from playbook.funding.services import (
    OverCommitment,
    appropriation_create,
    award_disburse,
    award_outstanding,
    ledger_post,
    match_contribution_record,
)
from playbook.programs.models import Agreement
from playbook.programs.services import agreements
from playbook.programs.transitions import TransitionRefused

from .helpers import (
    approved_award,
    board,
    decide,
    funded_cycle,
    put_in_force,
    ready_to_sign,
    recommended_application,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _approp(award: Award) -> Appropriation:
    return Appropriation.objects.get(pk=award.appropriation_id)


@pytest.fixture
def two_awards(personas):  # type: ignore[no-untyped-def]
    """Two $300,000 awards from one $1,000,000 appropriation: district A's (``leader_a`` is
    the grantee) and another district's, both agreements in force."""
    cycle, _ = funded_cycle(personas.officer, appropriation="1000000.00")
    board(personas)
    mine = approved_award(personas, cycle, amount="300000.00")
    other_app = recommended_application(personas, cycle, amount="300000.00")
    decide(other_app, officer=personas.officer, outcome="approved", amount="300000.00")
    other = Award.objects.select_related("agreement", "appropriation").get(application=other_app)
    put_in_force(mine, officer=personas.officer, grantee=personas.leader_a)
    grantee = other_app.created_by
    put_in_force(other, officer=personas.officer, grantee=grantee)
    return mine, other


# --- what is outstanding on an award -----------------------------------------------------------

def test_outstanding_is_the_commitment_less_what_was_paid_and_an_award_is_never_paid_twice(
        personas, two_awards):
    mine, other = two_awards
    assert award_outstanding(award=mine) == D("300000.00")
    award_disburse(award=mine, by=personas.officer, amount=D("200000.00"))
    assert award_outstanding(award=mine) == D("100000.00")
    assert award_outstanding(award=other) == D("300000.00")
    award_disburse(award=mine, by=personas.officer, amount=D("100000.00"))
    assert award_outstanding(award=mine) == D("0.00")
    # Paid in full: another cent would be paid out of the other award's commitment.
    with pytest.raises(OverCommitment, match=r"Only \$0"):
        award_disburse(award=mine, by=personas.officer, amount=D("0.01"))
    approp = _approp(mine)
    assert approp.disbursed_amount == D("300000.00")
    assert approp.committed_amount == D("300000.00")  # the other award's, untouched
    assert ledger_is_consistent(appropriation=approp)


def test_a_disbursement_is_checked_against_the_awards_own_commitment(personas, two_awards):
    """The appropriation has $600,000 committed, but only $300,000 of it to this award."""
    mine, _other = two_awards
    with pytest.raises(OverCommitment, match=r"Only \$300,000.00 is committed"):
        award_disburse(award=mine, by=personas.officer, amount=D("300000.01"))
    assert _approp(mine).disbursed_amount == 0
    assert not LedgerTransaction.objects.filter(award=mine, kind="disburse").exists()


def test_a_release_is_checked_against_the_awards_own_commitment(personas, two_awards):
    mine, other = two_awards
    award_disburse(award=mine, by=personas.officer, amount=D("250000.00"))
    with pytest.raises(OverCommitment, match=r"Only \$50,000.00"):
        ledger_post(appropriation=_approp(mine), kind="release", amount=D("50000.01"),
                    by=personas.officer, award=mine)
    ledger_post(appropriation=_approp(mine), kind="release", amount=D("50000.00"),
                by=personas.officer, award=mine)
    assert award_outstanding(award=mine) == 0
    assert award_outstanding(award=other) == D("300000.00")
    assert _approp(mine).committed_amount == D("300000.00")


def test_closing_releases_exactly_what_was_never_paid(personas, two_awards):
    mine, _other = two_awards
    award_disburse(award=mine, by=personas.officer, amount=D("120000.00"))
    award_disburse(award=mine, by=personas.officer, amount=D("30000.00"))
    agreements.agreement_step(agreement=Agreement.objects.get(pk=mine.agreement_id), name="close",
                              by=personas.officer, reason="The project is complete.")
    releases = LedgerTransaction.objects.filter(award=mine, kind="release")
    assert [tx.entries.get().amount for tx in releases] == [D("150000.00")]
    assert award_outstanding(award=mine) == 0
    approp = _approp(mine)
    # The other award's commitment stays; what this award never used is available again.
    assert approp.committed_amount == D("300000.00")
    assert approp.disbursed_amount == D("150000.00")
    assert approp.available_amount == D("550000.00")
    assert ledger_is_consistent(appropriation=approp)


def test_closing_an_award_paid_in_full_releases_nothing(personas, two_awards):
    mine, _ = two_awards
    award_disburse(award=mine, by=personas.officer, amount=D("300000.00"))
    agreements.agreement_step(agreement=Agreement.objects.get(pk=mine.agreement_id), name="close",
                              by=personas.officer, reason="Done.")
    assert not LedgerTransaction.objects.filter(award=mine, kind="release").exists()
    assert _approp(mine).committed_amount == D("300000.00")


# --- disbursement only on an agreement in force ------------------------------------------------

@pytest.fixture
def award(personas):  # type: ignore[no-untyped-def]
    cycle, _ = funded_cycle(personas.officer, appropriation="1000000.00")
    board(personas)
    return approved_award(personas, cycle, amount="300000.00")


def test_no_disbursement_on_a_drafted_or_a_signed_agreement(personas, award):
    assert Agreement.objects.get(pk=award.agreement_id).status == "drafted"
    with pytest.raises(TransitionRefused, match="in force"):
        award_disburse(award=award, by=personas.officer, amount=D("1.00"))
    agreement = ready_to_sign(award, officer=personas.officer)
    agreements.agreement_step(agreement=agreement, name="sign", by=personas.officer)
    with pytest.raises(TransitionRefused, match="in force"):
        award_disburse(award=award, by=personas.officer, amount=D("1.00"))
    assert not LedgerTransaction.objects.filter(award=award, kind="disburse").exists()
    assert _approp(award).disbursed_amount == 0


def test_an_executed_agreement_not_yet_started_is_in_force_and_is_paid(personas, award):
    start = timezone.localdate() + timedelta(days=10)
    agreements.agreement_update(agreement=Agreement.objects.get(pk=award.agreement_id),
                                by=personas.officer, start_date=start,
                                end_date=start + timedelta(days=365), terms="One year.")
    executed = put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    assert executed.status == "executed"
    award_disburse(award=award, by=personas.officer, amount=D("1000.00"))
    assert _approp(award).disbursed_amount == D("1000.00")


# --- the last dollar of an appropriation -------------------------------------------------------

def test_exactly_what_an_appropriation_has_left_can_be_committed(personas):
    """The SQLite twin of the PostgreSQL concurrency test's exact fill."""
    approp = appropriation_create(by=personas.officer, fund="F", code="f", fiscal_year=2026,
                                  amount=D("1000.00"))
    ledger_post(appropriation=approp, kind="commit", amount=D("862.59"), by=personas.officer)
    ledger_post(appropriation=approp, kind="commit", amount=D("137.41"), by=personas.officer)
    approp.refresh_from_db()
    assert approp.committed_amount == D("1000.00") and approp.available_amount == 0
    with pytest.raises(OverCommitment, match=r"\$0.00 available"):
        ledger_post(appropriation=approp, kind="commit", amount=D("0.01"), by=personas.officer)
    assert LedgerTransaction.objects.filter(appropriation=approp, kind="commit").count() == 2
    assert ledger_is_consistent(appropriation=approp)


def test_an_award_of_exactly_what_is_left_is_committed(personas):
    cycle, approp = funded_cycle(personas.officer, appropriation="300000.00")
    board(personas)
    award = approved_award(personas, cycle, amount="300000.00")
    approp.refresh_from_db()
    assert award.amount == D("300000.00") and approp.available_amount == 0


# --- who records match -------------------------------------------------------------------------

def _letter() -> SimpleUploadedFile:
    return SimpleUploadedFile("ledger.pdf", b"%PDF-1.4 general fund ledger", "application/pdf")


def _record(award: Award, by, amount: str = "5000.00") -> MatchContribution:  # type: ignore[no-untyped-def]
    return match_contribution_record(award=award, by=by, kind="cash", amount=D(amount),
                                     description="District general fund",
                                     received_on=date(2026, 3, 1), evidence=_letter())


def test_only_the_grantee_of_an_agreement_in_force_records_match(personas, award):
    # Before the agreement is in force, even the grantee cannot.
    with pytest.raises(PermissionDenied, match="in force"):
        _record(award, personas.leader_a)
    put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    for who in (personas.leader_b, personas.school_leader_a, personas.reviewer,
                personas.decider, personas.provider_user, personas.auditor):
        with pytest.raises(PermissionDenied):
            _record(award, who)
    assert not MatchContribution.objects.exists()
    made = _record(award, personas.leader_a)
    assert (made.amount, made.recorded_by) == (D("5000.00"), personas.leader_a)


def test_office_staff_record_match_and_the_kind_is_checked(personas, award):
    put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    assert _record(award, personas.officer).recorded_by == personas.officer
    with pytest.raises(ValidationError):
        match_contribution_record(award=award, by=personas.officer, kind="promise",
                                  amount=D("1.00"), description="x",
                                  received_on=date(2026, 3, 1), evidence=_letter())
    assert MatchContribution.objects.count() == 1


# --- editing a drafted agreement's term --------------------------------------------------------

def test_staff_edit_a_drafted_agreements_term(personas, award):
    agreement = Agreement.objects.get(pk=award.agreement_id)
    start = date(2026, 7, 1)
    updated = agreements.agreement_update(agreement=agreement, by=personas.officer,
                                          start_date=start, end_date=date(2028, 6, 30),
                                          terms="Two school years.",
                                          next_review_date=date(2027, 6, 30))
    stored = Agreement.objects.get(pk=updated.pk)
    assert (stored.start_date, stored.end_date, stored.terms, stored.next_review_date) == (
        start, date(2028, 6, 30), "Two school years.", date(2027, 6, 30))


@pytest.mark.parametrize("who", ["leader_a", "auditor", "decider", "reviewer"])
def test_only_staff_edit_an_agreements_term(personas, award, who):
    agreement = Agreement.objects.get(pk=award.agreement_id)
    before = (agreement.start_date, agreement.end_date, agreement.terms)
    with pytest.raises(PermissionDenied):
        agreements.agreement_update(agreement=agreement, by=getattr(personas, who),
                                    start_date=date(2026, 7, 1), end_date=date(2027, 6, 30),
                                    terms="Mine.")
    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.start_date, stored.end_date, stored.terms) == before


@pytest.mark.parametrize(("start", "end", "review", "field"), [
    (date(2026, 7, 1), date(2026, 7, 1), None, "end_date"),  # ends the day it starts
    (date(2026, 7, 1), date(2026, 6, 30), None, "end_date"),
    (date(2026, 7, 1), date(2027, 6, 30), date(2026, 6, 30), "next_review_date"),
    (date(2026, 7, 1), date(2027, 6, 30), date(2027, 7, 1), "next_review_date"),
])
def test_an_agreements_term_ends_after_it_starts_and_is_reviewed_within_it(
        personas, award, start, end, review, field):
    agreement = Agreement.objects.get(pk=award.agreement_id)
    with pytest.raises(ValidationError) as info:
        agreements.agreement_update(agreement=agreement, by=personas.officer, start_date=start,
                                    end_date=end, terms="x", next_review_date=review)
    assert field in info.value.message_dict
    assert Agreement.objects.get(pk=agreement.pk).terms != "x"


def test_a_review_on_the_first_or_last_day_of_the_term_is_within_it(personas, award):
    agreement = Agreement.objects.get(pk=award.agreement_id)
    for review in (date(2026, 7, 1), date(2027, 6, 30)):
        agreements.agreement_update(agreement=agreement, by=personas.officer,
                                    start_date=date(2026, 7, 1), end_date=date(2027, 6, 30),
                                    terms="One year.", next_review_date=review)
        assert Agreement.objects.get(pk=agreement.pk).next_review_date == review


def test_a_signed_agreement_is_not_edited_but_amended(personas, award):
    agreement = ready_to_sign(award, officer=personas.officer)
    agreements.agreement_step(agreement=agreement, name="sign", by=personas.officer)
    with pytest.raises(TransitionRefused, match="amendment"):
        agreements.agreement_update(agreement=agreement, by=personas.officer,
                                    start_date=date(2026, 7, 1), end_date=date(2027, 6, 30),
                                    terms="Changed after signature.")
    assert Agreement.objects.get(pk=agreement.pk).terms != "Changed after signature."
