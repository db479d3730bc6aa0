"""Pages of the funding app: the decision page with the funding line and what-ifs, decisions,
appropriations and ledgers, award agreements, match, disbursements and progress reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from playbook.accounts.access import office_staff, roles, signed_in
from playbook.accounts.roles import OFFICE_STAFF, READ_ALL, Role
from playbook.programs.models import ApplicationStatus
from playbook.programs.selectors import application_get_for_user, cycle_get
from playbook.programs.transitions import TransitionRefused, transitions_for

from .forms import (
    AppropriationForm,
    BudgetLineForm,
    CloseForm,
    CommitmentForm,
    DecisionForm,
    DisburseForm,
    MatchForm,
    ProgressReportForm,
    ReportReviewForm,
    TermsForm,
    WhatIfForm,
)
from .models import AwardStatus, ReportStatus
from .permissions import award_can_record_match, award_can_report, funding_can_manage
from .selectors import (
    agreement_problems_for,
    appropriation_get,
    appropriation_list,
    award_get_for_user,
    award_plan_for_cycle,
    awards_for_user,
    ledger_balances,
    match_status,
    plan_policy_for,
    report_get_for_user,
)
from .services import (
    OverCommitment,
    agreement_budget_line_add,
    agreement_budget_line_remove,
    agreement_update,
    appropriation_create,
    award_close,
    award_disburse,
    award_execute,
    award_fundable,
    commitment_add,
    commitment_remove,
    cycle_funding_set,
    decision_record,
    match_contribution_record,
    progress_report_review,
    progress_report_submit,
)

DECIDERS = (Role.DECISION_BODY, *READ_ALL)
APPLICANTS = (Role.DISTRICT_LEADER, Role.SCHOOL_LEADER, Role.PROVIDER)
SERVICE_ERRORS = (ValidationError, PermissionDenied, TransitionRefused, OverCommitment)


def _fail(request: HttpRequest, exc: Exception) -> None:
    for m in (exc.messages if isinstance(exc, ValidationError) else [str(exc)]):
        messages.error(request, m)


def _to_form(form: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        for m in (exc.messages if isinstance(exc, ValidationError) else [str(exc)]):
            form.add_error(None, m)


# --- decisions ---------------------------------------------------------------------------------

@roles(*DECIDERS)
def decision_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranked list with the funding line; what-ifs by another budget or set-aside."""
    cycle = cycle_get(pk=pk)
    policy = plan_policy_for(cycle=cycle)
    form = WhatIfForm(request.GET or None, set_asides=policy.set_asides)
    budget, overrides = None, {}
    if form.is_valid():
        budget, overrides = form.cleaned_data.get("budget"), form.overrides()
    cycle_plan = award_plan_for_cycle(cycle=cycle, budget=budget, set_aside_amounts=overrides)
    rows = [(line, cycle_plan.applications[line.candidate.key]) for line in cycle_plan.plan.lines]
    return render(request, "funding/decision_page.html", {
        "cycle": cycle, "plan": cycle_plan.plan, "rows": rows, "form": form,
        "what_if": bool(budget is not None or overrides),
        "is_decider": getattr(request.user, "role", "") == Role.DECISION_BODY,
        "funding": getattr(cycle, "funding", None) if hasattr(cycle, "funding") else None,
    })


@roles(Role.DECISION_BODY)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get_for_user(user=request.user, pk=pk)
    if app.status != ApplicationStatus.RECOMMENDED:
        messages.error(request, f"The application is {app.status_label.lower()}; there is "
                                "nothing to decide.")
        return redirect("programs:application_detail", pk=app.pk)
    plan = award_plan_for_cycle(cycle=app.cycle).plan
    line = plan.line_for(app.pk)
    initial = {"amount": line.award if line and line.award else award_fundable(application=app)}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            decision_record(application=app, by=request.user, outcome=c["outcome"],
                            amount=c.get("amount"), reason=c.get("reason", ""),
                            conditions=c.get("conditions", ""))
        except SERVICE_ERRORS as exc:
            _to_form(form, exc)
        else:
            messages.success(request, "Decision recorded; the applicant and the office have "
                                      "been emailed.")
            return redirect("funding:decision_page", pk=app.cycle_id)
    return render(request, "funding/decide.html", {"app": app, "form": form, "line": line,
                                                   "fundable": award_fundable(application=app)})


