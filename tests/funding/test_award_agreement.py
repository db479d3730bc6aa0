"""The award agreement an approval opens: the office signs, the grantee (and only the grantee)
countersigns, money is disbursed only on an agreement in force, and an agreement that ends
releases what was committed and never disbursed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from playbook.funding.models import Appropriation, LedgerTransaction
from playbook.funding.selectors import ledger_is_consistent
from playbook.funding.services import OverCommitment, award_disburse, award_outstanding
from playbook.programs.models import Agreement
from playbook.programs.services import agreements
from playbook.programs.transitions import TransitionRefused

from .helpers import approved_award, board, funded_cycle, put_in_force, ready_to_sign

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def award(personas):
    """A $300,000 award to district A from a $1,000,000 appropriation, agreement drafted."""
    cycle, _ = funded_cycle(personas.officer, appropriation="1000000.00")
    board(personas)
    return approved_award(personas, cycle, amount="300000.00")


def _signed(award, officer):  # type: ignore[no-untyped-def]
    agreement = ready_to_sign(award, officer=officer)
    return agreements.agreement_step(agreement=agreement, name="sign", by=officer)


def _approp(award) -> Appropriation:  # type: ignore[no-untyped-def]
    return Appropriation.objects.get(pk=award.appropriation_id)


# --- countersignature ----------------------------------------------------------------------

@pytest.mark.parametrize("who", ["leader_b", "school_leader_a", "reviewer", "auditor",
                                 "officer", "decider"])
def test_only_the_grantee_countersigns(personas, award, who):
    signed = _signed(award, personas.officer)
    assert signed.status == "signed" and signed.signed_by == personas.officer
    with pytest.raises(PermissionDenied):
        agreements.agreement_step(agreement=signed, name="countersign",
                                  by=getattr(personas, who))
    agreement = Agreement.objects.get(pk=signed.pk)
    assert agreement.status == "signed"
    assert agreement.countersigned_at is None and agreement.countersigned_by is None
    assert not agreement.transitions.filter(name="countersign").exists()


def test_the_grantee_countersigns_and_the_agreement_comes_into_force(personas, award):
    signed = _signed(award, personas.officer)
    done = agreements.agreement_step(agreement=signed, name="countersign", by=personas.leader_a)
    agreement = Agreement.objects.get(pk=done.pk)
    assert agreement.countersigned_by == personas.leader_a
    assert agreement.countersigned_at is not None
    # The term starts today, so countersignature also activates it.
    assert agreement.status == "active" and agreement.in_force
    assert list(agreement.transitions.values_list("name", "source", "target")) == [
        ("sign", "drafted", "signed"), ("countersign", "signed", "executed"),
        ("activate", "executed", "active")]


def test_the_grantee_cannot_countersign_before_the_office_signs(personas, award):
    ready_to_sign(award, officer=personas.officer)
    with pytest.raises(TransitionRefused):
        agreements.agreement_step(agreement=award.agreement, name="countersign",
                                  by=personas.leader_a)
    assert Agreement.objects.get(pk=award.agreement_id).status == "drafted"


def test_the_office_signs_only_an_agreement_with_a_commitment(personas, award):
    with pytest.raises(TransitionRefused, match="performance commitment"):
        agreements.agreement_step(agreement=award.agreement, name="sign", by=personas.officer)
    ready_to_sign(award, officer=personas.officer)
    with pytest.raises(PermissionDenied):
        agreements.agreement_step(agreement=award.agreement, name="sign", by=personas.leader_a)
    assert Agreement.objects.get(pk=award.agreement_id).status == "drafted"


def test_an_agreement_starting_later_is_executed_not_active_until_its_start(personas, award):
    agreement = Agreement.objects.get(pk=award.agreement_id)
    start = timezone.localdate() + timedelta(days=30)
    agreements.agreement_update(agreement=agreement, by=personas.officer, start_date=start,
                                end_date=start + timedelta(days=730), terms="Two years.")
    signed = _signed(award, personas.officer)
    executed = agreements.agreement_step(agreement=signed, name="countersign",
                                         by=personas.leader_a)
    assert executed.status == "executed" and executed.in_force
    with pytest.raises(TransitionRefused, match="starts on"):
        agreements.agreement_step(agreement=executed, name="activate", by=personas.officer)


# --- disbursement --------------------------------------------------------------------------

def test_disbursement_is_refused_before_countersignature(personas, award):
    with pytest.raises(TransitionRefused, match="in force"):
        award_disburse(award=award, by=personas.officer, amount=D("1000.00"))
    _signed(award, personas.officer)
    with pytest.raises(TransitionRefused, match="in force"):
        award_disburse(award=award, by=personas.officer, amount=D("1000.00"))
    approp = _approp(award)
    assert approp.disbursed_amount == 0 and approp.committed_amount == D("300000.00")
    assert not LedgerTransaction.objects.filter(award=award, kind="disburse").exists()

    agreements.agreement_step(agreement=award.agreement, name="countersign",
                              by=personas.leader_a)
    award_disburse(award=award, by=personas.officer, amount=D("1000.00"), memo="First draw")
    approp = _approp(award)
    assert approp.disbursed_amount == D("1000.00")
    assert approp.committed_amount == D("299000.00")
    assert ledger_is_consistent(appropriation=approp)


def test_only_staff_disburse_and_never_more_than_the_award(personas, award):
    put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    for who in (personas.leader_a, personas.auditor, personas.decider):
        with pytest.raises(PermissionDenied):
            award_disburse(award=award, by=who, amount=D("1.00"))
    with pytest.raises(OverCommitment):
        award_disburse(award=award, by=personas.officer, amount=D("300000.01"))
    assert _approp(award).disbursed_amount == 0


# --- an agreement that ends releases what was never disbursed ---------------------------------

@pytest.mark.parametrize("step", ["close", "revoke"])
def test_ending_the_agreement_releases_the_unspent_commitment(personas, award, step):
    put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    award_disburse(award=award, by=personas.officer, amount=D("100000.00"))
    ended = agreements.agreement_step(agreement=award.agreement, name=step,
                                      by=personas.officer, reason="The project ended early.")
    assert ended.status == {"close": "closed", "revoke": "revoked"}[step]
    release = LedgerTransaction.objects.get(award=award, kind="release")
    assert release.entries.get().amount == D("200000.00")
    assert award_outstanding(award=award) == 0
    approp = _approp(award)
    assert approp.committed_amount == 0
    assert approp.disbursed_amount == D("100000.00")
    assert approp.available_amount == D("900000.00")
    assert ledger_is_consistent(appropriation=approp)
    # Nothing more is paid on an agreement that has ended.
    with pytest.raises(TransitionRefused):
        award_disburse(award=award, by=personas.officer, amount=D("1.00"))


def test_cancelling_a_drafted_agreement_releases_the_whole_award(personas, award):
    agreements.agreement_step(agreement=award.agreement, name="cancel", by=personas.officer,
                              reason="The district declined the award.")
    approp = _approp(award)
    assert approp.committed_amount == 0 and approp.available_amount == D("1000000.00")
    assert ledger_is_consistent(appropriation=approp)


def test_an_agreement_that_expires_releases_what_is_left(personas, award):
    put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    award_disburse(award=award, by=personas.officer, amount=D("250000.00"))
    today = timezone.localdate()
    Agreement.objects.filter(pk=award.agreement_id).update(
        start_date=today - timedelta(days=731), end_date=today - timedelta(days=1))
    expired = agreements.agreements_expire_due()
    assert [a.pk for a in expired] == [award.agreement_id]
    assert Agreement.objects.get(pk=award.agreement_id).status == "expired"
    approp = _approp(award)
    assert (approp.committed_amount, approp.disbursed_amount) == (D("0"), D("250000.00"))
    assert ledger_is_consistent(appropriation=approp)


def test_ending_needs_staff_and_a_reason_and_releases_only_once(personas, award):
    put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    with pytest.raises(PermissionDenied):
        agreements.agreement_step(agreement=award.agreement, name="close", by=personas.leader_a,
                                  reason="We are done.")
    with pytest.raises(TransitionRefused, match="reason"):
        agreements.agreement_step(agreement=award.agreement, name="close", by=personas.officer)
    assert _approp(award).committed_amount == D("300000.00")
    agreements.agreement_step(agreement=award.agreement, name="revoke", by=personas.officer,
                              reason="Terms breached.")
    with pytest.raises(TransitionRefused):
        agreements.agreement_step(agreement=award.agreement, name="close", by=personas.officer,
                                  reason="Again.")
    assert LedgerTransaction.objects.filter(award=award, kind="release").count() == 1
    assert ledger_is_consistent(appropriation=_approp(award))


def test_conditions_not_met_cancel_the_agreement_and_release_the_money(personas):
    """A conditional approval whose conditions are not met: the application is denied, its
    agreement cancelled, the committed award released; an appeal granted and approved again
    opens a new agreement."""
    from playbook.funding.selectors import ledger_is_consistent
    from playbook.programs.models import Agreement
    from playbook.programs.services import lifecycle

    from ..programs.helpers import board, decide
    from .helpers import funded_cycle, recommended_application

    cycle, approp = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, amount="300000.00",
                                  district=personas.district_a, leader=personas.leader_a)
    decide(app, officer=personas.officer, outcome="conditional", amount="300000.00",
           conditions="Send the signed member agreements.")
    approp.refresh_from_db()
    assert approp.committed_amount == Decimal("300000.00")
    lifecycle.application_conditions_resolve(application=app, by=personas.officer, met=False,
                                             reason="No agreements by the deadline.")
    app.refresh_from_db()
    approp.refresh_from_db()
    assert app.status == "denied" and app.agreement is None
    assert Agreement.objects.get(application=app).status == "cancelled"
    assert approp.committed_amount == Decimal("0.00") and ledger_is_consistent(appropriation=approp)
    lifecycle.application_appeal(application=app, by=personas.leader_a,
                                 reason="The agreements were sent on time.")
    app = lifecycle.application_step(application=app, name="appeal_grant", by=personas.officer,
                                     reason="Postmarked before the deadline.")
    from ..programs.helpers import complete_reviews

    app = lifecycle.application_screen(application=app, by=personas.officer, eligible=True)
    app = lifecycle.application_start_review(application=app, by=personas.officer)
    complete_reviews(app)
    app = lifecycle.application_recommend(application=app, by=personas.officer)
    decide(app, officer=personas.officer, outcome="approved", amount="300000.00")
    app.refresh_from_db()
    assert app.status == "approved" and app.agreement is not None
    assert Agreement.objects.filter(application=app).count() == 2
    approp.refresh_from_db()
    assert approp.committed_amount == Decimal("300000.00")
