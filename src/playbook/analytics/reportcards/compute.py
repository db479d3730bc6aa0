"""Computing report cards: cells on an engine, suppression, values, levels and ratings.

``compute_report_cards`` runs one framework over one snapshot:

1. the one SQL statement (``sql.py``) on DuckDB or Spark returns integer *cells*: for every
   entity, year, population and subgroup the number of students and additive amounts (number
   proficient, days present, ...) and the median SGP;
2. cells are laid on a grid of pages (entity-year) x populations x subgroup slots, and the
   linear relations a reader knows are written down (subgroup partitions, entities made of
   other entities, providers made of their models);
3. ``suppression.suppress`` decides which published cells are hidden;
4. values (rounded to one decimal), levels from the cut points, component scores and the
   overall rating follow in NumPy.

Pure Python: no Django.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from . import engines
from .framework import FLAG_GROUPS, RACE_CODES, SUBGROUPS, Framework, Metric
from .numerators import NumeratorStats, band_box, protect_numerators, rounding_box
from .sql import ENROLLMENT_POP, SCHOOL_UNIT, populations, report_card_sql
from .suppression import SuppressionStats, relation_matrix, suppress

Engine = Literal["duckdb", "spark"]
MODEL_BASED = ("model", "provider")

#: subgroup slots on a page: the published subgroups, then one residual per partition
#: (students in "all" but in no group of the partition: no demographics on file).
PARTITIONS: dict[str, tuple[str, ...]] = {
    "race": RACE_CODES,
    **{flag: (flag, comp) for flag, comp in FLAG_GROUPS.items()},
}
SLOTS: tuple[str, ...] = (*SUBGROUPS, *(f"~{p}" for p in PARTITIONS))
SLOT = {s: i for i, s in enumerate(SLOTS)}
N_SLOTS = len(SLOTS)
N_SUBGROUPS = len(SUBGROUPS)
AMOUNTS = ("n", "x1", "x2", "num", "den")

RESULT_COLUMNS = ["framework", "entity_type", "entity_id", "year", "subgroup", "component",
                  "metric", "n", "value", "level", "suppressed", "value_suppressed"]
RATING_COLUMNS = ["framework", "entity_type", "entity_id", "year", "implementation_year",
                  "rating", "score", "score_change", "components_rated", "enrollment",
                  "pct_econ_disadvantaged", "pct_disability", "pct_english_learner", "locale",
                  "not_rated_reason"]
CONTEXT_COMPONENT = "context"
SCORE_METRIC = "score"


class EntitiesError(ValueError):
    """The entities table is not usable."""


@dataclass
class ReportCardResult:
    """What ``compute_report_cards`` returns.

    ``results`` and ``ratings`` are the published tables (``write_results`` writes them).
    ``cells`` (entity, year, population, subgroup: unsuppressed counts) and ``profiles`` (what
    the engine returned) are for inspection and tests: never publish them.
    """

    framework: Framework
    engine: str
    min_n: int
    results: pa.Table
    ratings: pa.Table
    cells: pa.Table
    profiles: pa.Table
    timings: dict[str, float] = field(default_factory=dict)
    suppression: SuppressionStats = field(default_factory=SuppressionStats)
    #: the numerator cover (decision 0009): percents hidden beside hidden cells
    numerators: NumeratorStats = field(default_factory=NumeratorStats)
    #: metrics that could not be computed (``component.metric`` -> the reason, e.g. "not
    #: available: no achievement standard for ela"); their rows keep ``n`` and carry no value.
    unavailable: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------
# Entities


@dataclass
class _Entities:
    members_school: pa.Table
    members_model: pa.Table
    start_year: dict[tuple[str, str], int | None]
    locale: dict[tuple[str, str], str]
    provider_models: dict[str, list[str]]
    school_sets: dict[tuple[str, str], list[tuple[str, int | None]]]


def _entities(entities: pa.Table, framework: Framework) -> _Entities:
    names = set(entities.column_names)
    for col in ("entity_type", "entity_id", "school_id", "school_year"):
        if col not in names:
            raise EntitiesError(f"entities table: missing column {col!r}")
    rows = entities.to_pylist()
    ms: dict[tuple[str, str, str], int | None] = {}
    mm: dict[tuple[str, str, str, str | None], int | None] = {}
    starts: dict[tuple[str, str], list[int | None]] = defaultdict(list)
    locale: dict[tuple[str, str], str] = {}
    provider_models: dict[str, set[str]] = defaultdict(set)
    wanted = set(framework.entity_types)
    for i, r in enumerate(rows):
        et, eid = r["entity_type"], r["entity_id"]
        if et not in wanted:
            continue
        if not isinstance(eid, str) or not eid:
            raise EntitiesError(f"entities table, row {i + 1}: entity_id is empty")
        year = r["school_year"]
        key = (et, eid)
        starts[key].append(year)
        if r.get("locale"):
            locale[key] = str(r["locale"])
        model_id = r.get("model_id") or (eid if et == "model" else None)
        if et in MODEL_BASED:
            if model_id is None:
                raise EntitiesError(f"entities table, row {i + 1}: a {et} row needs model_id "
                                    "(the model whose students it counts)")
            k2 = (et, eid, model_id, r["school_id"])
            mm[k2] = _min_year(mm, k2, year)
            if et == "provider":
                provider_models[eid].add(model_id)
        else:
            if not r["school_id"]:
                raise EntitiesError(f"entities table, row {i + 1}: a {et} row needs school_id")
            k1 = (et, eid, r["school_id"])
            ms[k1] = _min_year(ms, k1, year)
    school_sets: dict[tuple[str, str], list[tuple[str, int | None]]] = defaultdict(list)
    for (et, eid, sid), y in ms.items():
        school_sets[(et, eid)].append((sid, y))
    members_school = pa.table({
        "entity_type": [k[0] for k in ms], "entity_id": [k[1] for k in ms],
        "school_id": [k[2] for k in ms], "from_year": pa.array(list(ms.values()), pa.int32()),
    }, schema=engines.MEMBERS_SCHOOL_SCHEMA)
    members_model = pa.table({
        "entity_type": [k[0] for k in mm], "entity_id": [k[1] for k in mm],
        "model_id": [k[2] for k in mm], "school_id": pa.array([k[3] for k in mm], pa.string()),
        "from_year": pa.array(list(mm.values()), pa.int32()),
    }, schema=engines.MEMBERS_MODEL_SCHEMA)
    start_year: dict[tuple[str, str], int | None] = {}
    for key, ys in starts.items():
        known = [y for y in ys if y is not None]
        start_year[key] = min(known) if known else None
    return _Entities(members_school, members_model, start_year, locale,
                     {k: sorted(v) for k, v in provider_models.items()}, dict(school_sets))


def _min_year(d: Mapping[Any, int | None], key: Any, year: int | None) -> int | None:
    if key not in d:
        return year
    old = d[key]
    if old is None or year is None:
        return None
    return min(old, year)


def _growth(growth: pa.Table | None) -> pa.Table:
    """The growth engine's per-student results, in the columns the statement reads."""
    if growth is None:
        return engines.GROWTH_SCHEMA.empty_table()
    names = set(growth.column_names)
    alias = {"student_key": ("student_key", "student_id"), "school_year": ("school_year", "year"),
             "subject": ("subject",), "sgp": ("sgp",), "adequate_growth": ("adequate_growth",)}
    cols = []
    for f in engines.GROWTH_SCHEMA:
        src = next((a for a in alias[f.name] if a in names), None)
        if src is None:
            if f.name == "adequate_growth":
                cols.append(pa.nulls(growth.num_rows, pa.bool_()))
                continue
            raise EntitiesError(f"growth table: missing column {f.name!r}")
        cols.append(growth.column(src).cast(f.type))
    return pa.Table.from_arrays(cols, schema=engines.GROWTH_SCHEMA)


