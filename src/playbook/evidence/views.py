from __future__ import annotations

from typing import Any

import duckdb
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from playbook.accounts.access import office_staff, public, roles
from playbook.accounts.roles import READ_ALL
from playbook.core.jobs import JobStatus
from playbook.core.pages import page_of
from playbook.privacy.services import access_log_record
from playbook.studentdata.lake import lake_dir
from playbook.studentdata.selectors import snapshot_current

from .forms import AggregateFilterForm, GrowthRunForm
from .growth import growth_run_start
from .models import GrowthAggregate
from .selectors import growth_aggregates, growth_run_get, growth_run_list


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
    runs = growth_run_list()[:50]
    return render(request, "evidence/growth_runs.html", {"form": form, "runs": runs})


@roles(*READ_ALL)
def growth_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = growth_run_get(pk=pk)
    form = AggregateFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    cells = growth_aggregates(run=run, entity_type=data.get("entity_type", ""),
                              entity_id=data.get("entity_id", ""))
    page, query = page_of(request, cells, per_page=100)
    return render(request, "evidence/growth_run.html",
                  {"run": run, "form": form, "page": page, "query": query})


@office_staff
def growth_run_students(request: HttpRequest, pk: int) -> HttpResponse:
    """Student-level results of a run, for one school: logged in the access log."""
    run = growth_run_get(pk=pk)
    school_id = request.GET.get("school_id", "").strip()
    rows: list[dict[str, Any]] = []
    if school_id:
        if not (school_id.isdigit() and len(school_id) == 12):
            raise Http404("Give a 12-digit school NCES ID.")
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
            user=request.user, action="growth_results", purpose=f"growth run {run.pk}, "
            f"school {school_id}", student_keys=[r["student_id"] for r in rows],
            record_count=len(rows), snapshot_id=run.snapshot_id, data_kinds=["growth"],
            request=request,
        )
    return render(request, "evidence/growth_students.html",
                  {"run": run, "rows": rows, "school_id": school_id})


@public
def public_growth(request: HttpRequest) -> HttpResponse:
    """Published growth aggregates (suppressed cells stay suppressed)."""
    runs = growth_run_list().filter(status=JobStatus.SUCCEEDED)
    run = runs.first()
    if request.GET.get("run"):
        run = runs.filter(pk=request.GET["run"]).first() if request.GET["run"].isdigit() else None
        if run is None:
            raise Http404("No such published growth run.")
    form = AggregateFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    cells = (
        growth_aggregates(run=run, entity_type=data.get("entity_type", ""),
                          entity_id=data.get("entity_id", ""))
        if run else GrowthAggregate.objects.none()
    )
    page, query = page_of(request, cells, per_page=100)
    return render(request, "evidence/public_growth.html", {
        "run": run, "runs": runs[:20], "form": form, "page": page, "query": query,
    })
