"""Pages of the funding app (the innovation fund's own pages on the spine): an application's
budget and match, the funding line with what-ifs (where the vote is opened), appropriations and
ledgers, awards (budget lines, disbursements, match) and the grantee's progress report, which is
the spine's monitoring report with spending to date."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from playbook.accounts.access import office_staff, roles, signed_in
from playbook.accounts.roles import OFFICE_STAFF, READ_ALL, Role
from playbook.core.forms import errors_to_form, errors_to_page, invalid_form_to_page
from playbook.programs.eligibility import applicant_profile
from playbook.programs.forms import ReportForm
from playbook.programs.models import Application
from playbook.programs.permissions import application_can_edit, signed_in_user
from playbook.programs.registry import decision_panels
from playbook.programs.selectors import (
    agreement_get_for_user,
    application_get_for_user,
    cycle_get,
)
from playbook.programs.services.agreements import report_can_submit, report_submit
from playbook.programs.transitions import TransitionRefused

from .award_plan import set_aside_report
from .forms import (
    AppropriationForm,
    BudgetFormSet,
    BudgetLineForm,
    DisburseForm,
    GrantTypeForm,
    MatchCheckForm,
    MatchForm,
    SpendingForm,
    WhatIfForm,
)
from .match import match_rate_for, match_required
from .models import Award
from .permissions import award_can_record_match, award_is_grantee, funding_can_manage
from .rules import PARTIAL_POLICY_LABELS, SET_ASIDE_TAG_LABELS, funding_of
from .selectors import (
    agreement_problems_for,
    appropriation_get,
    appropriation_list,
    award_get_for_user,
    award_plan_for_cycle,
    awards_for_user,
    ledger_balances,
    match_contribution_get_for_user,
    match_queue,
    match_status,
    plan_policy_for,
)
from .services import (
    OverCommitment,
    agreement_budget_line_add,
    agreement_budget_line_remove,
    application_budget_save,
    appropriation_create,
    award_disburse,
    cycle_funding_set,
    grant_request_for,
    match_contribution_check,
    match_contribution_record,
    report_spending_record,
)

DECIDERS = (Role.DECISION_BODY, *READ_ALL)
APPLICANTS = (Role.DISTRICT_LEADER, Role.SCHOOL_LEADER, Role.PROVIDER)
SERVICE_ERRORS = (ValidationError, PermissionDenied, TransitionRefused, OverCommitment)


# --- the application's budget ------------------------------------------------------------------

@roles(*APPLICANTS)
def application_budget(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get_for_user(user=request.user, pk=pk)
    allowed, reason = application_can_edit(user=request.user, application=app)
    if not allowed:
        messages.error(request, reason)
        return redirect("programs:application_detail", pk=app.pk)
    funding = funding_of(app.rules)
    categories = funding.budget_categories
    initial = [{"category": b.category, "description": b.description,
                "state_amount": b.state_amount, "match_cash": b.match_cash,
                "match_in_kind": b.match_in_kind} for b in app.budget_lines.all()]
    formset = BudgetFormSet(request.POST or None, initial=initial, prefix="lines",
                            form_kwargs={"categories": categories})
    kind_form = GrantTypeForm(request.POST or None, grant_types=funding.grant_types,
                              initial={"grant_type": grant_request_for(app).grant_type}) \
        if funding.grant_types else None
    if request.method == "POST" and formset.is_valid() and (
            kind_form is None or kind_form.is_valid()):
        lines = [f.cleaned_data for f in formset.forms]  # blanks keep line numbers
        try:
            application_budget_save(
                application=app, by=request.user, lines=lines,
                grant_type=kind_form.cleaned_data["grant_type"] if kind_form else None)
        except ValidationError as exc:
            if kind_form is not None and hasattr(exc, "error_dict") and (
                    "grant_type" in exc.error_dict):
                errors_to_form(kind_form, exc)
            else:
                errors_to_page(request, exc)
        else:
            req = grant_request_for(app)
            messages.success(request, f"Budget saved: ${req.amount_requested:,} requested, "
                                      f"${req.match_total:,} match pledged.")
            return redirect("funding:application_budget", pk=app.pk)
    return render(request, "funding/application_budget.html", {
        "app": app, "formset": formset, "match": _match_preview(app),
        "grant": grant_request_for(app), "kind_form": kind_form,
        "grant_types": _grant_type_caps(app)})


def _grant_type_caps(app: Application) -> list[dict[str, Any]]:
    funding = funding_of(app.rules)
    kind = applicant_profile(app.applicant).type
    return [{"label": t.label, "description": t.description,
             "cap": funding.cap_for(kind, t.key), "own_rubric": t.rubric is not None}
            for t in funding.grant_types]


def _match_preview(app: Application) -> dict[str, Any]:
    funding = funding_of(app.rules)
    profile = applicant_profile(app.applicant)
    rate = match_rate_for(rules=funding.match, poverty_share=profile.econ_disadvantaged_share)
    request = grant_request_for(app)
    requested = request.amount_requested
    required = match_required(amount=requested, rate=rate)
    chosen = funding.grant_type(request.grant_type) if request.grant_type else None
    return {"rate": rate, "required": required,
            "poverty": profile.econ_disadvantaged_share,
            "cap": funding.cap_for(profile.type, request.grant_type),
            "in_kind_max": funding.match.in_kind_max_share,
            "private_min": funding.match.private_min_share,
            "type": profile.type_label, "grant_type": chosen.label if chosen else ""}


# --- the funding line ---------------------------------------------------------------------------

@roles(*DECIDERS)
def decision_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranked list with the funding line; what-ifs by another budget or set-aside. Office
    staff open the decision body's vote on each recommended application from here."""
    cycle = cycle_get(pk=pk)
    policy = plan_policy_for(cycle=cycle)
    form = WhatIfForm(request.GET or None, set_asides=policy.set_asides)
    budget, overrides = None, {}
    if form.is_valid():
        budget, overrides = form.cleaned_data.get("budget"), form.overrides()
    cycle_plan = award_plan_for_cycle(cycle=cycle, budget=budget, set_aside_amounts=overrides)
    rows = [(line, cycle_plan.applications[line.candidate.key]) for line in cycle_plan.plan.lines]
    return render(request, "funding/decision_page.html", {
        "cycle": cycle, "plan": cycle_plan.plan, "form": form,
        "rows": [(line, app, decision_panels(app, request.user)) for line, app in rows],
        "set_asides": set_aside_report(cycle_plan.plan, tag_labels=SET_ASIDE_TAG_LABELS),
        "set_aside_labels": {f"set_aside:{sa.key}": sa.label
                             for sa in cycle_plan.plan.policy.set_asides},
        "partial_policy": PARTIAL_POLICY_LABELS.get(cycle_plan.plan.policy.partial_policy,
                                                    cycle_plan.plan.policy.partial_policy),
        "what_if": bool(budget is not None or overrides),
        "can_open_votes": getattr(request.user, "role", "") in OFFICE_STAFF,
        "funding": getattr(cycle, "funding", None) if hasattr(cycle, "funding") else None,
    })


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
            errors_to_form(form, exc)
        except IntegrityError:
            form.add_error("code", f"An appropriation {c['code']} for FY{c['fiscal_year']} "
                                   "exists.")
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


