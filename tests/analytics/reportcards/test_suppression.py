"""Privacy: no suppressed cell can be recovered by linear arithmetic from what is published.

The attacker here is written independently of the engine: it reads only the published rows
(``results.csv``'s cells) and the structure any reader knows (all students = the race groups,
a group + its complement = all students, a district = its schools, a consortium = its member
districts' schools, a provider = its models when their students are disjoint), writes those as
linear equations over the counts, and asks for each suppressed count whether its unit vector
lies in the row space of the equations restricted to the unknowns (rank test). Numerators
(percent x n) satisfy the same equations, so the same test covers them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playbook.analytics.reportcards import compute_report_cards, load_shipped
from playbook.analytics.reportcards.suppression import relation_matrix, suppress

from .lake import make_lake

RACES = ["HI", "AM", "AS", "BL", "PI", "WH", "MU"]
PAIRS = [("econ_disadvantaged", "not_econ_disadvantaged"), ("disability", "no_disability"),
         ("english_learner", "not_english_learner")]


def determined(equations: list[dict[Any, float]], known: dict[Any, Any],
               unknowns: list[Any]) -> set[Any]:
    """Unknowns whose value the equations fix (rank test on the unknowns' columns)."""
    if not unknowns:
        return set()
    col = {u: i for i, u in enumerate(unknowns)}
    rows = []
    for eq in equations:
        row = np.zeros(len(unknowns))
        touched = False
        for cell, coef in eq.items():
            if cell in col:
                row[col[cell]] += coef
                touched = True
            elif cell not in known:
                raise AssertionError(f"cell {cell} is neither known nor unknown")
        if touched:
            rows.append(row)
    if not rows:
        return set()
    M = np.array(rows)
    # x_u is fixed iff e_u is in the row space of M, i.e. iff every null-space vector of M is
    # zero at u
    _, s, vt = np.linalg.svd(M, full_matrices=M.shape[0] < M.shape[1])
    rank = int((s > 1e-9 * max(1.0, s[0])).sum())
    null = vt[rank:]
    return {u for u, i in col.items() if np.abs(null[:, i]).max(initial=0.0) < 1e-9}


# ----------------------------------------------------------------------------------------------
# 1. The suppression routine on generated tables: parents made of children, each cell split
#    into race groups (with a residual of students with no race on file) and a flag pair.


@st.composite
def tables(draw: Any) -> dict[str, Any]:
    n_children = draw(st.integers(1, 4))
    n_years = draw(st.integers(1, 2))
    counts = {}
    for y in range(n_years):
        for c in range(n_children):
            races = draw(st.lists(st.integers(0, 30), min_size=3, max_size=3))
            unknown_race = draw(st.sampled_from([0, 0, 0, 1, 2, 12]))
            flag = draw(st.integers(0, sum(races) + unknown_race))
            counts[(y, c)] = {"races": races, "residual": unknown_race, "flag": flag}
    return {"n_children": n_children, "n_years": n_years, "counts": counts,
            "min_n": draw(st.sampled_from([3, 5, 10]))}


def _build(t: dict[str, Any]) -> tuple[list[tuple[Any, ...]], dict[Any, int], set[Any],
                                       list[dict[Any, float]]]:
    """cells (ids), n per cell, published cell ids, equations."""
    n: dict[Any, int] = {}
    published: set[Any] = set()
    eqs: list[dict[Any, float]] = []
    entities = [f"c{i}" for i in range(t["n_children"])] + ["parent"]
    for y in range(t["n_years"]):
        for e in entities:
            if e == "parent":
                kids = [t["counts"][(y, c)] for c in range(t["n_children"])]
                races = [sum(k["races"][i] for k in kids) for i in range(3)]
                residual = sum(k["residual"] for k in kids)
                flag = sum(k["flag"] for k in kids)
            else:
                k = t["counts"][(y, int(e[1:]))]
                races, residual, flag = k["races"], k["residual"], k["flag"]
            total = sum(races) + residual
            n[(y, e, "all")] = total
            for i, r in enumerate(races):
                n[(y, e, RACES[i])] = r
            n[(y, e, "~race")] = residual
            n[(y, e, "flag")] = flag
            n[(y, e, "not_flag")] = total - flag
            published |= {(y, e, g) for g in ["all", *RACES[:3], "flag", "not_flag"]}
            eqs.append({(y, e, "all"): 1, **{(y, e, r): -1 for r in RACES[:3]},
                        (y, e, "~race"): -1})
            eqs.append({(y, e, "all"): 1, (y, e, "flag"): -1, (y, e, "not_flag"): -1})
        for g in ["all", *RACES[:3], "~race", "flag", "not_flag"]:
            eqs.append({(y, "parent", g): 1,
                        **{(y, f"c{c}", g): -1 for c in range(t["n_children"])}})
    return list(n), n, published, eqs


@st.composite
def chains(draw: Any) -> dict[str, Any]:
    """A chain of virtual cells the reader knows by subtraction, ending at a small cell.

    ``X0 = Y0 + v1``: v1 (never published, at least ``min_n``, so not protected itself) is the
    only unknown of that relation, and a reader knows it. ``X_i = v_i + v_(i+1) + ...`` pass
    it on, and ``A = v_k + s + ...`` ends at a published cell ``s`` under the minimum. The
    relations and unknown cells form a tree, but one relation has a single unknown, so ``s``
    is determined unless a second cell of the last relation is suppressed: the shape the tree
    shortcut in ``suppression._rank_rule`` must not call safe.
    """
    min_n = draw(st.sampled_from([3, 5, 10]))
    k = draw(st.integers(1, 3))
    v = [draw(st.integers(min_n, 30)) for _ in range(k)]
    s = draw(st.integers(1, min_n - 1))
    n: dict[Any, int] = {}
    published: set[Any] = set()
    eqs: list[dict[Any, float]] = []

    def relation(i: int, parts: list[Any]) -> None:
        extras = draw(st.lists(st.integers(0, 30), max_size=2))
        for j, x in enumerate(extras):
            n[("extra", i, j)] = x
            published.add(("extra", i, j))
        n[("total", i)] = sum(n[c] for c in parts) + sum(extras)
        published.add(("total", i))
        eqs.append({("total", i): 1, **{c: -1 for c in parts},
                    **{("extra", i, j): -1 for j in range(len(extras))}})

    for i, x in enumerate(v):
        n[("v", i)] = x
    n[("y",)] = draw(st.integers(0, 30))
    published.add(("y",))
    relation(0, [("y",), ("v", 0)])
    for i in range(1, k):
        relation(i, [("v", i - 1), ("v", i)])
    n[("s",)] = s
    published.add(("s",))
    relation(k, [("v", k - 1), ("s",)])
    return {"cells": list(n), "n": n, "published": published, "eqs": eqs, "min_n": min_n}


def _system(t: dict[str, Any]) -> dict[str, Any]:
    if "eqs" in t:
        return t
    cells, n, published, eqs = _build(t)
    return {"cells": cells, "n": n, "published": published, "eqs": eqs, "min_n": t["min_n"]}


def _suppress_and_attack(system: dict[str, Any]) -> tuple[set[Any], set[Any]]:
    """(suppressed cells, the suppressed or small virtual cells an attacker recovers)."""
    cells, n, published, eqs = (system["cells"], system["n"], system["published"],
                                system["eqs"])
    min_n = system["min_n"]
    index = {c: i for i, c in enumerate(cells)}
    rows, cols, coefs = [], [], []
    for r, eq in enumerate(eqs):
        for c, v in eq.items():
            rows.append(r)
            cols.append(index[c])
            coefs.append(float(v))
    A = relation_matrix(rows=np.array(rows), cols=np.array(cols), coefs=np.array(coefs),
                        n_relations=len(eqs), n_cells=len(cells))
    sup = suppress(n=np.array([n[c] for c in cells]),
                   published=np.array([c in published for c in cells]), relations=A,
                   min_n=min_n)
    suppressed = {c for c in cells if sup[index[c]]}
    # every published small cell is suppressed
    assert all(c in suppressed for c in published if 0 < n[c] < min_n)
    # the reader knows published unsuppressed cells and every zero
    known = {c: n[c] for c in cells if (c in published and c not in suppressed) or n[c] == 0}
    unknowns = [c for c in cells if c not in known]
    hits = determined(eqs, known, unknowns)
    small_virtual = {c for c in cells if c not in published and 0 < n[c] < min_n}
    return suppressed, hits & (suppressed | small_virtual)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(tables(), chains()))
