"""Growth runs inside the office: the growth engine on a snapshot, stored with provenance.

``growth_run_start`` records a queued run and hands it to a background job;
``growth_run_execute`` reads the snapshot's spring summative scores, calls
:func:`playbook.analytics.growth.compute_growth`, writes the student-level results as Parquet in
the lake (never in the office's tables), and stores aggregates for every school, district,
consortium, model and provider, overall and by subgroup, with small-cell and complementary
suppression.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from playbook import __version__
from playbook.accounts.permissions import office_staff_only
from playbook.core.access import Decision, signed_in_or_none
from playbook.core.jobs import JobStatus, job_dispatch, job_execute, job_progress
from playbook.studentdata.lake import lake_dir
from playbook.studentdata.models import Snapshot
from playbook.studentdata.schemas import RACE_ETHNICITY
from playbook.studentdata.selectors import snapshot_paths

from .models import AchievementStandard, GrowthAggregate, GrowthPublication, GrowthRun
from .publications import publication_audit
from .selectors import entities_table

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User

FLAG_SUBGROUPS = ("econ_disadvantaged", "disability", "english_learner")
SUBGROUPS = ("all", *RACE_ETHNICITY, *FLAG_SUBGROUPS)


def _growth_config(subject: str) -> Any:
    from playbook.analytics.growth.config import GrowthConfig, load_cutscores

    standard = AchievementStandard.objects.filter(subject=subject).order_by("-version").first()
    cutscores = None
    growth: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if standard is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{standard}.json"
            path.write_text(json.dumps(standard.definition), encoding="utf-8")
            cutscores, cuts, labels = load_cutscores(path=path, subject=standard.content_area)
        if cuts:
            growth = {"growth_cuts": cuts, "growth_labels": labels}
        extra = {"achievement_standard": f"{standard.subject} v{standard.version}"}
    return GrowthConfig(cutscores=cutscores, extra=extra, **growth)


class GrowthError(ValueError):
    """A request the growth services refuse; the message says why."""


def code_version() -> str:
    from playbook.analytics.growth.config import ENGINE_VERSION

    return f"playbook {__version__}; {ENGINE_VERSION}"


def growth_run_start(
    *, snapshot: Snapshot, subject: str, school_year: int, by: User | AnonymousUser | None,
    wait: bool = False,
) -> GrowthRun:
    """Queue a growth run (or return the finished one with the same inputs: reruns are
    identical, so they are not repeated). ``wait`` runs it here and now instead."""
    config = _growth_config(subject)
    fingerprint = config.fingerprint()
    version = code_version()
    done = GrowthRun.objects.filter(
        snapshot=snapshot, subject=subject, school_year=school_year, status=JobStatus.SUCCEEDED,
        configuration_fingerprint=fingerprint, code_version=version,
        min_n=int(settings.PLAYBOOK_MIN_N),
    ).first()
    if done is not None:
        return done
    run = GrowthRun.objects.create(
        snapshot=snapshot, subject=subject, school_year=school_year,
        configuration=config.to_json(), configuration_fingerprint=fingerprint,
        code_version=version, created_by=signed_in_or_none(by),
    )
    job_dispatch("playbook.evidence.growth.growth_run_execute", run_id=run.pk, wait=wait)
    run.refresh_from_db()
    return run


def growth_run_execute(*, run_id: int) -> GrowthRun:
    """The background job: compute the run (failed, with the error, if anything goes wrong)."""
    return job_execute(GrowthRun.objects.select_related("snapshot").get(pk=run_id), _execute)


def _execute(run: GrowthRun) -> None:
    from playbook.analytics.growth import aggregate_growth, compute_growth

    paths = snapshot_paths(snapshot=run.snapshot)
    if "assessments" not in paths:
        raise ValueError(f"snapshot {run.snapshot_id} holds no assessments")
    con = duckdb.connect()
    try:
        scores = con.sql(
            "SELECT student_key AS student_id, CAST(school_year AS VARCHAR) AS year, subject, "
            "grade, scale_score, school_id FROM read_parquet(?) "
            "WHERE subject = ? AND assessment = 'summative' AND \"window\" = 'spring' "
            "AND school_year <= ?",
            params=[str(paths["assessments"]), run.subject, run.school_year],
        ).to_arrow_table()
    finally:
        con.close()
    if not any(y == str(run.school_year) for y in scores.column("year").unique().to_pylist()):
        raise ValueError(f"no spring summative {run.subject} scores for {run.school_year}")
    job_progress(run, 10, "fitting quantile regressions")
    config = _growth_config(run.subject)
    result = compute_growth(scores=scores.drop(["school_id"]), subject=run.subject,
                            year=run.school_year, config=config)
    job_progress(run, 70, "writing results and aggregates")
    table = result.table
    rel = f"results/growth/run-{run.pk}.parquet"
    target = lake_dir() / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, target, compression="zstd")
    os.chmod(target, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    sha = hashlib.sha256(target.read_bytes()).hexdigest()

    groups = _groups(run=run, results=table, scores=scores, paths=paths)
    agg = aggregate_growth(results=table, groups=groups)
    min_n = int(settings.PLAYBOOK_MIN_N)
    cells = _publishable_cells(agg.to_pylist(), min_n=min_n,
                               entities=entities_table().to_pylist(),
                               model_schools=_model_schools(groups))
    with transaction.atomic():
        GrowthAggregate.objects.filter(run=run).delete()
        GrowthAggregate.objects.bulk_create(
            [GrowthAggregate(run=run, **cell) for cell in cells], batch_size=2000
        )
        run.configuration = result.config.to_json()
        run.students = table.num_rows
        run.results_path = rel
        run.results_sha256 = sha
        run.min_n = min_n
        run.status = JobStatus.SUCCEEDED
        run.progress = 100
        run.message = (f"{table.num_rows:,} students; {len(cells):,} cells: "
                       f"{sum(c['suppressed'] for c in cells):,} hidden, "
                       f"{sum(c['sgp_suppressed'] for c in cells):,} medians and "
                       f"{sum(c['adequate_suppressed'] for c in cells):,} percents adequate "
                       "hidden")
        run.finished_at = timezone.now()
        run.save()


def _groups(*, run: GrowthRun, results: pa.Table, scores: pa.Table,
            paths: dict[str, Any]) -> pa.Table:
    """student_id, group_type (entity type), group_id ("entity_id|subgroup")."""
    con = duckdb.connect()
    try:
        con.register("res", results.select(["student_id"]))
        con.register("sch", scores.select(["student_id", "year", "school_id"]))
        con.register("ent", entities_table())
        year = run.school_year
        demo = str(paths["demographics"]) if "demographics" in paths else None
        mp = str(paths["model_participation"]) if "model_participation" in paths else None
        parts = [
            "SELECT DISTINCT e.entity_type, e.entity_id, s.student_id FROM sch s "
            "JOIN ent e ON e.school_id = s.school_id "
            f"WHERE s.year = '{year}' AND e.entity_type IN ('school', 'district', 'consortium')"
        ]
        if mp:
            parts.append(
                "SELECT DISTINCT e.entity_type, e.entity_id, mp.student_key FROM "
                f"read_parquet('{mp}') mp JOIN (SELECT DISTINCT entity_type, entity_id, "
                "model_id FROM ent WHERE model_id IS NOT NULL) e ON e.model_id = mp.model_id "
                f"WHERE mp.school_year = {year}"
            )
        sub = ["SELECT student_id, 'all' AS subgroup FROM res"]
        if demo:
            d = f"(SELECT * FROM read_parquet('{demo}') WHERE school_year = {year})"
            sub.append(f"SELECT student_key, race_ethnicity FROM {d}")
            sub += [f"SELECT student_key, '{f}' FROM {d} WHERE {f}" for f in FLAG_SUBGROUPS]
        sql = (
            f"WITH membership AS ({' UNION ALL '.join(parts)}), "
            f"sub AS ({' UNION ALL '.join(sub)}) "
            "SELECT m.student_id, m.entity_type AS group_type, "
            "m.entity_id || '|' || s.subgroup AS group_id "
            "FROM membership m JOIN sub s ON s.student_id = m.student_id "
            "JOIN res r ON r.student_id = m.student_id"
        )
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


#: The counts published with each cell, each with the aggregate column it comes from. Every
#: statistic rests on one of them and is suppressed on it: the cell on the students tested,
#: the median SGP on the students with a growth percentile, the percent making adequate growth
#: on the students with an adequate-growth status.
COUNTS = (("n", "n_students"), ("n_sgp", "n_sgp"), ("n_adequate_known", "n_adequate_eligible"))
#: the numerator of the percent making adequate growth (decision 0009), carried beside the
#: counts (after them) so that virtual cells get it too
NUMERATOR = "n_adequate"
_WIDTH = len(COUNTS) + 1
SCHOOL_BASED = ("school", "district", "consortium")
MODEL_BASED = ("model", "provider")

Key = tuple[str, str, str]


class _Cells:
    """Published cells (one per entity and subgroup) and the virtual cells of the relations a
    reader knows, each with one value per count in ``COUNTS``."""

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self.values: list[tuple[int, ...]] = []
        self.rows: list[dict[str, Any] | None] = []
        self.index: dict[Key, int] = {}

    def add(self, key: Key, values: tuple[int, ...], row: dict[str, Any] | None = None) -> int:
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.values.append(values)
        self.rows.append(row)
        return self.index[key]

    def get(self, key: Key) -> int | None:
        return self.index.get(key)

    def value(self, i: int) -> tuple[int, ...]:
        return self.values[i]

    def virtual(self, key: Key, total: list[int], minus: list[int]) -> int:
        """A never-published cell worth ``sum(total) - sum(minus)`` (each count)."""
        vals = tuple(
            sum(self.values[i][k] for i in total) - sum(self.values[i][k] for i in minus)
            for k in range(_WIDTH)
        )
        return self.add(key, vals)


def _relations(cells: _Cells, *, entities: list[dict[str, Any]],
               model_schools: dict[tuple[str, str], tuple[set[str], int]],
               ) -> list[list[tuple[int, float]]]:
    """Equations ``sum(coef * count) = 0`` a reader of the published cells knows (or may
    guess), adding the virtual cells they involve:

    * each entity's students = its race groups + those with no race on file; = a flag group
      (econ. disadvantaged, disability, English learner) + the rest;
    * a school-based entity whose schools are exactly those of some entities of another type
      = those entities (a district = its schools, a consortium = its districts or its
      schools), for every subgroup;
    * the students of a model or provider at its schools + the schools' other students = the
      schools (a whole-school model at one school *is* that school);
    * a provider = its models - the students counted in two of them.
    """
    relations: list[list[tuple[int, float]]] = []

    def relation(parent: int, children: list[int]) -> None:
        relations.append([(parent, 1.0), *[(c, -1.0) for c in children]])

    entity_keys = sorted({k[:2] for k, row in zip(cells.keys, cells.rows, strict=True)
                          if row is not None})
    for etype, eid in entity_keys:
        total = cells.get((etype, eid, "all"))
        if total is None:
            continue
        races = [i for code in RACE_ETHNICITY if (i := cells.get((etype, eid, code))) is not None]
        unknown = cells.virtual((etype, eid, "_race_unknown"), [total], races)
        relation(total, [*races, unknown])
        for flag in FLAG_SUBGROUPS:
            i = cells.get((etype, eid, flag))
            if i is None:
                i = cells.add((etype, eid, flag), (0,) * _WIDTH)
            relation(total, [i, cells.virtual((etype, eid, f"_not_{flag}"), [total], [i])])

    def kids_of(ptype: str, pid: str, kids: list[tuple[str, str]]) -> None:
        for subgroup in SUBGROUPS:
            parent = cells.get((ptype, pid, subgroup))
            if parent is None:
                continue
            relation(parent, [i for k in kids if (i := cells.get((*k, subgroup))) is not None])

    # school-based containment, from the registry
    school_sets: dict[tuple[str, str], set[str]] = {}
    for e in entities:
        if e["entity_type"] in SCHOOL_BASED and e["school_id"]:
            school_sets.setdefault((e["entity_type"], e["entity_id"]), set()).add(e["school_id"])
    by_school: dict[str, list[tuple[str, str]]] = {}
    for key, schools in school_sets.items():
        for sid in schools:
            by_school.setdefault(sid, []).append(key)
    for pkey, pset in sorted(school_sets.items()):
        for ctype in SCHOOL_BASED:
            if ctype == pkey[0]:
                continue
            kids = sorted({k for sid in pset for k in by_school[sid] if k[0] == ctype})
            if not kids or any(not school_sets[k] <= pset for k in kids):
                continue
            if sum(len(school_sets[k]) for k in kids) != len(pset):
                continue  # overlapping, or not covering the parent
            if set().union(*(school_sets[k] for k in kids)) != pset:
                continue
            kids_of(pkey[0], pkey[1], kids)
    # model-based entities beside the schools their students attend
    for (etype, eid), (schools, outside) in sorted(model_schools.items()):
        if outside or not schools:
            continue  # some of its students are at no school of the registry
        school_keys = [("school", sid) for sid in sorted(schools)]
        for subgroup in SUBGROUPS:
            own = cells.get((etype, eid, subgroup))
            if own is None:
                continue
            at = [i for k in school_keys if (i := cells.get((*k, subgroup))) is not None]
            rest = cells.virtual((etype, eid, f"_others_at_schools_{subgroup}"), at, [own])
            relations.append([*[(i, 1.0) for i in at], (own, -1.0), (rest, -1.0)])
    # providers made of their models
    provider_models: dict[str, set[str]] = {}
    for e in entities:
        if e["entity_type"] == "provider" and e["model_id"]:
            provider_models.setdefault(e["entity_id"], set()).add(e["model_id"])
    for pid, model_ids in sorted(provider_models.items()):
        for subgroup in SUBGROUPS:
            own = cells.get(("provider", pid, subgroup))
            if own is None:
                continue
            models_ = [i for m in sorted(model_ids)
                       if (i := cells.get(("model", m, subgroup))) is not None]
            twice = cells.virtual(("provider", pid, f"_in_two_models_{subgroup}"), models_,
                                  [own])
            relations.append([(own, 1.0), *[(i, -1.0) for i in models_], (twice, 1.0)])
    return relations


def _publishable_cells(rows: list[dict[str, Any]], *, min_n: int,
                       entities: list[dict[str, Any]],
                       model_schools: dict[tuple[str, str], tuple[set[str], int]] | None = None,
                       ) -> list[dict[str, Any]]:
    """One cell per entity and subgroup, each statistic suppressed on the count it rests on,
    with complementary suppression for every count.

    The counts of ``COUNTS`` are additive over the same relations (``_relations``), so each is
    suppressed on its own with the report-card engine's exact complementary suppression: no
    hidden count, and no virtual count under the minimum, is determined by the published
    counts and the relations. A cell whose student count is hidden hides all its statistics;
    its other counts then count as hidden counts to protect. Numerators (how many made
    adequate growth) share the relations and the pattern of their count, so they are
    protected with it.
    """
    from playbook.analytics.reportcards.suppression import relation_matrix, suppress

    cells = _Cells()
    names: dict[tuple[str, str], str] = {}
    for e in entities:
        names.setdefault((e["entity_type"], e["entity_id"]), e["entity_name"] or "")
    for row in rows:
        entity_id, subgroup = str(row["group_id"]).rsplit("|", 1)
        cells.add((str(row["group_type"]), entity_id, subgroup),
                  (*(int(row[col] or 0) for _, col in COUNTS), int(row.get(NUMERATOR) or 0)),
                  row)
    n_published = len(cells.keys)
    relations = _relations(cells, entities=entities, model_schools=model_schools or {})
    values = np.array(cells.values, dtype=np.int64).reshape(-1, _WIDTH)
    published = np.zeros(len(cells.keys), dtype=bool)
    published[:n_published] = True
    hidden = np.zeros((len(cells.keys), len(COUNTS)), dtype=bool)
    for k in range(len(COUNTS)):
        # only the relations that hold for this count (all but a provider's or a school-based
        # parent's where the registry's structure and the students disagree)
        exact = [rel for rel in relations
                 if sum(coef * values[i, k] for i, coef in rel) == 0]
        rows_ = [r for r, rel in enumerate(exact) for _ in rel]
        cols = [i for rel in exact for i, _ in rel]
        coefs = [coef for rel in exact for _, coef in rel]
        matrix = relation_matrix(rows=np.array(rows_, dtype=np.int64),
                                 cols=np.array(cols, dtype=np.int64),
                                 coefs=np.array(coefs, dtype=float), n_relations=len(exact),
                                 n_cells=len(cells.keys))
        n = values[:, k].copy()
        shown = published.copy()
        if k > 0:
            # counts of cells already hidden with their student count: unknown to the reader
            # and protected (a value of 1 marks them so; zero stays known)
            pre = hidden[:, 0]
            shown[pre] = False
            n[pre & (n > 0)] = 1
        hidden[:, k] = suppress(n=n, published=shown, relations=matrix, min_n=min_n)
        if k > 0:
            hidden[:, k] |= hidden[:, 0]
    pct_hidden = _adequate_cover(cells, relations, values, hidden[:, 2], n_published)
    out = []
    for i in range(n_published):
        etype, eid, subgroup = cells.keys[i]
        source = cells.rows[i]
        assert source is not None
        cell: dict[str, Any] = {
            "entity_type": etype, "entity_id": eid, "subgroup": subgroup,
            "entity_name": names.get((etype, eid), "")[:200],
            "suppressed": bool(hidden[i, 0]), "sgp_suppressed": bool(hidden[i, 1]),
            "adequate_suppressed": bool(hidden[i, 2]),
        }
        if not hidden[i, 0]:
            cell["n"] = int(source["n_students"])
        if not hidden[i, 1]:
            median = source["median_sgp"]
            cell["n_sgp"] = int(source["n_sgp"])
            cell["median_sgp"] = None if median is None else Decimal(str(round(median, 1)))
        if not hidden[i, 2]:
            pct = source["percent_adequate"]
            cell["n_adequate_known"] = int(source["n_adequate_eligible"])
            if pct_hidden[i]:
                cell["pct_adequate_suppressed"] = True
            else:
                cell["pct_adequate"] = None if pct is None else Decimal(str(round(pct, 1)))
        out.append(cell)
    return out


def _adequate_cover(cells: _Cells, relations: list[list[tuple[int, float]]],
                    values: Any, hidden: Any, n_published: int) -> Any:
    """Which published percents making adequate growth to hide (their counts stay) so that no
    hidden cell's number making adequate growth is narrowed below ``min(3, n + 1)`` values by
    the published percents read as rounding intervals (decision 0009; growth has no levels)."""
    from playbook.analytics.reportcards.numerators import protect_numerators
    from playbook.analytics.reportcards.suppression import relation_matrix

    n = values[:, 2].copy()
    x = values[:, len(COUNTS)].copy()
    exact = [rel for rel in relations
             if sum(coef * values[i, 2] for i, coef in rel) == 0
             and sum(coef * x[i] for i, coef in rel) == 0]
    matrix = relation_matrix(
        rows=np.array([r for r, rel in enumerate(exact) for _ in rel], dtype=np.int64),
        cols=np.array([i for rel in exact for i, _ in rel], dtype=np.int64),
        coefs=np.array([coef for rel in exact for _, coef in rel], dtype=float),
        n_relations=len(exact), n_cells=len(cells.keys))
    shown = np.zeros(len(cells.keys), dtype=bool)
    shown[:n_published] = ~hidden[:n_published]
    pct = np.full(len(cells.keys), np.nan)
    lo, hi = np.zeros(n.size, dtype=np.int64), n.copy()
    for i in np.flatnonzero(shown).tolist():
        v = (cells.rows[i] or {}).get("percent_adequate")
        if v is None or n[i] <= 0:
            continue
        # the numbers of students whose percent is published as this one (as published:
        # Python's round of the engine's 100.0 * x / n)
        pct[i] = shown_v = round(float(v), 1)
        mid = round(shown_v * int(n[i]) / 100.0)
        near = [k for k in range(max(0, mid - 3), min(int(n[i]), mid + 3) + 1)
                if round(100.0 * k / int(n[i]), 1) == shown_v]
        lo[i], hi[i] = (min(near), max(near)) if near else (x[i], x[i])
    published = np.zeros(len(cells.keys), dtype=bool)
    published[:n_published] = True
    return protect_numerators(
        n=n, x=x, relations=matrix, lo=lo, hi=hi, hidden_lo=np.zeros(n.size, np.int64),
        hidden_hi=n, targets=published & hidden & (n > 0),
        coverable=~np.isnan(pct), rated=np.zeros(n.size, dtype=bool))


def _model_schools(groups: pa.Table) -> dict[tuple[str, str], tuple[set[str], int]]:
    """For each model and provider: the schools its students attend this year, and how many of
    its students are at no school of the registry."""
    con = duckdb.connect()
    try:
        con.register("g", groups)
        rows = con.sql(
            "WITH s AS (SELECT student_id, group_id AS school FROM g WHERE group_type = 'school' "
            "AND ends_with(group_id, '|all')), "
            "m AS (SELECT student_id, group_type, group_id FROM g WHERE group_type IN "
            "('model', 'provider') AND ends_with(group_id, '|all')) "
            "SELECT m.group_type, m.group_id, s.school, count(*) FROM m "
            "LEFT JOIN s USING (student_id) GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    out: dict[tuple[str, str], tuple[set[str], int]] = {}
    for etype, gid, school, count in rows:
        key = (etype, gid.rsplit("|", 1)[0])
        schools, outside = out.get(key, (set(), 0))
        if school is None:
            outside += int(count)
        else:
            schools.add(school.rsplit("|", 1)[0])
        out[key] = (schools, outside)
    return out


def growth_can_publish(*, user: User | AnonymousUser) -> Decision:
    """Office staff publish growth results; auditors only read."""
    return office_staff_only(user=user, refusal="Only office staff publish growth results.")


def growth_publication_publish(*, run: GrowthRun, by: User | AnonymousUser | None
                               ) -> GrowthPublication:
    """Make ``run`` the public growth results of its subject and year (the previous
    publication, if any, stays as history). ``by`` is the staff member who publishes; None
    is the system (the demo). Audited (django-auditlog), with who published it and when."""
    if by is not None:
        allowed, reason = growth_can_publish(user=by)
        if not allowed:
            raise GrowthError(reason)
    if run.status != JobStatus.SUCCEEDED:
        raise GrowthError("Only a finished run can be published.")
    if run.min_n is None:
        raise GrowthError(f"Run {run.pk} was stored before each statistic was suppressed on "
                          "the count it rests on; run it again and publish the new run.")
    if run.min_n != int(settings.PLAYBOOK_MIN_N):
        raise GrowthError(f"Run {run.pk} suppressed groups under {run.min_n} students; the "
                          f"minimum is now {settings.PLAYBOOK_MIN_N}. Run it again.")
    with transaction.atomic(), publication_audit(by=by):
        current = list(GrowthPublication.objects.select_for_update().filter(
            subject=run.subject, school_year=run.school_year, current=True))
        for pub in current:
            if pub.run_id == run.pk:
                return pub
            pub.current = False
            pub.save(update_fields=["current"])
        return GrowthPublication.objects.create(
            subject=run.subject, school_year=run.school_year, run=run, current=True,
            published_by=signed_in_or_none(by),
        )


def growth_publication_withdraw(*, publication: GrowthPublication,
                                by: User | AnonymousUser | None) -> GrowthPublication:
    """Take a current growth publication off the public page (it stays as history, with who
    withdrew it and when; nothing else becomes current). Office staff only; audited."""
    if by is not None:
        allowed, reason = growth_can_publish(user=by)
        if not allowed:
            raise GrowthError(reason.replace("publish", "withdraw"))
    with transaction.atomic(), publication_audit(by=by):
        pub = GrowthPublication.objects.select_for_update().get(pk=publication.pk)
        if not pub.current:
            raise GrowthError("This publication is not current: there is nothing to withdraw.")
        pub.current = False
        pub.withdrawn_by = signed_in_or_none(by)
        pub.withdrawn_at = timezone.now()
        pub.save(update_fields=["current", "withdrawn_by", "withdrawn_at"])
        return pub


def standard_from_synthetic_state() -> list[AchievementStandard]:
    """For the demo: the synthetic state's cut scores become the state's achievement standard."""
    from playbook.studentdata.synth import CONTENT_AREAS, CUTSCORES_SGP

    made = []
    for subject, area in CONTENT_AREAS.items():
        standard, _ = AchievementStandard.objects.get_or_create(
            subject=subject, version=1,
            defaults={"content_area": area, "definition": json.loads(json.dumps(CUTSCORES_SGP)),
                      "source": "synthetic state (demo)"},
        )
        made.append(standard)
    return made


__all__ = [
    "GrowthError",
    "growth_can_publish",
    "growth_publication_publish",
    "growth_publication_withdraw",
    "growth_run_execute",
    "growth_run_start",
]
