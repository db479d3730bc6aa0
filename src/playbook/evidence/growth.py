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
from playbook.core.access import signed_in_or_none
from playbook.core.jobs import JobStatus, job_dispatch, job_execute, job_progress
from playbook.studentdata.lake import lake_dir
from playbook.studentdata.models import Snapshot
from playbook.studentdata.schemas import RACE_ETHNICITY
from playbook.studentdata.selectors import snapshot_paths

from .models import AchievementStandard, GrowthAggregate, GrowthRun
from .selectors import entities_table

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User

FLAG_SUBGROUPS = ("econ_disadvantaged", "disability", "english_learner")
SUBGROUPS = ("all", *RACE_ETHNICITY, *FLAG_SUBGROUPS)
NESTED = (("school", "district"), ("district", "consortium"))


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
    cells = _publishable_cells(agg.to_pylist(), min_n=settings.PLAYBOOK_MIN_N)
    with transaction.atomic():
        GrowthAggregate.objects.filter(run=run).delete()
        GrowthAggregate.objects.bulk_create(
            [GrowthAggregate(run=run, **cell) for cell in cells], batch_size=2000
        )
        run.configuration = result.config.to_json()
        run.students = table.num_rows
        run.results_path = rel
        run.results_sha256 = sha
        run.status = JobStatus.SUCCEEDED
        run.progress = 100
        run.message = f"{table.num_rows:,} students; {len(cells):,} published cells"
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


def _publishable_cells(rows: list[dict[str, Any]], *, min_n: int) -> list[dict[str, Any]]:
    """One cell per entity and subgroup, with small cells and their complements suppressed.

    Relations a reader knows: an entity's students = its race groups + those with no race on
    file (virtual); = the flag group + the rest (virtual); a district = its schools, a
    consortium = its districts (each subgroup). Suppression keeps every suppressed count, and
    every virtual count under the minimum, undetermined by those relations.
    """
    from playbook.analytics.reportcards.suppression import relation_matrix, suppress

    cells: list[dict[str, Any]] = []
    index: dict[tuple[str, str, str], int] = {}
    for row in rows:
        entity_id, subgroup = str(row["group_id"]).rsplit("|", 1)
        key = (str(row["group_type"]), entity_id, subgroup)
        index[key] = len(cells)
        cells.append({"key": key, "n": int(row["n_students"]), "row": row, "published": True})
    entities = sorted({c["key"][:2] for c in cells})

    def cell(key: tuple[str, str, str], n: int = 0) -> int:
        if key not in index:
            index[key] = len(cells)
            cells.append({"key": key, "n": n, "row": None, "published": False})
        return index[key]

    rel_rows: list[int] = []
    rel_cols: list[int] = []
    coefs: list[float] = []
    r = 0

    def relation(parent: int, children: list[int]) -> None:
        nonlocal r
        rel_rows.extend([r] * (len(children) + 1))
        rel_cols.extend([parent, *children])
        coefs.extend([1.0] + [-1.0] * len(children))
        r += 1

    for etype, eid in entities:
        total = index.get((etype, eid, "all"))
        if total is None:
            continue
        n_all = cells[total]["n"]
        races = [index[(etype, eid, code)] for code in RACE_ETHNICITY if (etype, eid, code)
                 in index]
        unknown = n_all - sum(cells[i]["n"] for i in races)
        relation(total, [*races, cell((etype, eid, "_race_unknown"), unknown)])
        for flag in FLAG_SUBGROUPS:
            n_flag = cells[index[(etype, eid, flag)]]["n"] if (etype, eid, flag) in index else 0
            relation(total, [cell((etype, eid, flag), n_flag),
                             cell((etype, eid, f"_not_{flag}"), n_all - n_flag)])
    ent = entities_table().to_pylist()
    for child_type, parent_type in NESTED:
        children: dict[str, set[str]] = {}
        school_of: dict[str, str] = {}
        for e in ent:
            if e["entity_type"] == child_type:
                school_of[e["school_id"]] = e["entity_id"]
        for e in ent:
            if e["entity_type"] == parent_type and e["school_id"] in school_of:
                children.setdefault(e["entity_id"], set()).add(school_of[e["school_id"]])
        for parent_id, kids in children.items():
            for subgroup in SUBGROUPS:
                if (parent_type, parent_id, subgroup) not in index:
                    continue
                relation(index[(parent_type, parent_id, subgroup)],
                         [index[(child_type, k, subgroup)] for k in sorted(kids)
                          if (child_type, k, subgroup) in index])
    n = np.array([c["n"] for c in cells], dtype=np.int64)
    published = np.array([c["published"] for c in cells], dtype=bool)
    matrix = relation_matrix(rows=np.array(rel_rows, dtype=np.int64),
                             cols=np.array(rel_cols, dtype=np.int64),
                             coefs=np.array(coefs), n_relations=r, n_cells=len(cells))
    hidden = suppress(n=n, published=published, relations=matrix, min_n=min_n)
    out = []
    for i, c in enumerate(cells):
        if not c["published"]:
            continue
        etype, eid, subgroup = c["key"]
        row = c["row"]
        if hidden[i]:
            out.append({"entity_type": etype, "entity_id": eid, "subgroup": subgroup,
                        "suppressed": True})
            continue
        median = row["median_sgp"]
        pct = row["percent_adequate"]
        out.append({
            "entity_type": etype, "entity_id": eid, "subgroup": subgroup, "suppressed": False,
            "n": c["n"],
            "median_sgp": None if median is None else Decimal(str(round(median, 1))),
            "n_adequate_known": row["n_adequate_eligible"],
            "pct_adequate": None if pct is None else Decimal(str(round(pct, 1))),
        })
    return out


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


__all__ = ["growth_run_execute", "growth_run_start"]
