"""The agreement core: what every instrument's decision opens, and its life until it ends.

An approval opens an agreement (``agreement_open``, called by the decision service): parties
(the state agency, the applicant as the party that countersigns, a partner district), a term,
the decision's conditions. While drafted, staff write its terms and commitments; then the office
signs, the party countersigns (executed), and it becomes active. In force it is monitored
through reports on its commitments, amended with history, renewed, placed on probation (and
lifted), revoked, expired or closed, each step with its reason in the lifecycle log, and the
instrument's ``on_agreement_transition`` runs inside the same transaction (a grant releases
what was never disbursed when it closes or is revoked).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from playbook.accounts.models import User
from playbook.core.access import ALLOWED, Decision, require
from playbook.organizations.models import Organization, OrgKind

from .. import workflow as wf
from ..models import (
    IN_FORCE,
    Agreement,
    AgreementAmendment,
    AgreementCommitment,
    AgreementDocument,
    AgreementParty,
    AgreementStatus,
    Application,
    Ballot,
    CommitmentValue,
    EvidenceSource,
    MonitoringReport,
    ReportStatus,
)
from ..permissions import agreement_is_party, may_act_as, signed_in_user
from ..registry import agreement_workflow, instrument_get
from ..transitions import TransitionRefused, transition_apply

A = AgreementStatus
AMENDABLE = ("end_date", "next_review_date", "terms", "conditions")


def _staff(by: User | AnonymousUser | None) -> None:
    require(may_act_as(user=by, who=wf.STAFF, application=None))  # type: ignore[arg-type]


def agreement_open(*, application: Application, by: User | AnonymousUser | None,
                   ballot: Ballot | None = None) -> Agreement:
    """Open the agreement an approval gives, with its parties, and let the instrument add its
    own record (a grant's award)."""
    instrument = instrument_get(application.cycle.program.instrument)
    today = timezone.localdate()
    with transaction.atomic():
        agreement = Agreement.objects.create(
            application=application, instrument=instrument.key,
            title=f"{instrument.agreement_label.capitalize()}: {application.title}"[:200],
            start_date=today, end_date=today + timedelta(days=instrument.agreement_term_days),
            conditions=application.conditions, created_by=by)
        state = Organization.objects.filter(kind=OrgKind.STATE_AGENCY).order_by("pk").first()
        parties = [AgreementParty(agreement=agreement, organization=application.applicant,
                                  role=AgreementParty.Role.PARTY)]
        if state is not None:
            parties.append(AgreementParty(agreement=agreement, organization=state,
                                          role=AgreementParty.Role.STATE))
        if application.partner_district_id:
            parties.append(AgreementParty(agreement=agreement,
                                          organization_id=application.partner_district_id,
                                          role=AgreementParty.Role.PARTNER))
        AgreementParty.objects.bulk_create(parties)
        if instrument.on_approved is not None:
            instrument.on_approved(agreement=agreement, ballot=ballot, by=by)
    return agreement


def _drafted(agreement: Agreement, by: User | AnonymousUser) -> None:
    _staff(by)
    current = Agreement.objects.get(pk=agreement.pk)
    if current.status != A.DRAFTED:
        raise TransitionRefused("The agreement has been signed; change it by an amendment.")


def agreement_update(*, agreement: Agreement, by: User | AnonymousUser, start_date: date,
                     end_date: date, terms: str, next_review_date: date | None = None,
                     report_every_months: int | None = None) -> Agreement:
    """The drafted agreement's term, terms, review date and (when given) how often the party
    reports progress."""
    _drafted(agreement, by)
    if end_date <= start_date:
        raise ValidationError({"end_date": "The agreement must end after it starts."})
    if next_review_date is not None and not start_date <= next_review_date <= end_date:
        raise ValidationError({"next_review_date": "The review date falls within the term."})
    if report_every_months is not None and not 1 <= report_every_months <= 24:
        raise ValidationError({"report_every_months": "Reports are due every 1 to 24 months."})
    agreement.start_date, agreement.end_date, agreement.terms = start_date, end_date, terms
    agreement.next_review_date = next_review_date
    if report_every_months is not None:
        agreement.report_every_months = report_every_months
    agreement.save(update_fields=["start_date", "end_date", "terms", "next_review_date",
                                  "report_every_months"])
    return agreement


def commitment_add(*, agreement: Agreement, by: User | AnonymousUser, measure: str, unit: str,
                   baseline: Decimal, target: Decimal, due_date: date,
                   evidence_source: str = EvidenceSource.SELF_REPORTED,
                   evidence_ref: dict[str, Any] | None = None) -> AgreementCommitment:
    _drafted(agreement, by)
    if target == baseline:
        raise ValidationError({"target": "The target must differ from the baseline."})
    if evidence_source not in EvidenceSource.values:
        raise ValidationError({"evidence_source": "Choose where the evidence comes from."})
    allowed = instrument_get(agreement.instrument).evidence_sources
    if evidence_source not in allowed:
        raise ValidationError({"evidence_source": "This instrument is monitored by "
                               + ", ".join(EvidenceSource(s).label.lower() for s in allowed)
                               + "."})
    if evidence_source != EvidenceSource.SELF_REPORTED and not (evidence_ref or {}).get(
            "metric"):
        raise ValidationError({"evidence_ref": "Name the published metric the evidence is read "
                                               "from."})
    return AgreementCommitment.objects.create(
        agreement=agreement, measure=measure, unit=unit, baseline=baseline, target=target,
        due_date=due_date, evidence_source=evidence_source, evidence_ref=evidence_ref or {})


def commitment_remove(*, commitment: AgreementCommitment, by: User | AnonymousUser) -> None:
    _drafted(commitment.agreement, by)
    commitment.delete()


def agreement_problems(*, agreement: Agreement) -> list[str]:
    """What keeps the office from signing."""
    problems = []
    if not agreement.commitments.exists():
        problems.append("Add at least one performance commitment.")
    instrument = instrument_get(agreement.instrument)
    if instrument.agreement_problems is not None:
        problems += instrument.agreement_problems(agreement)
    return problems


def _step_checks(agreement: Agreement, name: str,
                 user: User | AnonymousUser | None) -> Decision:
    if name == "sign":
        problems = agreement_problems(agreement=agreement)
        if problems:
            return False, " ".join(problems)
    if name == "activate" and agreement.start_date > timezone.localdate():
        return False, f"The agreement starts on {agreement.start_date:%B %-d, %Y}."
    if name == "expire" and agreement.end_date >= timezone.localdate():
        return False, f"The agreement runs until {agreement.end_date:%B %-d, %Y}."
    return ALLOWED


def agreement_actions(*, agreement: Agreement, user: User | AnonymousUser) -> list[wf.Action]:
    flow = agreement_workflow(agreement)
    out = []
    for step in wf.available_steps(flow, agreement):
        allowed, reason = may_act_as(user=user, who=step.who, application=agreement.application)
        if allowed:
            allowed, reason = _step_checks(agreement, step.name, user)
        out.append(wf.Action(step, allowed, reason))
    return out


def agreement_step(*, agreement: Agreement, name: str, by: User | AnonymousUser | None,
                   reason: str = "", system: bool = False, end_date: date | None = None,
                   next_review_date: date | None = None) -> Agreement:
    """Take step ``name`` of the agreement's workflow. ``renew`` takes the new ``end_date``
    (and ``next_review_date``), recorded as an amendment."""
    flow = agreement_workflow(agreement)
    step = flow.step(name)
    if step is None:
        raise TransitionRefused(f"An agreement has no step {name!r}.")
    if not system:
        require(may_act_as(user=by, who=step.who, application=agreement.application))
    if step.needs_reason and not reason.strip():
        raise TransitionRefused(f"Give a reason to {step.label[0].lower()}{step.label[1:]}.")
    if name == "renew" and (end_date is None or end_date <= agreement.end_date):
        raise ValidationError({"end_date": "A renewal runs to a later end date."})
    instrument = instrument_get(agreement.instrument)

    def before(locked: Agreement) -> None:
        allowed, why = _step_checks(locked, name, by)
        if not allowed:
            raise TransitionRefused(why)
        now = timezone.now()
        if name == "sign":
            locked.signed_at, locked.signed_by = now, signed_in_user(by)
        elif name == "countersign":
            locked.countersigned_at, locked.countersigned_by = now, signed_in_user(by)
        elif name == "renew":
            _amendment(locked, signed_in_user(by), f"Renewed: {reason}",
                       {"end_date": end_date, "next_review_date": next_review_date})

    with transaction.atomic():
        updated = transition_apply(obj=agreement, name=name, by=by, reason=reason, before=before)
        if instrument.on_agreement_transition is not None:
            instrument.on_agreement_transition(agreement=updated, name=name, by=by,
                                               reason=reason)
        if name == "countersign" and updated.start_date <= timezone.localdate():
            updated = transition_apply(obj=updated, name="activate", by=by,
                                       reason="The term has begun.")
    return updated


def _amendment(locked: Agreement, by: User, summary: str,
               changes: dict[str, Any]) -> AgreementAmendment:
    diff = {}
    for field, value in changes.items():
        if field not in AMENDABLE:
            raise ValidationError({field: "This part of the agreement is not amended here."})
        before = getattr(locked, field)
        if value != before:
            diff[field] = [str(before) if before is not None else "",
                           str(value) if value is not None else ""]
            setattr(locked, field, value)
    if not diff:
        raise ValidationError("The amendment changes nothing.")
    if locked.end_date <= locked.start_date:
        raise ValidationError({"end_date": "The agreement must end after it starts."})
    number = (locked.amendments.order_by("-number").values_list("number", flat=True).first()
              or 0) + 1
    return AgreementAmendment.objects.create(agreement=locked, number=number,
                                             summary=summary.strip(), changes=diff, by=by)


def agreement_amend(*, agreement: Agreement, by: User | AnonymousUser, summary: str,
                    changes: dict[str, Any]) -> AgreementAmendment:
    """Change an agreement after signature: each change kept with before and after."""
    _staff(by)
    if not summary.strip():
        raise ValidationError({"summary": "Say what the amendment does and why."})
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status == A.DRAFTED or locked.status not in [*IN_FORCE, A.SIGNED]:
            raise TransitionRefused("Only a signed agreement in force is amended; edit a draft "
                                    "directly.")
        amendment = _amendment(locked, signed_in_user(by), summary, changes)
        locked.save()
    return amendment


def agreement_document_add(*, agreement: Agreement, by: User | AnonymousUser, title: str,
                           upload: UploadedFile) -> AgreementDocument:
    if not (may_act_as(user=by, who=wf.STAFF, application=agreement.application)[0]
            or agreement_is_party(user=by, agreement=agreement)):
        raise PermissionDenied("Office staff and the parties add documents.")
    if not title.strip():
        raise ValidationError({"title": "Name the document."})
    size = upload.size or 0
    if size == 0 or size > 20 * 1024 * 1024:
        raise ValidationError({"file": "A document is between 1 byte and 20 MB."})
    return AgreementDocument.objects.create(agreement=agreement, title=title.strip()[:200],
                                            file=upload, original_name=(upload.name or "")[:200],
                                            size=size, uploaded_by=signed_in_user(by))


# --- monitoring reports ------------------------------------------------------------------------

def report_can_submit(*, user: User | AnonymousUser, agreement: Agreement) -> Decision:
    allowed, reason = may_act_as(user=user, who=wf.PARTY, application=agreement.application)
    if not allowed:
        return False, "Only the party reports on its commitments." if "Only" in reason else (
            reason)
    if agreement.status not in IN_FORCE:
        return False, "Reports are made on an agreement in force."
    return ALLOWED


def report_submit(*, agreement: Agreement, by: User | AnonymousUser, period_end: date,
                  narrative: str, values: dict[int, tuple[Decimal, str]]) -> MonitoringReport:
    """The party reports a value for every self-reported commitment."""
    agreement = Agreement.objects.get(pk=agreement.pk)
    require(report_can_submit(user=by, agreement=agreement))
    commitments = {c.pk: c for c in agreement.commitments.all()}
    missing = [c.measure for pk, c in commitments.items()
               if pk not in values and c.evidence_source == EvidenceSource.SELF_REPORTED]
    errors: dict[str, list[str]] = {}
    if missing:
        errors["values"] = [f"Report a value for {m}." for m in missing]
    if not narrative.strip():
        errors["narrative"] = ["Describe the progress in a few sentences."]
    if MonitoringReport.objects.filter(agreement=agreement, period_end=period_end).exists():
        errors["period_end"] = ["A report for this period exists."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = MonitoringReport.objects.create(agreement=agreement, period_end=period_end,
                                                 narrative=narrative,
                                                 submitted_by=signed_in_user(by))
        CommitmentValue.objects.bulk_create([
            CommitmentValue(report=report, commitment=commitments[pk], value=v, note=n[:500])
            for pk, (v, n) in values.items() if pk in commitments
        ])
    return report


def report_review(*, report: MonitoringReport, by: User | AnonymousUser, accept: bool,
                  note: str = "") -> MonitoringReport:
    """Staff accept a report (the first accepted one puts the agreement in monitoring) or ask
    for a revision."""
    _staff(by)
    if not accept and not note.strip():
        raise TransitionRefused("Say what needs revising.")

    def stamp(locked: MonitoringReport) -> None:
        locked.reviewed_by, locked.reviewed_at = signed_in_user(by), timezone.now()
        locked.review_note = note

    with transaction.atomic():
        report = transition_apply(obj=report, name="accept" if accept else "request_revision",
                                  by=by, reason=note, before=stamp)
        agreement = Agreement.objects.get(pk=report.agreement_id)
        if accept and agreement.status in (A.ACTIVE, A.RENEWED):
            transition_apply(obj=agreement, name="monitor", by=by,
                             reason="A monitoring report was accepted.")
    return report


def report_resubmit(*, report: MonitoringReport, by: User | AnonymousUser, narrative: str,
                    values: dict[int, tuple[Decimal, str]]) -> MonitoringReport:
    require(report_can_submit(user=by, agreement=report.agreement))
    if report.status != ReportStatus.REVISION_REQUESTED:
        raise TransitionRefused("Only a report returned for revision is resubmitted.")
    with transaction.atomic():
        for value in report.values.all():
            if value.commitment_id in values:
                value.value, value.note = values[value.commitment_id]
                value.save(update_fields=["value", "note"])

        def rewrite(locked: MonitoringReport) -> None:
            locked.narrative = narrative

        return transition_apply(obj=report, name="resubmit", by=by, before=rewrite)


def agreements_expire_due(*, today: date | None = None) -> list[Agreement]:
    """The system's sweep: agreements in force whose end date has passed expire."""
    today = today or timezone.localdate()
    done = []
    for agreement in Agreement.objects.filter(status__in=IN_FORCE, end_date__lt=today):
        done.append(agreement_step(agreement=agreement, name="expire", by=None, system=True,
                                   reason=f"The term ended on {agreement.end_date:%B %-d, %Y}."))
    return done
