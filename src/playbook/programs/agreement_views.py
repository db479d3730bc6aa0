"""Pages of the spine's decisions and agreements, for every instrument: the vote of a decision
body, and the agreement an approval opens (terms, commitments, signatures, reports, documents,
amendments and its lifecycle). Each view parses, calls one service, and renders or redirects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from playbook.accounts.access import roles, signed_in
from playbook.accounts.models import User
from playbook.accounts.roles import OFFICE_STAFF, READ_ALL, Role
from playbook.core.forms import errors_to_form, errors_to_page, invalid_form_to_page

from .forms import (
    AgreementTermsForm,
    AmendmentForm,
    CommitmentForm,
    DocumentForm,
    ReportForm,
    ReportReviewForm,
    VoteForm,
)
from .models import IN_FORCE, AgreementStatus, MonitoringReport
from .permissions import ballot_can_close, ballot_can_open, ballot_can_vote, signed_in_user
from .registry import agreement_workflow, ballot_panels, instrument_for, instrument_get
from .selectors import (
    agreement_get_for_user,
    agreements_with_report_standing,
    application_get_for_user,
    ballot_get_for_user,
    commitment_evidence,
    report_periods,
    traces_for,
    vote_record,
)
from .services import agreements as agreement_services
from .services import decisions
from .services.decisions import ballot_tally
from .transitions import TransitionRefused, transitions_for

FAILURES = (TransitionRefused, PermissionDenied, ValidationError)
STAFF_AND_DECIDERS = (*OFFICE_STAFF, Role.AUDITOR, Role.DECISION_BODY)


# --- votes -------------------------------------------------------------------------------------

@roles(*OFFICE_STAFF, Role.DECISION_BODY)
def ballot_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the decision body's vote on a recommended application, on the instrument's terms."""
    app = application_get_for_user(user=request.user, pk=pk)
    instrument = instrument_for(app)
    form_class = instrument.decision_terms_form
    initial = instrument.decision_terms_initial(app) if instrument.decision_terms_initial else {}
    form = form_class(request.POST or None, initial=initial, application=app) if form_class \
        else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            ballot = decisions.ballot_open(application=app, by=request.user,
                                           terms=dict(form.cleaned_data) if form else {})
        except FAILURES as exc:
            if form is not None:
                errors_to_form(form, exc)
            else:
                errors_to_page(request, exc)
        else:
            messages.success(request, f"The vote of {ballot.body.name} is open.")
            return redirect("programs:ballot_detail", pk=ballot.pk)
    spec = app.rules.decision.tiers[0]
    return render(request, "programs/ballot_new.html",
                  {"app": app, "form": form, "tier": spec, "instrument": instrument})


@roles(*STAFF_AND_DECIDERS)
def ballot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_get_for_user(user=request.user, pk=pk)
    user = signed_in_user(request.user)
    can_vote, vote_reason = ballot_can_vote(user=user, ballot=ballot)
    can_close, _ = ballot_can_close(user=user, ballot=ballot)
    return render(request, "programs/ballot_detail.html", {
        "ballot": ballot, "app": ballot.application, "tally": ballot_tally(ballot=ballot),
        "votes": vote_record(ballot=ballot, user=user), "can_vote": can_vote,
        "vote_reason": vote_reason, "can_close": can_close, "form": VoteForm(),
        "panels": ballot_panels(ballot, user),
        "terms": _terms_shown(ballot),
    })


def _terms_shown(ballot: Any) -> list[tuple[str, str]]:
    """The vote's terms in words: the instrument's labels, amounts as dollars."""
    form_class = instrument_for(ballot.application).decision_terms_form
    fields = form_class(application=ballot.application).fields if form_class else {}
    shown = []
    for key, value in ballot.terms.items():
        field = fields.get(key)
        label = str(field.label) if field is not None and field.label else key.replace("_", " ")
        if field is not None and getattr(field, "decimal_places", None) == 2:
            value = f"${Decimal(value):,.2f}"
        shown.append((label.removesuffix(" ($)"), str(value)))
    return shown