#: why a percent-adequate-growth metric has no value when the growth results carry no flags
NO_ADEQUATE_GROWTH = ("not available: the growth results carry no adequate-growth flags "
                      "(the growth engine needs an achievement standard's cut scores for them)")


def _unavailable(framework: Framework, growth: pa.Table,
                 given: Mapping[str, str] | None) -> dict[str, str]:
    """The metrics that cannot be computed, with the reason: those the caller names, and the
    percent-adequate-growth metrics of a subject whose growth results have SGPs but no
    adequate-growth flag at all (no achievement standard behind the growth run)."""
    keys = {f"{c.id}.{m.id}": m for c, m in framework.metrics()}
    given = dict(given or {})
    unknown = sorted(set(given) - set(keys))
    if unknown:
        raise ValueError(f"unavailable: no metric {', '.join(unknown)} in {framework.name} "
                         "(use component.metric)")
    flagged = set(pc.unique(growth.filter(pc.is_valid(growth.column("adequate_growth")))
                            .column("subject")).to_pylist())
    with_sgp = set(pc.unique(growth.filter(pc.is_valid(growth.column("sgp")))
                             .column("subject")).to_pylist())
    out = {}
    for key, m in keys.items():
        if key in given:
            out[key] = given[key]
        elif (m.measure == "percent_adequate_growth" and m.subject in with_sgp
              and m.subject not in flagged):
            out[key] = NO_ADEQUATE_GROWTH
    return out


# ----------------------------------------------------------------------------------------------
# The entry point


