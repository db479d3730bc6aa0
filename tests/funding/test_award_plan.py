"""The award plan as a pure function: rank order, budget, set-asides, partial funding, ties."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playbook.funding.award_plan import (
    FUNDED,
    NOT_ELIGIBLE,
    PARTIAL,
    UNFUNDED,
    Candidate,
    PlanPolicy,
    SetAsidePolicy,
    award_plan_build,
    policy_with,
    set_aside_report,
)

D = Decimal
T0 = datetime(2026, 1, 5, 9, 0)


def c(key, score, requested, tags=(), poverty=None, cap=None, minutes=0):  # type: ignore[no-untyped-def]
    return Candidate(key=key, score=D(str(score)) if score is not None else None,
                     requested=D(requested), cap=D(cap) if cap else None,
                     tags=frozenset(tags), poverty_share=D(poverty) if poverty else None,
                     submitted_at=T0 + timedelta(minutes=minutes))


def amounts(plan):  # type: ignore[no-untyped-def]
    return {line.candidate.key: line.award for line in plan.lines}


def test_funds_in_rank_order_until_the_budget_runs_out_strict_line():
    cands = [c("a", 90, "400"), c("b", 80, "400"), c("c", 70, "400"), c("d", 60, "100")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(budget=D("1000"),
                                                               partial_policy="stop"))
    assert amounts(plan) == {"a": D("400"), "b": D("400"), "c": D("0"), "d": D("0")}
    assert plan.funding_line_rank == 3
    assert plan.total_awarded == D("800")
    assert plan.remaining == D("200")


def test_skip_policy_funds_a_smaller_one_below_the_line():
    cands = [c("a", 90, "400"), c("b", 80, "400"), c("c", 70, "400"), c("d", 60, "100")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(budget=D("1000"),
                                                               partial_policy="skip"))
    assert amounts(plan) == {"a": D("400"), "b": D("400"), "c": D("0"), "d": D("100")}
    assert plan.line_for("c").status == UNFUNDED


def test_partial_policy_offers_the_remainder_when_it_is_a_large_enough_share():
    cands = [c("a", 90, "600"), c("b", 80, "500"), c("d", 60, "100")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(
        budget=D("900"), partial_policy="partial", partial_min_share=D("0.5")))
    assert amounts(plan) == {"a": D("600"), "b": D("300"), "d": D("0")}
    assert plan.line_for("b").status == PARTIAL
    assert "Partially funded" in plan.line_for("b").note


def test_partial_policy_skips_when_the_remainder_is_too_small_a_share():
    cands = [c("a", 90, "600"), c("b", 80, "1000"), c("d", 60, "100")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(
        budget=D("900"), partial_policy="partial", partial_min_share=D("0.5")))
    assert amounts(plan) == {"a": D("600"), "b": D("0"), "d": D("100")}


def test_set_aside_reserves_money_for_rural_consortia_ranked_lower():
    cands = [c("big1", 95, "600"), c("big2", 90, "600"),
             c("rural", 50, "300", tags=("consortium", "rural")),
             c("urban_consortium", 60, "300", tags=("consortium",))]
    policy = PlanPolicy(budget=D("1200"), partial_policy="skip",
                        set_asides=(SetAsidePolicy("rural", "Rural consortia", D("300"),
                                                   frozenset({"consortium", "rural"})),))
    plan = award_plan_build(candidates=cands, policy=policy)
    assert amounts(plan) == {"big1": D("600"), "big2": D("0"), "rural": D("300"),
                             "urban_consortium": D("300")}
    assert plan.line_for("rural").source == "set_aside:rural"
    assert plan.set_aside_used == {"rural": D("300")}
    # Without the set-aside the rural consortium misses out.
    no_sa = award_plan_build(candidates=cands, policy=policy_with(policy, set_aside_amounts={
        "rural": D("0")}))
    assert amounts(no_sa)["rural"] == D("0")
    assert amounts(no_sa)["big2"] == D("600")


def test_unused_set_aside_returns_to_the_general_pool():
    cands = [c("a", 90, "700"), c("b", 80, "300")]
    policy = PlanPolicy(budget=D("1000"), set_asides=(
        SetAsidePolicy("rural", "Rural", D("500"), frozenset({"rural"})),))
    plan = award_plan_build(candidates=cands, policy=policy)
    assert amounts(plan) == {"a": D("700"), "b": D("300")}
    assert plan.set_aside_used == {"rural": D("0")}


def test_caps_limit_the_award_to_the_cap():
    cands = [c("a", 90, "1500000", cap="1000000"),
             c("cons", 80, "20000000", tags=("consortium",), cap="15000000")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(budget=D("50000000")))
    assert amounts(plan) == {"a": D("1000000"), "cons": D("15000000")}
    assert "Capped at $1,000,000" in plan.line_for("a").note
    assert plan.line_for("a").status == FUNDED


def test_ties_are_broken_by_poverty_then_request_then_submission_time():
    cands = [c("rich", 80, "500", poverty="0.20"), c("poor", 80, "500", poverty="0.80"),
             c("early", 70, "500", minutes=0), c("late", 70, "500", minutes=5)]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(
        budget=D("500"), tie_breaks=("poverty_desc", "requested_asc", "submitted_asc")))
    assert [line.candidate.key for line in plan.lines] == ["poor", "rich", "early", "late"]
    assert amounts(plan)["poor"] == D("500")
    assert amounts(plan)["rich"] == D("0")


def test_requested_asc_breaks_ties_by_the_smaller_request():
    cands = [c("big", 80, "900"), c("small", 80, "100")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(
        budget=D("1000"), tie_breaks=("requested_asc",)))
    assert [line.candidate.key for line in plan.lines] == ["small", "big"]


def test_unscored_and_below_minimum_score_are_never_funded():
    cands = [c("a", 90, "100"), c("b", None, "100"), c("c", 40, "100")]
    plan = award_plan_build(candidates=cands, policy=PlanPolicy(budget=D("1000"),
                                                               min_score=D("50")))
    assert amounts(plan) == {"a": D("100"), "b": D("0"), "c": D("0")}
    assert plan.line_for("b").status == NOT_ELIGIBLE
    assert plan.line_for("c").note == "Below the minimum score of 50."


def test_what_if_another_budget_moves_the_funding_line():
    cands = [c(str(i), 100 - i, "250") for i in range(8)]
    policy = PlanPolicy(budget=D("1000"), partial_policy="stop")
    assert award_plan_build(candidates=cands, policy=policy).funding_line_rank == 5
    bigger = policy_with(policy, budget=D("1500"))
    assert award_plan_build(candidates=cands, policy=bigger).funding_line_rank == 7


def test_negative_budget_is_refused():
    with pytest.raises(ValueError):
        award_plan_build(candidates=[], policy=PlanPolicy(budget=D("-1")))


money = st.integers(min_value=1, max_value=2_000).map(lambda n: D(n) * 1000)


@settings(max_examples=200, deadline=None)
@given(
    reqs=st.lists(st.tuples(st.integers(0, 100), money, st.booleans(), st.booleans()),
                  min_size=0, max_size=15),
    budget=money, set_aside=st.integers(0, 3_000).map(lambda n: D(n) * 1000),
    policy_name=st.sampled_from(["stop", "skip", "partial"]),
)
def test_never_over_budget_never_over_request_set_aside_only_to_eligible(
    reqs, budget, set_aside, policy_name
):
    cands = [c(f"k{i}", s, str(r), tags=(("consortium",) if cons else ()) + (
        ("rural",) if rural else ())) for i, (s, r, cons, rural) in enumerate(reqs)]
    policy = PlanPolicy(budget=budget, partial_policy=policy_name, set_asides=(
        SetAsidePolicy("rc", "Rural consortia", set_aside, frozenset({"consortium", "rural"})),))
    plan = award_plan_build(candidates=cands, policy=policy)
    assert plan.total_awarded <= budget
    assert plan.set_aside_used["rc"] <= min(set_aside, budget)
    for line in plan.lines:
        assert D("0") <= line.award <= line.candidate.fundable
        if line.source == "set_aside:rc":
            assert {"consortium", "rural"} <= line.candidate.tags
    # Ranks are by score, descending.
    scores = [line.candidate.score for line in plan.lines]
    assert scores == sorted(scores, reverse=True)
    if policy_name == "stop":
        general = [line for line in plan.lines if line.source != "set_aside:rc"]
        seen_gap = False
        for line in general:
            if line.award == 0:
                seen_gap = True
            assert not (seen_gap and line.award > 0), "strict line: nothing funded below a gap"


# --- what became of each set-aside, in words (issue 11, item 8) -------------------------------

LABELS = {"rural": "Rural applicants", "consortium": "Consortium applicants"}


def test_a_used_set_aside_names_the_ranks_it_funded_and_what_it_gave_back():
    cands = [c("big", 95, "600"), c("rural", 50, "200", tags=("rural",))]
    policy = PlanPolicy(budget=D("800"), set_asides=(
        SetAsidePolicy("rural", "Rural", D("300"), frozenset({"rural"})),))
    (report,) = set_aside_report(award_plan_build(candidates=cands, policy=policy),
                                 tag_labels=LABELS)
    assert (report.used, report.ranks) == (D("200"), (2,))
    assert report.text == ("Used $200 of $300 for rank 2 (Rural applicants). The other $100 "
                           "goes back to the general budget.")


def test_an_unused_set_aside_says_why():
    nobody = PlanPolicy(budget=D("1000"), set_asides=(
        SetAsidePolicy("rural", "Rural", D("500"), frozenset({"rural"})),))
    (none,) = set_aside_report(award_plan_build(candidates=[c("a", 90, "700")], policy=nobody),
                               tag_labels=LABELS)
    assert none.used == 0 and none.text.startswith(
        "Not used: no eligible application qualifies (Rural applicants)")
    too_big = [c("a", 90, "300"), c("r", 80, "600", tags=("rural",))]
    (big,) = set_aside_report(award_plan_build(candidates=too_big, policy=nobody),
                              tag_labels=LABELS)
    assert big.text.startswith("Not used: the 1 qualifying application asks for at least $600, "
                               "more than the $500 it holds")
    unscored = [c("a", 90, "300"), c("r", None, "100", tags=("rural",))]
    (left_out,) = set_aside_report(award_plan_build(candidates=unscored, policy=nobody))
    assert "no eligible application qualifies" in left_out.text, "an unscored one does not count"
