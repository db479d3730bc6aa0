"""Reads of stored report cards: frameworks, runs, comparisons, publications and the cards.

``rating_for`` is how other parts of the system (approved-model renewal, waiver revocation, loan
eligibility) read a rating: only published results, never copied.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from django.db.models import Q, QuerySet
from django.http import Http404

from playbook.core.jobs import JobStatus

from .models import (
    ReportCardCell,
    ReportCardFramework,
    ReportCardPublication,
    ReportCardRating,
    ReportCardRun,
)

UNITS = {"percent": "%", "rate": "%", "median": "", "gap": " points"}
SUBGROUP_LABELS = {
    "all": "All students", "HI": "Hispanic or Latino", "AM": "American Indian or Alaska Native",
    "AS": "Asian", "BL": "Black or African American", "PI": "Native Hawaiian or Pacific Islander",
    "WH": "White", "MU": "Two or more races", "econ_disadvantaged": "Economically disadvantaged",
    "not_econ_disadvantaged": "Not economically disadvantaged",
    "disability": "Students with disabilities", "no_disability": "Students without disabilities",
    "english_learner": "English learners", "not_english_learner": "Not English learners",
}
ENTITY_LABELS = {"school": "School", "district": "District", "consortium": "Consortium",
                 "model": "Model", "provider": "Provider", "state": "State"}


def framework_list() -> QuerySet[ReportCardFramework]:
    return ReportCardFramework.objects.select_related("based_on", "created_by")


def framework_get(*, pk: int) -> ReportCardFramework:
    fw = framework_list().filter(pk=pk).first()
    if fw is None:
        raise Http404("No such framework version.")
    return fw


def framework_used_by_publication(*, framework: ReportCardFramework) -> bool:
    return ReportCardPublication.objects.filter(run__framework=framework).exists()


def report_card_run_list() -> QuerySet[ReportCardRun]:
    return ReportCardRun.objects.select_related("framework", "snapshot", "created_by")


def report_card_run_get(*, pk: int) -> ReportCardRun:
    run = report_card_run_list().filter(pk=pk).first()
    if run is None:
        raise Http404("No such report-card run.")
    return run


def run_years(*, run: ReportCardRun) -> list[int]:
    return sorted(set(ReportCardRating.objects.filter(run=run).values_list("year", flat=True)))


def run_rating_counts(*, run: ReportCardRun, year: int) -> list[dict[str, Any]]:
    from django.db.models import Count

    return list(ReportCardRating.objects.filter(run=run, year=year)
                .values("entity_type", "rating").annotate(count=Count("id"))
                .order_by("entity_type", "rating"))


def _result_from_db(run: ReportCardRun) -> Any:
    from playbook.analytics.reportcards import ReportCardResult

    from .reportcards import framework_engine

    cells = list(ReportCardCell.objects.filter(run=run).values_list(
        "entity_type", "entity_id", "year", "subgroup", "component", "metric", "level"))
    cols: list[Any] = list(zip(*cells, strict=True)) if cells else [[]] * 7
    names = ["entity_type", "entity_id", "year", "subgroup", "component", "metric", "level"]
    results = pa.table({n: pa.array([x or None for x in c] if n == "level" else list(c))
                        for n, c in zip(names, cols, strict=True)})
    rows = list(ReportCardRating.objects.filter(run=run).values_list(
        "entity_type", "entity_id", "year", "rating", "points"))
    rcols: list[Any] = list(zip(*rows, strict=True)) if rows else [[]] * 5
    ratings = pa.table({
        "entity_type": pa.array(rcols[0], pa.string()),
        "entity_id": pa.array(rcols[1], pa.string()),
        "year": pa.array(rcols[2], pa.int32()), "rating": pa.array(rcols[3], pa.string()),
        "score": pa.array([None if p is None else float(p) for p in rcols[4]], pa.float64()),
    })
    given: dict[str, Any] = {
        "framework": framework_engine(framework=run.framework), "engine": run.engine,
        "min_n": run.min_n, "results": results, "ratings": ratings,
    }
    # compare_results reads only results and ratings; other required fields of the engine's
    # result (unsuppressed cells, profiles: never stored) get empty tables.
    for f in dataclasses.fields(ReportCardResult):
        required = (f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING)
        if f.name not in given and required:
            given[f.name] = pa.table({})
    return ReportCardResult(**given)


def report_card_run_compare(*, old: ReportCardRun, new: ReportCardRun) -> list[dict[str, Any]]:
    """The engine's comparison of two runs' stored results: entity-years whose rating, score or
    metric levels differ (rating changes first)."""
    from playbook.analytics.reportcards import compare_results

    table = compare_results(old=_result_from_db(old), new=_result_from_db(new))
    rows = table.to_pylist()
    rows.sort(key=lambda r: (not r["rating_changed"], r["entity_type"], r["entity_id"],
                             r["year"]))
    return rows


# ----------------------------------------------------------------------------------------------
# Publications and ratings


def publications_current() -> QuerySet[ReportCardPublication]:
    return (ReportCardPublication.objects.filter(current=True)
            .select_related("run", "run__framework").order_by("framework_slug", "-school_year"))


def publication_current(*, framework_slug: str, school_year: int | None = None
                        ) -> ReportCardPublication | None:
    qs = publications_current().filter(framework_slug=framework_slug)
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    return qs.first()


def rating_for(*, entity_type: str, entity_id: str, school_year: int,
               framework_slug: str | None = None) -> ReportCardRating | None:
    """An entity's published rating for a school year (None when nothing is published).

    Reads only the current publication of each framework for that year; with no
    ``framework_slug``, the first framework (by slug) that rates the entity.
    """
    pubs = ReportCardPublication.objects.filter(current=True, school_year=school_year)
    if framework_slug is not None:
        pubs = pubs.filter(framework_slug=framework_slug)
    for pub in pubs.order_by("framework_slug"):
        rating = ReportCardRating.objects.filter(
            run_id=pub.run_id, entity_type=entity_type, entity_id=entity_id, year=school_year,
        ).first()
        if rating is not None:
            return rating
    return None


def published_ratings(*, publication: ReportCardPublication, entity_types: list[str] | None = None,
                      rating: str = "", query: str = "", sort: str = "rating"
                      ) -> list[ReportCardRating]:
    qs = ReportCardRating.objects.filter(run=publication.run, year=publication.school_year)
    if entity_types:
        qs = qs.filter(entity_type__in=entity_types)
    if rating:
        qs = qs.filter(rating=rating)
    if query:
        qs = qs.filter(Q(entity_name__icontains=query) | Q(entity_id__iexact=query))
    order = {"rating": ["-points", "entity_name"], "name": ["entity_name", "entity_id"],
             "change": ["-points_change", "entity_name"]}.get(sort, ["-points", "entity_name"])
    rows = list(qs.order_by(*order))
    if sort == "rating":  # rated entities first, best score first, not rated last
        rows.sort(key=lambda r: r.points is None)
    return rows


def entity_search(*, query: str, limit: int = 50) -> list[tuple[ReportCardPublication,
                                                                ReportCardRating]]:
    out = []
    for pub in publications_current():
        latest = publication_current(framework_slug=pub.framework_slug)
        if latest is None or latest.pk != pub.pk:
            continue
        for r in published_ratings(publication=pub, query=query, sort="name")[:limit]:
            out.append((pub, r))
    return out[:limit]


# ----------------------------------------------------------------------------------------------
# One entity's card


def cut_points_plain(*, metric: Any, framework: Any) -> str:
    """The cut points in plain words, best level first, e.g. "Exemplary: 60% or more;
    Sufficient: 40% up to but not including 60%; Insufficient: below 40%"."""
    if not metric.cuts:
        return "Reported for information; not rated."
    unit = UNITS.get(metric.unit, "")

    def num(x: float) -> str:
        return f"{x:g}{unit}"

    levels = list(framework.levels)
    parts = []
    higher = metric.direction == "higher"
    for i in range(len(levels) - 1, -1, -1):
        lv = levels[i]
        lo = metric.cuts.get(lv.id) if i > 0 else None
        hi = metric.cuts.get(levels[i + 1].id) if i + 1 < len(levels) else None
        if higher:
            if lo is None:
                text = f"below {num(hi)}" if hi is not None else "any value"
            elif hi is None:
                text = f"{num(lo)} or more"
            else:
                text = f"{num(lo)} up to but not including {num(hi)}"
        else:
            if lo is None:
                text = f"more than {num(hi)}" if hi is not None else "any value"
            elif hi is None:
                text = f"{num(lo)} or less"
            else:
                text = f"more than {num(hi)} up to {num(lo)}"
        parts.append(f"{lv.label}: {text}")
    return "; ".join(parts) + "."