# --- awards ------------------------------------------------------------------------------------

@signed_in
def award_list(request: HttpRequest) -> HttpResponse:
    return render(request, "funding/award_list.html",
                  {"awards": awards_for_user(user=request.user)})


@signed_in
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = award_get_for_user(user=request.user, pk=pk)
    user = signed_in_user(request.user)
    staff = user.role in OFFICE_STAFF
    draft = award.agreement.status == "drafted"
    can_match, _ = award_can_record_match(user=user, award=award)
    contributions = list(award.match_contributions.select_related("recorded_by", "checked_by"))
    return render(request, "funding/award_detail.html", {
        "award": award, "app": award.application, "agreement": award.agreement,
        "staff": staff, "draft": draft, "lines": award.budget_lines.all(),
        "match": match_status(award=award), "contributions": contributions,
        "can_check": staff and any(c.status == "pending" and c.recorded_by_id != user.pk
                                   for c in contributions),
        "check_form": MatchCheckForm(),
        "problems": agreement_problems_for(award=award) if draft else [],
        "can_match": can_match and award.agreement.in_force,
        "disbursements": award.ledger_transactions.filter(kind="disburse"),
        "line_form": BudgetLineForm(), "disburse_form": DisburseForm(), "match_form": MatchForm(),
    })


def _award_post(request: HttpRequest, pk: int, action: Any, ok: str) -> HttpResponse:
    award = award_get_for_user(user=request.user, pk=pk)
    try:
        action(award)
    except SERVICE_ERRORS as exc:
        errors_to_page(request, exc)
    else:
        messages.success(request, ok)
    return redirect("funding:award_detail", pk=award.pk)


