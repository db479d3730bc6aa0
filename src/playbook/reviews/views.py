from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from playbook.accounts.access import office_staff, roles
from playbook.accounts.roles import OFFICE_STAFF, Role
from playbook.core.csv_safe import csv_writer
from playbook.core.forms import errors_to_form, errors_to_page
from playbook.organizations.selectors import directory_search
from playbook.programs.registry import application_criteria, application_panels

from . import services
from .conflicts import conflicts_for
from .forms import (
    AffiliationForm,
    AttestationForm,
    ConflictSearchForm,
    DeclareConflictForm,
    ManualAssignForm,
    RecuseForm,
    ReviewerProfileCreateForm,
    ReviewerProfileForm,
    ReviewForm,
    RoundForm,
)
from .models import ATTESTATION_TEXTS, CURRENT_ATTESTATION_VERSION, Assignment, ReviewerAffiliation
from .normalization import METHOD_VERSION
from .permissions import RESULTS_READERS, can_manage_reviews, can_score, can_see_decisions
from .selectors import (
    application_get_for_staff,
    assignable_applications,
    assignment_get_for_reviewer,
    assignments_for_reviewer,
    attestation_for,
    cycle_assignment_board,
    cycle_get_for_reviews,
    cycle_k,
    cycle_panel,
    cycle_ranking,
    has_attested,
    latest_assignment_run,
    normalization_report,
    normalized_scores,
    pool_list,
    review_cycles,
    review_for,
    review_round_for,
    reviewer_loads,
    reviewer_profile_for,
    reviewer_profile_get,
    reviews_visible_to,
)

REVIEWERS = (Role.REVIEWER, *OFFICE_STAFF)

#: How many matches the conflict form lists (search again to narrow them).
CONFLICT_MATCHES = 20


def _profile_or_404(request: HttpRequest) -> Any:
    profile = reviewer_profile_for(user=request.user)
    if profile is None:
        raise Http404("You are not in the reviewer pool.")
    return profile


# --- reviewers --------------------------------------------------------------------------------


