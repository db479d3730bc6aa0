"""Report cards inside the office: versioned frameworks, runs with provenance, publication.

The engine (:mod:`playbook.analytics.reportcards`) is pure; this module is where the office
stores what it computes:

- ``frameworks_load_shipped`` loads the shipped YAML frameworks as version 1 of their slug;
  ``framework_copy_create`` makes the next version with edited cut points, validated by the
  engine's loader (its errors name the field).
- ``report_card_run_start`` records a queued run and hands it to a background job;
  ``report_card_run_execute`` gathers the growth engine's stored results (starting the growth
  runs that are missing), calls ``compute_report_cards``, writes ``results.csv`` and
  ``ratings.csv`` in the lake (read-only, with their SHA-256) and stores every published cell
  and rating in the database. The same inputs (framework version, snapshot, engine, minimum n,
  code version) give byte-identical files, so a finished run is reused.
- ``publication_publish`` makes one year of one run public (after the staff preview page).
- ``demo_report_cards_ensure`` does all of it for the demo, idempotently.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from playbook import __version__
from playbook.accounts.permissions import office_staff_only
from playbook.core.access import Decision, signed_in_or_none
from playbook.core.jobs import JobStatus, job_dispatch, job_execute, job_progress
from playbook.organizations.models import Organization, OrgKind
from playbook.studentdata.lake import lake_dir
from playbook.studentdata.models import Snapshot, SnapshotFile
from playbook.studentdata.selectors import snapshot_current, snapshot_paths

from .models import (
    AchievementStandard,
    ReportCardCell,
    ReportCardFramework,
    ReportCardPublication,
    ReportCardRating,
    ReportCardRun,
)
from .publications import publication_audit
from .selectors import entities_table

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User

ENGINES = ("duckdb", "spark")
CELL_BATCH = 20000
CONTEXT_FIELDS = ("implementation_year", "score_change", "components_rated", "enrollment",
                  "pct_econ_disadvantaged", "pct_disability", "pct_english_learner", "locale",
                  "not_rated_reason")


class ReportCardError(ValueError):
    """A request the report-card services refuse; the message says why."""


# ----------------------------------------------------------------------------------------------
# Frameworks


def framework_engine(*, framework: ReportCardFramework) -> Any:
    """The engine's validated :class:`Framework` for a stored version."""
    from playbook.analytics.reportcards import framework_from_dict

    return framework_from_dict(data=framework.definition,
                               source=f"{framework.slug} v{framework.version}")


def frameworks_load_shipped() -> list[ReportCardFramework]:
    """Load each shipped framework as version 1 of its slug (once; later calls change nothing)."""
    from playbook.analytics.reportcards import (
        framework_to_dict,
        load_framework,
        shipped_frameworks,
    )

    made = []
    for slug, path in shipped_frameworks().items():
        existing = ReportCardFramework.objects.filter(slug=slug, version=1).first()
        if existing is not None:
            made.append(existing)
            continue
        fw = load_framework(path=path)
        made.append(ReportCardFramework.objects.create(
            slug=fw.id, version=1, name=fw.title,
            definition=framework_to_dict(framework=fw),
            note=f"Shipped framework {path.name} (version {fw.version}).",
        ))
    return made


def framework_copy_create(*, framework: ReportCardFramework, cuts: dict[str, float],
                          note: str = "", by: User | AnonymousUser | None = None,
                          ) -> ReportCardFramework:
    """The next version of ``framework``'s slug with the given cut points.

    ``cuts`` maps ``"<component id>.<metric id>.<level id>"`` to the new cut point. The copy is
    validated with the engine's loader: a :class:`FrameworkError` names the field at fault.
    """
    from playbook.analytics.reportcards import framework_copy, framework_to_dict

    base = framework_engine(framework=framework)
    with transaction.atomic():
        latest = (ReportCardFramework.objects.select_for_update()
                  .filter(slug=framework.slug).aggregate(v=Max("version"))["v"]) or 0
        version = latest + 1
        label = re.sub(r"-v\d+$", "", base.version) + f"-v{version}"
        changes = {}
        for key, value in cuts.items():
            component, metric, level = key.split(".")
            changes[f"components[{component}].metrics[{metric}].cuts.{level}"] = value
        new = framework_copy(framework=base, version=label, changes=changes)
        return ReportCardFramework.objects.create(
            slug=framework.slug, version=version, name=new.title,
            definition=framework_to_dict(framework=new), based_on=framework,
            note=note[:300], created_by=signed_in_or_none(by),
        )