def test_no_suppressed_count_is_recoverable(t: dict[str, Any]) -> None:
    _, leaked = _suppress_and_attack(_system(t))
    assert not leaked, sorted(leaked, key=str)


def test_a_cell_known_by_subtraction_does_not_make_a_tree_safe() -> None:
    """Five cells, two relations: ``X = Y + v`` (40 = 28 + 12) and ``A = v + s`` (15 = 12 + 3).
    v is never published but is the only unknown of the first relation, so a reader knows it
    is 12; s (3 students) must then get a partner in the second relation, or ``s = 15 - 12``
    gives it away. The unknown cells form a tree, which is safe only when every relation has
    two unknowns."""
    n = {"X": 40, "Y": 28, "v": 12, "A": 15, "s": 3}
    system = {"cells": list(n), "n": n, "published": {"X", "Y", "A", "s"}, "min_n": 10,
              "eqs": [{"X": 1, "Y": -1, "v": -1}, {"A": 1, "v": -1, "s": -1}]}
    suppressed, leaked = _suppress_and_attack(system)
    assert not leaked, sorted(leaked)
    assert suppressed == {"s", "A"}


# ----------------------------------------------------------------------------------------------
# 2. End to end: generated lakes, published results, the attacker reads the rows.


def _attack(result: Any, entities: pa.Table) -> list[Any]:
    rows = result.results.to_pylist()
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        if r["metric"] == "score":
            continue
        cells[(r["component"], r["metric"], r["year"], r["entity_type"], r["entity_id"],
               r["subgroup"])] = r
    known = {k: r["n"] for k, r in cells.items() if not r["suppressed"]}
    # membership as published by the registry
    schools: dict[tuple[str, str], set[str]] = defaultdict(set)
    models: dict[str, set[str]] = defaultdict(set)
    for e in entities.to_pylist():
        if e["entity_type"] in ("school", "district", "consortium"):
            schools[(e["entity_type"], e["entity_id"])].add(e["school_id"])
        elif e["entity_type"] == "provider":
            models[e["entity_id"]].add(e["model_id"])
    pages = {k[:5] for k in cells}
    truth = _truth(result)
    eqs: list[dict[Any, float]] = []
    targets: set[Any] = set()
    for page in pages:
        def c(g: str, page: tuple[Any, ...] = page) -> tuple[Any, ...]:
            return (*page, g)

        if c("all") not in cells:
            continue
        # students with no demographics on file: an unknown the reader cannot see, unless
        # there are none (then the reader is granted the exact partition)
        for name, groups in [("~race", RACES), *[(f"~{a}", [a, b]) for a, b in PAIRS]]:
            eq = {c("all"): 1.0, **{c(g): -1.0 for g in groups}}
            residual = truth.get(c("all"), 0) - sum(truth.get(c(g), 0) for g in groups)
            if residual:
                eq[c(name)] = -1.0
                if residual < result.min_n:
                    targets.add(c(name))
            eqs.append(eq)
    # entities made of schools: a parent = the school entities it contains
    by_year_page: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for page in pages:
        by_year_page[(page[0], page[1], page[2])].append(page)
    for (comp, metric, year), plist in by_year_page.items():
        present = {(p[3], p[4]) for p in plist}
        for parent in present:
            if parent not in schools:
                continue
            if parent[0] == "provider" or parent[0] == "model":
                continue
            kids = [k for k in present if k[0] == "school" and k != parent
                    and schools[k] <= schools[parent]]
            if not kids or parent[0] == "school":
                continue
            for g in ["all", *RACES, *[x for pair in PAIRS for x in pair]]:
                eq = {(comp, metric, year, *parent, g): 1.0}
                eq.update({(comp, metric, year, *k, g): -1.0 for k in kids})
                # only an exact relation is a relation: check it on the true counts
                if _holds(eq, result, comp, metric):
                    eqs.append(eq)
        for provider, mids in models.items():
            if ("provider", provider) not in present:
                continue
            kids = [("model", m) for m in mids if ("model", m) in present]
            for g in ["all", *RACES, *[x for pair in PAIRS for x in pair]]:
                eq = {(comp, metric, year, "provider", provider, g): 1.0}
                eq.update({(comp, metric, year, *k, g): -1.0 for k in kids})
                if _holds(eq, result, comp, metric):
                    eqs.append(eq)
    residuals = {k for eq in eqs for k in eq if k[-1].startswith("~")}
    eqs = [eq for eq in eqs if all(k in cells or k in residuals for k in eq)]
    unknowns = [k for k, r in cells.items() if r["suppressed"]] + sorted(residuals, key=str)
    targets |= {k for k, r in cells.items() if r["suppressed"]}
    # solve per connected group of equations to keep matrices small
    hits: list[Any] = []
    for g_eqs, g_unknowns in _components(eqs, set(unknowns)):
        hits += sorted(determined(g_eqs, known, g_unknowns) & targets, key=str)
    return hits


