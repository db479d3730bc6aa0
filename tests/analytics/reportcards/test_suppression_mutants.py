"""Suppression rules that survived mutation testing (bin/mutation, docs/testing.md): the exact
(rank) check protects a lone group of hidden cells that the equations pin down, even with the
bound check off (the equation-only guarantee), and the work the bound check did is counted."""

from __future__ import annotations

import numpy as np

from playbook.analytics.reportcards.suppression import SuppressionStats, relation_matrix, suppress

from .test_suppression import _kennedy, _run, determined

# Three published totals over three groups, each total the sum of two groups:
# p1 = a + b, p2 = b + c, p3 = a + c. Group a (3 students) is small. The local rule hides b
# beside a in p1 and c beside a in p3; then every relation has two hidden cells, yet the
# three equations in three unknowns give a = (p1 + p3 - p2) / 2 = 3.
TRIANGLE = {"cells": ["p1", "p2", "p3", "a", "b", "c"],
            "n": {"p1": 23, "p2": 40, "p3": 23, "a": 3, "b": 20, "c": 20},
            "published": {"p1", "p2", "p3", "a", "b", "c"}, "min_n": 10,
            "eqs": [{"p1": 1, "a": -1, "b": -1}, {"p2": 1, "b": -1, "c": -1},
                    {"p3": 1, "a": -1, "c": -1}]}


def test_a_single_group_pinned_down_by_its_equations_gets_more_cells_hidden():
    sup = _run(TRIANGLE, bounds=False)
    assert {"a", "b", "c"} < sup  # the local rule's cells, and at least one more
    known = {c: TRIANGLE["n"][c] for c in TRIANGLE["cells"] if c not in sup}
    unknowns = [c for c in TRIANGLE["cells"] if c in sup]
    assert not determined(TRIANGLE["eqs"], known, unknowns) & sup


def test_the_bound_check_counts_the_groups_and_programs_it_ran():
    system = _kennedy()
    cells = system["cells"]
    index = {c: i for i, c in enumerate(cells)}
    rows, cols, coefs = [], [], []
    for r, eq in enumerate(system["eqs"]):
        for c, v in eq.items():
            rows.append(r)
            cols.append(index[c])
            coefs.append(float(v))
    relations = relation_matrix(rows=np.array(rows), cols=np.array(cols),
                                coefs=np.array(coefs), n_relations=len(system["eqs"]),
                                n_cells=len(cells))
    stats = SuppressionStats()
    suppress(n=np.array([system["n"][c] for c in cells]),
             published=np.array([c in system["published"] for c in cells]),
             relations=relations, min_n=system["min_n"], stats=stats)
    assert stats.primary == 4 and stats.bound_rule >= 1
    assert stats.bound_groups >= 1 and stats.bound_programs >= stats.bound_groups
