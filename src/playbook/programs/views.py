"""Pages of the programs app: setup, the applicant's dashboard and forms, screening, the staff
list and export, and the public round page with its open data. Each view parses, calls one
service, and renders or redirects."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from playbook.accounts.access import office_staff, public, roles, signed_in
from playbook.accounts.roles import OFFICE_STAFF, READ_ALL, Role
from playbook.core.csv_safe import csv_writer
from playbook.core.forms import errors_to_form, errors_to_page

from .eligibility import applicant_profile
from .forms import (
    ApplicationFilterForm,
    ApplicationForm,
    AttachmentForm,
    CycleEditForm,
    CycleForm,
    ProgramForm,
    RulesJSONForm,
    ScreenForm,
    StartApplicationForm,
)
from .models import Application, ApplicationStatus, Attachment
from .permissions import (
    application_can_edit,
    application_can_screen,
    application_can_start,
    organizations_user_may_apply_for,
    program_can_configure,
    signed_in_user,
)
from .registry import (
    application_panels,
    instrument_get,
    instruments,
    public_dataset,
    public_datasets,
    public_panels,
)
from .rules import NON_PUBLIC_TYPES, CycleRules, rules_model
from .rules_form import RulesForm as RulesEditorForm
from .selectors import (
    agreement_for,
    application_eligibility,
    application_get_for_user,
    application_get_for_work,
    application_list_filtered,
    application_problems,
    applications_for_user,
    ballots_for_user,
    cycle_configuration_current,
    cycle_get,
    cycle_list_open,
    cycle_list_public,
    cycle_totals,
    program_get,
    program_list,
    public_columns,
    public_open_data_columns,
    public_rows,
    screening_queue,
    traces_for,
)
from .services import lifecycle
from .services.applications import (
    application_attachment_add,
    application_attachment_remove,
    application_start,
    application_update_draft,
)
from .services.setup import cycle_configuration_save, cycle_create, cycle_update, program_create
from .transitions import TransitionRefused, transitions_for

APPLICANTS = (Role.DISTRICT_LEADER, Role.SCHOOL_LEADER, Role.PROVIDER)




# --- home --------------------------------------------------------------------------------------

@signed_in
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request.user)
    context: dict[str, Any] = {
        "applications": applications_for_user(user=user)[:200],
        "open_cycles": cycle_list_open() if user.role in APPLICANTS else [],
        "is_staff": user.role in READ_ALL,
        "is_decider": user.role == Role.DECISION_BODY,
        "programs": program_list() if user.role in READ_ALL or
        user.role == Role.DECISION_BODY else [],
        "ballots": ballots_for_user(user=user) if user.role == Role.DECISION_BODY else [],
    }
    return render(request, "programs/home.html", context)


# --- setup -------------------------------------------------------------------------------------

@roles(*READ_ALL)
def program_index(request: HttpRequest) -> HttpResponse:
    can, _ = program_can_configure(user=request.user)
    return render(request, "programs/program_index.html",
                  {"programs": program_list(), "can_configure": can})


@office_staff
def program_new(request: HttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = program_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Created {program.name}.")
            return redirect("programs:program_detail", slug=program.slug)
    return render(request, "programs/form_page.html",
                  {"form": form, "title": "New program", "submit": "Create program"})


@roles(*READ_ALL)
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_get(slug=slug)
    can, _ = program_can_configure(user=request.user)
    return render(request, "programs/program_detail.html",
                  {"program": program, "cycles": program.cycles.all(), "can_configure": can})


@office_staff
def cycle_new(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_get(slug=slug)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycle_create(by=request.user, program=program, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Created {cycle.name} with the default rules (version 1). "
                                      "Review the rules before it opens.")
            return redirect("programs:cycle_rules", pk=cycle.pk)
    return render(request, "programs/form_page.html",
                  {"form": form, "title": f"New cycle of {program.name}", "submit": "Create cycle"})


@roles(*READ_ALL)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get(pk=pk)
    can, _ = program_can_configure(user=request.user)
    versions = [(c, json.dumps(c.data, indent=2)) for c in cycle.configurations.all()]
    return render(request, "programs/cycle_detail.html", {
        "cycle": cycle, "versions": versions, "totals": cycle_totals(cycle=cycle),
        "can_configure": can, "rules": cycle_configuration_current(cycle=cycle).rules,
    })


@office_staff
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get(pk=pk)
    initial = {"name": cycle.name, "opens_at": timezone.localtime(cycle.opens_at),
               "closes_at": timezone.localtime(cycle.closes_at), "budget": cycle.budget,
               "results_public": cycle.results_public}
    form = CycleEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cycle_update(cycle=cycle, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Saved the cycle.")
            return redirect("programs:cycle_detail", pk=cycle.pk)
    return render(request, "programs/form_page.html",
                  {"form": form, "title": f"Edit {cycle}", "submit": "Save"})


@office_staff
def cycle_rules(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the cycle's rules: a form built from the rules' schema (labels, help, choices), or
    the raw JSON document (``?mode=json``) with the same validation. Every problem is listed
    with its field path, and nothing is saved until all pass."""
    cycle = cycle_get(pk=pk)
    current = cycle_configuration_current(cycle=cycle)
    mode = "json" if request.GET.get("mode") == "json" else "form"
    note = str(request.POST.get("note", ""))[:300]
    model = rules_model(instrument_get(cycle.program.instrument).rules_sections)
    form: Any
    if mode == "json":
        form = RulesJSONForm(request.POST or None,
                             initial={"document": json.dumps(current.data, indent=2)})
    else:
        form = RulesEditorForm(model=model, initial=current.data,
                               data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["document"] if mode == "json" else form.document
        try:
            saved = cycle_configuration_save(cycle=cycle, by=request.user, data=data, note=note)
        except ValidationError as exc:
            errors = exc.message_dict.get("data", exc.messages) if hasattr(
                exc, "error_dict") else exc.messages
            for error in errors:
                form.add_error("document" if mode == "json" else None, error)
        else:
            if saved.version != current.version:
                messages.success(request, f"Saved as version {saved.version}; applications "
                                          "already written keep their own version.")
            else:
                messages.success(request, f"Saved version {saved.version}.")
            return redirect("programs:cycle_detail", pk=cycle.pk)
    return render(request, "programs/cycle_rules.html",
                  {"form": form, "cycle": cycle, "current": current, "mode": mode,
                   "note": note})


# --- applicants --------------------------------------------------------------------------------

@roles(*APPLICANTS)
def application_new(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get(pk=pk)
    allowed, reason = application_can_start(user=request.user, cycle=cycle)
    if not allowed:
        messages.error(request, reason)
        return redirect("programs:home")
    form = StartApplicationForm(request.POST or None,
                                organizations=organizations_user_may_apply_for(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            app = application_start(cycle=cycle, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            errors_to_form(form, exc if isinstance(exc, ValidationError) else ValidationError(
                str(exc)))
        else:
            deadline = timezone.localtime(cycle.closes_at)
            messages.success(request, "Draft started. Save as you go; submit before "
                                      f"{deadline:%B %-d, %Y %-I:%M %p}.")
            return redirect("programs:application_edit", pk=app.pk)
    return render(request, "programs/form_page.html", {
        "form": form, "title": f"Apply to {cycle}", "submit": "Start the application",
        "intro": f"Applications close {timezone.localtime(cycle.closes_at):%B %-d, %Y %-I:%M %p}."})


def _application_form(app: Application, data: Any = None) -> ApplicationForm:
    profile = applicant_profile(app.applicant)
    rules = app.rules
    initial = {"title": app.title, "summary": app.summary,
               "partner_district": app.partner_district_id,
               **{f"answer_{k}": v for k, v in (app.answers or {}).items()}}
    return ApplicationForm(
        data, initial=initial, rules=rules, consortium=profile.type == "consortium",
        needs_partner=profile.type in NON_PUBLIC_TYPES
        and rules.eligibility.non_public_requires_district_partner,
    )


@roles(*APPLICANTS)
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get_for_user(user=request.user, pk=pk)
    allowed, reason = application_can_edit(user=request.user, application=app)
    if not allowed:
        messages.error(request, reason)
        return redirect("programs:application_detail", pk=app.pk)
    form = _application_form(app, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_update_draft(
                application=app, by=request.user, title=form.cleaned_data["title"],
                summary=form.cleaned_data.get("summary", ""), answers=form.answers(),
                partner_district=form.cleaned_data.get("partner_district"))
        except ValidationError as exc:
            for key, errs in exc.message_dict.items():
                name = f"answer_{key}" if f"answer_{key}" in form.fields else (
                    key if key in form.fields else None)
                for e in errs:
                    form.add_error(name, e)
        else:
            messages.success(request, "Draft saved.")
            if "next" in request.POST:
                pages = instrument_get(app.cycle.program.instrument).application_pages
                if pages:
                    return redirect(pages[0][1], pk=app.pk)
                return redirect("programs:application_attachments", pk=app.pk)
            return redirect("programs:application_edit", pk=app.pk)
    return render(request, "programs/application_edit.html", {"app": app, "form": form})


@roles(*APPLICANTS)
def application_attachments(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get_for_user(user=request.user, pk=pk)
    allowed, reason = application_can_edit(user=request.user, application=app)
    if not allowed:
        messages.error(request, reason)
        return redirect("programs:application_detail", pk=app.pk)
    form = AttachmentForm(request.POST or None, request.FILES or None, rules=app.rules)
    if request.method == "POST" and form.is_valid():
        try:
            application_attachment_add(application=app, by=request.user,
                                       slot=form.cleaned_data["slot"],
                                       upload=form.cleaned_data["file"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "File attached.")
            return redirect("programs:application_attachments", pk=app.pk)
    return render(request, "programs/application_attachments.html",
                  {"app": app, "form": form, "attachments": app.attachments.all()})


@require_POST
@roles(*APPLICANTS)
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    app = application_get_for_user(user=request.user, pk=pk)
    attachment = app.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404("No such attachment.")
    try:
        application_attachment_remove(attachment=attachment, by=request.user)
    except PermissionDenied as exc:
        errors_to_page(request, exc)
    else:
        messages.success(request, "Attachment removed.")
    return redirect("programs:application_attachments", pk=app.pk)


@signed_in
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    app = application_get_for_work(user=request.user, pk=pk)
    attachment: Attachment | None = app.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.original_name,
                        content_type=attachment.content_type)


@signed_in
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get_for_user(user=request.user, pk=pk)
    user = signed_in_user(request.user)
    rules: CycleRules = app.rules
    consortium = app.applicant.kind == "consortium"
    answers = app.answers or {}
    sections = [(s.title, [(f.label, answers.get(f.key, "")) for f in s.fields])
                for s in rules.form.sections if consortium or not s.consortium_only]
    if consortium:
        sections.append(("Consortium", [("Collaboration plan",
                                         answers.get("collaboration_plan", ""))]))
    can_edit, _ = application_can_edit(user=user, application=app)
    can_screen, _ = application_can_screen(user=user)
    staff = user.role in READ_ALL
    return render(request, "programs/application_detail.html", {
        "app": app, "sections": sections, "attachments": app.attachments.all(),
        "history": transitions_for(app), "can_edit": can_edit,
        "can_screen": can_screen and app.status in (ApplicationStatus.SUBMITTED,
                                                    ApplicationStatus.SCREENED),
        "can_act": user.role != Role.REVIEWER,
        "problems": application_problems(application=app) if can_edit else [],
        "eligibility": application_eligibility(application=app) if staff else None,
        "profile": applicant_profile(app.applicant),
        "panels": application_panels(app, user),
        "ballots": app.ballots.select_related("body") if staff
        or user.role == Role.DECISION_BODY else [],
        "agreement": agreement_for(application=app) if user.role != Role.REVIEWER else None,
        "traces": traces_for(obj=app, applicant_view=not staff),
        "can_open_vote": app.status == ApplicationStatus.RECOMMENDED
        and user.role in (*OFFICE_STAFF, Role.DECISION_BODY)
        and not app.ballots.filter(status="open").exists(),
    })


# --- staff: screening, lifecycle, lists, export ------------------------------------------------

@roles(*READ_ALL)
def screening(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/screening.html", {"queue": screening_queue()})


@office_staff
def application_screen(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get_for_user(user=request.user, pk=pk)
    form = ScreenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            if action == "request_info":
                lifecycle.application_request_info(application=app, by=request.user,
                                                   reason=reason)
            else:
                lifecycle.application_screen(application=app, by=request.user,
                                             eligible=action == "eligible", reason=reason)
        except (TransitionRefused, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Screening recorded; the applicant has been emailed.")
            return redirect("programs:screening")
    return render(request, "programs/screen.html", {
        "app": app, "form": form, "eligibility": application_eligibility(application=app),
        "profile": applicant_profile(app.applicant)})


@require_POST
@signed_in
def application_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one step of the application's workflow (the lifecycle page's buttons)."""
    app = application_get_for_user(user=request.user, pk=pk)
    name = request.POST.get("step", "")[:60]
    try:
        lifecycle.application_step(application=app, name=name, by=request.user,
                                   reason=request.POST.get("reason", "")[:2000],
                                   certified=request.POST.get("certify") == "yes")
    except (TransitionRefused, PermissionDenied, ValidationError) as exc:
        errors_to_page(request, exc)
    else:
        messages.success(request, "Recorded; the people it concerns have been emailed.")
    return redirect("programs:application_detail", pk=app.pk)


def _filtered(request: HttpRequest) -> tuple[ApplicationFilterForm, Any]:
    form = ApplicationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    cycle = cycle_get(pk=data["cycle"]) if data.get("cycle") else None
    qs = application_list_filtered(user=request.user, cycle=cycle,
                                   status=data.get("status", ""), query=data.get("q", ""),
                                   applicant_type=data.get("applicant_type", ""))
    return form, qs


@roles(*READ_ALL)
def application_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    return render(request, "programs/application_list.html",
                  {"form": form, "applications": qs[:500], "count": qs.count(),
                   "query": request.GET.urlencode()})


EXPORT_COLUMNS = ["reference", "cycle", "applicant", "applicant_type", "partner_district",
                  "title", "purpose", "status", "submitted_at", "decided_at"]


def _export_columns() -> list[tuple[str, Any, str]]:
    """Every registered instrument's own export columns: (key, function, instrument)."""
    return [(k, fn, i.key) for i in instruments() for k, fn in i.export_columns]


def _export_row(app: Application, extra: list[tuple[str, Any, str]]) -> list[Any]:
    return [app.reference, str(app.cycle), app.applicant.name,
            applicant_profile(app.applicant).type,
            app.partner_district.name if app.partner_district else "", app.title, app.summary,
            app.status, app.submitted_at.isoformat() if app.submitted_at else "",
            app.decided_at.isoformat() if app.decided_at else "",
            *(fn(app) if key == app.cycle.program.instrument else "" for _, fn, key in extra)]


@roles(*READ_ALL)
def application_export(request: HttpRequest) -> HttpResponse:
    _, qs = _filtered(request)
    extra = _export_columns()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="applications-{timezone.localdate():%Y%m%d}.csv"')
    writer = csv_writer(response)
    writer.writerow([*EXPORT_COLUMNS, *(k for k, _, _ in extra)])
    for app in qs:
        writer.writerow(_export_row(app, extra))
    return response


# --- public ------------------------------------------------------------------------------------

@public
def round_index(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/round_index.html", {"cycles": cycle_list_public()})


def _public_cycle(pk: int) -> Any:
    cycle = cycle_get(pk=pk)
    if not cycle.results_public:
        raise Http404("This round is not published.")
    return cycle


@public
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _public_cycle(pk)
    columns = public_columns(cycle=cycle)
    rows = public_rows(cycle=cycle)
    for row in rows:  # each instrument column's value with its heading (stacked on a phone)
        row["labelled"] = list(zip([heading for _, heading in columns], row["columns"],
                                   strict=True))
    return render(request, "programs/round_page.html", {
        "cycle": cycle, "rows": rows, "totals": cycle_totals(cycle=cycle),
        "columns": columns, "datasets": public_datasets(cycle),
        "panels": public_panels(cycle, request.user)})


@public
def round_csv(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _public_cycle(pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="round-{cycle.pk}.csv"'
    writer = csv_writer(response)
    columns = public_open_data_columns(cycle=cycle)
    writer.writerow(columns)
    for row in public_rows(cycle=cycle):
        writer.writerow([row[c] for c in columns])
    return response


@public
def round_dataset_csv(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One of the tables the round's instrument publishes (a grant: award performance)."""
    cycle = _public_cycle(pk)
    dataset = public_dataset(cycle, key)
    if dataset is None:
        raise Http404("This round publishes no such table.")
    columns, rows = dataset.rows(cycle)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="round-{cycle.pk}-{key}.csv"'
    writer = csv_writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c) for c in columns])
    return response


@public
def round_json(request: HttpRequest, pk: int) -> JsonResponse:
    cycle = _public_cycle(pk)
    totals = cycle_totals(cycle=cycle)
    columns = public_open_data_columns(cycle=cycle)

    def plain(v: Any) -> Any:
        return str(v) if isinstance(v, Decimal) else v

    return JsonResponse({
        "program": cycle.program.name, "cycle": cycle.name, "fiscal_year": cycle.fiscal_year,
        "opens_at": cycle.opens_at.isoformat(), "closes_at": cycle.closes_at.isoformat(),
        "totals": {**{k: plain(v) for k, v in totals.items() if k != "extra"},
                   **{k: plain(v) for k, _, v in totals["extra"]}},
        "applications": [{c: plain(row[c]) for c in columns}
                         for row in public_rows(cycle=cycle)],
        "datasets": {d.key: [{c: plain(r.get(c)) for c in cols} for r in rows]
                     for d in public_datasets(cycle) for cols, rows in [d.rows(cycle)]},
    })