def compute_report_cards(
    *,
    framework: Framework,
    lake_paths: Mapping[str, Path],
    entities: pa.Table,
    growth: pa.Table | None,
    engine: Engine = "duckdb",
    min_n: int = 10,
    spark: Any = None,
    threads: int | None = None,
    unavailable: Mapping[str, str] | None = None,
    numerator_cover: bool = True,
) -> ReportCardResult:
    """Compute ``framework``'s report cards over one snapshot.

    ``lake_paths``: the snapshot's Parquet file per kind (enrollment, demographics, assessments,
    attendance required; discipline and model_participation optional). ``entities``: the
    registry's membership table, columns ``entity_type, entity_id, school_id, school_year``
    (membership holds from that year on; null: always) and optionally ``model_id`` (for model
    and provider rows: the model whose participating students count) and ``locale``.
    ``growth``: the growth engine's per-student results (``student_key, school_year, subject,
    sgp, adequate_growth``) or None. ``min_n``: the smallest published count of students.
    ``spark``: a SparkSession for ``engine="spark"``. ``unavailable``: metrics the caller knows
    cannot be computed (``component.metric`` -> the reason, e.g. ``"not available: no
    achievement standard for ela"``); they are published with their counts and no value, and
    listed with the reason in ``ReportCardResult.unavailable`` (so are percent-adequate-growth
    metrics whose subject has no adequate-growth flags in ``growth``). ``numerator_cover``:
    hide the percents that would narrow a hidden cell's numerator (decision 0009); False
    publishes every percent of a published count (for comparisons and the benchmark only).
    """
    if min_n < 1:
        raise ValueError("min_n must be at least 1")
    missing = [k for k in engines.REQUIRED_KINDS if k not in lake_paths]
    if missing:
        raise ValueError(f"lake_paths: missing {', '.join(missing)}")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ents = _entities(entities, framework)
    pops = populations(framework=framework)
    sql = report_card_sql(
        pops=pops, schools=ents.members_school.num_rows > 0,
        models=ents.members_model.num_rows > 0)
    growth_t = _growth(growth)
    missing_metrics = _unavailable(framework, growth_t, unavailable)
    tables = {"growth": growth_t, "members_school": ents.members_school,
              "members_model": ents.members_model}
    if engine == "duckdb":
        profiles = engines.run_duckdb(sql=sql, lake_paths=lake_paths, tables=tables,
                                      threads=threads)
    elif engine == "spark":
        profiles = engines.run_spark(sql=sql, lake_paths=lake_paths, tables=tables, spark=spark)
    else:
        raise ValueError(f"unknown engine {engine!r}")
    timings["engine"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    grid = _Grid.build(profiles=profiles, ents=ents, pop_keys=[p.key for p in pops])
    published = grid.published_mask(framework)
    rel, follow = _relations(grid, ents)
    timings["relations"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    stats = SuppressionStats()
    sup = suppress(n=grid.amount["n"].ravel(), published=published.ravel(),
                   relations=rel, min_n=min_n, stats=stats,
                   zero_follow=follow).reshape(grid.shape)
    timings["suppression"] = time.perf_counter() - t2
    t4 = time.perf_counter()
    num_stats = NumeratorStats()
    value_hidden = (_numerator_cover(framework, grid, sup, rel, min_n, missing_metrics,
                                     num_stats) if numerator_cover else {})
    timings["numerators"] = time.perf_counter() - t4
    t3 = time.perf_counter()
    results, ratings = _publish(framework, grid, sup, ents, min_n, missing_metrics,
                                value_hidden)
    timings["publish"] = time.perf_counter() - t3
    return ReportCardResult(framework=framework, engine=engine, min_n=min_n, results=results,
                            ratings=ratings, cells=grid.cells_table(), profiles=profiles,
                            timings=timings, suppression=stats, unavailable=missing_metrics,
                            numerators=num_stats)


# ----------------------------------------------------------------------------------------------
# The grid: pages x populations x slots


@dataclass
class _Grid:
    pages: list[tuple[str, str, int]]
    page_index: dict[tuple[str, str, int], int]
    pop_keys: list[str]
    amount: dict[str, NDArray[np.int64]]
    median: NDArray[np.float64]

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.pages), len(self.pop_keys), N_SLOTS)

    @classmethod
    def build(cls, *, profiles: pa.Table, ents: _Entities, pop_keys: list[str]) -> _Grid:
        """Roll the engine's unit x profile rows up to entity pages and subgroup slots."""
        ut = pc.dictionary_encode(profiles.column("unit_type").combine_chunks())
        ut_names = ut.dictionary.to_pylist()
        is_school = (np.array([n == SCHOOL_UNIT for n in ut_names] + [False])[
            pc.fill_null(ut.indices, len(ut_names)).to_numpy(zero_copy_only=False)])
        ui = pc.dictionary_encode(profiles.column("unit_id").combine_chunks())
        ui_names = ui.dictionary.to_pylist()
        ui_idx = ui.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        ut_idx = ut.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        year = profiles.column("school_year").to_numpy(zero_copy_only=False).astype(np.int64)
        years = np.unique(year)
        y_idx = np.searchsorted(years, year)
        n_years = years.size

        # entities: school-based ones (unions of schools) then model-based ones
        model_units = sorted({(ut_names[a], ui_names[b]) for a, b in set(zip(
            ut_idx[~is_school].tolist(), ui_idx[~is_school].tolist(), strict=True))})
        ekeys = sorted(ents.school_sets) + model_units
        e_index = {k: i for i, k in enumerate(ekeys)}
        # schools: the unit ids of school rows, as dictionary positions
        s_index = {ui_names[i]: i for i in np.unique(ui_idx[is_school]).tolist()}
        n_units = len(ui_names)
        m_school, m_entity, m_from = [], [], []
        for key, members in ents.school_sets.items():
            for sid, start in members:
                if sid in s_index:
                    m_school.append(s_index[sid])
                    m_entity.append(e_index[key])
                    m_from.append(-1 if start is None else start)
        ms = np.array(m_school, dtype=np.int64)
        me = np.array(m_entity, dtype=np.int64)
        mf = np.array(m_from, dtype=np.int64)
        order = np.argsort(ms, kind="stable")
        ms, me, mf = ms[order], me[order], mf[order]
        m_start = np.searchsorted(ms, np.arange(n_units))
        m_count = np.bincount(ms, minlength=n_units)

        # rows -> (row, entity): schools expand to every entity holding them that year
        rows_s = np.flatnonzero(is_school)
        s_of = ui_idx[rows_s]
        reps = m_count[s_of] if rows_s.size else rows_s
        row_e = np.repeat(rows_s, reps)
        first = np.repeat(m_start[s_of], reps) if rows_s.size else rows_s
        offset = np.arange(row_e.size) - np.repeat(np.cumsum(reps) - reps, reps)
        mem = first + offset
        keep = (mf[mem] < 0) | (mf[mem] <= year[row_e])
        row_e, ent_e = row_e[keep], me[mem[keep]]
        rows_m = np.flatnonzero(~is_school)
        unit_entity = {(a, b): e_index[(ut_names[a], ui_names[b])] for a, b in set(zip(
            ut_idx[rows_m].tolist(), ui_idx[rows_m].tolist(), strict=True))}
        ent_m = np.array([unit_entity[(a, b)] for a, b in zip(
            ut_idx[rows_m].tolist(), ui_idx[rows_m].tolist(), strict=True)], dtype=np.int64)
        row_all = np.concatenate([row_e, rows_m])
        ent_all = np.concatenate([ent_e, ent_m])

        # pages: the (entity, year) pairs with any records
        pkey = ent_all * n_years + y_idx[row_all]
        page_flat, page_of = np.unique(pkey, return_inverse=True)
        pages = [(ekeys[int(k) // n_years][0], ekeys[int(k) // n_years][1],
                  int(years[int(k) % n_years])) for k in page_flat]
        # order pages by (entity type, entity id, year)
        page_order = sorted(range(len(pages)), key=lambda i: pages[i])
        rank = np.empty(len(pages), dtype=np.int64)
        rank[np.array(page_order, dtype=np.int64)] = np.arange(len(pages))
        pages = [pages[i] for i in page_order]
        page_of = rank[page_of]

        pop_map = {k: i for i, k in enumerate(pop_keys)}
        pop = _codes(profiles.column("pop"), pop_map)
        n_pops = len(pop_keys)
        base = (page_of * n_pops + pop[row_all]) * N_SLOTS
        # the subgroup slots of each row: all, its race, and one of each flag pair
        race_slot = _codes(profiles.column("race"), {r: SLOT[r] for r in RACE_CODES})
        slot_sets = [np.full(profiles.num_rows, SLOT["all"], dtype=np.int64), race_slot]
        for col, flag in (("econ", "econ_disadvantaged"), ("dis", "disability"),
                          ("el", "english_learner")):
            c = profiles.column(col)
            val = pc.fill_null(c, False).to_numpy(zero_copy_only=False).astype(bool)
            null = pc.is_null(c).to_numpy(zero_copy_only=False).astype(bool)
            slot_sets.append(np.where(null, -1, np.where(val, SLOT[flag],
                                                         SLOT[FLAG_GROUPS[flag]])))
        n_cells = len(pages) * n_pops * N_SLOTS
        shape = (len(pages), n_pops, N_SLOTS)
        amount: dict[str, NDArray[np.int64]] = {}
        raw = {a: profiles.column("cnt" if a == "n" else a).to_numpy(zero_copy_only=False)
               for a in AMOUNTS}
        v = profiles.column("v").fill_null(np.nan).to_numpy(zero_copy_only=False)
        flat_parts, src_parts = [], []
        for slots in slot_sets:
            sl = slots[row_all]
            ok = sl >= 0
            flat_parts.append(base[ok] + sl[ok])
            src_parts.append(row_all[ok])
        flat = np.concatenate(flat_parts)
        src = np.concatenate(src_parts)
        del flat_parts, src_parts
        for a in AMOUNTS:
            amount[a] = np.bincount(flat, weights=raw[a][src], minlength=n_cells).astype(
                np.int64)
        v_ok = ~np.isnan(v)
        distinct, v_code = np.unique(v[v_ok], return_inverse=True)
        code = np.full(v.size, -1, dtype=np.int64)
        code[v_ok] = v_code
        has_v = v_ok[src]
        median = _lower_medians(flat[has_v], code[src[has_v]], distinct, raw["n"][src[has_v]],
                                n_cells)
        amount = {a: x.reshape(shape) for a, x in amount.items()}
        # residual slots: students in "all" and in no group of the partition
        for pname, groups in PARTITIONS.items():
            r = SLOT[f"~{pname}"]
            for a in AMOUNTS:
                arr = amount[a]
                arr[:, :, r] = arr[:, :, SLOT["all"]] - arr[:, :, [SLOT[g] for g in groups]].sum(
                    axis=2)
        page_index = {k: i for i, k in enumerate(pages)}
        return cls(pages, page_index, pop_keys, amount, median.reshape(shape))

    def cells_table(self) -> pa.Table:
        """The non-empty cells (never published: for inspection and tests)."""
        n = self.amount["n"]
        p, q, s = np.nonzero(n[:, :, :N_SUBGROUPS] > 0)
        return pa.table({
            "entity_type": [self.pages[i][0] for i in p.tolist()],
            "entity_id": [self.pages[i][1] for i in p.tolist()],
            "school_year": pa.array([self.pages[i][2] for i in p.tolist()], pa.int32()),
            "pop": [self.pop_keys[i] for i in q.tolist()],
            "subgroup": [SLOTS[i] for i in s.tolist()],
            **{a: pa.array(self.amount[a][p, q, s], pa.int64()) for a in AMOUNTS},
            "median_v": pa.array(self.median[p, q, s], pa.float64(),
                                 mask=np.isnan(self.median[p, q, s])),
        })

    def published_mask(self, framework: Framework) -> NDArray[np.bool_]:
        mask = np.zeros(self.shape, dtype=bool)
        for s in framework.subgroups:
            mask[:, :, SLOT[s]] = True
        return mask

    def cell(self, page: int, pop: int, slot: int) -> int:
        return (page * len(self.pop_keys) + pop) * N_SLOTS + slot


def _codes(col: pa.ChunkedArray, mapping: Mapping[str, int]) -> NDArray[np.int64]:
    """Map a string column through ``mapping`` (-1 for null or unknown values)."""
    enc = pc.dictionary_encode(col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col)
    lookup = np.array([mapping.get(x, -1) for x in enc.dictionary.to_pylist()] + [-1],
                      dtype=np.int64)
    idx = pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy(zero_copy_only=False)
    return lookup[idx.astype(np.int64)]


def _lower_medians(cells: NDArray[np.int64], code: NDArray[np.int64],
                   distinct: NDArray[np.float64], counts: NDArray[np.int64],
                   n_cells: int) -> NDArray[np.float64]:
    """Per cell, the lower median of ``values`` weighted by ``counts``: the smallest value whose
    cumulative count reaches half of the cell's total (2 * running >= total). NaN for none.

    ``code`` is each value's rank among the ``distinct`` values (SGPs: at most 99); each chunk
    of cells gets a dense histogram, whose cumulative sums find the median.
    """
    out = np.full(n_cells, np.nan)
    if cells.size == 0:
        return out
    k = distinct.size
    mark = np.zeros(n_cells, dtype=bool)
    mark[cells] = True
    used = np.flatnonzero(mark)
    local = (np.cumsum(mark) - 1)[cells]
    per_chunk = max(1, 8_000_000 // k)
    weights = counts.astype(np.float64)
    for lo in range(0, used.size, per_chunk):
        hi = min(used.size, lo + per_chunk)
        mask = (local >= lo) & (local < hi)
        hist = np.bincount((local[mask] - lo) * k + code[mask], weights=weights[mask],
                           minlength=(hi - lo) * k).reshape(hi - lo, k)
        cum = np.cumsum(hist, axis=1)
        first = np.argmax(2 * cum >= cum[:, -1:], axis=1)
        out[used[lo:hi]] = distinct[first]
    return out


# ----------------------------------------------------------------------------------------------
# Relations a reader knows


def _relations(grid: _Grid, ents: _Entities) -> tuple[Any, NDArray[np.bool_]]:
    """The relation matrix and, per relation, whether it is a page's subgroup partition (whose
    zeros are suppressed with its other unknown cells: decision 0008)."""
    n_pages, n_pops, _ = grid.shape
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    coefs: list[NDArray[np.float64]] = []
    n_rel = 0
    base = (np.arange(n_pages)[:, None] * n_pops + np.arange(n_pops)[None, :]).ravel() * N_SLOTS
    # subgroup partitions on every page and population
    for pname, groups in PARTITIONS.items():
        members = [SLOT["all"]] + [SLOT[g] for g in groups] + [SLOT[f"~{pname}"]]
        coef = np.array([1.0] + [-1.0] * (len(members) - 1))
        rel_ids = n_rel + np.arange(base.size)
        rows.append(np.repeat(rel_ids, len(members)))
        cols.append((base[:, None] + np.array(members)[None, :]).ravel())
        coefs.append(np.tile(coef, base.size))
        n_rel += base.size
    n_partitions = n_rel
    # entities made of other entities' schools (a district = its schools, ...)
    # (Only for the subgroup slots: the same equation on the residual slots follows from
    # these and the partitions, so leaving it out changes nothing a reader can solve but keeps
    # the groups of unknown cells small.)
    groups_list = _containment(grid, ents)
    for parent, children in groups_list:
        pc_ = np.array([parent, *children], dtype=np.int64)
        coef = np.array([1.0] + [-1.0] * len(children))
        # one relation per population and subgroup slot
        offs = (np.arange(n_pops)[:, None] * N_SLOTS
                + np.arange(N_SUBGROUPS)[None, :]).ravel()
        starts = pc_ * n_pops * N_SLOTS
        rel_ids = n_rel + np.arange(offs.size)
        rows.append(np.repeat(rel_ids, pc_.size))
        cols.append((offs[:, None] + starts[None, :]).ravel())
        coefs.append(np.tile(coef, offs.size))
        n_rel += offs.size
    # providers made of their models, where no student is counted twice
    nflat = grid.amount["n"]
    for (et, pid, year), page in grid.page_index.items():
        if et != "provider":
            continue
        kids = [grid.page_index[("model", m, year)] for m in ents.provider_models.get(pid, [])
                if ("model", m, year) in grid.page_index]
        if not kids:
            continue
        exact = nflat[page] == nflat[kids].sum(axis=0)  # (pops, slots)
        exact[:, N_SUBGROUPS:] = False  # residual slots: implied, as above
        # (an empty provider cell too: its models' cells are then known to be empty)
        pops_, slots_ = np.nonzero(exact)
        for p, s in zip(pops_.tolist(), slots_.tolist(), strict=True):
            cells_ = [grid.cell(page, p, s)] + [grid.cell(k, p, s) for k in kids]
            rows.append(np.full(len(cells_), n_rel, dtype=np.int64))
            cols.append(np.array(cells_, dtype=np.int64))
            coefs.append(np.array([1.0] + [-1.0] * len(kids)))
            n_rel += 1
    n_cells = n_pages * n_pops * N_SLOTS
    follow = np.zeros(n_rel, dtype=bool)
    follow[:n_partitions] = True
    if not rows:
        return relation_matrix(rows=np.zeros(0, np.int64), cols=np.zeros(0, np.int64),
                               coefs=np.zeros(0), n_relations=0, n_cells=n_cells), follow
    return relation_matrix(rows=np.concatenate(rows), cols=np.concatenate(cols),
                           coefs=np.concatenate(coefs), n_relations=n_rel,
                           n_cells=n_cells), follow


def _containment(grid: _Grid, ents: _Entities) -> list[tuple[int, list[int]]]:
    """(parent page, child pages) where the children's schools partition the parent's."""
    out: list[tuple[int, list[int]]] = []
    years = sorted({y for _, _, y in grid.pages})
    for year in years:
        sets: dict[tuple[str, str], frozenset[str]] = {}
        for key, members in ents.school_sets.items():
            if (key[0], key[1], year) not in grid.page_index:
                continue
            s = frozenset(sid for sid, y in members if y is None or y <= year)
            if s:
                sets[key] = s
        by_school: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key, s in sets.items():
            for sid in s:
                by_school[sid].append(key)
        types = {k[0] for k in sets}
        for pkey, pset in sets.items():
            for ctype in types - {pkey[0]}:
                kids = {k for sid in pset for k in by_school[sid] if k[0] == ctype}
                if not kids or kids == {pkey}:
                    continue
                if not all(sets[k] <= pset for k in kids):
                    continue
                total = sum(len(sets[k]) for k in kids)
                if total != len(pset) or frozenset().union(*(sets[k] for k in kids)) != pset:
                    continue
                out.append((grid.page_index[(pkey[0], pkey[1], year)],
                            sorted(grid.page_index[(k[0], k[1], year)] for k in kids)))
    return out


# ----------------------------------------------------------------------------------------------
# Values, levels, ratings


def _metric_values(m: Metric, grid: _Grid, pop: int, min_n: int) -> NDArray[np.float64]:
    """The metric's value per page and subgroup slot (NaN where it has none)."""
    a = grid.amount
    n = a["n"][:, pop, :].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if m.measure in ("percent_proficient", "chronic_absence_rate"):
            v = 100.0 * a["x1"][:, pop, :] / n
        elif m.measure == "percent_adequate_growth":
            # over the students whose adequate-growth status is known (x2); hidden unless that
            # is everyone with an SGP in the cell, so the published n is its denominator
            v = 100.0 * a["x1"][:, pop, :] / a["x2"][:, pop, :].astype(float)
            v[a["x2"][:, pop, :] != a["n"][:, pop, :]] = np.nan
        elif m.measure == "suspension_rate":
            v = 100.0 * a["x2"][:, pop, :] / n
        elif m.measure == "attendance_rate":
            v = 100.0 * a["num"][:, pop, :] / a["den"][:, pop, :].astype(float)
        elif m.measure == "median_sgp":
            v = grid.median[:, pop, :].copy()
        elif m.measure == "growth_gap":
            # a flag group against its complement group; a race group against all students
            ref = _gap_reference_slots()
            v = grid.median[:, pop, :] - grid.median[:, pop, :][:, ref]
            v[a["n"][:, pop, :][:, ref] < min_n] = np.nan
            v[:, SLOT["all"]] = np.nan
        else:  # pragma: no cover - validated on load
            raise ValueError(m.measure)
    v[n == 0] = np.nan
    return _round1(v)


def _round1(v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Round half away from zero to one decimal (the same on every platform)."""
    out = np.sign(v) * np.floor(np.abs(v) * 10.0 + 0.5 + 1e-9) / 10.0
    return out + 0.0


def _levels(m: Metric, framework: Framework, v: NDArray[np.float64]) -> NDArray[np.int64]:
    """Level index per value (-1 where there is no value)."""
    lv = np.where(np.isnan(v), -1, 0).astype(np.int64)
    for i, level in enumerate(framework.levels[1:], start=1):
        cut = m.cuts[level.id]
        hit = v >= cut if m.direction == "higher" else v <= cut
        lv[hit & ~np.isnan(v)] = i
    return lv


#: measures whose value is 100 x (an additive count of students) / n, and that amount
NUMERATOR_OF = {"percent_proficient": "x1", "chronic_absence_rate": "x1",
                "percent_adequate_growth": "x1", "suspension_rate": "x2"}


def _shown_values(m: Metric, framework: Framework, grid: _Grid, sup: NDArray[np.bool_],
                  pop: int, min_n: int, unavailable: bool
                  ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """A metric's published values (NaN where none is shown) and levels (-1: none), per page
    and slot, before any numerator cover."""
    v = _metric_values(m, grid, pop, min_n)
    if unavailable:
        v = np.full(v.shape, np.nan)
    n = grid.amount["n"][:, pop, :]
    shown = ~sup[:, pop, :] & (n > 0)
    v = np.where(shown, v, np.nan)
    if m.unit == "gap":
        v[sup[:, pop, :][:, _gap_reference_slots()]] = np.nan
    lv = _levels(m, framework, v) if m.cuts else np.full(v.shape, -1)
    rate_ok = shown & (n >= max(m.min_n, min_n)) & (lv >= 0)
    return v, np.where(rate_ok, lv, -1)


def _band_cuts(m: Metric, framework: Framework, lv: NDArray[np.int64]
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per level index, the band of one-decimal values it stands for, as ``low <= v < high``
    (NaN: open end)."""
    k = len(framework.levels)
    low = np.full(k, np.nan)
    high = np.full(k, np.nan)
    if not m.cuts:
        return np.full(lv.shape, np.nan), np.full(lv.shape, np.nan)
    cuts = [m.cuts[lv_.id] for lv_ in framework.levels[1:]]
    for i in range(1, k):
        c = cuts[i - 1]
        if m.direction == "higher":  # level i: v >= c_i and not v >= c_(i+1)
            low[i] = math.ceil(c * 10 - 1e-9) / 10
        else:  # level i: v <= c_i and not v <= c_(i+1)
            high[i] = (math.floor(c * 10 + 1e-9) + 1) / 10
    if m.direction == "higher":
        for i in range(k - 1):
            high[i] = low[i + 1]
    else:
        for i in range(k - 1):
            low[i] = high[i + 1]
    safe = np.maximum(lv, 0)
    return np.where(lv >= 0, low[safe], np.nan), np.where(lv >= 0, high[safe], np.nan)


def _numerator_cover(framework: Framework, grid: _Grid, sup: NDArray[np.bool_], rel: Any,
                     min_n: int, unavailable: Mapping[str, str], stats: NumeratorStats
                     ) -> dict[tuple[str, str], NDArray[np.bool_]]:
    """Per metric whose value is a percent of students, which published percents to hide so
    that no hidden cell's numerator is narrowed (decision 0009): (component, metric) -> mask
    over pages x slots."""
    out: dict[tuple[str, str], NDArray[np.bool_]] = {}
    n_pages, n_pops, _ = grid.shape
    pop_of = {k: i for i, k in enumerate(grid.pop_keys)}
    published_slot = np.zeros(N_SLOTS, dtype=bool)
    published_slot[[SLOT[s] for s in framework.subgroups]] = True
    rel_csc = rel.tocsc()
    for comp in framework.components:
        for m in comp.metrics:
            amount = NUMERATOR_OF.get(m.measure)
            if amount is None:
                continue
            pop = pop_of[m.population]
            v, lv = _shown_values(m, framework, grid, sup, pop, min_n,
                                  f"{comp.id}.{m.id}" in unavailable)
            n = grid.amount["n"][:, pop, :].ravel()
            x = grid.amount[amount][:, pop, :].ravel()
            s = sup[:, pop, :].ravel()
            vf, lf = v.ravel(), lv.ravel()
            targets = s & (n > 0)
            if not targets.any():
                out[(comp.id, m.id)] = np.zeros((n_pages, N_SLOTS), dtype=bool)
                continue
            idx = ((np.arange(n_pages)[:, None] * n_pops + pop) * N_SLOTS
                   + np.arange(N_SLOTS)[None, :]).ravel()
            R = rel_csc[:, idx].tocsr()
            R = R[np.diff(R.indptr) > 0]
            lo, hi = rounding_box(n, vf)
            low_c, high_c = _band_cuts(m, framework, lf)
            h_lo, h_hi = band_box(n, low_c, high_c)
            coverable = np.tile(published_slot, n_pages) & ~np.isnan(vf) & (n > 0)
            hide = protect_numerators(n=n, x=x, relations=R, lo=lo, hi=hi, hidden_lo=h_lo,
                                      hidden_hi=h_hi, targets=targets, coverable=coverable,
                                      rated=coverable & (lf >= 0), stats=stats)
            out[(comp.id, m.id)] = hide.reshape(n_pages, N_SLOTS)
    return out


def _publish(framework: Framework, grid: _Grid, sup: NDArray[np.bool_], ents: _Entities,
             min_n: int, unavailable_reasons: Mapping[str, str],
             value_hidden: Mapping[tuple[str, str], NDArray[np.bool_]] | None = None
             ) -> tuple[pa.Table, pa.Table]:
    unavailable = set(unavailable_reasons)
    n_pages = len(grid.pages)
    pop_of = {k: i for i, k in enumerate(grid.pop_keys)}
    fw = framework.name
    points = np.array([lv.points for lv in framework.levels])
    max_points = points.max()
    sg_slots = [SLOT[s] for s in framework.subgroups]
    years = np.array([y for _, _, y in grid.pages])
    impl = np.array([_implementation_year(ents.start_year.get((et, eid)), y)
                     for et, eid, y in grid.pages], dtype=np.int64)

    page_et = [p[0] for p in grid.pages]
    page_id = [p[1] for p in grid.pages]
    chunks: list[dict[str, NDArray[Any]]] = []
    names: dict[str, list[str]] = {"component": [], "metric": []}

    def emit(component: str, metric: str, n: NDArray[Any], value: NDArray[np.float64],
             level: NDArray[np.int64], suppressed: NDArray[np.bool_], pages: NDArray[np.int64],
             subgroups: NDArray[np.int64], value_suppressed: NDArray[np.bool_] | None = None
             ) -> None:
        """Queue rows; ``level``: index into the framework's levels or -1; ``subgroups``: slot
        indices; ``n`` -1 for none."""
        for key, name in (("component", component), ("metric", metric)):
            if name not in names[key]:
                names[key].append(name)
        chunks.append({
            "page": pages, "subgroup": subgroups,
            "component": np.full(pages.size, names["component"].index(component), np.int32),
            "metric": np.full(pages.size, names["metric"].index(metric), np.int32),
            "n": np.asarray(n, np.int64), "value": np.asarray(value, float),
            "level": np.asarray(level, np.int64), "suppressed": np.asarray(suppressed, bool),
            "value_suppressed": (np.zeros(pages.size, dtype=bool) if value_suppressed is None
                                 else np.asarray(value_suppressed, bool)),
        })

    pages_rep = np.repeat(np.arange(n_pages), len(sg_slots))
    sg_rep = np.tile(np.array(sg_slots, dtype=np.int64), n_pages)
    no_level = np.full(pages_rep.size, -1)

    # context: enrollment and the share of each subgroup
    ep = pop_of[ENROLLMENT_POP]
    en = grid.amount["n"][:, ep, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = _round1(100.0 * en / en[:, [SLOT["all"]]].astype(float))
    ctx_sup = sup[:, ep, :]
    # a share of a hidden total would give the total away (12 students = 85.7%: 14): no shares
    # where the entity's enrollment is hidden (decision 0008)
    ctx_value = np.where(ctx_sup | (en == 0) | ctx_sup[:, [SLOT["all"]]], np.nan, share)
    ctx_value[:, SLOT["all"]] = np.where(ctx_sup[:, SLOT["all"]], np.nan,
                                         en[:, SLOT["all"]].astype(float))

    # per-metric points (page -> fraction of points), per component
    comp_scores = np.full((n_pages, len(framework.components)), np.nan)
    # why a weighted component is not rated, per page: the most telling status of its rated
    # metrics (_RATED < _FEW < _HIDDEN < _NO_VALUE < _NO_STUDENTS < _INACTIVE) and the metric
    comp_status = np.full((n_pages, len(framework.components)), _INACTIVE, np.int8)
    comp_metric = np.zeros((n_pages, len(framework.components)), np.int64)
    for ci, comp in enumerate(framework.components):
        m_frac = []
        m_w = []
        active_c = _active(comp.implementation_years, impl)
        for m in comp.metrics:
            pop = pop_of[m.population]
            # a gap also describes its reference group: no value where that is suppressed
            # (the subgroup's own n stays published, as in the other metrics)
            v, lv = _shown_values(m, framework, grid, sup, pop, min_n,
                                  f"{comp.id}.{m.id}" in unavailable)
            n = grid.amount["n"][:, pop, :]
            s = sup[:, pop, :].copy()
            # the numerator cover (decision 0009): the percent is hidden, its count and level
            # stay published (the level and the scores rest on the true value)
            vh = (value_hidden or {}).get((comp.id, m.id))
            v_rows = v[:, sg_slots].ravel()
            vh_rows = (vh[:, sg_slots].ravel() if vh is not None
                       else np.zeros(v_rows.size, dtype=bool))
            # rows
            n_rows = n[:, sg_slots].ravel()
            sup_rows = s[:, sg_slots].ravel()  # a hidden zero too (decision 0008)
            emit(comp.id, m.id, np.where(sup_rows, -1, n_rows),
                 np.where(vh_rows, np.nan, v_rows), lv[:, sg_slots].ravel(), sup_rows,
                 pages_rep, sg_rep, vh_rows)
            if not m.rated or not comp.weight:
                continue
            rated_slots = [SLOT[g] for g in m.rated_subgroups]
            if m.scale is not None:
                z, f = m.scale
                frac = np.clip((v[:, rated_slots] - z) / (f - z), 0.0, 1.0)
                frac = np.where(lv[:, rated_slots] >= 0, frac, np.nan)
            else:
                frac = np.where(lv[:, rated_slots] >= 0,
                                points[np.maximum(lv[:, rated_slots], 0)] / max_points, np.nan)
            with np.errstate(invalid="ignore"):
                cnt = (~np.isnan(frac)).sum(axis=1)
                mean = np.where(cnt > 0, np.nansum(frac, axis=1) / np.maximum(cnt, 1), np.nan)
            active_m = _active(m.implementation_years, impl) & active_c
            mean = np.where(active_m, mean, np.nan)
            m_frac.append(mean)
            m_w.append(m.weight)
            # only what results.csv shows: zero counts, suppressed flags, published counts
            n_r, s_r = n[:, rated_slots], s[:, rated_slots]
            status = np.select(
                [~active_m, ~np.isnan(mean), (~s_r & (n_r > 0) & (n_r < max(m.min_n, min_n)))
                 .any(axis=1), s_r.any(axis=1), (n_r > 0).any(axis=1)],
                [_INACTIVE, _RATED, _FEW, _HIDDEN, _NO_VALUE], _NO_STUDENTS).astype(np.int8)
            better = status < comp_status[:, ci]
            comp_status[better, ci] = status[better]
            comp_metric[better, ci] = comp.metrics.index(m)
        if m_frac:
            F = np.stack(m_frac, axis=1)
            W = np.array(m_w)[None, :] * ~np.isnan(F)
            with np.errstate(invalid="ignore"):
                score = np.nansum(np.nan_to_num(F) * W, axis=1) / W.sum(axis=1) * 100.0
            comp_scores[:, ci] = np.where(W.sum(axis=1) > 0, _round1(score), np.nan)
        if not comp.weight:
            continue
        emit(comp.id, SCORE_METRIC, np.full(n_pages, -1), comp_scores[:, ci],
             np.full(n_pages, -1), np.zeros(n_pages, dtype=bool), np.arange(n_pages),
             np.full(n_pages, SLOT["all"]))

    # context rows
    emit(CONTEXT_COMPONENT, "enrollment",
         np.where(ctx_sup[:, sg_slots].ravel(), -1,
                  en[:, sg_slots].ravel()),
         ctx_value[:, sg_slots].ravel(), no_level,
         ctx_sup[:, sg_slots].ravel(), pages_rep, sg_rep)

    results = _results_table(chunks, names, framework, grid)

    # overall rating
    cw = np.array([c.weight for c in framework.components])
    rated = ~np.isnan(comp_scores) & (cw[None, :] > 0)
    wsum = (rated * cw[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = np.nansum(np.nan_to_num(comp_scores) * rated * cw[None, :], axis=1) / wsum
    overall = _round1(overall)
    n_rated = rated.sum(axis=1)
    ok = (wsum > 0) & (n_rated >= framework.rating.min_components)
    labels = [framework.rating.label_for(float(s)) if good else framework.rating.not_rated_label
              for s, good in zip(overall.tolist(), ok.tolist(), strict=True)]
    score = np.where(ok, overall, np.nan)
    reasons = _not_rated_reasons(framework, ok, n_rated, comp_status, comp_metric, impl,
                                 min_n, unavailable_reasons)
    prev = {(et, eid, y): score[i] for i, (et, eid, y) in enumerate(grid.pages)}
    change = np.array([prev.get((et, eid, y - 1), np.nan) for et, eid, y in grid.pages])
    change = _round1(score - change)

    def pct(slot: str) -> list[float | None]:
        col = ctx_value[:, SLOT[slot]] if slot in framework.subgroups else np.full(n_pages, np.nan)
        return [None if math.isnan(x) else x for x in col.tolist()]

    enr = ctx_value[:, SLOT["all"]]
    ratings = pa.table({
        "framework": [fw] * n_pages,
        "entity_type": page_et, "entity_id": page_id,
        "year": pa.array(years.tolist(), pa.int32()),
        "implementation_year": pa.array([None if x < 0 else int(x) for x in impl.tolist()],
                                        pa.int32()),
        "rating": labels,
        "score": pa.array([None if math.isnan(x) else x for x in score.tolist()], pa.float64()),
        "score_change": pa.array([None if math.isnan(x) else x for x in change.tolist()],
                                 pa.float64()),
        "components_rated": pa.array(n_rated.tolist(), pa.int32()),
        "enrollment": pa.array([None if math.isnan(x) else int(x) for x in enr.tolist()],
                               pa.int64()),
        "pct_econ_disadvantaged": pa.array(pct("econ_disadvantaged"), pa.float64()),
        "pct_disability": pa.array(pct("disability"), pa.float64()),
        "pct_english_learner": pa.array(pct("english_learner"), pa.float64()),
        "locale": pa.array([ents.locale.get((et, eid)) for et, eid, _ in grid.pages],
                           pa.string()),
        "not_rated_reason": pa.array(reasons, pa.string()),
    })
    ratings = ratings.filter(pc.is_in(ratings.column("entity_type"),
                                      pa.array(list(framework.entity_types))))
    return results, ratings


_RATED, _FEW, _HIDDEN, _NO_VALUE, _NO_STUDENTS, _INACTIVE = range(6)


def _not_rated_reasons(framework: Framework, ok: NDArray[np.bool_], n_rated: NDArray[np.int64],
                       status: NDArray[np.int8], metric: NDArray[np.int64],
                       impl: NDArray[np.int64], min_n: int,
                       unavailable: Mapping[str, str]) -> list[str | None]:
    """Per page, why it has no rating (None where it has one): how many components could be
    rated against the framework's minimum, then each weighted component that could not and why,
    in words that state only what ``results.csv`` shows (no students, too few published
    students, suppressed, no value), e.g. "1 of the 2 components needed could be rated.
    Academic achievement: no students tested in grades 3-8; ...". """
    need = framework.rating.min_components
    weighted = [ci for ci, c in enumerate(framework.components) if c.weight > 0]
    out: list[str | None] = [None] * ok.size
    for page in np.flatnonzero(~ok).tolist():
        parts = []
        for ci in weighted:
            st = int(status[page, ci])
            if st == _RATED:
                continue
            comp = framework.components[ci]
            m = comp.metrics[int(metric[page, ci])]
            if st == _INACTIVE:
                why = (f"not rated in year {int(impl[page])} of implementation"
                       if impl[page] >= 0 else "not rated")
            elif st == _FEW:
                why = f"fewer than {max(m.min_n, min_n)} students"
            elif st == _HIDDEN:
                why = "not shown, to protect a small group of students"
            elif st == _NO_VALUE:
                why = unavailable.get(f"{comp.id}.{m.id}", "no value to rate")
            elif m.source == "assessments":
                why = f"no students tested in {_grades_text(m.grades)}"
            elif m.source == "growth":
                why = "no students with a growth percentile"
            else:
                why = "no attendance records"
            parts.append(f"{comp.title}: {why}")
        k = int(n_rated[page])
        head = (f"{k} of the {need} components needed could be rated" if need > 1 else
                "No component could be rated")
        out[page] = head + (". " + "; ".join(parts) if parts else "") + "."
    return out


def _grades_text(grades: tuple[int, ...] | None) -> str:
    """``(3, 4, 5, 6, 7, 8, 11)`` -> "grades 3-8 and 11"; None -> "any grade"."""
    if not grades:
        return "any grade"
    runs: list[list[int]] = []
    for g in sorted(set(grades)):
        if runs and g == runs[-1][-1] + 1:
            runs[-1].append(g)
        else:
            runs.append([g])
    words = [w for r in runs for w in ([f"{r[0]}-{r[-1]}"] if len(r) > 2 else map(str, r))]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return ("grade " if len(grades) == 1 else "grades ") + text


def _implementation_year(start: int | None, year: int) -> int:
    """Year of implementation (1 = the first year), -1 where the start is unknown."""
    return -1 if start is None else year - start + 1


def _gap_reference_slots() -> list[int]:
    """For each slot, the group a growth gap compares it with: a flag group's complement
    (econ_disadvantaged <-> not_econ_disadvantaged, ...), all students for the race groups."""
    out = [SLOT["all"]] * N_SLOTS
    for flag, comp in FLAG_GROUPS.items():
        out[SLOT[flag]] = SLOT[comp]
        out[SLOT[comp]] = SLOT[flag]
    return out


def _active(years: tuple[int | None, int | None], impl: NDArray[np.int64]) -> NDArray[np.bool_]:
    lo, hi = years
    ok = np.ones(impl.shape, dtype=bool)
    known = impl >= 0
    if lo is not None:
        ok &= ~known | (impl >= lo)
    if hi is not None:
        ok &= ~known | (impl <= hi)
    return ok


def _results_table(chunks: list[dict[str, NDArray[Any]]], names: dict[str, list[str]],
                   framework: Framework, grid: _Grid) -> pa.Table:
    """One table from the queued rows, ordered by entity, year, then emission order
    (components and metrics as in the framework, subgroups in publishing order)."""
    cat = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    order = np.argsort(cat["page"], kind="stable")
    cat = {k: v[order] for k, v in cat.items()}
    page = cat["page"]
    n = cat["n"]
    value = cat["value"]
    level_ids = pa.array([lv.id for lv in framework.levels], pa.string())
    level = cat["level"]

    def take(values: list[Any], idx: NDArray[Any], typ: pa.DataType) -> pa.Array:
        return pa.array(values, typ).take(pa.array(idx))

    return pa.table({
        "framework": take([framework.name], np.zeros(page.size, np.int32), pa.string()),
        "entity_type": take([p[0] for p in grid.pages], page, pa.string()),
        "entity_id": take([p[1] for p in grid.pages], page, pa.string()),
        "year": take([p[2] for p in grid.pages], page, pa.int32()),
        "subgroup": take(list(SLOTS), cat["subgroup"], pa.string()),
        "component": take(names["component"], cat["component"], pa.string()),
        "metric": take(names["metric"], cat["metric"], pa.string()),
        "n": pa.array(n, pa.int64(), mask=n < 0),
        "value": pa.array(value, pa.float64(), mask=np.isnan(value)),
        "level": pc.if_else(pa.array(level >= 0), level_ids.take(
            pa.array(np.maximum(level, 0))), pa.scalar(None, pa.string())),
        "suppressed": pa.array(cat["suppressed"], pa.bool_()),
        "value_suppressed": pa.array(cat["value_suppressed"], pa.bool_()),
    })


# ----------------------------------------------------------------------------------------------
# Writing and comparing


def write_results(result: ReportCardResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.csv`` and ``ratings.csv`` into ``out_dir``; returns their paths.

    ``results.csv``: one row per published cell, columns ``framework, entity_type, entity_id,
    year, subgroup, component, metric, n, value, level, suppressed``; a suppressed cell keeps its
    row with ``n``, ``value`` and ``level`` empty and ``suppressed=true``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"results": out / "results.csv", "ratings": out / "ratings.csv"}
    _write_csv(result.results, paths["results"])
    _write_csv(result.ratings, paths["ratings"])
    return paths


def _csv_text(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A column as CSV field text: empty for null, true/false, numbers in their shortest form
    (values are already rounded), quoted only where needed."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if pa.types.is_boolean(col.type):
        text = pc.if_else(col, "true", "false")
    else:
        text = col.cast(pa.string())
    text = pc.fill_null(text, "")
    needs = pc.match_substring_regex(text, '[",\r\n]')
    if pc.any(needs).as_py():
        quoted = pc.binary_join_element_wise(
            "", pc.replace_substring(text, '"', '""'), "", '"')
        text = pc.if_else(needs, quoted, text)
    return text


def _write_csv(table: pa.Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(table.column_names) + "\n")
        step = 500_000
        for start in range(0, table.num_rows, step):
            part = table.slice(start, step)
            lines = pc.binary_join_element_wise(*[_csv_text(c) for c in part.columns], ",")
            fh.write("\n".join(lines.to_pylist()))
            fh.write("\n")


def compare_results(*, old: ReportCardResult, new: ReportCardResult) -> pa.Table:
    """Entity-years whose rating, score or any metric level differs between two runs.

    Typically the same snapshot under two versions of a framework (a program officer's copy
    with new cut points against the published version). Columns: ``entity_type, entity_id,
    year, old_rating, new_rating, old_score, new_score, rating_changed, levels_changed``.
    """
    def index(t: pa.Table, cols: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
        out = {}
        for r in t.to_pylist():
            out[tuple(r[c] for c in cols)] = r
        return out

    key = ["entity_type", "entity_id", "year"]
    ro, rn = index(old.ratings, key), index(new.ratings, key)
    lkey = [*key, "subgroup", "component", "metric"]
    lo = {k: r["level"] for k, r in index(old.results, lkey).items()}
    ln = {k: r["level"] for k, r in index(new.results, lkey).items()}
    level_changes: dict[tuple[Any, ...], int] = defaultdict(int)
    for k in set(lo) | set(ln):
        if lo.get(k) != ln.get(k):
            level_changes[k[:3]] += 1
    rows = []
    for k in sorted(set(ro) | set(rn), key=lambda t: (t[0], t[1], t[2])):
        a, b = ro.get(k, {}), rn.get(k, {})
        changed = a.get("rating") != b.get("rating")
        if changed or a.get("score") != b.get("score") or level_changes.get(k):
            rows.append({
                "entity_type": k[0], "entity_id": k[1], "year": k[2],
                "old_rating": a.get("rating"), "new_rating": b.get("rating"),
                "old_score": a.get("score"), "new_score": b.get("score"),
                "rating_changed": changed, "levels_changed": level_changes.get(k, 0),
            })
    schema = pa.schema([
        ("entity_type", pa.string()), ("entity_id", pa.string()), ("year", pa.int32()),
        ("old_rating", pa.string()), ("new_rating", pa.string()), ("old_score", pa.float64()),
        ("new_score", pa.float64()), ("rating_changed", pa.bool_()),
        ("levels_changed", pa.int64()),
    ])
    return pa.Table.from_pylist(rows, schema=schema)

