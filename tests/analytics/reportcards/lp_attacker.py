"""An attacker that uses inequalities, not only equations (issue 9; decision 0008).

It reads only what is published, the report-card rows (``results.csv`` of every framework),
the registry's membership and, if given, a directory's enrollment figures, and writes what a
reader knows as a mixed-integer program:

* every count is a non-negative integer, and a published count is known;
* a hidden count is at least 1 where the publication's policy never hides a zero
  (``hidden_zeros=False``: every hidden cell; ``True``: only a page's all-students cell);
* all students = the race groups + students with no race on file, = a flag group + its
  complement + those with no flag on file (the residuals are unknowns too, unless there are
  none: then the reader is granted the exact partition), on every page and population;
* a district = its schools, a consortium = its schools, a provider = its models, per subgroup,
  wherever that holds (the reader is granted every exact relation);
* each published percent is its rounding interval: a numerator (students proficient, making
  adequate growth, chronically absent, suspended) lies in ``[(v - 0.05) n, (v + 0.05) n] / 100``;
  a hidden numerator lies in ``[0, n]`` for its (perhaps hidden) count, and numerators share
  their counts' relations;
* each published share of enrollment ``s`` of a subgroup: ``(s - 0.05) / 100 * all <= n <=
  (s + 0.05) / 100 * all``;
* a directory's enrollment of a school is its all-students enrollment.

For every hidden count and numerator it finds the smallest and largest integer value
consistent with all of that (HiGHS, ``scipy.optimize.milp``, per connected group of unknowns)
and reports the cells whose range holds fewer than ``min_range`` integers; for a numerator,
fewer than ``min(min_range, n + 1)`` for its true count ``n`` (decision 0008: of one student
the reader must not learn the outcome, so both 0 and 1 must stay possible; of none there is
nothing to learn).
The true values are used only to stop early (a cell shown to take values ``min_range - 1``
apart is not recovered, whatever the exact bounds are) and to grant relations that hold.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

RACES = ["HI", "AM", "AS", "BL", "PI", "WH", "MU"]
PAIRS = [("econ_disadvantaged", "not_econ_disadvantaged"), ("disability", "no_disability"),
         ("english_learner", "not_english_learner")]
PARTS = [("~race", RACES), *[(f"~{a}", [a, b]) for a, b in PAIRS]]
SUBGROUPS = ["all", *RACES, *[x for p in PAIRS for x in p]]
#: measures whose value is 100 x (a count of students) / n
COUNT_PERCENTS = {"percent_proficient", "chronic_absence_rate", "suspension_rate",
                  "percent_adequate_growth"}
BIG = 10**7


@dataclass
class Attack:
    """What the attacker recovered: cells whose feasible range holds too few integers."""

    counts: list[tuple[Any, ...]] = field(default_factory=list)
    numerators: list[tuple[Any, ...]] = field(default_factory=list)
    ranges: dict[tuple[Any, ...], tuple[int, int]] = field(default_factory=dict)
    targets: int = 0
    programs: int = 0

    @property
    def small_counts(self) -> list[tuple[Any, ...]]:
        return [k for k in self.counts if self.ranges[k][1] < 10]


class _Program:
    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.truth: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def var(self, key: Any, lb: float, ub: float, truth: float) -> int:
        if key in self.index:
            i = self.index[key]
            self.lb[i] = max(self.lb[i], lb)
            self.ub[i] = min(self.ub[i], ub)
            return i
        self.index[key] = len(self.lb)
        self.lb.append(lb)
        self.ub.append(ub)
        self.truth.append(truth)
        return self.index[key]

    def row(self, coefs: Mapping[int, float], lo: float, hi: float) -> None:
        merged: dict[int, float] = defaultdict(float)
        for i, c in coefs.items():
            merged[i] += c
        self.rows.append(({i: c for i, c in merged.items() if c}, lo, hi))


def attack_report_cards(*, results: Iterable[Mapping[str, Any]], frameworks: Iterable[Any],
                        entities: Iterable[Mapping[str, Any]],
                        truth: Mapping[tuple[Any, ...], tuple[int, dict[str, int]]],
                        hidden_zeros: bool, min_n: int = 10, min_range: int = 3,
                        directory: Mapping[tuple[str, int], int] | None = None,
                        numerators: bool = True) -> Attack:
    """``truth``: (population, year, entity type, entity id, subgroup) -> (n, {metric id:
    numerator}) for every cell and residual (from the engine's cells: used to stop early and
    to grant the relations and residuals that hold; never as a bound). ``directory``:
    (school id, year) -> enrollment shown by a directory."""
    pop_of: dict[tuple[str, str], str] = {}
    measure: dict[tuple[str, str], str] = {}
    bands: dict[tuple[str, str, str], dict[str, tuple[float, float]]] = {}
    for fw in frameworks:
        for comp, m in fw.metrics():
            pop_of[(comp.id, m.id)] = m.population
            measure[(comp.id, m.id)] = m.measure
            bands[(fw.name, comp.id, m.id)] = _level_bands(fw, m)
    pop_of[("context", "enrollment")] = "enrollment"
    P = _Program()
    targets: dict[int, tuple[Any, ...]] = {}
    pages: set[tuple[str, int, str, str]] = set()
    num_metrics: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def true_n(key: tuple[Any, ...]) -> int:
        return truth.get(key, (0, {}))[0]

    def true_x(key: tuple[Any, ...], metric: str) -> int:
        return truth.get(key, (0, {}))[1].get(metric, 0)

    def n_var(key: tuple[Any, ...], lb: float = 0.0, ub: float = BIG) -> int:
        return P.var(("n", *key), lb, ub, true_n(key))

    def x_var(comp_metric: tuple[str, str], key: tuple[Any, ...], lb: float = 0.0,
              ub: float = BIG) -> int:
        return P.var(("x", comp_metric, *key), lb, ub, true_x(key, comp_metric[1]))

    shares: list[tuple[tuple[Any, ...], float]] = []
    needs: dict[int, int] = {}  # a numerator's span needed where it is below min_range - 1
    for r in results:
        cm = (r["component"], r["metric"])
        if r["metric"] == "score" or cm not in pop_of:
            continue
        pop = pop_of[cm]
        key = (pop, r["year"], r["entity_type"], r["entity_id"], r["subgroup"])
        pages.add(key[:4])
        if r["suppressed"]:
            lb = 0.0 if hidden_zeros and r["subgroup"] != "all" else 1.0
            i = n_var(key, lb)
            targets[i] = ("n", *key)
        else:
            n = float(r["n"])
            n_var(key, n, n)
        if cm == ("context", "enrollment"):
            if (not r["suppressed"] and r["subgroup"] != "all" and r["value"] is not None):
                shares.append((key, float(r["value"])))
            continue
        if not numerators or measure.get(cm) not in COUNT_PERCENTS:
            continue
        num_metrics[pop].add(cm)
        if r["suppressed"]:
            j = x_var(cm, key)
            P.row({j: 1.0, P.index[("n", *key)]: -1.0}, -math.inf, 0.0)
            targets[j] = ("x", cm, *key)
            needs[j] = min(min_range, true_n(key) + 1) - 1
        elif r["value"] is None:
            n = float(r["n"])
            band = bands.get((r["framework"], *cm), {}).get(r["level"] or "")
            if band is None:
                x_var(cm, key, 0.0, n)
            else:  # a hidden percent whose level is published: the level's band
                low, high = band
                lo = math.ceil((low - 0.05) * n / 100.0 - 1e-9) if low > -math.inf else 0
                hi = (math.ceil((high - 0.05) * n / 100.0 - 1e-9) - 1 if high < math.inf
                      else n)
                x_var(cm, key, max(lo, 0), min(hi, n))
        else:
            n, v = float(r["n"]), float(r["value"])
            lo = math.ceil((v - 0.05) * n / 100.0 - 1e-9)
            hi = math.floor((v + 0.05) * n / 100.0 + 1e-9)
            x_var(cm, key, max(lo, 0), min(hi, n))
    # shares of enrollment
    for key, s in shares:
        i = P.index[("n", *key)]
        a = P.index.get(("n", *key[:4], "all"))
        if a is None:
            continue
        P.row({i: 1.0, a: -(s - 0.05) / 100.0}, -1e-9, math.inf)
        P.row({i: 1.0, a: -(s + 0.05) / 100.0}, -math.inf, 1e-9)
    # directory
    for (school, year), value in (directory or {}).items():
        i = P.index.get(("n", "enrollment", year, "school", school, "all"))
        if i is not None:
            P.row({i: 1.0}, value, value)
    # partitions on every page
    for page in pages:
        pop = page[0]
        if ("n", *page, "all") not in P.index:
            continue
        for name, groups in PARTS:
            res = (*page, name)
            parts = [g for g in groups if ("n", *page, g) in P.index]
            coefs = {P.index[("n", *page, "all")]: 1.0}
            coefs.update({P.index[("n", *page, g)]: -1.0 for g in parts})
            if true_n(res):
                r_i = n_var(res)
                coefs[r_i] = -1.0
                if true_n(res) < min_n:
                    targets[r_i] = ("n", *res)
            P.row(coefs, 0.0, 0.0)
            for cm in num_metrics.get(pop, ()):
                if ("x", cm, *page, "all") not in P.index:
                    continue
                cx = {P.index[("x", cm, *page, "all")]: 1.0}
                cx.update({P.index[("x", cm, *page, g)]: -1.0 for g in parts
                           if ("x", cm, *page, g) in P.index})
                if true_n(res):
                    xr = x_var(cm, res)
                    cx[xr] = -1.0
                    P.row({xr: 1.0, P.index[("n", *res)]: -1.0}, -math.inf, 0.0)
                P.row(cx, 0.0, 0.0)
    # entities made of others
    schools: dict[tuple[str, str], set[str]] = defaultdict(set)
    models: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        if e["entity_type"] in ("school", "district", "consortium"):
            schools[(e["entity_type"], e["entity_id"])].add(e["school_id"])
        elif e["entity_type"] == "provider":
            models[e["entity_id"]].add(e["model_id"])
    by_pop_year: dict[tuple[str, int], set[tuple[str, str]]] = defaultdict(set)
    for pop, year, et, eid in pages:
        by_pop_year[(pop, year)].add((et, eid))
    for (pop, year), present in by_pop_year.items():
        families: list[tuple[tuple[str, str], list[tuple[str, str]]]] = []
        for parent in present:
            if parent[0] in ("district", "consortium") and parent in schools:
                kids = [k for k in present if k[0] == "school" and schools[k] <= schools[parent]]
                families.append((parent, kids))
            if parent[0] == "provider":
                families.append((parent, [("model", m) for m in models[parent[1]]
                                          if ("model", m) in present]))
        for parent, kids in families:
            if not kids:
                continue
            for g in SUBGROUPS:
                pk = (pop, year, *parent, g)
                if ("n", *pk) not in P.index:
                    continue
                kk = [(pop, year, *k, g) for k in kids if ("n", pop, year, *k, g) in P.index]
                if true_n(pk) != sum(true_n(k) for k in kk):
                    continue  # granted only where it holds
                coefs = {P.index[("n", *pk)]: 1.0}
                coefs.update({P.index[("n", *k)]: -1.0 for k in kk})
                P.row(coefs, 0.0, 0.0)
                for cm in num_metrics.get(pop, ()):
                    if ("x", cm, *pk) not in P.index:
                        continue
                    if true_x(pk, cm[1]) != sum(true_x(k, cm[1]) for k in kk):
                        continue
                    cx = {P.index[("x", cm, *pk)]: 1.0}
                    cx.update({P.index[("x", cm, *k)]: -1.0 for k in kk
                               if ("x", cm, *k) in P.index})
                    P.row(cx, 0.0, 0.0)
    return _solve(P, targets, min_range, needs)


def _level_bands(fw: Any, m: Any) -> dict[str, tuple[float, float]]:
    """Level id -> the one-decimal values it stands for, ``low <= v < high``: a published level
    of a hidden percent is this band (decision 0009)."""
    if not m.cuts:
        return {}
    ids = [lv.id for lv in fw.levels]
    out: dict[str, tuple[float, float]] = {}
    # cut values as one-decimal thresholds: "higher": v >= c; "lower": v <= c, i.e. v < c'
    if m.direction == "higher":
        ts = [math.ceil(m.cuts[i] * 10 - 1e-9) / 10 for i in ids[1:]]
        edges = [-math.inf, *ts, math.inf]
        for i, lid in enumerate(ids):
            out[lid] = (edges[i], edges[i + 1])
    else:
        ts = [(math.floor(m.cuts[i] * 10 + 1e-9) + 1) / 10 for i in ids[1:]]
        edges = [math.inf, *ts, -math.inf]
        for i, lid in enumerate(ids):
            out[lid] = (edges[i + 1], edges[i])
    return out


def _solve(P: _Program, targets: dict[int, tuple[Any, ...]], min_range: int,
           needs: Mapping[int, int] | None = None, spread: int = 6) -> Attack:
    out = Attack(targets=len(targets))
    lb, ub, truth = np.array(P.lb), np.array(P.ub), np.array(P.truth, dtype=float)
    assert (lb <= truth + 1e-9).all() and (truth <= ub + 1e-9).all(), "truth outside its bounds"
    fixed = lb == ub
    # connected groups of free variables
    parent = list(range(len(lb)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for coefs, _, _ in P.rows:
        free = [i for i in coefs if not fixed[i]]
        for a, b in itertools.pairwise(free):
            parent[find(a)] = find(b)
    rows_by: dict[int, list[int]] = defaultdict(list)
    for r, (coefs, _, _) in enumerate(P.rows):
        free = [i for i in coefs if not fixed[i]]
        if free:
            rows_by[find(free[0])].append(r)
    vars_by: dict[int, list[int]] = defaultdict(list)
    for i in range(len(lb)):
        if not fixed[i]:
            vars_by[find(i)].append(i)
    need = min_range - 1
    for root, vs in vars_by.items():
        tg = [i for i in vs if i in targets]
        if not tg:
            continue
        local = {v: j for j, v in enumerate(vs)}
        rows = rows_by.get(root, [])
        A = np.zeros((len(rows), len(vs)))
        lo_r = np.zeros(len(rows))
        hi_r = np.zeros(len(rows))
        for k, r in enumerate(rows):
            coefs, lo, hi = P.rows[r]
            shift = sum(c * truth[i] for i, c in coefs.items() if fixed[i])
            for i, c in coefs.items():
                if not fixed[i]:
                    A[k, local[i]] = c
            lo_r[k], hi_r[k] = lo - shift, hi - shift
        bounds = Bounds(lb[vs], ub[vs])
        cons = LinearConstraint(A, lo_r, hi_r) if rows else ()
        integ = np.ones(len(vs))
        lo_v = truth[vs].copy()
        hi_v = truth[vs].copy()

        def solve(c: np.ndarray, integ: Any = integ, bounds: Any = bounds, cons: Any = cons,
                  lo_v: Any = lo_v, hi_v: Any = hi_v) -> None:
            out.programs += 1
            res = milp(c, integrality=integ, bounds=bounds, constraints=cons)
            if res.x is None:
                # HiGHS's MIP presolve (scipy 1.17) calls some feasible programs infeasible (on
                # the 50,000-student demo: 30 numerators, a zero objective solves); without it
                # they solve
                res = milp(c, integrality=integ, bounds=bounds, constraints=cons,
                           options={"presolve": False})
            assert res.x is not None, res.message
            x = np.rint(res.x)
            np.minimum(lo_v, x, out=lo_v)
            np.maximum(hi_v, x, out=hi_v)

        tj = np.array([local[t] for t in tg])
        rng = np.random.default_rng(len(vs))
        for _ in range(spread):
            open_ = tj[hi_v[tj] - lo_v[tj] < need]
            if open_.size <= 1:
                break
            w = np.zeros(len(vs))
            w[open_] = rng.choice([-1.0, 1.0], open_.size) * rng.uniform(0.5, 1.5, open_.size)
            solve(w)
            solve(-w)
        for t in tg:
            j = local[t]
            need_t = (needs or {}).get(t, need)
            for sign in (-1.0, 1.0):
                if hi_v[j] - lo_v[j] >= need_t:
                    break
                e = np.zeros(len(vs))
                e[j] = sign
                solve(e)
            if hi_v[j] - lo_v[j] < need_t:
                key = targets[t]
                out.ranges[key] = (int(lo_v[j]), int(hi_v[j]))
                (out.counts if key[0] == "n" else out.numerators).append(key)
    out.counts.sort(key=str)
    out.numerators.sort(key=str)
    return out


def truth_from_result(result: Any) -> dict[tuple[Any, ...], tuple[int, dict[str, int]]]:
    """(population, year, entity type, entity id, subgroup) -> (n, {metric id: numerator}),
    residuals included, from the engine's unpublished cells (for the attacker's early stop and
    granted relations)."""
    amount_of = {"percent_proficient": "x1", "chronic_absence_rate": "x1",
                 "percent_adequate_growth": "x1", "suspension_rate": "x2"}
    metrics_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for _, m in result.framework.metrics():
        if m.measure in amount_of:
            metrics_of[m.population].append((m.id, amount_of[m.measure]))
    out: dict[tuple[Any, ...], tuple[int, dict[str, int]]] = {}
    rows = result.cells.to_pylist()
    for r in rows:
        key = (r["pop"], r["school_year"], r["entity_type"], r["entity_id"], r["subgroup"])
        out[key] = (r["n"], {mid: r[a] for mid, a in metrics_of.get(r["pop"], [])})
    # residuals: all minus the groups of each partition
    pages = {k[:4] for k in out}
    for page in pages:
        n_all, x_all = out.get((*page, "all"), (0, {}))
        for name, groups in PARTS:
            n = n_all - sum(out.get((*page, g), (0, {}))[0] for g in groups)
            xs = {mid: v - sum(out.get((*page, g), (0, {}))[1].get(mid, 0) for g in groups)
                  for mid, v in x_all.items()}
            if n:
                out[(*page, name)] = (n, xs)
    return out