_TRUE: dict[int, dict[tuple[Any, ...], int]] = {}


def _holds(eq: dict[Any, float], result: Any, comp: str, metric: str) -> bool:
    """Whether the equation holds on the engine's true counts (the attacker is granted it)."""
    truth = _truth(result)
    total = 0.0
    for (c, m, year, et, eid, g), coef in eq.items():
        total += coef * truth.get((c, m, year, et, eid, g), 0)
    return total == 0


def _truth(result: Any) -> dict[tuple[Any, ...], int]:
    if id(result) not in _TRUE:
        _TRUE[id(result)] = _true_counts(result)
    return _TRUE[id(result)]


def _true_counts(result: Any) -> dict[tuple[Any, ...], int]:
    pops = {m.id: (c.id, m.population) for c in result.framework.components for m in c.metrics}
    by_pop: dict[tuple[Any, ...], int] = {}
    for r in result.cells.to_pylist():
        by_pop[(r["pop"], r["school_year"], r["entity_type"], r["entity_id"], r["subgroup"])] = (
            r["n"])
    out = {}
    for metric, (comp, pop) in pops.items():
        for (p, year, et, eid, g), n in by_pop.items():
            if p == pop:
                out[(comp, metric, year, et, eid, g)] = n
    for (p, year, et, eid, g), n in by_pop.items():
        if p == "enrollment":
            out[("context", "enrollment", year, et, eid, g)] = n
    return out


def _components(eqs: list[dict[Any, float]], unknowns: set[Any]
                ) -> list[tuple[list[dict[Any, float]], list[Any]]]:
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for eq in eqs:
        us = [k for k in eq if k in unknowns]
        for a, b in itertools.pairwise(us):
            parent[find(a)] = find(b)
    groups: dict[Any, tuple[list[dict[Any, float]], set[Any]]] = {}
    for eq in eqs:
        us = [k for k in eq if k in unknowns]
        if not us:
            continue
        root = find(us[0])
        g = groups.setdefault(root, ([], set()))
        g[0].append(eq)
        g[1].update(us)
    return [(e, sorted(u, key=str)) for e, u in groups.values()]