# --- appropriations ----------------------------------------------------------------------------

@roles(*READ_ALL)
def appropriation_index(request: HttpRequest) -> HttpResponse:
    can, _ = funding_can_manage(user=request.user)
    return render(request, "funding/appropriation_list.html",
                  {"appropriations": appropriation_list(), "can_manage": can})


@office_staff
def appropriation_new(request: HttpRequest) -> HttpResponse:
    form = AppropriationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            approp = appropriation_create(
                by=request.user, fund=c["fund"], code=c["code"], fiscal_year=c["fiscal_year"],
                amount=c["amount"], program=c["cycle"].program if c.get("cycle") else None)
            if c.get("cycle"):
                cycle_funding_set(cycle=c["cycle"], appropriation=approp, by=request.user)
        except SERVICE_ERRORS as exc:
            _to_form(form, exc)
        except Exception as exc:
            form.add_error("code", f"Could not create it: {exc}")
        else:
            messages.success(request, f"Opened {approp}.")
            return redirect("funding:appropriation_detail", pk=approp.pk)
    return render(request, "funding/form_page.html",
                  {"form": form, "title": "New appropriation", "submit": "Open appropriation"})


@roles(*READ_ALL)
def appropriation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    approp = appropriation_get(pk=pk)
    return render(request, "funding/appropriation_detail.html", {
        "approp": approp, "balances": ledger_balances(appropriation=approp),
        "transactions": approp.transactions.prefetch_related("entries").select_related(
            "award", "award__application", "by"),
    })


# --- awards and agreements ---------------------------------------------------------------------

@signed_in
def award_list(request: HttpRequest) -> HttpResponse:
    return render(request, "funding/award_list.html",
                  {"awards": awards_for_user(user=request.user)})


@signed_in
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = award_get_for_user(user=request.user, pk=pk)
    user: Any = request.user
    staff = user.role in OFFICE_STAFF
    draft = award.status == AwardStatus.DRAFT
    can_report, _ = award_can_report(user=user, award=award)
    can_match, _ = award_can_record_match(user=user, award=award)
    return render(request, "funding/award_detail.html", {
        "award": award, "app": award.application, "staff": staff, "draft": draft,
        "lines": award.budget_lines.all(), "commitments": award.commitments.all(),
        "reports": award.progress_reports.all(), "match": match_status(award=award),
        "contributions": award.match_contributions.all(),
        "problems": agreement_problems_for(award=award) if draft else [],
        "history": transitions_for(award),
        "can_report": can_report, "can_match": can_match and award.status == "executed",
        "terms_form": TermsForm(initial={"start_date": award.start_date,
                                         "end_date": award.end_date, "terms": award.terms}),
        "line_form": BudgetLineForm(), "commitment_form": CommitmentForm(),
        "disburse_form": DisburseForm(), "close_form": CloseForm(), "match_form": MatchForm(),
    })


def _award_post(request: HttpRequest, pk: int, action: Any, ok: str) -> HttpResponse:
    award = award_get_for_user(user=request.user, pk=pk)
    try:
        action(award)
    except SERVICE_ERRORS as exc:
        _fail(request, exc)
    else:
        messages.success(request, ok)
    return redirect("funding:award_detail", pk=award.pk)


def _invalid(request: HttpRequest, form: Any, pk: int) -> HttpResponse:
    for field, errors in form.errors.items():
        for e in errors:
            messages.error(request, f"{form.fields[field].label or field}: {e}"
                           if field in form.fields else e)
    return redirect("funding:award_detail", pk=pk)


