from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from playbook.accounts.access import office_staff, public, roles
from playbook.accounts.roles import READ_ALL
from playbook.core.csv_safe import csv_cell, csv_writer
from playbook.core.jobs import JobStatus
from playbook.core.pages import page_of
from playbook.privacy.services import access_log_record
from playbook.studentdata.lake import lake_dir
from playbook.studentdata.selectors import snapshot_current

from .forms import AggregateFilterForm, GrowthRunForm, PublicGrowthForm, StudentResultsForm
from .growth import (
    GrowthError,
    growth_can_publish,
    growth_publication_publish,
    growth_publication_withdraw,
    growth_run_start,
)
from .models import GROWTH_SUBGROUP_LABELS, GrowthAggregate, GrowthPublication, GrowthRun
from .selectors import (
    growth_aggregates,
    growth_publication_current,
    growth_publications_current,
    growth_published_cells,
    growth_run_get,
    growth_run_list,
    growth_run_publication,
    school_year_label,
    subject_label,
)


@roles(*READ_ALL)
def growth_runs(request: HttpRequest) -> HttpResponse:
    form = GrowthRunForm(request.POST or None, initial={"school_year": 2025})
    if request.method == "POST":
        if not (request.user.is_authenticated and request.user.is_office_staff):
            return render(request, "accounts/refused.html",
                          {"reason": "Only office staff start growth runs."}, status=403)
        snapshot = snapshot_current()
        if snapshot is None:
            form.add_error(None, "There is no student-data snapshot yet; import data first.")
        elif form.is_valid():
            run = growth_run_start(snapshot=snapshot, by=request.user, **form.cleaned_data)
            status = run.get_status_display().lower()
            messages.success(request, f"Growth run #{run.pk} is {status}.")
            return redirect("evidence:growth_run", pk=run.pk)
    runs = list(growth_run_list()[:50])
    public_ids = set(growth_publications_current().values_list("run_id", flat=True))
    for r in runs:
        r.is_public = r.pk in public_ids  # type: ignore[attr-defined]
    return render(request, "evidence/growth_runs.html", {"form": form, "runs": runs})


@roles(*READ_ALL)
def growth_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = growth_run_get(pk=pk)
    form = AggregateFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    cells = growth_aggregates(run=run, entity_type=data.get("entity_type", ""),
                              entity_id=data.get("entity_id", ""))
    page, query = page_of(request, cells, per_page=100)
    return render(request, "evidence/growth_run.html", {
        "run": run, "form": form, "page": page, "query": query,
        "publication": growth_run_publication(run=run),
        "current": growth_publication_current(subject=run.subject, school_year=run.school_year),
        "subject_label": subject_label(run.subject),
        "year_label": school_year_label(run.school_year),
    })