@pytest.mark.parametrize("seed", [1, 2])
def test_published_files_resist_linear_recovery(tmp_path: Path, seed: int) -> None:
    lake = make_lake(tmp_path / "lake", seed=seed, students=260 + 40 * seed,
                     missing_demographics=3 * (seed - 1))
    for name in ("school-district-performance", "approved-model-report-card"):
        result = compute_report_cards(framework=load_shipped(name=name), lake_paths=lake.paths,
                                      entities=lake.entities, growth=lake.growth, min_n=10)
        rows = result.results.to_pylist()
        assert any(r["suppressed"] for r in rows)
        # nothing published describes 1-9 students
        assert all(r["n"] is None or r["n"] == 0 or r["n"] >= 10 for r in rows)
        assert all(r["value"] is None and r["level"] is None for r in rows if r["suppressed"])
        assert _attack(result, lake.entities) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_elimination_agrees_with_svd(m: int, k: int, seed: int) -> None:
    from playbook.analytics.reportcards.suppression import _determined

    rng = np.random.default_rng(seed)
    M = rng.choice([-1.0, 0.0, 0.0, 1.0], size=(m, k))
    _, s, vt = np.linalg.svd(M, full_matrices=True)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    expected = np.abs(null).max(axis=0, initial=0.0) < 1e-9
    assert (_determined(M) == expected).all()


# ----------------------------------------------------------------------------------------------
# 3. Inequalities (decision 0008): counts are non-negative integers, a hidden cell holds at
#    least one student unless the policy may hide a zero there, percents are rounding intervals.