# ----------------------------------------------------------------------------------------------
# Runs


@lru_cache(maxsize=1)
def _engine_source_digest() -> str:
    import playbook.analytics.reportcards as rc

    root = Path(rc.__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("*.py")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def code_version() -> str:
    """The code that computes report cards: the release and a digest of the engine's source."""
    return f"playbook {__version__}; reportcards {_engine_source_digest()}"


def run_version(*, framework: ReportCardFramework) -> str:
    """What a run's results depend on besides its framework, snapshot, engine and minimum n
    (stored as the run's ``code_version``, so it decides when a finished run is reused): the
    code, and for a framework that reads growth the achievement standard in force for each of
    its subjects (the growth engine's adequate-growth flags come from its cut scores), e.g.
    ``playbook 0.1.0; reportcards 1a2b3c4d5e6f; standards ela v1, math none``."""
    subjects = sorted({m.subject for _, m in framework_engine(framework=framework).metrics()
                       if m.source == "growth"})
    version = code_version()
    if not subjects:
        return version
    latest = dict(AchievementStandard.objects.filter(subject__in=subjects)
                  .values("subject").annotate(v=Max("version")).values_list("subject", "v"))
    standards = ", ".join(f"{s} v{latest[s]}" if s in latest else f"{s} none" for s in subjects)
    text = f"{version}; standards {standards}"
    limit = ReportCardRun._meta.get_field("code_version").max_length or 80
    if len(text) > limit:
        digest = hashlib.sha256(standards.encode()).hexdigest()[:12]
        text = f"{version}; standards {digest}"
    return text


def report_card_run_start(
    *, framework: ReportCardFramework, snapshot: Snapshot, engine: str = "duckdb",
    by: User | AnonymousUser | None = None, wait: bool = False,
) -> ReportCardRun:
    """Queue a run (or return the finished one with the same inputs: reruns are identical, so
    they are not repeated). ``wait`` runs it here and now instead of in the background."""
    if engine not in ENGINES:
        raise ReportCardError(f"unknown engine {engine!r} (duckdb or spark)")
    min_n = int(settings.PLAYBOOK_MIN_N)
    version = run_version(framework=framework)
    done = ReportCardRun.objects.filter(
        framework=framework, snapshot=snapshot, engine=engine, min_n=min_n,
        code_version=version, status=JobStatus.SUCCEEDED,
    ).first()
    if done is not None:
        return done
    run = ReportCardRun.objects.create(
        framework=framework, snapshot=snapshot, engine=engine, min_n=min_n,
        code_version=version, created_by=signed_in_or_none(by),
    )
    job_dispatch("playbook.evidence.reportcards.report_card_run_execute", run_id=run.pk,
                 wait=wait)
    run.refresh_from_db()
    return run


def report_card_run_execute(*, run_id: int) -> ReportCardRun:
    """The background job: compute the run (failed, with the error, if anything goes wrong)."""
    run = ReportCardRun.objects.select_related("snapshot", "framework").get(pk=run_id)
    return job_execute(run, _execute)


def _growth_input(run: ReportCardRun, fw: Any) -> tuple[pa.Table | None, list[int], list[str]]:
    """The growth engine's stored per-student results for every subject the framework reads and
    every year with a prior year, from the growth runs with the configuration in force (missing
    ones are computed first, in this job).

    Also the subjects whose growth results carry no adequate-growth flags: the growth engine
    computes those only with the subject's achievement standard (its cut scores)."""
    from .growth import growth_run_start

    subjects = sorted({m.subject for _, m in fw.metrics() if m.source == "growth"})
    if not subjects:
        return None, [], []
    years_file = SnapshotFile.objects.filter(snapshot=run.snapshot, kind="assessments").first()
    years = sorted(int(y) for y in (years_file.school_years if years_file else []))
    wanted = [(s, y) for s in subjects for y in years[1:]]
    tables = []
    ids = []
    no_flags: set[str] = set()
    columns = ["student_id", "subject", "year", "sgp", "adequate_growth"]
    for i, (subject, year) in enumerate(wanted):
        # the growth run with today's configuration (the achievement standard in force): a
        # finished one is reused, a missing one computed here
        job_progress(run, 2 + int(40 * i / len(wanted)),
                     f"growth for {subject} {year} ({i + 1} of {len(wanted)})")
        growth = growth_run_start(snapshot=run.snapshot, subject=subject, school_year=year,
                                  by=run.created_by, wait=True)
        if growth.status != JobStatus.SUCCEEDED:
            raise ReportCardError(f"growth run {growth.pk} for {subject} {year} failed: "
                                  f"{growth.message}")
        ids.append(growth.pk)
        path = lake_dir() / growth.results_path
        present = set(pq.read_schema(path).names)
        table = pq.read_table(path, columns=[c for c in columns if c in present])
        if "adequate_growth" not in present:
            no_flags.add(subject)
            table = table.append_column("adequate_growth", pa.nulls(table.num_rows, pa.bool_()))
        table = table.select(columns)
        tables.append(table.filter(pc.equal(table.column("year"), str(year))))
    growth_table = pa.concat_tables(tables, promote_options="permissive") if tables else None
    return growth_table, ids, sorted(no_flags)


def _unavailable_metrics(fw: Any, no_standard: list[str]) -> dict[str, str]:
    """``component.metric`` -> why it is not available, for the framework's metrics that need
    an achievement standard the office has not loaded."""
    return {f"{c.id}.{m.id}": f"not available: no achievement standard for {m.subject}"
            for c, m in fw.metrics()
            if m.measure == "percent_adequate_growth" and m.subject in no_standard}


def report_card_entities() -> pa.Table:
    """The registry's membership table, with the NCES locale of schools and districts."""
    table = entities_table()
    locale = dict(
        Organization.objects.filter(kind__in=[OrgKind.SCHOOL, OrgKind.DISTRICT],
                                    nces_id__isnull=False)
        .exclude(locale="").values_list("nces_id", "locale")
    )
    types = table.column("entity_type").to_pylist()
    ids = table.column("entity_id").to_pylist()
    values = [locale.get(i) if t in ("school", "district") else None
              for t, i in zip(types, ids, strict=True)]
    return table.append_column("locale", pa.array(values, pa.string()))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _decimal(x: Any) -> Decimal | None:
    return None if x is None else Decimal(f"{float(x):.1f}")


def _execute(run: ReportCardRun) -> None:
    from playbook.analytics.reportcards import compute_report_cards, write_results

    fw = framework_engine(framework=run.framework)
    paths = snapshot_paths(snapshot=run.snapshot)
    job_progress(run, 2, "reading growth results")
    growth, growth_ids, no_standard = _growth_input(run, fw)
    job_progress(run, 45, f"computing report cards on {run.engine}")
    entities = report_card_entities()
    result = compute_report_cards(framework=fw, lake_paths=paths, entities=entities,
                                  growth=growth, engine=run.engine,  # type: ignore[arg-type]
                                  min_n=run.min_n,
                                  unavailable=_unavailable_metrics(fw, no_standard))
    job_progress(run, 75, "writing results")
    rel = f"results/reportcards/run-{run.pk}"
    target = lake_dir() / rel
    if target.exists():
        shutil.rmtree(target)
    files = write_results(result, target)
    for path in files.values():
        os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    names = {}
    for row in entities.select(["entity_type", "entity_id", "entity_name"]).to_pylist():
        names[(row["entity_type"], row["entity_id"])] = row["entity_name"] or ""
    res = result.results
    cols = {c: res.column(c).to_pylist() for c in res.column_names}
    job_progress(run, 80, f"storing {res.num_rows:,} cells")
    with transaction.atomic():
        ReportCardCell.objects.filter(run=run).delete()
        ReportCardRating.objects.filter(run=run).delete()
        _cells_insert(run, cols, res.num_rows)
        ratings = []
        for r in result.ratings.to_pylist():
            ratings.append(ReportCardRating(
                run=run, entity_type=r["entity_type"], entity_id=r["entity_id"],
                entity_name=names.get((r["entity_type"], r["entity_id"]), "")[:200],
                year=r["year"], rating=r["rating"], points=_decimal(r["score"]),
                points_change=_decimal(r["score_change"]),
                context={k: r.get(k) for k in CONTEXT_FIELDS},
            ))
        ReportCardRating.objects.bulk_create(ratings, batch_size=CELL_BATCH)
        run.growth_runs = growth_ids
        run.results_path = rel
        run.results_sha256 = _sha256(files["results"])
        run.ratings_sha256 = _sha256(files["ratings"])
        run.timings = {k: round(v, 3) for k, v in result.timings.items()}
        run.status = JobStatus.SUCCEEDED
        run.progress = 100
        run.message = (f"{len(ratings):,} entity-years rated; {res.num_rows:,} published cells, "
                       f"{sum(cols['suppressed']):,} suppressed"
                       + _unavailable_text(result.unavailable, no_standard))
        run.finished_at = timezone.now()
        run.save()


def _unavailable_text(unavailable: dict[str, str], no_standard: list[str]) -> str:
    """The run message's lines for metrics that could not be computed: one per metric, and what
    to load."""
    if not unavailable:
        return ""
    lines = [f"{key}: {reason}" for key, reason in unavailable.items()]
    if no_standard:
        lines.append(f"To compute them, load the achievement standard (the state's cut scores) "
                     f"for {' and '.join(no_standard)} and run again.")
    return ".\n" + "\n".join(lines)


def _cells_insert(run: ReportCardRun, cols: dict[str, list[Any]], rows: int) -> None:
    """Insert the run's cells with ``executemany`` (model instances cost ~5x more for the
    ~170,000 cells of the demo state); the check constraint still guards suppressed cells."""
    from django.db import connection

    meta = ReportCardCell._meta
    names = ["run", "entity_type", "entity_id", "year", "subgroup", "component", "metric", "n",
             "value", "level", "suppressed", "value_suppressed"]
    columns = ", ".join(connection.ops.quote_name(f"{f}_id" if f == "run" else f)
                        for f in names)
    sql = (f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * len(names))})")
    et, eid, year, sub = cols["entity_type"], cols["entity_id"], cols["year"], cols["subgroup"]
    comp, metric, n, value, level = (cols["component"], cols["metric"], cols["n"],
                                     cols["value"], cols["level"])
    hidden = cols["suppressed"]
    value_hidden = cols.get("value_suppressed") or [False] * rows
    with connection.cursor() as cursor:
        for start in range(0, rows, CELL_BATCH):
            batch = []
            for i in range(start, min(rows, start + CELL_BATCH)):
                h = bool(hidden[i])
                vh = bool(value_hidden[i]) and not h
                batch.append((run.pk, et[i], eid[i], year[i], sub[i], comp[i], metric[i],
                              None if h else n[i], None if h or vh else _decimal(value[i]),
                              "" if h else (level[i] or ""), h, vh))
            cursor.executemany(sql, batch)