@office_staff
@never_cache
def growth_run_students(request: HttpRequest, pk: int) -> HttpResponse:
    """Student-level results of a run, for one school, read for a stated purpose: logged in
    the access log, and never kept in a browser's or proxy's cache."""
    run = growth_run_get(pk=pk)
    form = StudentResultsForm(request.GET or None)
    rows: list[dict[str, Any]] = []
    school_id = ""
    if form.is_valid():
        school_id = form.cleaned_data["school_id"]
        if run.status != JobStatus.SUCCEEDED:
            raise Http404("This run has no results.")
        from playbook.studentdata.selectors import snapshot_paths

        assessments = snapshot_paths(snapshot=run.snapshot)["assessments"]
        con = duckdb.connect()
        try:
            cursor = con.execute(
                "SELECT r.* FROM read_parquet(?) r JOIN read_parquet(?) a "
                "ON a.student_key = r.student_id AND CAST(a.school_year AS VARCHAR) = r.year "
                "AND a.subject = r.subject AND a.assessment = 'summative' "
                "AND a.\"window\" = 'spring' WHERE a.school_id = ? ORDER BY r.student_id",
                [str(lake_dir() / run.results_path), str(assessments), school_id],
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        finally:
            con.close()
        access_log_record(
            user=request.user, action="growth_results",
            purpose=f"{form.cleaned_data['purpose']} (growth run {run.pk}, school {school_id})",
            student_keys=[r["student_id"] for r in rows],
            record_count=len(rows), snapshot_id=run.snapshot_id, data_kinds=["growth"],
            request=request,
        )
    return render(request, "evidence/growth_students.html",
                  {"run": run, "rows": rows, "school_id": school_id, "form": form})


def _hidden_counts(cells: QuerySet[GrowthAggregate]) -> dict[str, int]:
    return cells.aggregate(
        cells=Count("id"), hidden=Count("id", filter=Q(suppressed=True)),
        medians_hidden=Count("id", filter=Q(sgp_suppressed=True)),
        percents_hidden=Count("id", filter=Q(adequate_suppressed=True)),
    )


@roles(*READ_ALL)
def growth_run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """What publishing the run will show the public, then (office staff) the publish button."""
    run = growth_run_get(pk=pk)
    if run.status != JobStatus.SUCCEEDED:
        raise Http404("This run has no results to publish.")
    allowed, reason = growth_can_publish(user=request.user)
    if request.method == "POST":
        if not allowed:
            return render(request, "accounts/refused.html", {"reason": reason}, status=403)
        if request.POST.get("confirm") == "yes":
            try:
                pub = growth_publication_publish(run=run, by=request.user)
            except GrowthError as exc:
                messages.error(request, str(exc))
                return redirect("evidence:growth_run", pk=run.pk)
            messages.success(request, f"Published {subject_label(run.subject)} growth for "
                             f"{school_year_label(run.school_year)} (run #{run.pk}).")
            return redirect(_public_url(pub))
    current = growth_publication_current(subject=run.subject, school_year=run.school_year)
    cells = growth_aggregates(run=run)
    samples = cells.filter(subgroup="all").order_by("entity_type", "entity_name")[:25]
    return render(request, "evidence/growth_publish.html", {
        "run": run, "current": current, "counts": _hidden_counts(cells),
        "current_counts": (_hidden_counts(growth_aggregates(run=current.run))
                           if current is not None and current.run_id != run.pk else None),
        "samples": samples, "may_publish": allowed, "refusal": reason,
        "subject_label": subject_label(run.subject),
        "year_label": school_year_label(run.school_year),
    })


@office_staff
def growth_publication_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Office staff take a current growth publication off the public page (POST only)."""
    if request.method != "POST":
        return redirect("evidence:growth_runs")
    pub = get_object_or_404(GrowthPublication, pk=pk)
    try:
        growth_publication_withdraw(publication=pub, by=request.user)
    except GrowthError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Withdrew {subject_label(pub.subject)} growth for "
                         f"{school_year_label(pub.school_year)}: the public page no longer "
                         "shows it.")
    return redirect("evidence:growth_publish", pk=pub.run_id)


# ----------------------------------------------------------------------------------------------
# The public growth page and its downloads


def _public_url(pub: GrowthPublication) -> str:
    return f"{reverse('evidence:public_growth')}?subject={pub.subject}&year={pub.school_year}"


@dataclass
class _Selection:
    """What the reader asked for: the publication (None when nothing matches), the form with
    the choices offered, why nothing is shown (``problem``) and the status to answer with."""

    form: PublicGrowthForm
    publication: GrowthPublication | None = None
    problem: str = ""
    status: int = 200
    published: list[dict[str, Any]] = field(default_factory=list)

    def cells(self) -> QuerySet[GrowthAggregate]:
        if self.publication is None or self.problem:
            return GrowthAggregate.objects.none()
        data = self.form.cleaned_data
        return growth_published_cells(
            publication=self.publication, entity_type=data.get("entity_type") or "",
            subgroup=data.get("subgroup") or "", query=(data.get("q") or "").strip())


def _selection(request: HttpRequest) -> _Selection:
    pubs = list(growth_publications_current())
    by_subject: dict[str, list[int]] = {}
    for p in pubs:
        by_subject.setdefault(p.subject, []).append(p.school_year)
    subjects = sorted(by_subject, key=lambda s: (-max(by_subject[s]), subject_label(s)))
    years = sorted({p.school_year for p in pubs}, reverse=True)
    published = [{"subject": subject_label(p.subject), "year": school_year_label(p.school_year),
                  "url": _public_url(p), "pub": p}
                 for p in sorted(pubs, key=lambda p: (-p.school_year, subject_label(p.subject)))]
    data = request.GET.copy()
    subject = data.get("subject", "") or (subjects[0] if subjects else "")
    year_raw = data.get("year", "")
    if not year_raw and subject in by_subject:
        year_raw = str(max(by_subject[subject]))
    data["subject"], data["year"] = subject, year_raw
    form = PublicGrowthForm(
        data, subjects=[(s, subject_label(s)) for s in subjects],
        years=[(y, school_year_label(y)) for y in years], subgroups=GROWTH_SUBGROUP_LABELS)
    sel = _Selection(form=form, published=published)
    if not pubs:
        sel.problem = "No growth results are published yet."
        # asked for a subject or year that is not published: not found
        sel.status = 404 if (request.GET.get("subject") or request.GET.get("year")) else 200
        return sel
    if not form.is_valid():
        bad_pick = any(f in form.errors for f in ("subject", "year"))
        sel.problem = ("There are no published growth results for that subject and year. "
                       "Choose one of the published ones." if bad_pick
                       else "Correct the choices above to see results.")
        sel.status = 404 if bad_pick else 200
        return sel
    year = form.cleaned_data["year"]
    pub = (growth_publication_current(subject=form.cleaned_data["subject"], school_year=year)
           if year is not None else None)
    if pub is None:
        when = school_year_label(year) if year is not None else "that year"
        sel.problem = (f"{subject_label(form.cleaned_data['subject'])} has no published growth "
                       f"results for {when}. Choose one of the published ones.")
        sel.status = 404
        return sel
    sel.publication = pub
    return sel


@public
def public_growth(request: HttpRequest) -> HttpResponse:
    """Published growth results: a subject and year staff published, every statistic shown
    only where the count it rests on is large enough, with CSV and JSON downloads."""
    sel = _selection(request)
    page, query = page_of(request, sel.cells(), per_page=100)
    pub = sel.publication
    return render(request, "evidence/public_growth.html", {
        "sel": sel, "form": sel.form, "pub": pub, "page": page, "query": query,
        "subject_label": subject_label(pub.subject) if pub else "",
        "year_label": school_year_label(pub.school_year) if pub else "",
        "min_n": pub.run.min_n if pub else None,
    }, status=sel.status)


DOWNLOAD_COLUMNS = [
    "subject", "school_year", "entity_type", "entity_id", "entity_name", "subgroup",
    "subgroup_label", "students", "students_suppressed", "students_with_sgp", "median_sgp",
    "median_sgp_suppressed", "students_with_adequate_growth_status", "percent_adequate_growth",
    "percent_adequate_growth_suppressed", "percent_adequate_growth_hidden_for_small_group",
]


def _download_rows(pub: GrowthPublication, cells: QuerySet[GrowthAggregate]
                   ) -> list[dict[str, Any]]:
    return [{
        "subject": pub.subject, "school_year": pub.school_year, "entity_type": c.entity_type,
        "entity_id": c.entity_id, "entity_name": c.entity_name, "subgroup": c.subgroup,
        "subgroup_label": c.subgroup_label, "students": c.n,
        "students_suppressed": c.suppressed, "students_with_sgp": c.n_sgp,
        "median_sgp": c.median_sgp, "median_sgp_suppressed": c.sgp_suppressed,
        "students_with_adequate_growth_status": c.n_adequate_known,
        "percent_adequate_growth": c.pct_adequate,
        "percent_adequate_growth_suppressed": c.adequate_suppressed,
        "percent_adequate_growth_hidden_for_small_group": c.pct_adequate_suppressed,
    } for c in cells]


def _download(request: HttpRequest) -> tuple[GrowthPublication, list[dict[str, Any]], str]:
    sel = _selection(request)
    if sel.publication is None or sel.problem:
        raise Http404(sel.problem or "No such published growth results.")
    pub = sel.publication
    name = f"growth-{pub.subject}-{pub.school_year}-run{pub.run_id}"
    entity_type = sel.form.cleaned_data.get("entity_type")
    if entity_type:
        name += f"-{entity_type}"
    return pub, _download_rows(pub, sel.cells()), name


#: A value as CSV text (the site's one helper: a text starting like a formula gets a leading
#: apostrophe, so a spreadsheet shows it as text instead of running it).
csv_text = csv_cell


@public
def public_growth_csv(request: HttpRequest) -> HttpResponse:
    """The page's published cells as CSV (all of them, not one page)."""
    _, rows, name = _download(request)
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(DOWNLOAD_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in DOWNLOAD_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@public
def public_growth_json(request: HttpRequest) -> HttpResponse:
    """The page's published cells as JSON, with where they come from."""
    pub, rows, name = _download(request)
    run: GrowthRun = pub.run
    doc = {
        "subject": pub.subject, "subject_label": subject_label(pub.subject),
        "school_year": pub.school_year, "school_year_label": school_year_label(pub.school_year),
        "published_at": pub.published_at.isoformat(), "run": run.pk,
        "snapshot": run.snapshot_id, "code_version": run.code_version,
        "configuration_fingerprint": run.configuration_fingerprint, "min_n": run.min_n,
        "note": ("Each statistic is shown only when the count it rests on is at least min_n "
                 "and no hidden count can be worked out from the others; hidden values are "
                 "null, with *_suppressed true."),
        "cells": [{k: (float(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
                  for row in rows],
    }
    response = JsonResponse(doc, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response