@require_POST
@office_staff
def award_terms(request: HttpRequest, pk: int) -> HttpResponse:
    form = TermsForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, pk)
    return _award_post(request, pk, lambda a: agreement_update(award=a, by=request.user,
                                                               **form.cleaned_data),
                       "Terms saved.")


@require_POST
@office_staff
def award_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = BudgetLineForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, pk)
    return _award_post(request, pk, lambda a: agreement_budget_line_add(
        award=a, by=request.user, **form.cleaned_data), "Budget line added.")


@require_POST
@office_staff
def award_line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    def act(a: Any) -> None:
        line = a.budget_lines.filter(pk=line_pk).first()
        if line is None:
            raise Http404("No such line.")
        agreement_budget_line_remove(line=line, by=request.user)

    return _award_post(request, pk, act, "Budget line removed.")


@require_POST
@office_staff
def award_commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = CommitmentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, pk)
    return _award_post(request, pk, lambda a: commitment_add(award=a, by=request.user,
                                                             **form.cleaned_data),
                       "Commitment added.")


@require_POST
@office_staff
def award_commitment_delete(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    def act(a: Any) -> None:
        c = a.commitments.filter(pk=commitment_pk).first()
        if c is None:
            raise Http404("No such commitment.")
        commitment_remove(commitment=c, by=request.user)

    return _award_post(request, pk, act, "Commitment removed.")


@require_POST
@office_staff
def award_execute_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _award_post(request, pk, lambda a: award_execute(award=a, by=request.user),
                       "Agreement executed; the grant is active.")


@require_POST
@office_staff
def award_disburse_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = DisburseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, pk)
    return _award_post(request, pk, lambda a: award_disburse(award=a, by=request.user,
                                                             **form.cleaned_data),
                       "Disbursement posted to the ledger.")


@require_POST
@office_staff
def award_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, pk)
    return _award_post(request, pk, lambda a: award_close(award=a, by=request.user,
                                                          reason=form.cleaned_data["reason"]),
                       "Award closed; unspent funds released.")


@require_POST
@roles(*APPLICANTS, *OFFICE_STAFF)
def award_match(request: HttpRequest, pk: int) -> HttpResponse:
    form = MatchForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, pk)
    return _award_post(request, pk, lambda a: match_contribution_record(
        award=a, by=request.user, **form.cleaned_data), "Match contribution recorded.")


# --- progress reports --------------------------------------------------------------------------

@roles(*APPLICANTS)
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    award = award_get_for_user(user=request.user, pk=pk)
    allowed, reason = award_can_report(user=request.user, award=award)
    if not allowed:
        messages.error(request, reason)
        return redirect("funding:award_detail", pk=award.pk)
    form = ProgressReportForm(request.POST or None, commitments=list(award.commitments.all()))
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            report = progress_report_submit(
                award=award, by=request.user, period_end=c["period_end"],
                narrative=c["narrative"], spent_to_date=c["spent_to_date"],
                values=form.values())
        except SERVICE_ERRORS as exc:
            _to_form(form, exc)
        else:
            messages.success(request, "Progress report submitted to the program officer.")
            return redirect("funding:report_detail", pk=report.pk)
    return render(request, "funding/report_new.html", {"award": award, "form": form})


@signed_in
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    can_review, _ = funding_can_manage(user=request.user)
    return render(request, "funding/report_detail.html", {
        "report": report, "award": report.award,
        "values": report.values.select_related("commitment"),
        "can_review": can_review and report.status == ReportStatus.SUBMITTED,
        "form": ReportReviewForm(), "history": transitions_for(report),
    })


@require_POST
@office_staff
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    form = ReportReviewForm(request.POST)
    if form.is_valid():
        try:
            progress_report_review(report=report, by=request.user,
                                   accept=form.cleaned_data["decision"] == "accept",
                                   note=form.cleaned_data.get("note", ""))
        except SERVICE_ERRORS as exc:
            _fail(request, exc)
        else:
            messages.success(request, "Review recorded.")
    else:
        messages.error(request, "Choose accept or revise.")
    return redirect("funding:report_detail", pk=report.pk)
