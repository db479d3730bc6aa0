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
from playbook.ui.templatetags.charts import Chart, ChartRef, ChartRow

from .models import (
    ReportCardCell,
    ReportCardFramework,
    ReportCardPublication,
    ReportCardRating,
    ReportCardRun,
)
from .reportcard_words import no_level_reason

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
    refs: list[ChartRef] = field(default_factory=list)
    direction: str = "higher"

    @property
    def unit_suffix(self) -> str:
        return UNITS.get(self.unit, "")

    @property
    def applies(self) -> bool:
        """False when no student at the entity is counted by the metric (a grade it does not
        serve): the card leaves it out rather than show a row of zeros."""
        cells = ([self.cell] if self.cell is not None else []) + self.subgroups
        return any(c.suppressed or (c.n or 0) > 0 or c.value is not None for c in cells)

    @property
    def chartable(self) -> bool:
        """Values on a 0-100 scale get a bar chart (gaps are in the table only)."""
        return self.unit in ("percent", "rate", "median")

    @property
    def chart(self) -> Chart:
        """The metric by student group on the 0-100 scale, its cut points as reference lines."""
        cells = ([self.cell] if self.cell is not None else []) + self.subgroups
        return Chart(
            id=f"chart-{self.component}-{self.id}",
            caption=f"{self.title} by student group (bars start at 0; suppressed groups have "
                    "no bar).",
            rows=[ChartRow(label=c.label, value=_shown_value(c),  # type: ignore[attr-defined]
                           text=_chart_text(c, self.unit_suffix)) for c in cells],
            refs=self.refs, unit=self.unit_suffix,
            direction=self.direction)


def _shown_value(c: ReportCardCell) -> Any:
    return None if c.suppressed or c.value is None else c.value


def _chart_text(c: ReportCardCell, unit: str) -> str:
    if c.suppressed:
        return "suppressed"
    if c.value is None:
        return "no value"
    return f"{c.value}{unit}"


def metric_refs(*, metric: Any, framework: Any) -> list[ChartRef]:
    """A metric's cut points, lowest level first (the levels above the first have cuts)."""
    return [ChartRef(label=lv.label, value=metric.cuts[lv.id])
            for lv in framework.levels[1:] if metric.cuts and lv.id in metric.cuts]


def rating_refs(*, framework: Any) -> list[ChartRef]:
    """The overall rating's bands as cut points on the 0-100 score, lowest first."""
    return [ChartRef(label=b.label, value=b.min)
            for b in reversed(framework.rating.bands) if b.min > 0]


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
    absent: list[str] = field(default_factory=list)  # metrics left out: no students counted
    district: ReportCardRating | None = None
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def scale(self) -> list[Any]:
        from .reportcard_words import rating_scale

        return rating_scale(framework=self.framework, current=self.rating.rating)

    @property
    def rating_sentence(self) -> str:
        from .reportcard_words import rating_sentence

        return rating_sentence(entity_label=self.entity_label, rating=self.rating.rating,
                               framework=self.framework)

    @property
    def rated_components(self) -> list[dict[str, Any]]:
        """The components the rating counts (weight above 0), with their scores."""
        return [c for c in self.components if c["weight"]]

    @property
    def trend_chart(self) -> Chart:
        """The overall score by year on the 0-100 scale, the rating bands as reference lines."""
        return Chart(
            id="chart-trend", caption="Overall score by year, out of 100 (bars start at 0).",
            rows=[ChartRow(label=str(t.year), value=t.points,
                           text="not rated" if t.points is None else f"{t.points}")
                  for t in self.trend],
            refs=rating_refs(framework=self.framework))

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
    engine_metrics = {(comp.id, m.id): m for comp, m in fw.metrics()}
    for c in cells:
        em = engine_metrics.get((c.component, c.metric))
        c.no_level_reason = (  # type: ignore[attr-defined]
            no_level_reason(metric=em, subgroup=c.subgroup, n=c.n, run_min_n=run.min_n)
            if em is not None and not c.level and not c.suppressed and c.value is not None
            else "")
    this_year = [c for c in cells if c.year == year]
    by_key = {(c.component, c.metric, c.subgroup): c for c in this_year}
    components = []
    absent: list[str] = []
    total_weight = sum(comp.weight for comp in fw.components) or 1
    for comp in fw.components:
        metrics = []
        for m in comp.metrics:
            cm = CardMetric(component=comp.id, id=m.id, title=m.title, unit=m.unit,
                            cuts_plain=cut_points_plain(metric=m, framework=fw), rated=m.rated,
                            cell=by_key.get((comp.id, m.id, "all")),
                            refs=metric_refs(metric=m, framework=fw), direction=m.direction)
            cm.subgroups = [by_key[(comp.id, m.id, s)] for s in fw.subgroups
                            if s != "all" and (comp.id, m.id, s) in by_key]
            if cm.applies:
                metrics.append(cm)
            else:
                absent.append(m.title)
        components.append({"id": comp.id, "title": comp.title, "weight": comp.weight,
                           "share": round(100 * comp.weight / total_weight),
                           "description": comp.description,
                           "score": by_key.get((comp.id, "score", "all")), "metrics": metrics})
    served = [c for c in this_year if c.component == "context"]
    earlier = [c for c in cells if c.year < year  # not rows of zeros: no student counted
               and (c.suppressed or (c.n or 0) > 0 or c.value is not None)]
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
                entity_label=ENTITY_LABELS.get(entity_type, entity_type), absent=absent,
                district=_district_rating(rating), state=_state_summary(rating))