@roles(*REVIEWERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = reviewer_profile_for(user=request.user)
    assignments = assignments_for_reviewer(reviewer=request.user) if profile else []
    years = sorted({a.cycle.fiscal_year for a in assignments})
    attested = {y: has_attested(reviewer=profile, fiscal_year=y) for y in years} if profile else {}
    rows = [(a, getattr(a, "review", None), attested.get(a.cycle.fiscal_year, False))
            for a in assignments]
    return render(request, "reviews/dashboard.html", {
        "profile": profile, "rows": rows, "attested": attested,
        "missing_years": [y for y, ok in attested.items() if not ok],
        "declared": profile.declared_conflicts.select_related("organization", "application")
        if profile else [],
    })


@roles(*REVIEWERS)
def attest(request: HttpRequest, year: int) -> HttpResponse:
    profile = _profile_or_404(request)
    if year not in services.attestation_years():
        raise Http404("There is no attestation for that fiscal year (2000 to two years ahead).")
    existing = attestation_for(reviewer=profile, fiscal_year=year)
    form = AttestationForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        services.attestation_sign(reviewer=profile, fiscal_year=year, by=request.user)
        messages.success(request, f"Thank you: your attestation for fiscal year {year} is "
                                  "recorded.")
        return redirect("reviews:dashboard")
    return render(request, "reviews/attest.html", {
        "form": form, "year": year, "existing": existing,
        "text": ATTESTATION_TEXTS[CURRENT_ATTESTATION_VERSION],
        "version": CURRENT_ATTESTATION_VERSION,
    })


@roles(*REVIEWERS)
def declare_conflict(request: HttpRequest) -> HttpResponse:
    """Search the registry (name, city, NCES ID), pick the organization from the matches and
    say what the conflict is; no code to type."""
    profile = _profile_or_404(request)
    search = ConflictSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    matches = list(directory_search(query=query)[:CONFLICT_MATCHES + 1]) if query else []
    picked = request.POST.get("organization", "")
    if picked.isascii() and picked.isdigit() and int(picked) < 2**63 \
            and all(str(m.pk) != picked for m in matches):
        matches += list(directory_search().filter(pk=int(picked)))  # keep the pick shown
    form = DeclareConflictForm(request.POST or None, matches=matches[:CONFLICT_MATCHES + 1])
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(reviewer=profile, by=request.user,
                                      organization=form.cleaned_data["organization"],
                                      reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Conflict declared. You will not be assigned applications "
                                      "it touches.")
            return redirect("reviews:dashboard")
    return render(request, "reviews/declare_conflict.html", {
        "form": form, "search": search, "query": query,
        "matches": matches[:CONFLICT_MATCHES], "more": len(matches) > CONFLICT_MATCHES})


@roles(*REVIEWERS)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = assignment_get_for_reviewer(user=request.user, pk=pk)
    application = assignment.application
    existing = review_for(assignment=assignment)
    attested = has_attested(reviewer=assignment.reviewer, fiscal_year=assignment.cycle.fiscal_year)
    allowed, why = can_score(user=request.user, assignment=assignment, attested=attested,
                             conflicted=False)
    criteria = application_criteria(application)
    if request.method == "POST" and allowed:
        form = ReviewForm(request.POST, criteria=criteria)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                services.review_save(
                    assignment=assignment, by=request.user, scores=form.scores(),
                    comments=form.comments(), overall_comment=form.cleaned_data["overall_comment"],
                    submit=submit,
                )
            except ValidationError as exc:
                errors_to_form(form, exc, field_for=lambda key: (
                    key if key == "overall_comment" else f"score_{key}"))
            else:
                messages.success(request, "Review submitted. Other reviewers' scores are now "
                                          "shown below." if submit else "Draft saved.")
                return redirect("reviews:review", pk=assignment.pk)
    else:
        form = ReviewForm(initial=ReviewForm.initial_from(existing), criteria=criteria)
    own_submitted = existing is not None and existing.submitted_at is not None
    answers = application.answers if isinstance(application.answers, dict) else {}
    others = reviews_visible_to(user=request.user, application=application) if own_submitted \
        else []
    return render(request, "reviews/review.html", {
        "assignment": assignment, "application": application, "form": form,
        "allowed": allowed, "why": why, "review": existing, "own_submitted": own_submitted,
        "attested": attested,
        "sections": [(s.title, [(f.label, answers.get(f.key, "")) for f in s.fields])
                     for s in application.rules.form.sections],
        "panels": [p for p in application_panels(application, request.user)
                   if p["key"] != "reviews"],
        "own_rows": [(c, existing.scores.get(c.key, ""), existing.comments.get(c.key, ""))
                     for c in criteria] if existing else [],
        "others": [(r, [r.scores.get(c.key, "") for c in criteria]) for r in others],
        "criteria": criteria,
        "show_status": can_see_decisions(user=request.user)[0],
        "recuse_form": RecuseForm(),
    })


@require_POST
@roles(*REVIEWERS)
def recuse(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = assignment_get_for_reviewer(user=request.user, pk=pk)
    form = RecuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say briefly why you cannot review this application.")
        return redirect("reviews:review", pk=pk)
    try:
        services.conflict_declare(reviewer=assignment.reviewer, application=assignment.application,
                                  reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        errors_to_page(request, exc)
        return redirect("reviews:review", pk=pk)
    messages.success(request, "You have recused yourself; the program officer will reassign it.")
    return redirect("reviews:dashboard")


# --- staff: the pool --------------------------------------------------------------------------


@office_staff
def pool(request: HttpRequest) -> HttpResponse:
    form = ReviewerProfileCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.reviewer_profile_create(
                user=form.cleaned_data["user"], expertise=form.cleaned_data["expertise"],
                external=form.cleaned_data["external"], notes=form.cleaned_data["notes"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"{profile.name} joined the reviewer pool.")
            return redirect("reviews:pool")
    return render(request, "reviews/pool.html", {"profiles": pool_list(), "form": form})


@office_staff
def reviewer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = reviewer_profile_get(user=request.user, pk=pk)
    form = ReviewerProfileForm(request.POST or None, initial={
        "expertise": profile.expertise, "external": profile.external, "active": profile.active,
        "notes": profile.notes,
    })
    if request.method == "POST" and form.is_valid():
        try:
            services.reviewer_profile_update(profile=profile, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Saved {profile.name}.")
            return redirect("reviews:reviewer", pk=profile.pk)
    return render(request, "reviews/reviewer.html", {
        "profile": profile, "form": form, "affiliation_form": AffiliationForm(),
        "affiliations": profile.affiliations.select_related("organization"),
        "attestations": profile.attestations.all(),
        "declared": profile.declared_conflicts.select_related("organization", "application"),
    })


@require_POST
@office_staff
def affiliation_add(request: HttpRequest, pk: int) -> HttpResponse:
    profile = reviewer_profile_get(user=request.user, pk=pk)
    form = AffiliationForm(request.POST)
    if form.is_valid():
        try:
            services.affiliation_add(reviewer=profile, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_page(request, exc)
        else:
            messages.success(request, "Affiliation recorded.")
    else:
        messages.error(request, " ".join(
            f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()))
    return redirect("reviews:reviewer", pk=profile.pk)


@require_POST
@office_staff
def affiliation_remove(request: HttpRequest, pk: int, affiliation_pk: int) -> HttpResponse:
    profile = reviewer_profile_get(user=request.user, pk=pk)
    affiliation = ReviewerAffiliation.objects.filter(reviewer=profile, pk=affiliation_pk).first()
    if affiliation is None:
        raise Http404("No such affiliation.")
    services.affiliation_remove(affiliation=affiliation, by=request.user)
    messages.success(request, "Affiliation removed.")
    return redirect("reviews:reviewer", pk=profile.pk)


# --- staff: cycles and assignment -------------------------------------------------------------


@office_staff
def cycles(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/cycles.html", {"cycles": review_cycles()})


@office_staff
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk, manage=True)
    rnd = review_round_for(cycle=cycle)
    initial = {"min_load": rnd.min_load, "max_load": rnd.max_load, "outlier_sd": rnd.outlier_sd,
               "outlier_points": rnd.outlier_points, "reviews_due": rnd.reviews_due,
               "panel": list(rnd.panel.all()) if rnd.pk else []}
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_round_update(cycle=cycle, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Review settings saved.")
            return redirect("reviews:cycle", pk=cycle.pk)
    panel = cycle_panel(cycle=cycle)
    board = cycle_assignment_board(cycle=cycle)
    loads = reviewer_loads(cycle=cycle)
    return render(request, "reviews/cycle.html", {
        "cycle": cycle, "form": form, "board": board, "k": cycle_k(cycle=cycle),
        "panel": [(r, loads.get(r.pk, 0)) for r in panel],
        "last_run": latest_assignment_run(cycle=cycle),
        "assign_form": ManualAssignForm(applications=assignable_applications(cycle=cycle),
                                        reviewers=panel),
        "round": rnd,
    })


@require_POST
@office_staff
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk, manage=True)
    run = services.assignment_auto(cycle=cycle, by=request.user)
    if run.feasible:
        messages.success(request, run.message)
    else:
        messages.error(request, "No assignment exists with these settings. " + run.message)
    return redirect("reviews:cycle", pk=cycle.pk)


@require_POST
@office_staff
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk, manage=True)
    form = ManualAssignForm(request.POST, applications=assignable_applications(cycle=cycle),
                            reviewers=cycle_panel(cycle=cycle))
    if form.is_valid():
        try:
            a = services.assignment_add(application=form.cleaned_data["application"],
                                        reviewer=form.cleaned_data["reviewer"], by=request.user)
        except ValidationError as exc:
            errors_to_page(request, exc)
        else:
            messages.success(request, f"Assigned {a.reviewer.name} to {a.application.reference}.")
    else:
        messages.error(request, "Choose an application and a reviewer from the lists.")
    return redirect("reviews:cycle", pk=cycle.pk)


@require_POST
@office_staff
def assignment_remove(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk, manage=True)
    assignment = Assignment.objects.select_related("reviewer__user", "application").filter(
        cycle=cycle, pk=assignment_pk).first()
    if assignment is None:
        raise Http404("No such assignment.")
    try:
        services.assignment_remove(assignment=assignment, by=request.user)
    except ValidationError as exc:
        errors_to_page(request, exc)
    else:
        messages.success(request, f"Took {assignment.reviewer.name} off "
                                  f"{assignment.application.reference}.")
    return redirect("reviews:cycle", pk=cycle.pk)


@require_POST
@office_staff
def another_read(request: HttpRequest, pk: int, app_pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk, manage=True)
    application = application_get_for_staff(user=request.user, pk=app_pk)
    if application.cycle_id != cycle.pk:
        raise Http404("No such application in this cycle.")
    try:
        a = services.assignment_another_read(application=application, by=request.user)
    except ValidationError as exc:
        errors_to_page(request, exc)
    else:
        messages.success(request, f"Asked {a.reviewer.name} for another read of "
                                  f"{application.reference}.")
    return redirect("reviews:results", pk=cycle.pk)


@office_staff
def application_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_get_for_staff(user=request.user, pk=pk)
    assignments = list(Assignment.objects.filter(application=application)
                       .select_related("reviewer__user", "review"))
    rows = [(a, getattr(a, "review", None),
             conflicts_for(reviewer=a.reviewer, application=application)) for a in assignments]
    return render(request, "reviews/application.html", {
        "application": application, "rows": rows,
        "criteria": application_criteria(application),
    })


# --- results ----------------------------------------------------------------------------------


@roles(*RESULTS_READERS)
def normalization(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk)
    run, rows = normalization_report(cycle=cycle)
    return render(request, "reviews/normalization.html", {
        "cycle": cycle, "run": run, "rows": rows, "method": METHOD_VERSION,
        "scores": normalized_scores(run=run) if run else [],
        "can_run": can_manage_reviews(user=request.user)[0],
    })


@require_POST
@office_staff
def normalize(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk, manage=True)
    run = services.normalization_run(cycle=cycle, by=request.user)
    messages.success(request, f"Normalized {run.reviews_included} submitted reviews.")
    return redirect("reviews:normalization", pk=cycle.pk)


@roles(*RESULTS_READERS)
def results(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk)
    return render(request, "reviews/results.html", {
        "cycle": cycle, "results": cycle_ranking(cycle=cycle),
        "can_manage": can_manage_reviews(user=request.user)[0],
    })


@roles(*RESULTS_READERS)
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get_for_reviews(user=request.user, pk=pk)
    data = cycle_ranking(cycle=cycle)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="review-results-{cycle.program.slug}-{cycle.slug}.csv"')
    writer = csv_writer(response)
    writer.writerow(["rank", "reference", "applicant", "title", "reviews_completed",
                     "reviews_assigned", "raw_mean_total", "normalized_mean_total",
                     "needs_another_read", "method"])
    for row in data.rows:
        writer.writerow([
            row.rank or "", row.application.reference, row.application.applicant.name,
            row.application.title, row.completed, row.assigned,
            "" if row.raw_mean is None else row.raw_mean,
            "" if row.normalized_mean is None else row.normalized_mean,
            "yes" if row.needs_another_read else "no",
            data.run.method if data.run else "",
        ])
    return response