def report_card_files(*, run: ReportCardRun) -> dict[str, Path]:
    """The run's ``results.csv`` and ``ratings.csv`` in the lake."""
    if run.status != JobStatus.SUCCEEDED or not run.results_path:
        raise ReportCardError(f"run {run.pk} has no results")
    folder = lake_dir() / run.results_path
    return {"results": folder / "results.csv", "ratings": folder / "ratings.csv"}


# ----------------------------------------------------------------------------------------------
# Publishing


def report_card_can_publish(*, user: User | AnonymousUser) -> Decision:
    """Office staff publish and withdraw report cards; auditors only read."""
    return office_staff_only(user=user, refusal="Only office staff publish report cards.")


def publication_publish(*, run: ReportCardRun, school_year: int,
                        by: User | AnonymousUser | None) -> ReportCardPublication:
    """Make ``school_year`` of ``run`` the public report cards of its framework for that year
    (the previous publication, if any, stays as history). ``by``: the staff member (None: the
    system, the demo). Audited (django-auditlog), with who published it."""
    if by is not None:
        allowed, reason = report_card_can_publish(user=by)
        if not allowed:
            raise ReportCardError(reason)
    if run.status != JobStatus.SUCCEEDED:
        raise ReportCardError("Only a finished run can be published.")
    if not ReportCardRating.objects.filter(run=run, year=school_year).exists():
        raise ReportCardError(f"Run {run.pk} has no report cards for {school_year}.")
    slug = run.framework.slug
    with transaction.atomic(), publication_audit(by=by):
        current = list(ReportCardPublication.objects.select_for_update().filter(
            framework_slug=slug, school_year=school_year, current=True))
        for pub in current:
            if pub.run_id == run.pk:
                return pub
            pub.current = False
            pub.save(update_fields=["current"])
        return ReportCardPublication.objects.create(
            framework_slug=slug, school_year=school_year, run=run, current=True,
            published_by=signed_in_or_none(by),
        )


