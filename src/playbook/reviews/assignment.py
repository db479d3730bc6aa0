"""Reviewer assignment as an integer program, solved exactly with HiGHS (``scipy.optimize.milp``).

Pure: no ORM. Dataclasses in, dataclasses out; the service in ``services.py`` builds the problem
from the database and stores the result.

The model (``docs/reviews.md`` explains it with an example)::

    x[r, a] in {0, 1}                       reviewer r reads application a
    sum_r x[r, a] = k                       every application gets k reviewers
    min_load <= sum_a x[r, a] <= max_load   loads within bounds
    x[r, a] = 0 where r conflicts with a    conflicts are hard constraints
    maximize sum match[r, a] * x[r, a]      expertise match first
    then minimize sum_r load_r ** 2         among the best matches, the most balanced loads

Kept pairs (manual assignments, or reviews already started) are fixed at 1 and count toward k
and toward the reviewer's load. The balance tie-break is a second solve: the first finds the best
match total M, the second keeps ``match >= M`` and minimizes the convex load cost, written as
unit "slots" with increasing cost so the program stays linear.

When no assignment exists, :func:`diagnose` says what to relax in plain words: an application
with too few reviewers without a conflict, total demand above total capacity, a minimum load that
cannot be met, or (from a max-flow minimum cut) a group of applications whose only possible
reviewers are too few. Each message carries the smallest change that would make it feasible
where one can be computed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import maximum_flow

Key = Any  # any hashable: database ids in the service, strings in tests
Pair = tuple[Key, Key]  # (reviewer key, application key)


@dataclass(frozen=True)
class Reviewer:
    key: Key
    label: str


@dataclass(frozen=True)
class Application:
    key: Key
    label: str


@dataclass(frozen=True)
class AssignmentProblem:
    reviewers: Sequence[Reviewer]
    applications: Sequence[Application]
    k: int
    min_load: int
    max_load: int
    #: (reviewer, application) pairs that may never be assigned.
    conflicts: frozenset[Pair] = frozenset()
    #: Expertise match of a pair (missing = 0). Higher is better.
    match: Mapping[Pair, float] = field(default_factory=dict)
    #: Pairs already assigned that must be kept (manual, or a review already begun).
    fixed: frozenset[Pair] = frozenset()
    #: Reviews an application keeps from reviewers outside this problem (a reviewer taken off
    #: the panel after starting a review): they count toward k.
    kept_elsewhere: Mapping[Key, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Infeasibility:
    """Why no assignment exists, and what to relax."""

    code: str
    message: str


@dataclass(frozen=True)
class AssignmentResult:
    feasible: bool
    #: All assigned pairs, fixed ones included, sorted by (application order, reviewer order).
    pairs: tuple[Pair, ...] = ()
    #: The pairs the solver added (``pairs`` minus the fixed ones).
    added: tuple[Pair, ...] = ()
    loads: Mapping[Key, int] = field(default_factory=dict)
    total_match: float = 0.0
    problems: tuple[Infeasibility, ...] = ()

    @property
    def message(self) -> str:
        return " ".join(p.message for p in self.problems)


# --------------------------------------------------------------------------------------------
# Feasibility: exact, by two max flows (bipartite degree bounds have the linkage property:
# demands on one side and lower bounds on the other can be met together when each can be met
# with the other side's upper bounds).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reduced:
    reviewers: list[Reviewer]
    applications: list[Application]
    need: dict[Key, int]  # more reviewers each application needs beyond its fixed ones
    cap: dict[Key, int]  # more applications each reviewer can take
    floor: dict[Key, int]  # more applications each reviewer must take
    edges: list[Pair]  # allowed new pairs (not conflicted, not fixed)
    fixed_load: dict[Key, int]


def _reduce(p: AssignmentProblem) -> _Reduced:
    fixed_by_app: dict[Key, int] = {a.key: 0 for a in p.applications}
    fixed_by_rev: dict[Key, int] = {r.key: 0 for r in p.reviewers}
    for r, a in p.fixed:
        if r in fixed_by_rev and a in fixed_by_app:
            fixed_by_app[a] += 1
            fixed_by_rev[r] += 1
    edges = [
        (r.key, a.key)
        for a in p.applications
        for r in p.reviewers
        if (r.key, a.key) not in p.conflicts and (r.key, a.key) not in p.fixed
    ]
    return _Reduced(
        reviewers=list(p.reviewers),
        applications=list(p.applications),
        need={a.key: max(0, p.k - fixed_by_app[a.key] - p.kept_elsewhere.get(a.key, 0))
              for a in p.applications},
        cap={r.key: max(0, p.max_load - fixed_by_rev[r.key]) for r in p.reviewers},
        floor={r.key: max(0, p.min_load - fixed_by_rev[r.key]) for r in p.reviewers},
        edges=edges,
        fixed_load=fixed_by_rev,
    )


def _max_flow(
    left: list[Key], right: list[Key], supply: Mapping[Key, int], demand: Mapping[Key, int],
    edges: Iterable[Pair], *, left_is_reviewer: bool,
) -> tuple[int, set[Key]]:
    """Max flow source -> left (supply) -> right (1 per edge) -> sink (demand).

    Returns the flow value and the left nodes on the source side of a minimum cut (the group
    that cannot be fully served)."""
    n_l, n_r = len(left), len(right)
    li = {k: i + 1 for i, k in enumerate(left)}
    ri = {k: n_l + 1 + i for i, k in enumerate(right)}
    source, sink = 0, n_l + n_r + 1
    rows, cols, caps = [], [], []
    for k, i in li.items():
        rows.append(source)
        cols.append(i)
        caps.append(supply[k])
    for r, a in edges:
        lk, rk = (r, a) if left_is_reviewer else (a, r)
        if lk in li and rk in ri:
            rows.append(li[lk])
            cols.append(ri[rk])
            caps.append(1)
    for k, i in ri.items():
        rows.append(i)
        cols.append(sink)
        caps.append(demand[k])
    size = sink + 1
    cap = sparse.csr_matrix(
        (np.array(caps, dtype=np.int32), (np.array(rows), np.array(cols))), shape=(size, size)
    )
    result = maximum_flow(cap, source, sink)
    residual = (cap - result.flow).tocsr()
    residual.eliminate_zeros()
    seen = {source}
    stack = [source]
    while stack:
        u = stack.pop()
        start, end = residual.indptr[u], residual.indptr[u + 1]
        for v, c in zip(residual.indices[start:end], residual.data[start:end], strict=True):
            if c > 0 and v not in seen:
                seen.add(int(v))
                stack.append(int(v))
    cut = {k for k, i in li.items() if i in seen}
    return int(result.flow_value), cut


def _demand_cut(red: _Reduced) -> set[Key] | None:
    """Applications that together cannot get the reviewers they need (None when all can)."""
    apps = [a.key for a in red.applications]
    revs = [r.key for r in red.reviewers]
    value, cut = _max_flow(apps, revs, red.need, red.cap, red.edges, left_is_reviewer=False)
    return None if value >= sum(red.need.values()) else cut


def _floor_cut(red: _Reduced) -> set[Key] | None:
    """Reviewers that together cannot reach their minimum load (None when all can)."""
    apps = [a.key for a in red.applications]
    revs = [r.key for r in red.reviewers]
    value, cut = _max_flow(revs, apps, red.floor, red.need, red.edges, left_is_reviewer=True)
    return None if value >= sum(red.floor.values()) else cut


def is_feasible(problem: AssignmentProblem) -> bool:
    """Whether any assignment meets every constraint (exact)."""
    if _parameter_problems(problem):
        return False
    red = _reduce(problem)
    return _demand_cut(red) is None and _floor_cut(red) is None


# --------------------------------------------------------------------------------------------
# Diagnosis: plain words, with the smallest relaxation that works where one can be computed.
# --------------------------------------------------------------------------------------------


def _names(labels: Iterable[str], limit: int = 6) -> str:
    items = sorted(labels)
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _smallest_max_load(problem: AssignmentProblem) -> int | None:
    for m in range(problem.max_load + 1, len(problem.applications) + 1):
        if is_feasible(replace(problem, max_load=m)):
            return m
    return None


def _largest_k(problem: AssignmentProblem) -> int | None:
    for k in range(problem.k - 1, 0, -1):
        if is_feasible(replace(problem, k=k)):
            return k
    return None


def _largest_min_load(problem: AssignmentProblem) -> int | None:
    for m in range(problem.min_load - 1, -1, -1):
        if is_feasible(replace(problem, min_load=m)):
            return m
    return None


def _parameter_problems(p: AssignmentProblem) -> list[Infeasibility]:
    out = []
    if p.k < 1:
        out.append(Infeasibility("k", "Reviewers per application (k) must be at least 1."))
    if p.min_load < 0:
        out.append(Infeasibility("min_load", "The minimum load cannot be negative."))
    if p.max_load < 1:
        out.append(Infeasibility("max_load", "The maximum load must be at least 1."))
    if p.max_load < p.min_load:
        out.append(Infeasibility(
            "load_bounds",
            f"The minimum load ({p.min_load}) is above the maximum load ({p.max_load}): "
            "lower the minimum or raise the maximum.",
        ))
    if not p.reviewers and p.applications:
        out.append(Infeasibility("no_reviewers", "There are no reviewers in the pool: add "
                                 "reviewers to the pool before assigning."))
    return out


def diagnose(problem: AssignmentProblem) -> list[Infeasibility]:
    """Every reason no assignment exists, each with what to relax; empty when one exists."""
    p = problem
    problems = _parameter_problems(p)
    if problems:
        return problems
    rev_label = {r.key: r.label for r in p.reviewers}
    app_label = {a.key: a.label for a in p.applications}
    n_r, n_a = len(p.reviewers), len(p.applications)

    # Kept assignments that are themselves impossible.
    fixed_by_app: dict[Key, int] = {}
    fixed_by_rev: dict[Key, int] = {}
    for r, a in sorted(p.fixed, key=repr):
        if (r, a) in p.conflicts and r in rev_label and a in app_label:
            problems.append(Infeasibility(
                "fixed_conflict",
                f"{rev_label[r]} is assigned to {app_label[a]} but has a conflict with it: "
                "remove that assignment.",
            ))
        fixed_by_app[a] = fixed_by_app.get(a, 0) + 1
        fixed_by_rev[r] = fixed_by_rev.get(r, 0) + 1
    for a, n in fixed_by_app.items():
        if a in app_label and n > p.k:
            problems.append(Infeasibility(
                "fixed_over_k",
                f"{app_label[a]} already has {n} kept reviewers but needs only {p.k}: "
                f"remove {n - p.k} of them or raise k to {n}.",
            ))
    for r, n in fixed_by_rev.items():
        if r in rev_label and n > p.max_load:
            problems.append(Infeasibility(
                "fixed_over_max",
                f"{rev_label[r]} already keeps {n} assignments, above the maximum load of "
                f"{p.max_load}: remove {n - p.max_load} of them or raise the maximum load to {n}.",
            ))

    # Totals.
    needed, capacity = p.k * n_a, p.max_load * n_r
    elsewhere = sum(min(p.k, p.kept_elsewhere.get(a.key, 0)) for a in p.applications)
    if needed - elsewhere > capacity:
        more = math.ceil((needed - capacity) / p.max_load)
        k_fit = capacity // n_a if n_a else 0
        lower_k = f", or lower k to {k_fit}" if k_fit >= 1 else ""
        problems.append(Infeasibility(
            "capacity",
            f"Total needed k·A = {p.k}·{n_a} = {needed} exceeds total capacity "
            f"max load·R = {p.max_load}·{n_r} = {capacity}: raise the maximum load to "
            f"{math.ceil(needed / n_r)} or add {_plural(more, 'reviewer')}{lower_k}.",
        ))
    floor_total = p.min_load * n_r
    if floor_total > needed - elsewhere:
        problems.append(Infeasibility(
            "min_total",
            f"The minimum load cannot be met: {n_r} reviewers with at least {p.min_load} each "
            f"need {floor_total} reviews but only k·A = {needed} are to be done: lower the "
            f"minimum load to {needed // n_r}, take "
            f"{_plural(n_r - needed // max(p.min_load, 1), 'reviewer')} out of this cycle's "
            f"panel, or raise k.",
        ))

    # One application, one reviewer at a time.
    for a in p.applications:
        free = [r for r in p.reviewers if (r.key, a.key) not in p.conflicts]
        if len(free) + p.kept_elsewhere.get(a.key, 0) < p.k:
            only = {0: "no reviewer", 1: "only 1 reviewer"}.get(len(free), f"only {len(free)} "
                                                                           "reviewers")
            lower = f" or lower k to {len(free)}" if len(free) >= 1 else ""
            problems.append(Infeasibility(
                "app_conflicts",
                f"{a.label} has {only} without a conflict but needs {p.k}: add reviewers "
                f"without a conflict with it{lower}.",
            ))
    for r in p.reviewers:
        free_apps = [a for a in p.applications if (r.key, a.key) not in p.conflicts]
        if len(free_apps) < p.min_load:
            problems.append(Infeasibility(
                "reviewer_conflicts",
                f"The minimum load cannot be met for {r.label}: only "
                f"{_plural(len(free_apps), 'application')} without a conflict but the minimum "
                f"load is {p.min_load}: lower the minimum load to {len(free_apps)} or take "
                f"{r.label} out of this cycle's panel.",
            ))
    if problems:
        return problems

    # Groups (Hall's condition), from a minimum cut.
    red = _reduce(p)
    cut = _demand_cut(red)
    if cut:
        group_need = sum(red.need[a] for a in cut)
        free_revs = {r for r, a in red.edges if a in cut}
        relax = []
        m = _smallest_max_load(p)
        if m is not None:
            relax.append(f"raise the maximum load to {m}")
        kk = _largest_k(p)
        if kk is not None:
            relax.append(f"lower k to {kk}")
        relax.insert(0, "add reviewers without a conflict with them")
        problems.append(Infeasibility(
            "group_capacity",
            f"Applications {_names(app_label[a] for a in cut)} need {group_need} more reviews "
            f"together, but the only reviewers without a conflict with them "
            f"({_names(rev_label[r] for r in free_revs) or 'none'}) cannot take that many within "
            f"the maximum load of {p.max_load}: {', '.join(relax[:-1])}"
            f"{' or ' if len(relax) > 1 else ''}{relax[-1]}.",
        ))
        return problems
    fcut = _floor_cut(red)
    if fcut:
        apps = {a for r, a in red.edges if r in fcut}
        app_names = _names(app_label[a] for a in apps) or "none"
        mm = _largest_min_load(p)
        lower = f"lower the minimum load to {mm}" if mm is not None else "lower the minimum load"
        problems.append(Infeasibility(
            "group_min_load",
            f"The minimum load cannot be met: reviewers {_names(rev_label[r] for r in fcut)} "
            f"need at least {_plural(p.min_load, 'application')} each, but the applications "
            f"they can review without a conflict ({app_names}) do "
            f"not need that many reviews: {lower}, or take some of them out of this cycle's "
            "panel.",
        ))
    return problems


# --------------------------------------------------------------------------------------------
# Solving.
# --------------------------------------------------------------------------------------------


def solve(problem: AssignmentProblem, *, time_limit: float = 60.0) -> AssignmentResult:
    """The optimal assignment, or the reasons there is none."""
    problems = diagnose(problem)
    if problems:
        return AssignmentResult(feasible=False, problems=tuple(problems))
    p = problem
    red = _reduce(p)
    app_order = {a.key: i for i, a in enumerate(p.applications)}
    rev_order = {r.key: i for i, r in enumerate(p.reviewers)}
    fixed = sorted(
        (pair for pair in p.fixed if pair[0] in rev_order and pair[1] in app_order),
        key=lambda pr: (app_order[pr[1]], rev_order[pr[0]]),
    )

    edges = [(r, a) for r, a in red.edges if red.need[a] > 0 and red.cap[r] > 0]
    n_x = len(edges)
    # Load slots: reviewer r's j-th extra application costs (fixed_load + j), so filling the
    # cheapest slots first minimizes the sum of squared loads.
    slots: list[tuple[Key, int]] = [
        (r.key, j) for r in p.reviewers for j in range(1, red.cap[r.key] + 1)
    ]
    n_s = len(slots)
    n = n_x + n_s
    rows_a = {a.key: i for i, a in enumerate(p.applications)}
    rows_r = {r.key: len(rows_a) + i for i, r in enumerate(p.reviewers)}
    m = len(rows_a) + len(rows_r)
    data, ri, ci = [], [], []
    for j, (r, a) in enumerate(edges):
        data += [1.0, 1.0]
        ri += [rows_a[a], rows_r[r]]
        ci += [j, j]
    for j, (r, _) in enumerate(slots):
        data.append(-1.0)
        ri.append(rows_r[r])
        ci.append(n_x + j)
    A = sparse.csr_matrix((data, (ri, ci)), shape=(m, n))
    lo = np.zeros(m)
    hi = np.zeros(m)
    for a in p.applications:
        lo[rows_a[a.key]] = hi[rows_a[a.key]] = red.need[a.key]
    # reviewer rows: sum x - sum slots = 0  (slots bound the load above by cap)
    match = np.array([float(p.match.get(e, 0.0)) for e in edges])
    slot_cost = np.array([float(red.fixed_load[r] + j) for r, j in slots])
    # min load: sum of r's slots >= floor  (slots sum equals its load)
    floor_rows = [r.key for r in p.reviewers if red.floor[r.key] > 0]
    constraints = [LinearConstraint(A, lo, hi)]
    if floor_rows:
        fr = {r: i for i, r in enumerate(floor_rows)}
        fd, fri, fci = [], [], []
        for j, (r, _) in enumerate(slots):
            if r in fr:
                fd.append(1.0)
                fri.append(fr[r])
                fci.append(n_x + j)
        F = sparse.csr_matrix((fd, (fri, fci)), shape=(len(floor_rows), n))
        constraints.append(LinearConstraint(
            F, np.array([red.floor[r] for r in floor_rows], dtype=float), np.inf
        ))
    integrality = np.ones(n)
    bounds = Bounds(np.zeros(n), np.ones(n))
    options = {"time_limit": time_limit, "presolve": True}

    # Stage 1: best expertise match.
    c1 = np.concatenate([-match, np.zeros(n_s)])
    first = milp(c1, integrality=integrality, bounds=bounds, constraints=constraints,
                 options=options)
    if first.status != 0 or first.x is None:
        return AssignmentResult(feasible=False, problems=(Infeasibility(
            "solver",
            "The solver found no assignment although the checks passed "
            f"({first.message}); relax the loads or k and run again.",
        ),))
    best = float(match @ first.x[:n_x])
    # Stage 2: among assignments with that match, the most balanced loads.
    keep = LinearConstraint(
        np.concatenate([match, np.zeros(n_s)]).reshape(1, -1),
        best - 1e-7 * max(1.0, abs(best)), np.inf,
    )
    c2 = np.concatenate([np.zeros(n_x), slot_cost])
    second = milp(c2, integrality=integrality, bounds=bounds,
                  constraints=[*constraints, keep], options=options)
    x = second.x if second.status == 0 and second.x is not None else first.x
    chosen = [edges[j] for j in range(n_x) if x[j] > 0.5]
    added = sorted(chosen, key=lambda pr: (app_order[pr[1]], rev_order[pr[0]]))
    pairs = sorted([*fixed, *added], key=lambda pr: (app_order[pr[1]], rev_order[pr[0]]))
    loads = {r.key: 0 for r in p.reviewers}
    for r, _ in pairs:
        loads[r] += 1
    total = sum(float(p.match.get(pr, 0.0)) for pr in pairs)
    return AssignmentResult(
        feasible=True, pairs=tuple(pairs), added=tuple(added), loads=loads, total_match=total
    )


def expertise_match(reviewer_tags: Iterable[str], application_tags: Iterable[str]) -> float:
    """The number of the application's expertise tags the reviewer has."""
    return float(len(set(reviewer_tags) & set(application_tags)))