@require_POST
@roles(Role.DECISION_BODY, *OFFICE_STAFF)
def ballot_vote(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_get_for_user(user=request.user, pk=pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how you vote.")
        return redirect("programs:ballot_detail", pk=ballot.pk)
    try:
        decisions.vote_cast(ballot=ballot, by=request.user, **form.cleaned_data)
    except FAILURES as exc:
        errors_to_page(request, exc)
    else:
        messages.success(request, "Your vote is recorded.")
    return redirect("programs:ballot_detail", pk=ballot.pk)


@require_POST
@roles(*OFFICE_STAFF, Role.DECISION_BODY)
def ballot_close(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_get_for_user(user=request.user, pk=pk)
    try:
        closed = decisions.ballot_close(ballot=ballot, by=request.user,
                                        reason=request.POST.get("reason", "")[:2000])
    except FAILURES as exc:
        errors_to_page(request, exc)
        return redirect("programs:ballot_detail", pk=ballot.pk)
    messages.success(request, f"The vote is closed: {closed.get_outcome_display().lower()}.")
    return redirect("programs:application_detail", pk=closed.application_id)


# --- agreements --------------------------------------------------------------------------------

@signed_in
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Agreements the user may read; ``?status=`` one status, ``?reports=submitted`` those with
    a progress report to read, ``?reports=late`` those with a report past its due date."""
    status = request.GET.get("status", "")
    reports = request.GET.get("reports", "")
    if status and status not in AgreementStatus.values:
        raise BadRequest(f"status: no agreement status {status[:40]!r}")
    if reports not in ("", "submitted", "late"):
        raise BadRequest(f"reports: {reports[:40]!r} is not submitted or late")
    rows = agreements_with_report_standing(user=request.user, today=timezone.localdate(),
                                           status=status, reports=reports)
    shown = []
    if status:
        shown.append(AgreementStatus(status).label.lower())
    if reports:
        shown.append({"submitted": "with a progress report to read",
                      "late": "with a progress report past its due date"}[reports])
    return render(request, "programs/agreement_list.html",
                  {"rows": rows, "filtered": " and ".join(shown)})


@signed_in
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    user = signed_in_user(request.user)
    staff = user.role in OFFICE_STAFF
    instrument = instrument_get(agreement.instrument)
    drafted = agreement.status == AgreementStatus.DRAFTED
    report_ok, _ = agreement_services.report_can_submit(user=user, agreement=agreement)
    evidence = commitment_evidence(agreement=agreement)
    return render(request, "programs/agreement_detail.html", {
        "agreement": agreement, "app": agreement.application, "instrument": instrument,
        "parties": agreement.parties.select_related("organization"),
        "commitments": [(c, evidence.get(c.pk)) for c in agreement.commitments.all()],
        "reports": agreement.reports.all(), "documents": agreement.documents.all(),
        "periods": report_periods(agreement=agreement), "today": timezone.localdate(),
        "amendments": agreement.amendments.select_related("by"),
        "history": transitions_for(agreement), "workflow": agreement_workflow(agreement),
        "staff": staff, "drafted": drafted and staff, "can_report": report_ok,
        "in_force": agreement.status in IN_FORCE,
        "terms_form": AgreementTermsForm(initial={
            "start_date": agreement.start_date, "end_date": agreement.end_date,
            "next_review_date": agreement.next_review_date, "terms": agreement.terms,
            "report_every_months": agreement.report_every_months}),
        "commitment_form": CommitmentForm(), "document_form": DocumentForm(),
        "panels": [p for p in agreement_panels(agreement, user)],
        "traces": traces_for(obj=agreement, applicant_view=user.role not in READ_ALL),
        "report_url": reverse(instrument.report_url_name or "programs:report_new",
                              args=[agreement.pk]),
    })


def agreement_panels(agreement: Any, user: User | AnonymousUser) -> list[dict[str, Any]]:
    from .registry import panels_render

    return panels_render(list(instrument_get(agreement.instrument).agreement_panels), agreement,
                         user)


@require_POST
@signed_in
def agreement_step(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    form = AgreementTermsForm(request.POST)
    try:
        end_date = form.fields["end_date"].clean(request.POST.get("end_date")) if (
            request.POST.get("end_date")) else None
        agreement_services.agreement_step(
            agreement=agreement, name=request.POST.get("step", "")[:60],
            by=request.user, reason=request.POST.get("reason", "")[:2000],
            end_date=end_date)
    except FAILURES as exc:
        errors_to_page(request, exc)
    else:
        messages.success(request, "Recorded.")
    return redirect("programs:agreement_detail", pk=agreement.pk)


@require_POST
@roles(*OFFICE_STAFF)
def agreement_terms(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    form = AgreementTermsForm(request.POST)
    if form.is_valid():
        try:
            agreement_services.agreement_update(agreement=agreement, by=request.user,
                                                **form.cleaned_data)
        except FAILURES as exc:
            errors_to_page(request, exc)
        else:
            messages.success(request, "Saved the terms.")
    else:
        invalid_form_to_page(request, form, "Check the dates")
    return redirect("programs:agreement_detail", pk=agreement.pk)


@require_POST
@roles(*OFFICE_STAFF)
def commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        metric, source_from = data.pop("evidence_metric", ""), data.pop("evidence_from", "")
        key = "subject" if data["evidence_source"] == "growth_run" else "framework"
        ref = {k: v for k, v in (("metric", metric), (key, source_from)) if v}
        try:
            agreement_services.commitment_add(agreement=agreement, by=request.user,
                                              evidence_ref=ref, **data)
        except FAILURES as exc:
            errors_to_page(request, exc)
        else:
            messages.success(request, "Commitment added.")
    else:
        invalid_form_to_page(request, form, "Check the commitment")
    return redirect("programs:agreement_detail", pk=agreement.pk)


@require_POST
@roles(*OFFICE_STAFF)
def commitment_delete(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    commitment = agreement.commitments.filter(pk=commitment_pk).first()
    if commitment is None:
        raise Http404("No such commitment.")
    try:
        agreement_services.commitment_remove(commitment=commitment, by=request.user)
    except FAILURES as exc:
        errors_to_page(request, exc)
    return redirect("programs:agreement_detail", pk=agreement.pk)


@roles(*OFFICE_STAFF)
def agreement_amend(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in ("end_date", "next_review_date", "terms") if data.get(k)}
        try:
            agreement_services.agreement_amend(agreement=agreement, by=request.user,
                                               summary=data["summary"], changes=changes)
        except FAILURES as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "The amendment is recorded.")
            return redirect("programs:agreement_detail", pk=agreement.pk)
    return render(request, "programs/form_page.html", {
        "form": form, "title": f"Amend: {agreement.title}", "submit": "Record the amendment"})


@require_POST
@signed_in
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            agreement_services.agreement_document_add(
                agreement=agreement, by=request.user, title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"])
        except FAILURES as exc:
            errors_to_page(request, exc)
        else:
            messages.success(request, "Document added.")
    else:
        messages.error(request, "Name the document and choose a file.")
    return redirect("programs:agreement_detail", pk=agreement.pk)


@signed_in
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    document = agreement.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404("No such document.")
    return FileResponse(document.file.open("rb"), as_attachment=True,
                        filename=document.original_name or "document")


# --- monitoring reports ------------------------------------------------------------------------

@signed_in
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    form = ReportForm(request.POST or None, commitments=list(agreement.commitments.all()))
    if request.method == "POST" and form.is_valid():
        try:
            report = agreement_services.report_submit(
                agreement=agreement, by=request.user,
                period_end=form.cleaned_data["period_end"],
                narrative=form.cleaned_data["narrative"], values=form.values())
        except FAILURES as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Report submitted.")
            return redirect("programs:report_detail", pk=report.pk)
    return render(request, "programs/form_page.html", {
        "form": form, "title": f"Report on {agreement.title}", "submit": "Submit the report"})


def _report_for(request: HttpRequest, pk: int) -> MonitoringReport:
    report = MonitoringReport.objects.filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    agreement_get_for_user(user=request.user, pk=report.agreement_id)
    return report


@signed_in
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    user = signed_in_user(request.user)
    return render(request, "programs/report_detail.html", {
        "report": report, "agreement": report.agreement,
        "values": report.values.select_related("commitment"),
        "can_review": user.role in OFFICE_STAFF and report.status == "submitted",
        "form": ReportReviewForm(), "history": transitions_for(report)})


@require_POST
@roles(*OFFICE_STAFF)
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    form = ReportReviewForm(request.POST)
    if form.is_valid():
        try:
            agreement_services.report_review(
                report=report, by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"])
        except FAILURES as exc:
            errors_to_page(request, exc)
        else:
            messages.success(request, "Recorded.")
    return redirect("programs:report_detail", pk=report.pk)


__all__ = ["ballot_can_open"]