@dataclass
class CardMetric:
    component: str
    id: str
    title: str
    unit: str
    cuts_plain: str
    rated: bool
    cell: ReportCardCell | None = None
    subgroups: list[ReportCardCell] = field(default_factory=list)

    @property
    def unit_suffix(self) -> str:
        return UNITS.get(self.unit, "")

    @property
    def chartable(self) -> bool:
        """Values on a 0-100 scale get a bar chart (gaps are in the table only)."""
        return self.unit in ("percent", "rate", "median")


@dataclass
class Card:
    publication: ReportCardPublication | None
    run: ReportCardRun
    framework: Any
    year: int
    rating: ReportCardRating
    trend: list[ReportCardRating]
    components: list[dict[str, Any]]
    earlier: list[ReportCardCell]
    served: list[ReportCardCell]
    cells: list[ReportCardCell]
    min_n: int
    entity_label: str = ""

    def export_rows(self) -> list[dict[str, Any]]:
        """The page's cells, in results.csv's columns."""
        fw = self.framework.name
        return [{
            "framework": fw, "entity_type": c.entity_type, "entity_id": c.entity_id,
            "year": c.year, "subgroup": c.subgroup, "component": c.component,
            "metric": c.metric, "n": c.n, "value": None if c.value is None else float(c.value),
            "level": c.level or None, "suppressed": c.suppressed,
            "value_suppressed": c.value_suppressed,
        } for c in self.cells]