def _feasible_range(system: dict[str, Any], sup: set[Any], lower: dict[Any, int],
                    cell: Any) -> tuple[int, int]:
    """The smallest and largest integer value of ``cell`` given the published cells, the
    equations and the reader's lower bounds (an integer program per end, HiGHS)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, published, eqs = system["n"], system["published"], system["eqs"]
    unknown = [c for c in system["cells"] if c in sup or (c not in published and n[c] > 0)]
    col = {c: i for i, c in enumerate(unknown)}
    A, b = [], []
    for eq in eqs:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for c, coef in eq.items():
            if c in col:
                row[col[c]] += coef
            else:
                rhs -= coef * n[c]
        if row.any():
            A.append(row)
            b.append(rhs)
    lb = np.array([lower.get(c, 0) for c in unknown], dtype=float)
    bounds = Bounds(lb, np.full(len(unknown), 1e7))
    cons = LinearConstraint(np.array(A), b, b) if A else ()
    out = []
    for sign in (1.0, -1.0):
        e = np.zeros(len(unknown))
        e[col[cell]] = sign
        res = milp(e, integrality=np.ones(len(unknown)), bounds=bounds, constraints=cons)
        assert res.x is not None
        out.append(round(res.x[col[cell]]))
    return out[0], out[1]


def _run(system: dict[str, Any], **kw: Any) -> set[Any]:
    cells = system["cells"]
    index = {c: i for i, c in enumerate(cells)}
    rows, cols, coefs = [], [], []
    for r, eq in enumerate(system["eqs"]):
        for c, v in eq.items():
            rows.append(r)
            cols.append(index[c])
            coefs.append(float(v))
    A = relation_matrix(rows=np.array(rows), cols=np.array(cols), coefs=np.array(coefs),
                        n_relations=len(system["eqs"]), n_cells=len(cells))
    sup = suppress(n=np.array([system["n"][c] for c in cells]),
                   published=np.array([c in system["published"] for c in cells]), relations=A,
                   min_n=system["min_n"], **kw)
    return {c for c in cells if sup[index[c]]}


def _kennedy() -> dict[str, Any]:
    """Kennedy School, ELA growth 2025 in the issue: all = 14, WH = 10, AS = MU = 0 and four
    groups of one student each."""
    n = {"all": 14, "WH": 10, "AS": 0, "MU": 0, "HI": 1, "AM": 1, "BL": 1, "PI": 1, "~race": 0}
    return {"cells": list(n), "n": n, "published": set(n) - {"~race"}, "min_n": 10,
            "eqs": [{"all": 1, **{g: -1 for g in n if g != "all"}}]}


def test_empty_groups_beside_hidden_ones_are_hidden_too() -> None:
    """Published zeros told the reader each hidden group holds at least one student, so four
    hidden groups sharing 4 students held one each. Zeros in a partition with a hidden cell are
    now hidden too (a hidden cell may be empty): each hidden group may hold 0 to 4."""
    system = _kennedy()
    sup = _run(system, zero_follow=np.array([True]))
    assert sup == {"AS", "MU", "HI", "AM", "BL", "PI"}  # the white students stay published
    for cell in sup:
        lo, hi = _feasible_range(system, sup, {}, cell)
        assert hi - lo >= 2, (cell, lo, hi)


def test_without_hidden_zeros_the_bounds_ask_for_more_cells() -> None:
    """Where zeros stay published (a hidden cell holds at least one student), the bound check
    suppresses a larger cell until every hidden group has three possible values."""
    system = _kennedy()
    sup = _run(system)
    assert {"HI", "AM", "BL", "PI"} < sup and "AS" not in sup and "MU" not in sup
    for cell in sup:
        lo, hi = _feasible_range(system, sup, dict.fromkeys(sup, 1), cell)
        assert hi - lo >= 2, (cell, lo, hi)


def test_a_zero_that_stays_zero_whatever_is_hidden_is_published() -> None:
    """A district with no Asian students: its schools' Asian groups are 0 whatever else is
    hidden, so hiding them would protect nothing and they are published as 0."""
    # school s1: 9 white and 3 Black students; s2: 18 white and 12 Black; no Asian students
    n = {"d": 42, "d_AS": 0, "d_WH": 27, "d_BL": 15, "s1": 12, "s1_AS": 0, "s1_WH": 9,
         "s1_BL": 3, "s2": 30, "s2_AS": 0, "s2_WH": 18, "s2_BL": 12}
    eqs = [{"d": 1, "d_AS": -1, "d_WH": -1, "d_BL": -1},
           {"s1": 1, "s1_AS": -1, "s1_WH": -1, "s1_BL": -1},
           {"s2": 1, "s2_AS": -1, "s2_WH": -1, "s2_BL": -1},
           {"d": 1, "s1": -1, "s2": -1}, {"d_AS": 1, "s1_AS": -1, "s2_AS": -1},
           {"d_WH": 1, "s1_WH": -1, "s2_WH": -1}, {"d_BL": 1, "s1_BL": -1, "s2_BL": -1}]
    system = {"cells": list(n), "n": n, "published": set(n), "min_n": 10, "eqs": eqs}
    sup = _run(system, zero_follow=np.array([True, True, True, False, False, False, False]))
    assert "s1_BL" in sup and "s1_AS" not in sup  # pinned at 0 by the district's 0
    lower = {c: (1 if c in ("d", "s1", "s2") else 0) for c in sup}
    for cell in sup:
        lo, hi = _feasible_range(system, sup, lower, cell)
        assert hi - lo >= 2, (cell, lo, hi)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(tables(), chains()))
def test_no_suppressed_count_is_narrowed_below_three_values(t: dict[str, Any]) -> None:
    """Generated tables: with published zeros (a hidden cell holds at least one student), every
    hidden cell and every virtual cell under the minimum keeps at least three possible values."""
    system = _system(t)
    sup = _run(system)
    n, published = system["n"], system["published"]
    small_virtual = {c for c in system["cells"]
                     if c not in published and 0 < n[c] < system["min_n"]}
    lower = {c: 1 for c in sup}
    for cell in sorted(sup | small_virtual, key=str):
        lo, hi = _feasible_range(system, sup, lower, cell)
        assert hi - lo >= 2, (cell, lo, hi)


def _attack_run(tmp_path: Path, seed: int, numerators: bool = False) -> Any:
    from .lp_attacker import attack_report_cards, truth_from_result

    lake = make_lake(tmp_path / "lake", seed=seed, students=260 + 40 * seed,
                     missing_demographics=3 * (seed - 1))
    rows: list[dict[str, Any]] = []
    truth: dict[Any, Any] = {}
    frameworks = []
    for name in ("school-district-performance", "approved-model-report-card"):
        result = compute_report_cards(framework=load_shipped(name=name), lake_paths=lake.paths,
                                      entities=lake.entities, growth=lake.growth, min_n=10)
        rows += result.results.to_pylist()
        truth.update(truth_from_result(result))
        frameworks.append(result.framework)
    # the reader knows the publication's policy: whether a hidden cell may be an empty group
    # (decision 0008) or holds at least one student (empty groups published as 0)
    pop_of = {m.id: m.population for fw in frameworks for _, m in fw.metrics()}
    pop_of["enrollment"] = "enrollment"
    hidden_zeros = any(
        truth.get((pop_of[r["metric"]], r["year"], r["entity_type"], r["entity_id"],
                   r["subgroup"]), (0, {}))[0] == 0
        for r in rows if r["suppressed"] and r["metric"] in pop_of)
    return rows, attack_report_cards(results=rows, frameworks=frameworks,
                                     entities=lake.entities.to_pylist(), truth=truth,
                                     hidden_zeros=hidden_zeros, numerators=numerators)


@pytest.mark.parametrize("seed", [1, 2])
def test_published_files_resist_an_inequality_attacker(tmp_path: Path, seed: int) -> None:
    """Every file of both frameworks together, read by the linear-programming attacker: no
    hidden count is narrowed below three values, and no share of enrollment is published
    beside a hidden enrollment (12 students = 85.7% of it gives it away)."""
    rows, attack = _attack_run(tmp_path, seed)
    assert attack.targets > 0
    assert attack.counts == [], [(k, attack.ranges[k]) for k in attack.counts[:10]]
    hidden_total = {(r["framework"], r["entity_type"], r["entity_id"], r["year"])
                    for r in rows if r["metric"] == "enrollment" and r["subgroup"] == "all"
                    and r["suppressed"]}
    shares = [r for r in rows if r["metric"] == "enrollment" and r["subgroup"] != "all"
              and r["value"] is not None
              and (r["framework"], r["entity_type"], r["entity_id"], r["year"]) in hidden_total]
    assert shares == []


# ----------------------------------------------------------------------------------------------
# 4. Numerators (decision 0009): a published percent is its rounding interval, a published
#    level the band of its value; no hidden numerator keeps fewer than min(3, n + 1) values.


def _numerator_range(n: dict[str, int], x: dict[str, int], shown: dict[str, float],
                     cell: str) -> tuple[int, int]:
    """The reader's smallest and largest numerator of ``cell`` on one partition ``all = the
    rest``, counts known, each shown percent its rounding interval (HiGHS, written apart from
    the engine)."""
    import math

    from scipy.optimize import Bounds, LinearConstraint, milp

    names = list(n)
    lb, ub = [], []
    for c in names:
        if c in shown:
            v = shown[c]
            lb.append(max(0, math.ceil((v - 0.05) * n[c] / 100 - 1e-9)))
            ub.append(min(n[c], math.floor((v + 0.05) * n[c] / 100 + 1e-9)))
        else:
            lb.append(0)
            ub.append(n[c])
    row = np.array([1.0 if c == "all" else -1.0 for c in names])
    out = []
    for sign in (1.0, -1.0):
        e = np.zeros(len(names))
        e[names.index(cell)] = sign
        res = milp(e, integrality=np.ones(len(names)), bounds=Bounds(lb, ub),
                   constraints=LinearConstraint(row[None, :], 0, 0))
        assert res.x is not None
        out.append(round(res.x[names.index(cell)]))
    return out[0], out[1]


def test_a_rounded_percent_no_longer_pins_the_hidden_groups_numerators() -> None:
    """All students: 25 at 8.0% (exactly 2 proficient); the published groups' percents hold
    both (WH 2 of 15 = 13.3%, HI 0 of 5 = 0.0%), so the hidden BL (2) and AS (3) held none:
    pinned at 0. The cover hides WH's percent (its count stays): then BL may hold 0 to 2."""
    from playbook.analytics.reportcards.numerators import protect_numerators, rounding_box

    cells = ["all", "WH", "BL", "AS", "HI", "~race"]
    n = {"all": 25, "WH": 15, "BL": 2, "AS": 3, "HI": 5, "~race": 0}
    x = {"all": 2, "WH": 2, "BL": 0, "AS": 0, "HI": 0, "~race": 0}
    hidden = {"BL", "AS"}
    shown = {c: round(100 * x[c] / n[c], 1) for c in cells if c not in hidden and n[c]}
    assert shown["all"] == 8.0 and shown["WH"] == 13.3
    # without cover the reader pins both hidden numerators
    assert _numerator_range(n, x, shown, "BL") == (0, 0)
    assert _numerator_range(n, x, shown, "AS") == (0, 0)
    A = relation_matrix(rows=np.zeros(6, np.int64), cols=np.arange(6),
                        coefs=np.array([1.0, -1, -1, -1, -1, -1]), n_relations=1, n_cells=6)
    nv = np.array([n[c] for c in cells])
    xv = np.array([x[c] for c in cells])
    v = np.array([shown.get(c, np.nan) for c in cells])
    lo, hi = rounding_box(nv, v)
    assert (lo[:2] == 2).all() and (hi[:2] == 2).all()
    sup = np.array([c in hidden for c in cells])
    hide = protect_numerators(n=nv, x=xv, relations=A, lo=lo, hi=hi,
                              hidden_lo=np.zeros(6, np.int64), hidden_hi=nv, targets=sup,
                              coverable=~sup & (nv > 0), rated=np.zeros(6, bool))
    covered = {c for c, h in zip(cells, hide.tolist(), strict=True) if h}
    # HI's percent is no use (it holds nobody to move); WH, the only other one, is hidden
    assert covered == {"WH"}
    shown = {c: v for c, v in shown.items() if c not in covered}
    assert _numerator_range(n, x, shown, "BL") == (0, 2)
    assert _numerator_range(n, x, shown, "AS") == (0, 2)


