"""Rules of funding/services.py that survived mutation testing (bin/mutation, docs/testing.md):
what an applicant is told when a budget line is refused, the memo a disbursement leaves in the
ledger, and which evidence files a grantee may attach to a match contribution."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from playbook.funding.models import LedgerTransaction, MatchContribution
from playbook.funding.services import application_budget_save, award_disburse

from ..programs.helpers import complete_draft, make_cycle
from .test_match_verification import award, record  # noqa: F401  (the award fixture)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def draft(personas):  # type: ignore[no-untyped-def]
    return complete_draft(cycle=make_cycle(personas.officer), applicant=personas.district_a,
                          by=personas.leader_a)


def _line(**kw: object) -> dict[str, object]:
    line: dict[str, object] = {"category": "Technology", "description": "Devices",
                               "state_amount": D("100.00"), "match_cash": D("0"),
                               "match_in_kind": D("0")}
    line.update(kw)
    return line


def _refusal(draft, lines, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        application_budget_save(application=draft, by=draft.created_by, lines=lines, **kw)
    return info.value.messages


# --- the budget table: each refusal says what is wrong with which line -------------------------

def test_a_negative_amount_is_refused_saying_so_for_its_line(draft):
    assert _refusal(draft, [_line(), _line(match_cash=D("-5.00"))]) == [
        "Line 2: amounts cannot be negative."]


def test_fractions_of_a_cent_are_refused_saying_so_for_its_line(draft):
    assert _refusal(draft, [_line(state_amount=D("100.005"))]) == [
        "Line 1: amounts are dollars and cents."]


def test_a_line_with_an_amount_and_no_description_at_all_is_refused(draft):
    line = _line()
    del line["description"]
    assert _refusal(draft, [line]) == ["Line 1: describe the cost."]


def test_a_round_without_grant_types_says_so(draft):
    with pytest.raises(ValidationError) as info:
        application_budget_save(application=draft, by=draft.created_by, lines=[_line()],
                                grant_type="pilot")
    assert info.value.message_dict == {"grant_type": ["This round has no grant types."]}


# --- the ledger memo of a disbursement -----------------------------------------------------------

def test_a_disbursement_keeps_its_memo_and_a_blank_one_reads_disbursement(personas, award):  # noqa: F811
    award_disburse(award=award, by=personas.officer, amount=D("1000.00"),
                   memo="First quarter, per invoice 12")
    award_disburse(award=award, by=personas.officer, amount=D("500.00"))
    memos = list(LedgerTransaction.objects.filter(award=award, kind="disburse")
                 .order_by("pk").values_list("memo", flat=True))
    assert memos == ["First quarter, per invoice 12", "Disbursement"]


# --- evidence files for match ----------------------------------------------------------------

def test_a_jpeg_photo_of_a_receipt_is_accepted_as_evidence(personas, award):  # noqa: F811
    photo = SimpleUploadedFile("receipt.JPEG", b"\xff\xd8\xff\xe0 receipt", "image/jpeg")
    made = record(award, personas.leader_a, evidence=photo)
    assert made.evidence_name == "receipt.JPEG"


def test_a_file_without_an_extension_is_refused_even_if_named_like_one(personas, award):  # noqa: F811
    with pytest.raises(ValidationError) as info:
        record(award, personas.leader_a,
               evidence=SimpleUploadedFile("pdf", b"%PDF-1.4 letter", "application/pdf"))
    assert info.value.message_dict == {
        "evidence": ["The evidence must be a PDF, PNG or JPG file."]}
    assert not MatchContribution.objects.exists()


def test_no_evidence_is_refused_saying_what_to_attach(personas, award):  # noqa: F811
    with pytest.raises(ValidationError) as info:
        record(award, personas.leader_a, evidence=None)
    assert info.value.message_dict == {"evidence": [
        "Attach the document that shows the contribution (a bank record, a donor letter, "
        "a receipt)."]}