def card_build(*, run: ReportCardRun, entity_type: str, entity_id: str, year: int,
               publication: ReportCardPublication | None = None) -> Card:
    """Everything one entity's card shows for ``year`` (and the years before it, for the
    trend). Raises 404 when the run does not rate the entity that year."""
    from .reportcards import framework_engine

    rating = ReportCardRating.objects.filter(run=run, entity_type=entity_type,
                                             entity_id=entity_id, year=year).first()
    if rating is None:
        raise Http404("No report card for this entity and year.")
    fw = framework_engine(framework=run.framework)
    trend = list(ReportCardRating.objects.filter(run=run, entity_type=entity_type,
                                                 entity_id=entity_id, year__lte=year)
                 .order_by("year"))
    cells = list(ReportCardCell.objects.filter(
        run=run, entity_type=entity_type, entity_id=entity_id,
    ).filter(Q(year=year) | Q(subgroup="all", year__lt=year)).order_by("id"))
    level_labels = {lv.id: lv.label for lv in fw.levels}
    titles = {(comp.id, m.id): (comp.title, m.title) for comp, m in fw.metrics()}
    for comp in fw.components:
        titles[(comp.id, "score")] = (comp.title, "Component score")
    for c in cells:
        c.label = SUBGROUP_LABELS.get(c.subgroup, c.subgroup)  # type: ignore[attr-defined]
        c.level_label = level_labels.get(c.level, c.level)  # type: ignore[attr-defined]
        c.titles = titles.get((c.component, c.metric),  # type: ignore[attr-defined]
                              ("Context", "Students") if c.component == "context"
                              else (c.component, c.metric))
        c.unit = "" if c.component != "context" or c.subgroup == "all" else "%"  # type: ignore[attr-defined]
    this_year = [c for c in cells if c.year == year]
    by_key = {(c.component, c.metric, c.subgroup): c for c in this_year}
    components = []
    for comp in fw.components:
        metrics = []
        for m in comp.metrics:
            cm = CardMetric(component=comp.id, id=m.id, title=m.title, unit=m.unit,
                            cuts_plain=cut_points_plain(metric=m, framework=fw), rated=m.rated,
                            cell=by_key.get((comp.id, m.id, "all")))
            cm.subgroups = [by_key[(comp.id, m.id, s)] for s in fw.subgroups
                            if s != "all" and (comp.id, m.id, s) in by_key]
            metrics.append(cm)
        components.append({"id": comp.id, "title": comp.title, "weight": comp.weight,
                           "description": comp.description,
                           "score": by_key.get((comp.id, "score", "all")), "metrics": metrics})
    served = [c for c in this_year if c.component == "context"]
    earlier = [c for c in cells if c.year < year]
    shown = {id(c) for c in served} | {id(c) for c in earlier}
    for comp_d in components:
        if comp_d["score"] is not None:
            shown.add(id(comp_d["score"]))
        for cm in comp_d["metrics"]:
            if cm.cell is not None:
                shown.add(id(cm.cell))
            shown.update(id(c) for c in cm.subgroups)
    page_cells = [c for c in cells if id(c) in shown]
    return Card(publication=publication, run=run, framework=fw, year=year, rating=rating,
                trend=trend, components=components, earlier=earlier, served=served,
                cells=page_cells, min_n=run.min_n,
                entity_label=ENTITY_LABELS.get(entity_type, entity_type))


