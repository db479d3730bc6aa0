"""The embedded demo's innovation fund (the spine's first instrument): a completed past round
and an open round.

``demo_programs_ensure()`` runs after the synthetic state and the demo accounts exist. It is
idempotent (a second run finds the rounds and stops) and goes through the same services as the
pages, so the history, ledger and emails it leaves are the real thing:

* Last fiscal year's round (closed; fiscal years run July to June, ``core.dates``), each step
  on its own date of that year (``core.dates.clock_at``): applications from districts and a
  rural consortium, screened, reviewed
  by the reviews app's demo panel, recommended, decided by the governing board's vote (quorum 3:
  ``decider``, ``decider2``, ``decider3``) against an appropriation, award agreements with
  commitments signed by the office and countersigned by the grantee, disbursements, match
  delivered, and quarterly progress reports (the first two accepted; the third waiting for the
  officer from every other grantee and not yet sent by the rest). The ``district``
  demo account's district holds one of these grants.
  Every grantee's district-funds match is verified by the officer; the first grantee also has
  a foundation gift, verified, and the second a business's in-kind gift waiting for the office
  to check its evidence.
* This fiscal year's round (open), with Kentucky's grant types (research, pilot, scaling:
  each its caps, research and scaling their own rubrics) and half the match from private or
  philanthropic sources: applications waiting at each step (submitted, more information requested,
  in review, recommended for the decision body). The ``district`` account has none yet, so it can
  walk a new one from draft to award; ``vendor`` can apply with a district partner.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from playbook.accounts.models import User
from playbook.accounts.roles import Role
from playbook.core.dates import clock_at, fiscal_year_of, fiscal_year_start
from playbook.organizations.models import ConsortiumMembership, Organization, OrgKind
from playbook.programs.models import Application, Cycle, Program, VoteChoice
from playbook.programs.selectors import report_periods
from playbook.programs.services import agreements, decisions, lifecycle
from playbook.programs.services.applications import application_start, application_update_draft
from playbook.programs.services.setup import cycle_create, decision_body_ensure, program_create
from playbook.reviews.demo import demo_reviews_ensure

from .rules import innovation_fund_default, kentucky_grant_types
from .services import application_budget_save

log = logging.getLogger(__name__)
D = Decimal
PROGRAM_SLUG = "innovation-fund"

PROJECTS = [
    ("Station rotation in the middle grades", "Blended math stations for grades 6-8.",
     "Technology", D("420000.00")),
    ("Competency-based high school pilot", "Mastery-based credit in two high schools.",
     "Personnel", D("780000.00")),
    ("Flex labs for early literacy", "Small-group literacy labs in K-3 classrooms.",
     "Professional development", D("310000.00")),
    ("Personalized learning plans for every student", "Student-led plans and advisories.",
     "Contracted services", D("560000.00")),
    ("Teacher teams and extended reach", "Multi-classroom leaders with paraprofessionals.",
     "Personnel", D("650000.00")),
    ("Adaptive science courseware", "Adaptive courseware with weekly teacher data reviews.",
     "Technology", D("240000.00")),
]
CONSORTIUM_PROJECT = ("Rural blended learning network", "Shared online courses, dual enrollment "
                      "and coaching across member districts.", D("2400000.00"))


BOARD = "innovation-fund-governing-board"


def demo_programs_ensure() -> None:
    officer = User.objects.filter(username="officer").first()
    decider = User.objects.filter(username="decider").first()
    if officer is None or decider is None:
        log.warning("demo programs: the officer and decider demo accounts are missing; skipped")
        return
    members = list(User.objects.filter(role=Role.DECISION_BODY, username__startswith="decider")
                   .order_by("username"))
    decision_body_ensure(by=officer, slug=BOARD, name="Innovation Fund Governing Board",
                         members=members, chair=decider)
    if Cycle.objects.filter(program__slug=PROGRAM_SLUG).exists():
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), \
            transaction.atomic():
        _build(officer=officer, decider=decider)


_FIRST = ("Maria", "James", "Aisha", "Robert", "Mei", "Carlos", "Hannah", "Kwame", "Laura",
          "Daniel", "Sofia", "Michael", "Grace", "Luis", "Emily", "Samuel", "Fatima", "Andrew")
_LAST = ("Garcia", "Johnson", "Okonkwo", "Williams", "Chen", "Martinez", "Brown", "Mensah",
         "Anderson", "Kowalski", "Rossi", "Thompson", "Nguyen", "Hernandez", "Walker", "Begay",
         "Haddad", "Murphy")


def _person_name(seed: int) -> tuple[str, str]:
    """A made-up, real-looking name, the same for the same seed."""
    return _FIRST[seed % len(_FIRST)], _LAST[(seed * 7 + 3) % len(_LAST)]


def _leader_for(org: Organization) -> User:
    user = User.objects.filter(organization=org, role=Role.DISTRICT_LEADER).order_by("pk").first()
    if user is not None:
        return user
    first, last = _person_name(org.pk)
    user = User(username=f"leader-{org.pk}", role=Role.DISTRICT_LEADER, organization=org,
                email=f"leader-{org.pk}@demo.playbook.example", first_name=first,
                last_name=last)
    user.set_unusable_password()
    user.save()
    return user


def _applicants(exclude: set[int], n: int) -> list[Organization]:
    return list(Organization.objects.filter(kind=OrgKind.DISTRICT, active=True)
                .exclude(pk__in=exclude).order_by("-enrollment", "pk")[:n])


def _evidence(name: str, text: str) -> SimpleUploadedFile:
    """A small PDF standing in for a bank record or a donor letter."""
    body = f"%PDF-1.4\n% Demo evidence: {text}\n%%EOF\n".encode()
    return SimpleUploadedFile(name, body, "application/pdf")


def _draft(cycle: Cycle, org: Organization, by: User, title: str, summary: str,
           category: str, amount: D, poverty: D | None, consortium: bool = False,
           grant_type: str | None = None) -> Application:
    app = application_start(cycle=cycle, applicant=org, by=by, title=title)
    answers = {
        "need": f"{org.name} serves students who are behind grade level in math and reading.",
        "model": "Teachers work in teams; students rotate between small-group instruction, "
                 "collaborative projects and adaptive practice, with weekly data reviews.",
        "students_served": 300 + (org.pk % 7) * 110,
        "sustainability": "Licenses and coaching move into the general fund after year two.",
    }
    if consortium:
        answers["collaboration_plan"] = ("Member districts share two instructional coaches, a "
                                         "common course catalog and a monthly design studio.")
    application_update_draft(application=app, by=by, title=title, summary=summary,
                             answers=answers)
    rate = D("0.15") if poverty is None or poverty < D("0.5") else (
        D("0.10") if poverty < D("0.75") else D("0.05"))
    match = (amount * rate).quantize(D("0.01"))
    state_a = (amount * D("0.6")).quantize(D("0.01"))
    application_budget_save(application=app, by=by, lines=[
        {"category": category, "description": "Core of the model", "state_amount": state_a,
         "match_cash": match, "match_in_kind": D("0")},
        {"category": "Evaluation", "description": "Independent evaluation and data reviews",
         "state_amount": amount - state_a, "match_cash": D("0"),
         "match_in_kind": (match * D("0.2")).quantize(D("0.01"))},
    ], grant_type=grant_type)
    return Application.objects.get(pk=app.pk)


def _reviews(cycle: Cycle, *, leave_open_for: str | None = None) -> None:
    demo_reviews_ensure(cycle=cycle, leave_open_for=leave_open_for)


def _vote(app: Application, *, officer: User, outcome: str, amount: D | None = None,
          conditions: str = "", reason: str = "") -> None:
    """The governing board votes on ``app``: every member the same way, so the outcome is the
    one the demo wants; the officer opens and closes the vote as the board's clerk."""
    terms = {"amount": amount} if amount is not None else {}
    ballot = decisions.ballot_open(application=app, by=officer, terms=terms or None)
    choice = {"approved": VoteChoice.APPROVE, "conditional": VoteChoice.CONDITIONAL,
              "denied": VoteChoice.DENY}[outcome]
    for member in User.objects.filter(decision_body_memberships__body__slug=BOARD,
                                      decision_body_memberships__active=True
                                      ).order_by("username"):
        decisions.vote_cast(ballot=ballot, by=member, choice=choice, conditions=conditions,
                            reason=reason)
    decisions.ballot_close(ballot=ballot, by=officer, reason=reason)