def test_a_hidden_percent_keeps_its_level_and_the_reader_gets_only_its_band() -> None:
    """A rated cell's percent hidden for cover keeps its level: the reader knows the value lies
    in the level's band (sufficient: 40.0 to 64.9), i.e. 16 to 25 of 40 students."""
    from playbook.analytics.reportcards.numerators import band_box, rounding_box

    lo, hi = band_box(np.array([40, 40]), np.array([40.0, np.nan]), np.array([65.0, 40.0]))
    assert (lo.tolist(), hi.tolist()) == ([16, 0], [25, 15])
    # 8.0% of 25: 2; 11.1% of 18: 2; 0.0% of 7: 0; 50.0% of 1000: 500 only
    lo, hi = rounding_box(np.array([25, 18, 7, 1000]), np.array([8.0, 11.1, 0.0, 50.0]))
    assert lo.tolist() == [2, 2, 0, 500] and hi.tolist() == [2, 2, 0, 500]
    lo, hi = rounding_box(np.array([2000]), np.array([50.0]))
    assert (lo.tolist(), hi.tolist()) == ([999], [1000])  # 1001 of 2000: 50.05%, shown 50.1


def test_a_program_presolve_calls_infeasible_is_asked_again_without_it(monkeypatch) -> None:
    """scipy 1.17's HiGHS MIP presolve calls some feasible programs infeasible; the fallback
    asks again without presolve (here a presolve that refuses every program stands in for
    it)."""
    import scipy.optimize

    from playbook.analytics.reportcards import suppression

    real = scipy.optimize.milp
    calls: list[Any] = []

    def flaky(*args: Any, options: Any = None, **kw: Any) -> Any:
        calls.append(options)
        res = real(*args, options=options, **kw)
        if (options or {}).get("presolve", True) is not False:
            res.x = None
        return res

    monkeypatch.setattr(scipy.optimize, "milp", flaky)
    M = np.array([[1.0, -1.0, -1.0]])
    x = suppression._milp(np.array([0.0, 1.0, 0.0]), M, np.zeros(1), np.array([3.0, 0, 0]),
                          np.array([3.0, 3, 3]))
    assert x is not None and x.tolist() == [3, 0, 3]
    assert calls == [None, {"presolve": False}]
    # and the relaxation's fallback reaches it: a program whose HiGHS model is unavailable
    monkeypatch.setattr(suppression, "_highs_model", lambda *a: None)
    program = suppression._Program(M, np.zeros(1), np.array([3.0, 0, 0]),
                                   np.array([3.0, 3, 3]), suppression.SuppressionStats())
    assert program.solve(np.array([0.0, -1.0, 0.0])).tolist() == [3, 3, 0]