def _invalid(request: HttpRequest, form: Any, pk: int) -> HttpResponse:
    invalid_form_to_page(request, form, "Check the entry")
    return redirect("funding:award_detail", pk=pk)


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
def award_disburse_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = DisburseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, pk)
    return _award_post(request, pk, lambda a: award_disburse(award=a, by=request.user,
                                                             **form.cleaned_data),
                       "Disbursement posted to the ledger.")


@require_POST
@roles(*APPLICANTS, *OFFICE_STAFF)
def award_match(request: HttpRequest, pk: int) -> HttpResponse:
    if len(request.FILES.getlist("evidence")) > 1:
        messages.error(request, "Evidence: attach one file for each contribution.")
        return redirect("funding:award_detail", pk=pk)
    form = MatchForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, form, pk)
    return _award_post(request, pk, lambda a: match_contribution_record(
        award=a, by=request.user, **form.cleaned_data),
        "Match contribution recorded. It counts once the office has checked the evidence.")


@require_POST
@office_staff
def match_check(request: HttpRequest, pk: int, contribution_pk: int) -> HttpResponse:
    """Office staff verify a contribution, or refuse it with a reason."""
    form = MatchCheckForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, pk)

    def act(award: Award) -> None:
        contribution = match_contribution_get_for_user(user=request.user, award=award,
                                                       pk=contribution_pk)
        match_contribution_check(contribution=contribution, by=request.user,
                                 verify=form.cleaned_data["decision"] == "verify",
                                 reason=form.cleaned_data["reason"])

    ok = ("Contribution verified: it counts toward the match."
          if form.cleaned_data["decision"] == "verify" else "Contribution not accepted.")
    return _award_post(request, pk, act, ok)


@signed_in
def match_evidence(request: HttpRequest, pk: int, contribution_pk: int) -> FileResponse:
    """The evidence document, for whoever may read the award (the grantee, staff, auditors)."""
    award = award_get_for_user(user=request.user, pk=pk)
    user = signed_in_user(request.user)
    if user.role not in READ_ALL and not award_is_grantee(user=user, award=award):
        raise Http404("No such contribution.")
    contribution = match_contribution_get_for_user(user=user, award=award, pk=contribution_pk)
    if not contribution.evidence:
        raise Http404("No evidence was attached.")
    return FileResponse(contribution.evidence.open("rb"), as_attachment=True,
                        filename=contribution.evidence_name or "evidence")


@roles(*READ_ALL)
def match_queue_page(request: HttpRequest) -> HttpResponse:
    return render(request, "funding/match_queue.html", {"contributions": match_queue()})


# --- the grantee's progress report --------------------------------------------------------------

@roles(*APPLICANTS)
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The spine's monitoring report on the award agreement ``pk``, with spending to date."""
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    award = Award.objects.filter(agreement=agreement).first()
    if award is None:
        raise Http404("No such award.")
    allowed, reason = report_can_submit(user=request.user, agreement=agreement)
    if not allowed:
        messages.error(request, reason)
        return redirect("programs:agreement_detail", pk=agreement.pk)
    form = ReportForm(request.POST or None, commitments=list(agreement.commitments.all()))
    spending = SpendingForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and spending.is_valid():
        c = form.cleaned_data
        try:
            with transaction.atomic():
                report = report_submit(agreement=agreement, by=request.user,
                                       period_end=c["period_end"], narrative=c["narrative"],
                                       values=form.values())
                report_spending_record(report=report,
                                       spent_to_date=spending.cleaned_data["spent_to_date"])
        except SERVICE_ERRORS as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Progress report submitted to the program officer.")
            return redirect("programs:report_detail", pk=report.pk)
    return render(request, "funding/report_new.html",
                  {"award": award, "agreement": agreement, "form": form, "spending": spending})