def _build(*, officer: User, decider: User) -> None:
    from .selectors import award_plan_for_cycle
    from .services import (
        appropriation_create,
        award_disburse,
        cycle_funding_set,
        match_contribution_check,
        match_contribution_record,
        report_spending_record,
    )

    now = timezone.now()
    program = Program.objects.filter(slug=PROGRAM_SLUG).first() or program_create(
        by=officer, name="Innovation Fund", slug=PROGRAM_SLUG, instrument="grant",
        description="Competitive one-time grants for personalized-learning start-up costs "
                    "(Play 1), open to districts, charters, service centers, consortia, "
                    "colleges and nonprofits with a district partner.")

    # --- the past round: last fiscal year's story, each step on its own date ------------------
    # (the demo clock: every record of a step carries the date it happened on)
    fy_now = fiscal_year_of(now)
    fy = fy_now - 1
    year0 = fiscal_year_start(fy).year  # FY2026 runs from July 1, 2025

    def on(month: int, day: int, hour: int = 10, *, next_year: bool = False) -> Any:
        return clock_at(datetime(year0 + (1 if next_year else 0), month, day, hour,
                                 tzinfo=timezone.get_current_timezone()))

    opens = datetime(year0, 7, 15, 9, tzinfo=timezone.get_current_timezone())
    closes = datetime(year0, 9, 30, 17, tzinfo=timezone.get_current_timezone())
    with on(7, 1):
        past = cycle_create(by=officer, program=program, name=f"FY{fy} round", slug=f"fy{fy}",
                            opens_at=opens, closes_at=closes, fiscal_year=fy,
                            budget=D("3000000.00"), data=innovation_fund_default())
        approp_past = appropriation_create(by=officer, fund="Innovation Fund",
                                           code="innovation-fund", fiscal_year=fy,
                                           amount=D("3000000.00"), program=program)
        cycle_funding_set(cycle=past, appropriation=approp_past, by=officer)
    demo_district = User.objects.filter(username="district").select_related(
        "organization").first()
    orgs: list[Organization] = []
    if demo_district is not None and demo_district.organization is not None:
        orgs.append(demo_district.organization)
    orgs += _applicants({o.pk for o in orgs}, 6 - len(orgs))
    apps = []
    for i, (org, (title, summary, category, amount)) in enumerate(
            zip(orgs, PROJECTS, strict=False)):
        leader = demo_district if (demo_district and org == demo_district.organization) else (
            _leader_for(org))
        with on(8, 4 + 3 * i):
            apps.append((_draft(past, org, leader, title, summary, category, amount,
                                org.econ_disadvantaged_share), leader))
    consortium = _rural_consortium()
    if consortium is not None:
        lead_org = ConsortiumMembership.objects.get(
            consortium=consortium, role=ConsortiumMembership.MemberRole.LEAD).member
        lead_user = _leader_for(lead_org)
        title, summary, amount = CONSORTIUM_PROJECT
        with on(8, 25):
            apps.append((_draft(past, consortium, lead_user, title, summary,
                                "Contracted services", amount, None, consortium=True),
                         lead_user))
    for i, (app, leader) in enumerate(apps):
        with on(9, 8 + 3 * i, 15):  # submitted over the last three weeks before the deadline
            lifecycle.application_submit(application=app, by=leader)
    submitted = [Application.objects.get(pk=a.pk) for a, _ in apps]
    for i, app in enumerate(submitted[:-1] if len(submitted) > 6 else submitted):
        with on(10, 2 + i // 3):
            lifecycle.application_screen(application=app, by=officer, eligible=True)
    if len(submitted) > 6:  # the consortium went through a more-information loop
        last = submitted[-1]
        with on(10, 3):
            lifecycle.application_request_info(application=last, by=officer,
                                               reason="Add the member districts' match "
                                                      "letters.")
        with on(10, 8):
            lifecycle.application_provide_info(application=last, by=apps[-1][1],
                                               reason="Letters added.")
        with on(10, 9):
            lifecycle.application_screen(application=last, by=officer, eligible=True)
    with on(10, 13):
        for app in Application.objects.filter(cycle=past, status="screened"):
            lifecycle.application_start_review(application=app, by=officer)
    with on(10, 20):
        _reviews(past)
    with on(11, 3):
        for app in Application.objects.filter(cycle=past, status="in_review"):
            lifecycle.application_recommend(application=app, by=officer,
                                            reason="Review complete.")

    plan = award_plan_for_cycle(cycle=past).plan
    ranked = list(plan.lines)
    if all(line.candidate.score is None for line in ranked):  # no review scores: fund by order
        ranked = sorted(ranked, key=lambda line: line.candidate.key)
    budget_left = past.budget
    funded: list[Application] = []
    for i, line in enumerate(ranked):
        app = Application.objects.get(pk=line.candidate.key)
        amount = line.award if line.award > 0 else min(line.candidate.fundable, budget_left)
        with on(11, 18, 14):  # the governing board's November meeting
            if amount <= 0 or (line.candidate.score is not None and line.award <= 0):
                _vote(app, officer=officer, outcome="denied",
                      reason="Below the funding line for this round's budget.")
                continue
            conditional = i == 1
            _vote(app, officer=officer, outcome="conditional" if conditional else "approved",
                  amount=amount,
                  conditions="Submit the signed member agreements." if conditional else "",
                  reason="Strong design and a credible sustainability plan.")
        budget_left -= amount
        if conditional:
            with on(12, 1):
                lifecycle.application_conditions_resolve(
                    application=Application.objects.get(pk=app.pk), by=officer, met=True,
                    reason="Signed agreements received.")
        funded.append(app)

    # grants run two years from January 1, with a progress report every quarter
    start = date(year0 + 1, 1, 1)
    for n, app in enumerate(funded):
        award = Application.objects.get(pk=app.pk).agreement.award
        grantee = next(leader for a, leader in apps if a.pk == app.pk)
        with on(12, 8):
            agreement = agreements.agreement_update(
                agreement=award.agreement, by=officer, start_date=start,
                end_date=date(start.year + 2, 1, 1), terms="Start-up costs only, as budgeted.",
                next_review_date=date(start.year + 1, 1, 1), report_every_months=3)
            periods = report_periods(agreement=agreement, reports=[])
            due = date(start.year + 1, 12, 31)
            math = agreements.commitment_add(
                agreement=agreement, by=officer, measure="Students on track in math",
                unit="percent", baseline=D("41.0") + n, target=D("55.0") + n, due_date=due)
            attend = agreements.commitment_add(
                agreement=agreement, by=officer, measure="Chronic absenteeism", unit="percent",
                baseline=D("18.0"), target=D("12.0"), due_date=due)
            agreements.commitment_add(  # read from the published growth results, never typed in
                agreement=agreement, by=officer, measure="Median growth in math", unit="SGP",
                baseline=D("47.0"), target=D("55.0"), due_date=due,
                evidence_source="growth_run", evidence_ref={"metric": "median_sgp",
                                                            "subject": "math"})
        with on(12, 15):
            agreement = agreements.agreement_step(agreement=agreement, name="sign", by=officer,
                                                  reason="Signed for the office.")
        with on(1, 6, next_year=True):  # countersigned once the term has begun: active
            agreement = agreements.agreement_step(agreement=agreement, name="countersign",
                                                  by=grantee, reason="Signed for the district.")
        with on(1, 15, next_year=True):
            award_disburse(award=award, by=officer,
                           amount=(award.amount / 2).quantize(D("0.01")),
                           memo="First semiannual payment")
        with on(2, 3, next_year=True):
            own = match_contribution_record(
                award=award, by=grantee, kind="cash", source="own_funds",
                amount=max(award.match_required, D("0.01")),
                description="District general fund transfer",
                received_on=date(start.year, 1, 30),
                evidence=_evidence("general-fund-transfer.pdf", "general fund transfer"))
        with on(2, 10, next_year=True):
            match_contribution_check(contribution=own, by=officer, verify=True,
                                     reason="Matches the district's ledger.")
        if n == 0:  # a private gift, checked and verified
            with on(3, 2, next_year=True):
                gift = match_contribution_record(
                    award=award, by=grantee, kind="cash", source="philanthropic",
                    contributor="Community Education Foundation",
                    amount=(award.match_required / 2).quantize(D("0.01")) or D("1000.00"),
                    description="Foundation grant for teacher coaching",
                    received_on=date(start.year, 2, 26),
                    evidence=_evidence("foundation-award-letter.pdf", "foundation award letter"))
            with on(3, 9, next_year=True):
                match_contribution_check(contribution=gift, by=officer, verify=True,
                                         reason="Award letter and deposit confirmed.")
        if n == 1:  # a business's in-kind gift, recorded a fortnight ago, waiting for the office
            with clock_at(now - timedelta(days=14)):
                match_contribution_record(
                    award=award, by=grantee, kind="in_kind", source="private",
                    contributor="Regional Broadband Cooperative",
                    amount=D("12500.00"), description="Donated classroom wireless access points",
                    received_on=(now - timedelta(days=20)).date(),
                    evidence=_evidence("donation-receipt.pdf", "donation receipt"))
        # quarterly reports, each a few weeks after its quarter: the first two accepted; the
        # third received from every other grantee (waiting for the officer), late from the rest
        narratives = [
            ("Training finished; the model runs in every planned classroom.",
             {math.pk: (D("46.5") + n, "Winter interim"), attend.pk: (D("16.2"), "Semester")}),
            ("Spring results: growth in math; attendance improving more slowly.",
             {math.pk: (D("50.1") + n, "Spring interim"), attend.pk: (D("14.9"), "Full year")}),
            ("Summer programme and the new year's start; fall benchmarks due next.",
             {math.pk: (D("49.0") + n, "Fall benchmark"), attend.pk: (D("15.5"), "First month")}),
        ]
        spent_share = [D("0.30"), D("0.55"), D("0.70")]
        for q, (narrative, values) in enumerate(narratives):
            if q == 2 and n % 2 == 1:
                break
            period = periods[q]
            moment = datetime.combine(period.end + timedelta(days=18), datetime.min.time(),
                                      tzinfo=timezone.get_current_timezone())
            if moment >= now:
                break
            with clock_at(moment.replace(hour=11)):
                report = agreements.report_submit(agreement=agreement, by=grantee,
                                                  period_end=period.end, narrative=narrative,
                                                  values=values)
                report_spending_record(report=report, spent_to_date=(
                    award.amount * spent_share[q]).quantize(D("0.01")))
            if q < 2 and moment + timedelta(days=7) < now:
                with clock_at(moment + timedelta(days=7)):
                    agreements.report_review(report=report, by=officer, accept=True,
                                             note="On track; keep the data reviews weekly.")

    # --- the open round ------------------------------------------------------------------------
    # Kentucky's three grant types (research, pilot, scaling), each with its caps and rubric;
    # half the match from private or philanthropic sources (after Florida's matching grants).
    rules_now = innovation_fund_default()
    rules_now["funding"]["grant_types"] = kentucky_grant_types()
    rules_now["funding"]["match"]["private_min_share"] = "0.50"
    current = cycle_create(by=officer, program=program, name=f"FY{fy_now} round",
                           slug=f"fy{fy_now}",
                           opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30),
                           fiscal_year=fy_now, budget=D("4000000.00"), data=rules_now)
    approp_now = appropriation_create(by=officer, fund="Innovation Fund", code="innovation-fund",
                                      fiscal_year=fy_now, amount=D("4000000.00"), program=program)
    cycle_funding_set(cycle=current, appropriation=approp_now, by=officer)
    taken = {o.pk for o in orgs}
    if demo_district is not None and demo_district.organization_id is not None:
        taken.add(demo_district.organization_id)
    new_orgs = _applicants(taken, 4)
    steps = ["recommended", "in_review", "info_requested", "submitted"]
    kinds = ["pilot", "scaling", "scaling", "pilot"]
    for org, step, kind, (title, summary, category, amount) in zip(
            new_orgs, steps, kinds, PROJECTS[2:], strict=False):
        leader = _leader_for(org)
        app = _draft(current, org, leader, title, summary, category, amount,
                     org.econ_disadvantaged_share, grant_type=kind)
        app = lifecycle.application_submit(application=app, by=leader)
        if step == "submitted":
            continue
        if step == "info_requested":
            lifecycle.application_request_info(application=app, by=officer,
                                               reason="Please add the evaluation plan.")
            continue
        app = lifecycle.application_screen(application=app, by=officer, eligible=True)
        lifecycle.application_start_review(application=app, by=officer)
    _reviews(current, leave_open_for="reviewer")  # the demo reviewer has a review to write
    first_in_review = Application.objects.filter(cycle=current, status="in_review").order_by(
        "pk").first()
    if first_in_review is not None:
        lifecycle.application_recommend(application=first_in_review, by=officer,
                                        reason="Review complete.")


def _rural_consortium() -> Organization | None:
    for c in Organization.objects.filter(kind=OrgKind.CONSORTIUM, active=True).order_by("pk"):
        if ConsortiumMembership.objects.filter(consortium=c, role="lead").exists() and (
            ConsortiumMembership.objects.filter(consortium=c).count() >= 2
        ):
            return c
    return None


__all__: list[Any] = ["demo_programs_ensure"]
