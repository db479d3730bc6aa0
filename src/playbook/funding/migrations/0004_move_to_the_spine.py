"""Move the innovation fund onto the spine, keeping every row:

- each application's requested amount and match become its ``GrantRequest``; its budget lines
  are copied to ``funding.BudgetLine``;
- each award gets a spine ``Agreement`` (parties, term, terms, signatures, status) with its
  performance commitments, progress reports (spending to date on ``ReportSpending``) and
  reported values; the award's recorded transitions, and the application's activate and
  monitor steps, are copied to the agreement's history (the originals stay where they were);
- applications that were active, monitored or closed are approved: the agreement carries that
  part of the story now.

Awards executed before countersignature existed are recorded as countersigned when the office
signed them, by nobody (the history says so).
"""

from django.db import migrations

AWARD_STATUS = {"draft": "drafted", "executed": "active", "closed": "closed",
                "cancelled": "cancelled"}
STEP = {"execute": ("countersign", "signed", "executed"), "close": ("close", None, "closed"),
        "cancel": ("cancel", None, "cancelled")}


def forward(apps, schema_editor):
    Application = apps.get_model("programs", "Application")
    OldLine = apps.get_model("programs", "BudgetLine")
    Agreement = apps.get_model("programs", "Agreement")
    AgreementParty = apps.get_model("programs", "AgreementParty")
    AgreementCommitment = apps.get_model("programs", "AgreementCommitment")
    MonitoringReport = apps.get_model("programs", "MonitoringReport")
    CommitmentValue = apps.get_model("programs", "CommitmentValue")
    LifecycleTransition = apps.get_model("programs", "LifecycleTransition")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Organization = apps.get_model("organizations", "Organization")
    GrantRequest = apps.get_model("funding", "GrantRequest")
    BudgetLine = apps.get_model("funding", "BudgetLine")
    Award = apps.get_model("funding", "Award")
    PerformanceCommitment = apps.get_model("funding", "PerformanceCommitment")
    ProgressReport = apps.get_model("funding", "ProgressReport")
    CommitmentProgress = apps.get_model("funding", "CommitmentProgress")
    ReportSpending = apps.get_model("funding", "ReportSpending")

    for app in Application.objects.all():
        GrantRequest.objects.create(application_id=app.pk, amount_requested=app.amount_requested,
                                    match_cash=app.match_cash, match_in_kind=app.match_in_kind)
    BudgetLine.objects.bulk_create([
        BudgetLine(application_id=b.application_id, category=b.category,
                   description=b.description, state_amount=b.state_amount,
                   match_cash=b.match_cash, match_in_kind=b.match_in_kind, position=b.position)
        for b in OldLine.objects.order_by("pk")])

    state = Organization.objects.filter(kind="state_agency").order_by("pk").first()
    award_ct = ContentType.objects.filter(app_label="funding", model="award").first()
    agreement_ct, _ = ContentType.objects.get_or_create(app_label="programs", model="agreement")
    report_ct = ContentType.objects.filter(app_label="funding", model="progressreport").first()
    mreport_ct, _ = ContentType.objects.get_or_create(app_label="programs",
                                                      model="monitoringreport")
    for award in Award.objects.order_by("pk"):
        app = Application.objects.get(pk=award.application_id)
        status = AWARD_STATUS[award.status]
        if status == "active" and app.status == "monitored":
            status = "monitored"
        executed = award.status in ("executed", "closed") or award.signed_at is not None
        agreement = Agreement.objects.create(
            application_id=app.pk, instrument="grant",
            title=f"Award agreement: {app.title}"[:200], status=status,
            start_date=award.start_date, end_date=award.end_date, terms=award.terms,
            conditions=app.conditions, signed_at=award.signed_at,
            signed_by_id=award.signed_by_id,
            countersigned_at=award.signed_at if executed else None,
            created_by_id=award.created_by_id)
        Agreement.objects.filter(pk=agreement.pk).update(created_at=award.created_at)
        parties = [AgreementParty(agreement=agreement, organization_id=app.applicant_id,
                                  role="party")]
        if state is not None:
            parties.append(AgreementParty(agreement=agreement, organization=state, role="state"))
        if app.partner_district_id:
            parties.append(AgreementParty(agreement=agreement,
                                          organization_id=app.partner_district_id,
                                          role="partner"))
        AgreementParty.objects.bulk_create(parties)
        Award.objects.filter(pk=award.pk).update(agreement=agreement)
        if award_ct is not None:
            for t in LifecycleTransition.objects.filter(content_type=award_ct,
                                                        object_id=award.pk).order_by("at", "pk"):
                name, _, target = STEP.get(t.name, (t.name, None, t.target))
                source = "signed" if name == "countersign" else AWARD_STATUS.get(t.source,
                                                                                t.source)
                LifecycleTransition.objects.create(
                    content_type=agreement_ct, object_id=agreement.pk, name=name,
                    source=source, target=target if target != "executed" else "executed",
                    by_id=t.by_id, at=t.at,
                    reason=(t.reason + " " if t.reason else "")
                    + "(Recorded on the award before the agreement core; the office's "
                      "signature stood for both.)" * (name == "countersign"))
        app_ct = ContentType.objects.filter(app_label="programs", model="application").first()
        if app_ct is not None:
            for t in LifecycleTransition.objects.filter(content_type=app_ct, object_id=app.pk,
                                                        name__in=["activate", "monitor"]):
                LifecycleTransition.objects.create(
                    content_type=agreement_ct, object_id=agreement.pk, name=t.name,
                    source="executed" if t.name == "activate" else "active",
                    target="active" if t.name == "activate" else "monitored",
                    by_id=t.by_id, at=t.at, reason=t.reason)
        commitments = {}
        for c in PerformanceCommitment.objects.filter(award_id=award.pk).order_by("pk"):
            commitments[c.pk] = AgreementCommitment.objects.create(
                agreement=agreement, measure=c.metric, unit=c.unit, baseline=c.baseline,
                target=c.target, due_date=c.due_date, evidence_source="self_reported")
        for r in ProgressReport.objects.filter(award_id=award.pk).order_by("pk"):
            report = MonitoringReport.objects.create(
                agreement=agreement, period_end=r.period_end, narrative=r.narrative,
                status=r.status, submitted_by_id=r.submitted_by_id,
                reviewed_by_id=r.reviewed_by_id, reviewed_at=r.reviewed_at,
                review_note=r.review_note)
            MonitoringReport.objects.filter(pk=report.pk).update(submitted_at=r.submitted_at)
            ReportSpending.objects.create(report=report, spent_to_date=r.spent_to_date)
            for v in CommitmentProgress.objects.filter(report_id=r.pk):
                CommitmentValue.objects.create(report=report,
                                               commitment=commitments[v.commitment_id],
                                               value=v.value, note=v.note)
            if report_ct is not None:
                for t in LifecycleTransition.objects.filter(content_type=report_ct,
                                                            object_id=r.pk):
                    LifecycleTransition.objects.create(
                        content_type=mreport_ct, object_id=report.pk, name=t.name,
                        source=t.source, target=t.target, by_id=t.by_id, at=t.at,
                        reason=t.reason)
    Application.objects.filter(status__in=["active", "monitored", "closed"]).update(
        status="approved")


class Migration(migrations.Migration):

    dependencies = [
        ("funding", "0003_grant_requests_and_spine_links"),
        ("programs", "0005_rules_documents_and_decision_bodies"),
        ("organizations", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
