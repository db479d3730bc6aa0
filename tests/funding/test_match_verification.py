"""Match delivered counts only once office staff have checked its evidence (Play 1: match from
the district, and from private and philanthropic sources as Florida's matching grants)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from playbook.funding.models import Award, MatchContribution
from playbook.funding.selectors import match_status
from playbook.funding.services import match_contribution_check, match_contribution_record
from playbook.programs.transitions import TransitionRefused, transitions_for

from ..conftest import signed_in_client
from .helpers import approved_award, board, funded_cycle, put_in_force

pytestmark = pytest.mark.django_db
D = Decimal


def pdf(name: str = "letter.pdf", body: bytes = b"%PDF-1.4 donor letter") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, "application/pdf")


@pytest.fixture
def award(personas) -> Award:  # type: ignore[no-untyped-def]
    """District A's $300,000 award in force; 80% poverty is not set, so the 15% base rate:
    $45,000 required."""
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    award = approved_award(personas, cycle)
    put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    return Award.objects.get(pk=award.pk)


def record(award: Award, by, amount: str = "10000.00", **kw):  # type: ignore[no-untyped-def]
    args = {"kind": "cash", "source": "own_funds", "description": "General fund transfer",
            "received_on": timezone.localdate() - timedelta(days=3), "evidence": pdf()}
    args.update(kw)
    return match_contribution_record(award=award, by=by, amount=D(amount), **args)


# --- behaviour ---------------------------------------------------------------------------------

def test_a_grantees_entry_waits_and_counts_only_once_verified(personas, award):
    c = record(award, personas.leader_a, amount=str(award.match_required))
    assert c.status == "pending"
    status = match_status(award=award)
    assert (status.counted, status.pending, status.met) == (D("0"), award.match_required, False)

    match_contribution_check(contribution=c, by=personas.officer, verify=True,
                             reason="Matches the ledger.")
    c.refresh_from_db()
    assert (c.status, c.checked_by, c.checked_at is not None) == (
        "verified", personas.officer, True)
    status = match_status(award=award)
    assert (status.counted, status.pending, status.met) == (award.match_required, D("0"), True)
    step = transitions_for(c).get()
    assert (step.name, step.source, step.target, step.by, step.reason) == (
        "verify", "pending", "verified", personas.officer, "Matches the ledger.")


def test_a_refused_contribution_never_counts_and_keeps_its_reason(personas, award):
    c = record(award, personas.leader_a)
    match_contribution_check(contribution=c, by=personas.admin, verify=False,
                             reason="The letter is unsigned.")
    c.refresh_from_db()
    assert (c.status, c.rejection_reason) == ("rejected", "The letter is unsigned.")
    status = match_status(award=award)
    assert (status.counted, status.pending, status.rejected) == (D("0"), D("0"), D("10000.00"))
    with pytest.raises(TransitionRefused):  # checked once
        match_contribution_check(contribution=c, by=personas.officer, verify=True)


def test_a_private_share_needs_verified_private_or_philanthropic_money(personas, award):
    """Florida-style: here half the required match must come from the private sector."""
    Award.objects.filter(pk=award.pk).update(private_min_share=D("0.5"))
    award.refresh_from_db()
    own = record(award, personas.leader_a, amount=str(award.match_required))
    match_contribution_check(contribution=own, by=personas.officer, verify=True)
    status = match_status(award=award)
    assert status.counted == award.match_required
    assert status.private_required == D("22500.00")
    assert (status.private_counted, status.met) == (D("0"), False)

    gift = record(award, personas.leader_a, amount="15000.00", source="philanthropic",
                  contributor="Alder Education Foundation")
    business = record(award, personas.leader_a, amount="7500.00", source="private",
                      contributor="Alder Hardware", kind="in_kind")
    assert match_status(award=award).private_counted == D("0")  # pending counts for nothing
    for c in (gift, business):
        match_contribution_check(contribution=c, by=personas.officer, verify=True)
    status = match_status(award=award)
    assert (status.private_counted, status.private_shortfall, status.met) == (
        D("22500.00"), D("0"), True)


def test_private_in_kind_counts_only_up_to_the_in_kind_share(personas, award):
    Award.objects.filter(pk=award.pk).update(private_min_share=D("1"), in_kind_max_share=D("0.5"))
    award.refresh_from_db()
    c = record(award, personas.leader_a, amount="40000.00", source="private",
               contributor="Alder Hardware", kind="in_kind")
    match_contribution_check(contribution=c, by=personas.officer, verify=True)
    status = match_status(award=award)
    assert status.private_counted == D("22500.00")  # half of $45,000
    assert status.met is False


def test_the_award_snapshots_the_rounds_private_share(personas):
    from playbook.funding.rules import innovation_fund_default
    from playbook.funding.services import appropriation_create, cycle_funding_set

    from ..programs.helpers import make_cycle

    doc = innovation_fund_default()
    doc["funding"]["match"]["private_min_share"] = "1"
    cycle = make_cycle(personas.officer, budget="1000000.00", data=doc)
    approp = appropriation_create(by=personas.officer, fund="Innovation Fund", code="if-p",
                                  fiscal_year=2026, amount=D("1000000.00"),
                                  program=cycle.program)
    cycle_funding_set(cycle=cycle, appropriation=approp, by=personas.officer)
    board(personas)
    award = approved_award(personas, cycle)
    assert award.private_min_share == D("1.0000")
    assert match_status(award=award).private_required == award.match_required


# --- who may check -------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["auditor", "reviewer", "decider", "leader_a", "leader_b",
                                 "school_leader_a", "provider_user", "parent"])
def test_only_office_staff_check_a_contribution(personas, award, who):
    c = record(award, personas.leader_a)
    with pytest.raises(PermissionDenied):
        match_contribution_check(contribution=c, by=getattr(personas, who), verify=True)
    c.refresh_from_db()
    assert c.status == "pending" and not transitions_for(c).exists()


def test_staff_never_check_a_contribution_they_recorded(personas, award):
    c = record(award, personas.officer)
    with pytest.raises(PermissionDenied, match="other than the person who recorded it"):
        match_contribution_check(contribution=c, by=personas.officer, verify=True)
    match_contribution_check(contribution=c, by=personas.admin, verify=True)
    assert MatchContribution.objects.get(pk=c.pk).status == "verified"


def test_the_database_refuses_a_check_by_the_recorder_or_a_refusal_without_reason(personas,
                                                                                   award):
    c = record(award, personas.officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchContribution.objects.filter(pk=c.pk).update(
            status="verified", checked_by=personas.officer, checked_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchContribution.objects.filter(pk=c.pk).update(
            status="rejected", checked_by=personas.admin, checked_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchContribution.objects.filter(pk=c.pk).update(status="verified")


def test_another_district_cannot_record_match_on_an_award(personas, award):
    with pytest.raises(PermissionDenied):
        record(award, personas.leader_b)


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field"), [
    ({"evidence": None}, "evidence"),
    ({"evidence": SimpleUploadedFile("letter.exe", b"MZ...", "application/octet-stream")},
     "evidence"),
    ({"evidence": SimpleUploadedFile("letter.pdf", b"not a pdf", "application/pdf")},
     "evidence"),
    ({"evidence": SimpleUploadedFile("letter.pdf", b"", "application/pdf")}, "evidence"),
    ({"evidence": SimpleUploadedFile("letter.pdf", b"%PDF-1.4", "image/png")}, "evidence"),
    ({"source": "lottery"}, "source"),
    ({"source": "private", "contributor": "  "}, "contributor"),
    ({"kind": "bitcoin"}, "kind"),
    ({"description": " "}, "description"),
    ({"received_on": timezone.localdate() + timedelta(days=1)}, "received_on"),
])
def test_a_bad_contribution_is_refused_naming_the_field(personas, award, changes, field):
    with pytest.raises(ValidationError) as info:
        record(award, personas.leader_a, **changes)
    assert field in info.value.message_dict
    assert not MatchContribution.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "NaN", "sNaN", "1e20"])
def test_a_bad_amount_is_refused(personas, award, amount):
    with pytest.raises(ValidationError) as info:
        record(award, personas.leader_a, amount=amount)
    assert "amount" in info.value.message_dict


def test_a_refusal_needs_a_reason(personas, award):
    c = record(award, personas.leader_a)
    with pytest.raises(ValidationError) as info:
        match_contribution_check(contribution=c, by=personas.officer, verify=False, reason=" ")
    assert "reason" in info.value.message_dict
    assert MatchContribution.objects.get(pk=c.pk).status == "pending"


# --- the pages -----------------------------------------------------------------------------------

def _post_match(client, award, **extra):  # type: ignore[no-untyped-def]
    data = {"kind": "cash", "source": "philanthropic", "contributor": "Alder Foundation",
            "amount": "20000.00", "description": "Coaching grant",
            "received_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
            "evidence": pdf()}
    data.update(extra)
    return client.post(reverse("funding:award_match", args=[award.pk]), data)


def test_grantee_records_and_staff_check_through_the_pages(personas, award):
    leader = signed_in_client(personas.leader_a)
    assert _post_match(leader, award).status_code == 302
    c = MatchContribution.objects.get()
    page = leader.get(reverse("funding:award_detail", args=[award.pk])).content.decode()
    assert "Waiting for the office to check" in page and "Alder Foundation" in page
    assert 'action="/funding/awards/' not in page.split('data-testid="contributions"')[1].split(
        "</table>")[0]  # the grantee has no check form
    evidence = leader.get(reverse("funding:match_evidence", args=[award.pk, c.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(
        b"%PDF")

    officer = signed_in_client(personas.officer)
    queue = officer.get(reverse("funding:match_queue")).content.decode()
    assert "Alder Foundation" in queue
    r = officer.post(reverse("funding:match_check", args=[award.pk, c.pk]),
                     {"decision": "reject", "reason": ""})
    assert r.status_code == 302
    assert MatchContribution.objects.get(pk=c.pk).status == "pending"  # no reason: refused
    r = officer.post(reverse("funding:match_check", args=[award.pk, c.pk]),
                     {"decision": "verify", "reason": "Deposit seen."})
    assert r.status_code == 302
    assert MatchContribution.objects.get(pk=c.pk).status == "verified"
    assert "Nothing is waiting." in officer.get(reverse("funding:match_queue")).content.decode()


@pytest.mark.parametrize("who", ["auditor", "reviewer", "decider", "leader_a", "leader_b",
                                 "provider_user", "parent"])
def test_no_one_but_office_staff_checks_through_the_page(personas, award, who):
    c = record(award, personas.leader_a)
    r = signed_in_client(getattr(personas, who)).post(
        reverse("funding:match_check", args=[award.pk, c.pk]), {"decision": "verify"})
    assert r.status_code in (302, 403, 404)
    assert MatchContribution.objects.get(pk=c.pk).status == "pending"


def test_anonymous_is_sent_to_sign_in(personas, award):
    from django.test import Client

    c = record(award, personas.leader_a)
    for url in (reverse("funding:match_check", args=[award.pk, c.pk]),
                reverse("funding:match_evidence", args=[award.pk, c.pk]),
                reverse("funding:match_queue")):
        r = Client().get(url)
        assert r.status_code in (302, 403, 405)
        assert b"%PDF" not in r.content


@pytest.mark.parametrize("who", ["leader_b", "reviewer", "provider_user", "parent",
                                 "school_leader_a"])
def test_evidence_is_not_served_to_others(personas, award, who):
    c = record(award, personas.leader_a)
    r = signed_in_client(getattr(personas, who)).get(
        reverse("funding:match_evidence", args=[award.pk, c.pk]))
    assert r.status_code in (403, 404)


def test_a_contribution_of_another_award_is_not_found(personas, award):
    cycle2, _ = funded_cycle(personas.officer, slug="fy27")
    from .helpers import recommended_application

    other_app = recommended_application(personas, cycle2, district=personas.district_b,
                                        leader=personas.leader_b)
    from .helpers import decide

    decide(other_app, officer=personas.officer, outcome="approved", amount="300000.00")
    other = Award.objects.get(application=other_app)
    put_in_force(other, officer=personas.officer, grantee=personas.leader_b)
    theirs = record(other, personas.leader_b)
    officer = signed_in_client(personas.officer)
    r = officer.post(reverse("funding:match_check", args=[award.pk, theirs.pk]),
                     {"decision": "verify"})
    assert r.status_code == 404
    assert MatchContribution.objects.get(pk=theirs.pk).status == "pending"
    r = signed_in_client(personas.leader_a).get(
        reverse("funding:match_evidence", args=[award.pk, theirs.pk]))
    assert r.status_code == 404


def test_bad_input_on_the_page_is_a_message_not_an_error(personas, award):
    leader = signed_in_client(personas.leader_a)
    for extra in ({"evidence": ""}, {"amount": "sNaN"}, {"received_on": "99999-01-01"},
                  {"source": "lottery"}, {"contributor": ""},
                  {"evidence": SimpleUploadedFile("x.pdf", b"plain text", "application/pdf")}):
        r = _post_match(leader, award, **extra)
        assert r.status_code == 302, extra
    assert not MatchContribution.objects.exists()


def test_several_files_in_the_evidence_slot_are_refused(personas, award):
    leader = signed_in_client(personas.leader_a)
    r = _post_match(leader, award, evidence=[pdf("a.pdf"), pdf("b.pdf")])
    assert r.status_code == 302
    assert not MatchContribution.objects.exists()
