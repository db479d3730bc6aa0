"""Award-plan rules that survived mutation testing (bin/mutation, docs/testing.md): each
tie-break decides the order even against the alphabetical order of the keys, a set-aside never
pays out more than its pot, set-aside funding does not end the general pass, a remainder of
cents is still offered, and every line says where its money comes from, why it has none, and
its rank."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from playbook.funding.award_plan import (
    FUNDED,
    NOT_ELIGIBLE,
    PARTIAL,
    UNFUNDED,
    Candidate,
    PlanPolicy,
    SetAsidePolicy,
    award_plan_build,
    rank,
)

D = Decimal
T0 = datetime(2026, 1, 5, 9, 0)


def cand(key: str, score: str | None, requested: str, *, poverty: str | None = None,
         minutes: int | None = None, cap: str | None = None,
         tags: tuple[str, ...] = ()) -> Candidate:
    return Candidate(key=key, score=D(score) if score is not None else None,
                     requested=D(requested), cap=D(cap) if cap else None, tags=frozenset(tags),
                     poverty_share=D(poverty) if poverty else None,
                     submitted_at=T0 + timedelta(minutes=minutes) if minutes is not None else None)


def keys(cands: list[Candidate], *tie_breaks: str) -> list[str]:
    return [c.key for c in rank(cands, tie_breaks=tie_breaks)]


# --- ties: each rule decides, not the alphabet ----------------------------------------------

def test_a_tie_goes_to_the_higher_poverty_share_whatever_the_names():
    cands = [cand("a-rich", "80", "500", poverty="0.20"),
             cand("z-poor", "80", "500", poverty="0.80")]
    assert keys(cands, "poverty_desc") == ["z-poor", "a-rich"]
    # The default tie-breaks start with poverty too.
    assert [c.key for c in rank(cands, tie_breaks=PlanPolicy(budget=D("1")).tie_breaks)] == [
        "z-poor", "a-rich"]


def test_a_tie_goes_to_the_larger_request_under_requested_desc_whatever_the_names():
    assert keys([cand("a-small", "80", "100"), cand("z-big", "80", "900")],
                "requested_desc") == ["z-big", "a-small"]


def test_a_tie_goes_to_the_earlier_submission_whatever_the_names():
    cands = [cand("a-late", "80", "100", minutes=5), cand("z-early", "80", "900", minutes=0),
             cand("m-never", "80", "100")]
    assert keys(cands, "submitted_asc") == ["z-early", "a-late", "m-never"]
    # Not the larger request: the submission time decides.
    assert keys([cand("a-big-late", "80", "900", minutes=5),
                 cand("z-small-early", "80", "100", minutes=0)],
                "submitted_asc") == ["z-small-early", "a-big-late"]


def test_a_complete_tie_is_broken_by_key_not_by_the_order_given():
    cands = [cand("b", "80", "100"), cand("a", "80", "100")]
    assert keys(cands) == ["a", "b"]
    assert keys(cands, "poverty_desc", "submitted_asc") == ["a", "b"]


# --- set-asides ------------------------------------------------------------------------------

RURAL = SetAsidePolicy("rural", "Rural", D("500"), frozenset({"rural"}))


def test_a_set_aside_pays_out_at_most_its_pot_across_several_candidates():
    cands = [cand("r1", "90", "300", tags=("rural",)), cand("r2", "85", "200", tags=("rural",)),
             cand("r3", "80", "200", tags=("rural",))]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(
        budget=D("500"), set_asides=(RURAL,), partial_policy="stop"))
    assert plan.set_aside_used == {"rural": D("500")}
    assert [(ln.candidate.key, ln.award, ln.source) for ln in plan.lines] == [
        ("r1", D("300"), "set_aside:rural"), ("r2", D("200"), "set_aside:rural"),
        ("r3", D("0"), "")]
    assert plan.total_awarded == D("500") and plan.remaining == 0


def test_candidates_below_a_set_aside_funded_one_still_compete_in_the_general_pass():
    cands = [cand("top", "95", "100"), cand("rural", "90", "100", tags=("rural",)),
             cand("next", "85", "100"), cand("last", "80", "100")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(budget=D("1000"),
                                                                set_asides=(RURAL,)))
    assert [(ln.candidate.key, ln.award, ln.source, ln.note) for ln in plan.lines] == [
        ("top", D("100"), "general", ""),
        ("rural", D("100"), "set_aside:rural", "From the Rural set-aside."),
        ("next", D("100"), "general", ""),
        ("last", D("100"), "general", "")]


# --- partial awards ---------------------------------------------------------------------------

def test_a_remainder_of_cents_is_offered_when_it_is_a_large_enough_share():
    plan = award_plan_build(candidates=[cand("a", "90", "99.40"), cand("b", "80", "1.00")],
                            policy=PlanPolicy(budget=D("100.00"), partial_policy="partial",
                                              partial_min_share=D("0.5")))
    line = plan.line_for("b")
    assert (line.award, line.status, line.source) == (D("0.60"), PARTIAL, "general")
    assert line.note == "Partially funded: $0.60 of $1.00."


# --- what each line says ---------------------------------------------------------------------

def test_a_request_exactly_at_the_cap_is_not_said_to_be_capped():
    plan = award_plan_build(candidates=[cand("a", "90", "1000", cap="1000")],
                            policy=PlanPolicy(budget=D("5000")))
    assert (plan.line_for("a").status, plan.line_for("a").note) == (FUNDED, "")


def test_a_capped_award_says_so_after_where_its_money_comes_from():
    cands = [cand("plain", "95", "1500", cap="1000"),
             cand("rural", "90", "800", cap="500", tags=("rural",))]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(budget=D("5000"),
                                                                set_asides=(RURAL,)))
    assert plan.line_for("plain").note == "Capped at $1,000."
    assert plan.line_for("rural").note == "From the Rural set-aside. Capped at $500."
    assert plan.line_for("rural").award == D("500")


def test_every_line_has_its_rank_source_and_reason():
    cands = [cand("a", "90", "600"), cand("b", "80", "600"), cand("c", None, "100"),
             cand("d", "70", "0")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(budget=D("1000"),
                                                                partial_policy="stop"))
    assert [(ln.rank, ln.candidate.key, ln.award, ln.status, ln.source, ln.note)
            for ln in plan.lines] == [
        (1, "a", D("600"), FUNDED, "general", ""),
        (2, "b", D("0"), UNFUNDED, "", "Below the funding line."),
        (3, "d", D("0"), NOT_ELIGIBLE, "", "Nothing requested."),
        (4, "c", D("0"), NOT_ELIGIBLE, "", "No score."),
    ]
    assert plan.funding_line_rank == 2


def test_asking_for_a_line_that_is_not_in_the_plan_gives_none():
    plan = award_plan_build(candidates=[cand("a", "90", "1")], policy=PlanPolicy(budget=D("1")))
    assert plan.line_for("missing") is None


def test_a_negative_budget_is_refused_saying_so():
    with pytest.raises(ValueError) as info:
        award_plan_build(candidates=[], policy=PlanPolicy(budget=D("-1")))
    assert str(info.value) == "The budget cannot be negative."
