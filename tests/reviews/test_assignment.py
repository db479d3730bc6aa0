"""The assignment integer program: optimal on small cases (proved by brute force), and plain
messages saying what to relax when no assignment exists."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from playbook.reviews.assignment import (
    Application,
    AssignmentProblem,
    Reviewer,
    diagnose,
    expertise_match,
    is_feasible,
    solve,
)


def _problem(n_r, n_a, k, lo, hi, conflicts=(), match=None, fixed=()):  # type: ignore[no-untyped-def]
    return AssignmentProblem(
        reviewers=[Reviewer(f"r{i}", f"Reviewer {i}") for i in range(n_r)],
        applications=[Application(f"a{j}", f"Application {j}") for j in range(n_a)],
        k=k, min_load=lo, max_load=hi,
        conflicts=frozenset(conflicts), match=match or {}, fixed=frozenset(fixed),
    )


def brute_force(p: AssignmentProblem):  # type: ignore[no-untyped-def]
    """Best (match, -sum of squared loads) over every assignment, or None if none exists."""
    per_app = []
    for a in p.applications:
        free = [r.key for r in p.reviewers if (r.key, a.key) not in p.conflicts]
        must = {r for r, aa in p.fixed if aa == a.key}
        per_app.append([set(c) for c in itertools.combinations(free, p.k) if must <= set(c)])
    best = None
    for choice in itertools.product(*per_app):
        loads = {r.key: 0 for r in p.reviewers}
        for chosen in choice:
            for r in chosen:
                loads[r] += 1
        if any(not p.min_load <= n <= p.max_load for n in loads.values()):
            continue
        m = sum(p.match.get((r, a.key), 0.0) for a, chosen in zip(p.applications, choice,
                                                                   strict=True) for r in chosen)
        value = (round(m, 9), -sum(n * n for n in loads.values()))
        if best is None or value > best:
            best = value
    return best


def _value(result):  # type: ignore[no-untyped-def]
    return (round(result.total_match, 9), -sum(n * n for n in result.loads.values()))


def _check_valid(p, result):  # type: ignore[no-untyped-def]
    for a in p.applications:
        assert sum(1 for r, aa in result.pairs if aa == a.key) == p.k
    for r, n in result.loads.items():
        assert p.min_load <= n <= p.max_load
        assert n == sum(1 for rr, _ in result.pairs if rr == r)
    assert not set(result.pairs) & p.conflicts
    assert p.fixed <= set(result.pairs)


def test_each_application_gets_k_reviewers_and_loads_are_balanced():
    p = _problem(4, 6, 2, 0, 6)
    result = solve(p)
    assert result.feasible
    _check_valid(p, result)
    assert sorted(result.loads.values()) == [3, 3, 3, 3]


def test_expertise_match_is_maximized():
    # Reviewer 0 knows finance, which application 0 needs; reviewer 1 knows rural, for app 1.
    match = {("r0", "a0"): 2.0, ("r1", "a1"): 1.0, ("r2", "a0"): 1.0}
    p = _problem(3, 2, 1, 0, 1, match=match)
    result = solve(p)
    assert set(result.pairs) == {("r0", "a0"), ("r1", "a1")}
    assert result.total_match == 3.0


def test_match_wins_over_balance_and_balance_breaks_ties():
    # Both applications are best read by r0; max load 2 lets r0 take both.
    match = {("r0", "a0"): 1.0, ("r0", "a1"): 1.0}
    p = _problem(2, 2, 1, 0, 2, match=match)
    assert set(solve(p).pairs) == {("r0", "a0"), ("r0", "a1")}
    # Without any match the tie-break spreads the work.
    p = _problem(2, 2, 1, 0, 2)
    assert sorted(solve(p).loads.values()) == [1, 1]


def test_conflicted_reviewer_is_never_assigned():
    conflicts = {("r0", "a0"), ("r1", "a1")}
    match = {("r0", "a0"): 5.0, ("r1", "a1"): 5.0}
    p = _problem(3, 2, 2, 0, 2, conflicts=conflicts, match=match)
    result = solve(p)
    assert result.feasible
    assert not set(result.pairs) & conflicts
    _check_valid(p, result)


def test_kept_pairs_stay_and_count_toward_k_and_load():
    p = _problem(3, 3, 1, 1, 1, fixed={("r2", "a0")},
                 match={("r2", "a1"): 3.0, ("r0", "a0"): 3.0})
    result = solve(p)
    assert ("r2", "a0") in result.pairs
    assert ("r2", "a0") not in result.added
    _check_valid(p, result)


@settings(max_examples=120, deadline=None)
@given(
    n_r=st.integers(1, 4),
    n_a=st.integers(1, 4),
    k=st.integers(1, 2),
    lo=st.integers(0, 2),
    spread=st.integers(0, 2),
    data=st.data(),
)
def test_solver_matches_brute_force_on_tiny_cases(n_r, n_a, k, lo, spread, data):  # type: ignore[no-untyped-def]
    pairs = [(f"r{i}", f"a{j}") for i in range(n_r) for j in range(n_a)]
    conflicts = data.draw(st.sets(st.sampled_from(pairs), max_size=3))
    match = {pair: data.draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])) for pair in pairs}
    p = _problem(n_r, n_a, k, lo, max(lo, 1) + spread, conflicts=conflicts, match=match)
    expected = brute_force(p)
    result = solve(p)
    assert is_feasible(p) == (expected is not None)
    assert result.feasible == (expected is not None)
    if expected is None:
        assert result.problems and all(x.message for x in result.problems)
    else:
        _check_valid(p, result)
        assert _value(result) == expected


# ---- infeasibility messages ------------------------------------------------------------------


def test_too_few_reviewers_without_a_conflict_names_the_application_and_the_fix():
    p = _problem(3, 2, 2, 0, 2, conflicts={("r0", "a1"), ("r1", "a1")})
    result = solve(p)
    assert not result.feasible
    assert result.message == (
        "Application 1 has only 1 reviewer without a conflict but needs 2: add reviewers "
        "without a conflict with it or lower k to 1."
    )


def test_total_demand_above_capacity_says_how_much_to_raise():
    p = _problem(8, 10, 3, 0, 3)  # needs 30, capacity 24
    result = solve(p)
    assert not result.feasible
    assert result.problems[0].code == "capacity"
    assert result.message == (
        "Total needed k·A = 3·10 = 30 exceeds total capacity max load·R = 3·8 = 24: raise the "
        "maximum load to 4 or add 2 reviewers, or lower k to 2."
    )
    assert solve(_problem(8, 10, 3, 0, 4)).feasible
    assert solve(_problem(10, 10, 3, 0, 3)).feasible


def test_minimum_load_that_cannot_be_met():
    p = _problem(5, 2, 2, 2, 3)  # 5 reviewers x 2 = 10 > 4 needed
    result = solve(p)
    assert [x.code for x in result.problems] == ["min_total"]
    assert "The minimum load cannot be met" in result.message
    assert "lower the minimum load to 0" in result.message
    assert "take 3 reviewers out of this cycle's panel" in result.message


def test_reviewer_conflicted_with_too_much_to_meet_the_minimum():
    p = _problem(2, 3, 1, 1, 3, conflicts={("r1", "a0"), ("r1", "a1"), ("r1", "a2")})
    result = solve(p)
    assert [x.code for x in result.problems] == ["reviewer_conflicts"]
    assert "Reviewer 1: only 0 applications without a conflict" in result.message


def test_group_that_only_a_few_reviewers_may_read_is_found_by_the_min_cut():
    # a0 and a1 may only be read by r0 and r1 (both conflicted with r2, r3); each needs 2,
    # so r0 and r1 must read both; with max load 1 they cannot.
    conflicts = {(r, a) for r in ("r2", "r3") for a in ("a0", "a1")}
    p = _problem(4, 4, 2, 0, 2, conflicts=conflicts)
    assert solve(p).feasible
    p = _problem(4, 3, 2, 0, 1, conflicts=conflicts)
    result = solve(p)
    assert not result.feasible
    assert result.problems[0].code in {"capacity", "group_capacity"}
    p = _problem(6, 4, 2, 0, 2, conflicts=conflicts | {(r, a) for r in ("r4", "r5")
                                                       for a in ("a0", "a1")},
                 fixed={("r0", "a2"), ("r1", "a3")})
    result = solve(p)
    assert not result.feasible
    (problem,) = result.problems
    assert problem.code == "group_capacity"
    assert problem.message.startswith(
        "Applications Application 0 and Application 1 need 4 more reviews together, but the "
        "only reviewers without a conflict with them (Reviewer 0 and Reviewer 1) cannot take "
        "that many within the maximum load of 2"
    )
    assert "raise the maximum load to 3" in problem.message
    assert "lower k to 1" in problem.message


def test_kept_assignment_with_a_conflict_is_reported():
    p = _problem(3, 1, 1, 0, 1, conflicts={("r0", "a0")}, fixed={("r0", "a0")})
    result = solve(p)
    assert result.problems[0].code == "fixed_conflict"
    assert "remove that assignment" in result.message


def test_parameter_errors():
    assert diagnose(_problem(2, 2, 1, 3, 2))[0].code == "load_bounds"
    assert diagnose(_problem(2, 2, 0, 0, 2))[0].code == "k"
    assert diagnose(_problem(0, 2, 1, 0, 2))[0].code == "no_reviewers"


def test_no_applications_is_an_empty_assignment():
    result = solve(_problem(3, 0, 2, 0, 2))
    assert result.feasible and result.pairs == ()


def test_expertise_match_counts_shared_tags():
    assert expertise_match(["rural", "finance"], ["finance", "rural", "stem"]) == 2.0
    assert expertise_match([], ["finance"]) == 0.0


def test_a_realistic_round_solves_quickly():
    import random
    import time

    rng = random.Random(7)
    n_r, n_a = 40, 150
    conflicts = {(f"r{rng.randrange(n_r)}", f"a{rng.randrange(n_a)}") for _ in range(300)}
    match = {(f"r{i}", f"a{j}"): float(rng.randrange(3)) for i in range(n_r) for j in range(n_a)}
    p = _problem(n_r, n_a, 3, 8, 14, conflicts=conflicts, match=match)
    started = time.perf_counter()
    result = solve(p)
    assert time.perf_counter() - started < 20
    assert result.feasible
    _check_valid(p, result)
