"""The match rate and the award plan at their edges: a poverty step reached exactly, no poverty
share on file, a score exactly at the minimum, a remainder exactly at the partial-funding share,
where the funding line is drawn, a request of nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from playbook.funding.award_plan import (
    FUNDED,
    NOT_ELIGIBLE,
    PARTIAL,
    UNFUNDED,
    Candidate,
    PlanPolicy,
    award_plan_build,
)
from playbook.funding.match import match_counted, match_rate_for, match_required
from playbook.funding.rules import MatchRules

D = Decimal

# The default innovation fund scale: 15%, 10% from 50% poverty, 5% from 75%.
RULES = MatchRules(base_rate=D("0.15"), poverty_scale=(
    {"min_poverty_share": D("0.75"), "rate": D("0.05")},  # given out of order on purpose
    {"min_poverty_share": D("0.50"), "rate": D("0.10")},
), in_kind_max_share=D("0.50"))


@pytest.mark.parametrize(("share", "rate"), [
    ("0.000", "0.15"), ("0.499", "0.15"), ("0.500", "0.10"), ("0.749", "0.10"),
    ("0.750", "0.05"), ("1.000", "0.05"),
])
def test_each_poverty_step_applies_from_exactly_its_threshold(share, rate):
    assert match_rate_for(rules=RULES, poverty_share=D(share)) == D(rate)


def test_an_applicant_with_no_poverty_share_on_file_pays_the_base_rate():
    assert match_rate_for(rules=RULES, poverty_share=None) == D("0.15")
    assert match_rate_for(rules=MatchRules(base_rate=D("0.20")), poverty_share=D("0.9")) == (
        D("0.20"))


def test_the_required_match_is_rounded_half_up_to_the_cent():
    assert match_required(amount=D("100000.00"), rate=D("0.15")) == D("15000.00")
    assert match_required(amount=D("0.50"), rate=D("0.05")) == D("0.03")  # 0.025 -> 0.03
    assert match_required(amount=D("0.10"), rate=D("0.04")) == D("0.00")  # 0.004 -> 0.00


def test_in_kind_counts_only_up_to_its_share_of_the_required_match():
    # Required 15,000; in kind counts up to half, 7,500.
    counted = {ik: match_counted(cash=D("5000.00"), in_kind=D(ik), required=D("15000.00"),
                                 in_kind_max_share=D("0.50"))
               for ik in ("0", "7499.99", "7500.00", "10000.00")}
    assert counted == {"0": D("5000.00"), "7499.99": D("12499.99"), "7500.00": D("12500.00"),
                       "10000.00": D("12500.00")}
    # The cap is itself rounded to the cent: half of 15,000.01 is 7,500.01 (half up).
    assert match_counted(cash=D("0"), in_kind=D("9000"), required=D("15000.01"),
                         in_kind_max_share=D("0.50")) == D("7500.01")


# --- the award plan ----------------------------------------------------------------------------

def cand(key: str, score: str | None, requested: str, cap: str | None = None) -> Candidate:
    return Candidate(key=key, score=D(score) if score is not None else None,
                     requested=D(requested), cap=D(cap) if cap else None)


def status(plan, key):  # type: ignore[no-untyped-def]
    return plan.line_for(key).status


def test_a_score_exactly_at_the_minimum_is_eligible():
    plan = award_plan_build(candidates=[cand("at", "50", "100"), cand("below", "49.99", "100")],
                            policy=PlanPolicy(budget=D("1000"), min_score=D("50")))
    assert status(plan, "at") == FUNDED and plan.line_for("at").award == D("100")
    assert status(plan, "below") == NOT_ELIGIBLE


def test_a_remainder_of_exactly_the_minimum_share_is_offered_as_a_partial_award():
    policy = PlanPolicy(budget=D("900"), partial_policy="partial", partial_min_share=D("0.5"))
    plan = award_plan_build(candidates=[cand("a", "90", "500"), cand("b", "80", "800")],
                            policy=policy)
    # 400 left is exactly half of b's 800.
    assert (plan.line_for("b").award, status(plan, "b")) == (D("400"), PARTIAL)
    assert plan.remaining == 0
    short = award_plan_build(candidates=[cand("a", "90", "500"), cand("b", "80", "800.02")],
                             policy=policy)
    assert (short.line_for("b").award, status(short, "b")) == (D("0"), UNFUNDED)


def test_partial_funding_ends_the_plan_and_offers_nothing_when_nothing_is_left():
    policy = PlanPolicy(budget=D("500"), partial_policy="partial", partial_min_share=D("0"))
    plan = award_plan_build(candidates=[cand("a", "90", "500"), cand("b", "80", "100"),
                                        cand("c", "70", "50")], policy=policy)
    assert [line.award for line in plan.lines] == [D("500"), D("0"), D("0")]
    assert [line.status for line in plan.lines] == [FUNDED, UNFUNDED, UNFUNDED]
    plan = award_plan_build(candidates=[cand("a", "90", "400"), cand("b", "80", "300"),
                                        cand("c", "70", "50")], policy=policy)
    # b gets the 100 left and the plan stops: c, though small, is below the line.
    assert [line.award for line in plan.lines] == [D("400"), D("100"), D("0")]


def test_the_funding_line_is_drawn_above_the_first_partially_funded_candidate():
    policy = PlanPolicy(budget=D("900"), partial_policy="partial", partial_min_share=D("0.5"))
    plan = award_plan_build(candidates=[cand("a", "90", "600"), cand("b", "80", "500"),
                                        cand("c", "70", "100")], policy=policy)
    assert [line.status for line in plan.lines] == [FUNDED, PARTIAL, UNFUNDED]
    assert plan.funding_line_rank == 2
    everyone = award_plan_build(candidates=[cand("a", "90", "600")], policy=policy)
    assert everyone.funding_line_rank is None


def test_a_request_of_nothing_is_not_eligible_and_funds_nothing():
    plan = award_plan_build(candidates=[cand("zero", "99", "0"), cand("a", "90", "100")],
                            policy=PlanPolicy(budget=D("1000")))
    zero = plan.line_for("zero")
    assert (zero.status, zero.award, zero.note) == (NOT_ELIGIBLE, D("0"), "Nothing requested.")
    assert not zero.funded
    assert status(plan, "a") == FUNDED
    # A $0 cap makes the fundable amount nothing, too.
    capped = award_plan_build(candidates=[cand("c", "99", "100", cap="0.00")],
                              policy=PlanPolicy(budget=D("1000")))
    assert (capped.line_for("c").status, capped.line_for("c").award) == (NOT_ELIGIBLE, D("0"))


# --- survivors of the mutation run (see bin/mutation) ------------------------------------------

def test_a_zero_budget_is_a_plan_that_funds_no_one():
    plan = award_plan_build(candidates=[cand("a", "90", "100")], policy=PlanPolicy(budget=D("0")))
    assert (status(plan, "a"), plan.funding_line_rank, plan.remaining) == (UNFUNDED, 1, D("0"))


@pytest.mark.parametrize("requested", ["0.01", "1", "1.50"])
def test_a_request_of_a_cent_or_a_dollar_is_eligible(requested):
    plan = award_plan_build(candidates=[cand("tiny", "90", requested)],
                            policy=PlanPolicy(budget=D("1000")))
    assert (status(plan, "tiny"), plan.line_for("tiny").award) == (FUNDED, D(requested))


def test_an_unscored_candidate_is_told_why():
    plan = award_plan_build(candidates=[cand("u", None, "100")], policy=PlanPolicy(budget=D("9")))
    assert (status(plan, "u"), plan.line_for("u").note) == (NOT_ELIGIBLE, "No score.")


def test_requested_desc_breaks_ties_by_the_larger_request():
    from playbook.funding.award_plan import rank

    ranked = rank([cand("small", "80", "100"), cand("big", "80", "900"), cand("top", "90", "5")],
                  tie_breaks=("requested_desc",))
    assert [c.key for c in ranked] == ["top", "big", "small"]


def test_an_unknown_partial_policy_is_refused():
    with pytest.raises(ValueError, match="Unknown partial-funding policy 'maybe'"):
        award_plan_build(candidates=[], policy=PlanPolicy(budget=D("1"), partial_policy="maybe"))


def test_a_what_if_changes_only_the_set_asides_it_names():
    from playbook.funding.award_plan import SetAsidePolicy, policy_with

    policy = PlanPolicy(budget=D("1000"), set_asides=(
        SetAsidePolicy("rural", "Rural", D("300"), frozenset({"rural"})),
        SetAsidePolicy("cons", "Consortia", D("200"), frozenset({"consortium"}))))
    changed = policy_with(policy, set_aside_amounts={"rural": D("50")})
    assert [sa.amount for sa in changed.set_asides] == [D("50"), D("200")]
    assert changed.budget == D("1000")