def _district_rating(rating: ReportCardRating) -> ReportCardRating | None:
    """A school's district's rating on the same run and year (None for other entities)."""
    if rating.entity_type != "school":
        return None
    from playbook.organizations.models import Organization

    school = (Organization.objects.filter(nces_id=rating.entity_id)
              .select_related("parent").first())
    if school is None or school.parent is None or not school.parent.nces_id:
        return None
    return ReportCardRating.objects.filter(run_id=rating.run_id, year=rating.year,
                                           entity_type="district",
                                           entity_id=school.parent.nces_id).first()


def _state_summary(rating: ReportCardRating) -> dict[str, Any]:
    """How the rating compares across the state: entities of the same type rated on the same
    run and year (how many, the median score, how many scored lower, how many per rating)."""
    from statistics import median

    rows = list(ReportCardRating.objects.filter(
        run_id=rating.run_id, year=rating.year, entity_type=rating.entity_type,
    ).values_list("rating", "points"))
    scores = [p for _, p in rows if p is not None]
    if not scores:
        return {}
    counts: dict[str, int] = {}
    for label, _ in rows:
        counts[label] = counts.get(label, 0) + 1
    return {"rated": len(scores), "median": round(float(median(scores)), 1),
            "lower": (sum(1 for p in scores if p < rating.points)
                      if rating.points is not None else None),
            "counts": counts, "same": counts.get(rating.rating, 0), "all": len(rows)}


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


@dataclass
class CardLink:
    """Where an entity's current published report card is, and what it says."""

    framework_slug: str
    framework_title: str
    entity_type: str
    entity_id: str
    rating: str
    points: Any
    school_year: int

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("evidence:rc_card", args=[self.framework_slug, self.entity_type,
                                                 self.entity_id])


def published_card_links(*, entities: list[tuple[str, str]]) -> dict[tuple[str, str], CardLink]:
    """For ``(entity_type, entity_id)`` pairs, the card of the latest current publication of
    each framework that rates them (the first framework by slug when two do)."""
    if not entities:
        return {}
    types = {t for t, _ in entities}
    ids = {i for _, i in entities}
    wanted = set(entities)
    out: dict[tuple[str, str], CardLink] = {}
    latest: dict[str, ReportCardPublication] = {}
    for pub in publications_current():
        latest.setdefault(pub.framework_slug, pub)
    for slug in sorted(latest):
        pub = latest[slug]
        title = (pub.run.framework.definition or {}).get("title") or pub.run.framework.name
        rows = ReportCardRating.objects.filter(
            run=pub.run, year=pub.school_year, entity_type__in=types, entity_id__in=ids,
        ).values_list("entity_type", "entity_id", "rating", "points")
        for entity_type, entity_id, rating, points in rows:
            key = (entity_type, entity_id)
            if key in wanted and key not in out:
                out[key] = CardLink(framework_slug=slug, framework_title=title,
                                    entity_type=entity_type, entity_id=entity_id,
                                    rating=rating, points=points, school_year=pub.school_year)
    return out


def published_growth_links(*, entities: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """For ``(entity_type, entity_id)`` pairs, the public growth page filtered to the entity,
    where a current growth publication has results for it."""
    from django.urls import reverse

    from .models import GrowthAggregate
    from .selectors import growth_publications_current

    if not entities:
        return {}
    runs = [p.run_id for p in growth_publications_current()]
    found = set(GrowthAggregate.objects.filter(
        run_id__in=runs, entity_type__in={t for t, _ in entities},
        entity_id__in={i for _, i in entities}).values_list("entity_type", "entity_id"))
    base = reverse("evidence:public_growth")
    return {key: f"{base}?entity_type={key[0]}&q={key[1]}"
            for key in entities if key in found}