def publication_withdraw(*, publication: ReportCardPublication,
                         by: User | AnonymousUser | None) -> ReportCardPublication:
    """Take a year's current report cards off the public pages (the publication stays as
    history, with who withdrew it and when; nothing else becomes current). Office staff only;
    audited."""
    if by is not None:
        allowed, reason = report_card_can_publish(user=by)
        if not allowed:
            raise ReportCardError(reason.replace("publish", "withdraw"))
    with transaction.atomic(), publication_audit(by=by):
        pub = ReportCardPublication.objects.select_for_update().get(pk=publication.pk)
        if not pub.current:
            raise ReportCardError("This publication is not current: there is nothing to "
                                  "withdraw.")
        pub.current = False
        pub.withdrawn_by = signed_in_or_none(by)
        pub.withdrawn_at = timezone.now()
        pub.save(update_fields=["current", "withdrawn_by", "withdrawn_at"])
        return pub


# ----------------------------------------------------------------------------------------------
# The demo


def demo_report_cards_ensure(*, engine: str = "duckdb") -> list[ReportCardPublication]:
    """Load the shipped frameworks, run each (latest version) on the current snapshot and
    publish its latest year. Idempotent: finished runs and publications are reused."""
    snapshot = snapshot_current()
    if snapshot is None:
        return []
    frameworks_load_shipped()
    published = []
    slugs = sorted(set(ReportCardFramework.objects.values_list("slug", flat=True)))
    for slug in slugs:
        framework = ReportCardFramework.objects.filter(slug=slug, version=1).get()
        run = report_card_run_start(framework=framework, snapshot=snapshot, engine=engine,
                                    wait=True)
        year = ReportCardRating.objects.filter(run=run).aggregate(y=Max("year"))["y"]
        if year is None:
            continue
        published.append(publication_publish(run=run, school_year=year, by=None))
    return published


__all__ = [
    "ReportCardError",
    "code_version",
    "demo_report_cards_ensure",
    "framework_copy_create",
    "framework_engine",
    "frameworks_load_shipped",
    "publication_publish",
    "publication_withdraw",
    "report_card_can_publish",
    "report_card_files",
    "report_card_run_execute",
    "report_card_run_start",
    "run_version",
]