def _floor(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The most the policy can hide: every percent of a count-percent measure hidden, levels
    kept (decision 0009 never withdraws a level for numerator cover)."""
    from .lp_attacker import COUNT_PERCENTS

    measures = {(m.id): m.measure for name in ("school-district-performance",
                                               "approved-model-report-card")
                for _, m in load_shipped(name=name).metrics()}
    return [dict(r, value=None) if measures.get(r["metric"]) in COUNT_PERCENTS
            and not r["suppressed"] else r for r in rows]


@pytest.mark.parametrize("seed", [1, 2])
def test_no_hidden_numerator_is_narrowed_by_rounded_percents(tmp_path: Path, seed: int) -> None:
    """Both frameworks' files, percents read as rounding intervals and levels as bands: no
    hidden cell's numerator keeps fewer than min(3, n + 1) values, except where the published
    levels alone pin it (all students 0.0% suspended, "exemplary": every group at 0), which
    no hidden percent can change."""
    from .lp_attacker import attack_report_cards, truth_from_result

    rows, attack = _attack_run(tmp_path, seed, numerators=True)
    assert any(r["value_suppressed"] for r in rows)
    hidden_pct = [r for r in rows if r["value_suppressed"]]
    assert all(r["value"] is None and r["n"] is not None and not r["suppressed"]
               for r in hidden_pct)
    if not attack.numerators:
        return
    # what the levels alone give away: the same attack on the publication with every percent
    # hidden and every level kept
    lake = make_lake(tmp_path / "lake2", seed=seed, students=260 + 40 * seed,
                     missing_demographics=3 * (seed - 1))
    truth: dict[Any, Any] = {}
    frameworks = []
    for name in ("school-district-performance", "approved-model-report-card"):
        result = compute_report_cards(framework=load_shipped(name=name), lake_paths=lake.paths,
                                      entities=lake.entities, growth=lake.growth, min_n=10)
        truth.update(truth_from_result(result))
        frameworks.append(result.framework)
    floor = attack_report_cards(results=_floor(rows), frameworks=frameworks,
                                entities=lake.entities.to_pylist(), truth=truth,
                                hidden_zeros=True, numerators=True)
    beyond = sorted(set(attack.numerators) - set(floor.numerators), key=str)
    assert beyond == [], [(k, attack.ranges[k]) for k in beyond[:10]]


@st.composite
def tables_with_numerators(draw: Any) -> dict[str, Any]:
    """``tables()`` with a numerator per cell (students proficient), additive like the counts:
    each child's race groups and residual draw theirs, the flag pair splits the child's, the
    parent sums its children."""
    t = draw(tables())
    system = _system(t)
    n, eqs = system["n"], system["eqs"]
    x: dict[Any, int] = {}
    for y in range(t["n_years"]):
        for c in range(t["n_children"]):
            e = f"c{c}"
            for g in [*RACES[:3], "~race"]:
                x[(y, e, g)] = draw(st.integers(0, n[(y, e, g)]))
            x[(y, e, "all")] = sum(x[(y, e, g)] for g in [*RACES[:3], "~race"])
            total, flag = n[(y, e, "all")], n[(y, e, "flag")]
            xa = x[(y, e, "all")]
            x[(y, e, "flag")] = draw(st.integers(max(0, xa - (total - flag)), min(flag, xa)))
            x[(y, e, "not_flag")] = xa - x[(y, e, "flag")]
        for g in ["all", *RACES[:3], "~race", "flag", "not_flag"]:
            x[(y, "parent", g)] = sum(x[(y, f"c{c}", g)] for c in range(t["n_children"]))
    assert all(sum(coef * x[k] for k, coef in eq.items()) == 0 for eq in eqs)
    return {**system, "x": x}


def _numerator_leaks(system: dict[str, Any]) -> list[tuple[Any, int, int]]:
    """Suppress the counts, cover the numerators, then read what is published as the
    inequality attacker (written apart from the engine): counts non-negative integers (a
    hidden cell at least 1: zeros are published here), published counts known, a shown
    percent its rounding interval, a hidden one ``[0, n]``, numerators obeying the counts'
    equations. Returns the hidden cells whose numerator keeps fewer than min(3, n + 1) values.
    """
    import math

    from scipy.optimize import Bounds, LinearConstraint, milp

    from playbook.analytics.reportcards.numerators import protect_numerators, rounding_box

    cells, n, x, published, eqs = (system["cells"], system["n"], system["x"],
                                   system["published"], system["eqs"])
    index = {c: i for i, c in enumerate(cells)}
    rows, cols, coefs = [], [], []
    for r, eq in enumerate(eqs):
        for c, v in eq.items():
            rows.append(r)
            cols.append(index[c])
            coefs.append(float(v))
    A = relation_matrix(rows=np.array(rows), cols=np.array(cols), coefs=np.array(coefs),
                        n_relations=len(eqs), n_cells=len(cells))
    nv = np.array([n[c] for c in cells])
    xv = np.array([x[c] for c in cells])
    pub = np.array([c in published for c in cells])
    sup = suppress(n=nv, published=pub, relations=A, min_n=system["min_n"])
    shown = pub & ~sup & (nv > 0)
    v = np.where(shown, np.floor(1000.0 * xv / np.maximum(nv, 1) + 0.5 + 1e-9) / 10.0, np.nan)
    lo, hi = rounding_box(nv, v)
    hide = protect_numerators(n=nv, x=xv, relations=A, lo=lo, hi=hi,
                              hidden_lo=np.zeros(nv.size, np.int64), hidden_hi=nv,
                              targets=sup, coverable=shown, rated=np.zeros(nv.size, bool))
    assert not (hide & ~shown).any()
    # the attacker: variables n_c (unknown counts) then x_c (every numerator)
    unknown = [c for c in cells if sup[index[c]] or (c not in published and n[c] > 0)]
    ncol = {c: i for i, c in enumerate(unknown)}
    xcol = {c: len(unknown) + i for i, c in enumerate(cells)}
    size = len(unknown) + len(cells)
    lb, ub = np.zeros(size), np.full(size, 1e7)
    for c in unknown:
        lb[ncol[c]] = 1.0 if sup[index[c]] else 0.0
    M, lo_r, hi_r = [], [], []
    for eq in eqs:
        row, rhs = np.zeros(size), 0.0
        for c, coef in eq.items():
            if c in ncol:
                row[ncol[c]] += coef
            else:
                rhs -= coef * n[c]
        if row.any():
            M.append(row)
            lo_r.append(rhs)
            hi_r.append(rhs)
        row = np.zeros(size)
        for c, coef in eq.items():
            row[xcol[c]] += coef
        M.append(row)
        lo_r.append(0.0)
        hi_r.append(0.0)
    for c in cells:
        j = xcol[c]
        if c in ncol:
            row = np.zeros(size)
            row[j], row[ncol[c]] = 1.0, -1.0
            M.append(row)
            lo_r.append(-np.inf)
            hi_r.append(0.0)
        elif shown[index[c]] and not hide[index[c]]:
            val = v[index[c]]
            lb[j] = max(0, math.ceil((val - 0.05) * n[c] / 100 - 1e-9))
            ub[j] = min(n[c], math.floor((val + 0.05) * n[c] / 100 + 1e-9))
        else:
            ub[j] = n[c]
    cons = LinearConstraint(np.array(M), lo_r, hi_r)
    leaks = []
    for c in cells:
        if not sup[index[c]]:
            continue
        ends = []
        for sign in (1.0, -1.0):
            e = np.zeros(size)
            e[xcol[c]] = sign
            res = milp(e, integrality=np.ones(size), bounds=Bounds(lb, ub), constraints=cons)
            if res.x is None:
                res = milp(e, integrality=np.ones(size), bounds=Bounds(lb, ub),
                           constraints=cons, options={"presolve": False})
            assert res.x is not None, res.message
            ends.append(round(res.x[xcol[c]]))
        if ends[1] - ends[0] < min(2, n[c]):
            leaks.append((c, ends[0], ends[1]))
    return leaks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables_with_numerators())
def test_no_hidden_numerator_is_narrowed_on_generated_tables(system: dict[str, Any]) -> None:
    """Generated tables with numerators: after the count suppression and the numerator cover,
    no hidden cell's numerator keeps fewer than min(3, n + 1) values."""
    assert _numerator_leaks(system) == []