def published_card(*, framework_slug: str, entity_type: str, entity_id: str,
                   school_year: int | None = None) -> Card:
    pub = publication_current(framework_slug=framework_slug, school_year=school_year)
    if pub is None:
        raise Http404("No published report cards for this framework and year.")
    return card_build(run=pub.run, entity_type=entity_type, entity_id=entity_id,
                      year=pub.school_year, publication=pub)


def published_years(*, framework_slug: str) -> list[int]:
    return list(publications_current().filter(framework_slug=framework_slug)
                .values_list("school_year", flat=True))


def succeeded_runs() -> QuerySet[ReportCardRun]:
    return report_card_run_list().filter(status=JobStatus.SUCCEEDED)


#: the framework whose published context (enrollment, share economically disadvantaged) the
#: directory shows for schools and districts (decision 0008)
DIRECTORY_FRAMEWORK = "school-district-performance"


@dataclass
class PublishedEnrollment:
    """What the directory may show of an entity's enrollment: the figures of its current
    report card (``None`` where the card hides them), with the school year they are for."""

    school_year: int
    enrollment: int | None
    pct_econ_disadvantaged: float | None


def published_enrollments(*, nces_ids: list[str]) -> dict[str, PublishedEnrollment]:
    """For schools and districts (by NCES ID), the enrollment and share economically
    disadvantaged on the latest current publication of the school/district framework, suppressed
    exactly as there. Entities without a published card are left out: the directory then shows
    no enrollment for them, never the registry's own figure (which may be one the card hides)."""
    pub = publication_current(framework_slug=DIRECTORY_FRAMEWORK)
    if pub is None or not nces_ids:
        return {}
    out = {}
    rows = ReportCardRating.objects.filter(
        run=pub.run, year=pub.school_year, entity_type__in=["school", "district"],
        entity_id__in=nces_ids).values_list("entity_id", "context")
    for entity_id, context in rows:
        out[entity_id] = PublishedEnrollment(
            school_year=pub.school_year, enrollment=(context or {}).get("enrollment"),
            pct_econ_disadvantaged=(context or {}).get("pct_econ_disadvantaged"))
    return out
