"""Who may check match contributions (funding/permissions.py), as mutation testing found it
unpinned (bin/mutation, docs/testing.md): the reason each refusal gives (managing funds,
reporting progress, checking match), and a contribution that has been checked is never offered
for a second check."""

from __future__ import annotations

import pytest

from playbook.funding.permissions import (
    award_can_record_match,
    award_can_report,
    funding_can_manage,
    match_can_check,
)
from playbook.funding.services import match_contribution_check
from playbook.programs.transitions import TransitionRefused

from .helpers import approved_award, board, funded_cycle
from .test_match_verification import award, record  # noqa: F401  (the award fixture)

pytestmark = pytest.mark.django_db


def test_each_refusal_to_check_a_contribution_says_why(personas, award):  # noqa: F811
    mine = record(award, personas.officer)
    theirs = record(award, personas.leader_a)
    assert match_can_check(user=personas.leader_a, contribution=theirs) == (
        False, "Only office staff check match contributions.")
    assert match_can_check(user=personas.officer, contribution=mine) == (
        False, "Someone other than the person who recorded it checks a contribution.")
    assert match_can_check(user=personas.officer, contribution=theirs) == (True, "")


@pytest.mark.parametrize(("verify", "label"), [(True, "verified by the office"),
                                               (False, "not accepted")])
def test_a_checked_contribution_is_not_offered_for_a_second_check(personas, award, verify,  # noqa: F811
                                                                  label):
    c = record(award, personas.leader_a)
    match_contribution_check(contribution=c, by=personas.officer, verify=verify,
                             reason="" if verify else "No bank record.")
    c.refresh_from_db()
    assert match_can_check(user=personas.admin, contribution=c) == (
        False, f"This contribution is already {label}.")
    with pytest.raises(TransitionRefused, match=label):
        match_contribution_check(contribution=c, by=personas.admin, verify=not verify,
                                 reason="Second look.")
    c.refresh_from_db()
    assert (c.status, c.checked_by) == ("verified" if verify else "rejected", personas.officer)


def test_each_refusal_to_manage_or_report_says_why(personas, award):  # noqa: F811
    assert funding_can_manage(user=personas.leader_a) == (
        False, "Only office staff manage appropriations and agreements.")
    assert award_can_report(user=personas.leader_b, award=award) == (
        False, "Only the grantee reports progress.")
    assert award_can_report(user=personas.leader_a, award=award) == (True, "")
    assert award_can_record_match(user=personas.officer, award=award) == (True, "")


def test_progress_waits_for_the_agreement_to_be_in_force(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    drafted = approved_award(personas, cycle)
    assert award_can_report(user=personas.leader_a, award=drafted) == (
        False, "Progress is reported on an agreement in force.")
