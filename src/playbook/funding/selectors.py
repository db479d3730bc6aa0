"""Reads of the funding app: ledger balances, the award plan of a cycle, agreements, match."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from playbook.accounts.models import User
from playbook.programs.eligibility import applicant_profile
from playbook.programs.models import Application, ApplicationStatus, Cycle
from playbook.programs.selectors import application_scope_q, cycle_configuration_current

from .award_plan import (
    AwardPlan,
    Candidate,
    PlanPolicy,
    SetAsidePolicy,
    award_plan_build,
    policy_with,
)
from .match import match_counted
from .models import (
    PRIVATE_SOURCES,
    Account,
    Appropriation,
    Award,
    GrantRequest,
    LedgerEntry,
    MatchContribution,
    MatchStatusChoice,
)
from .rules import FundingRules, funding_of

ZERO = Decimal("0")


# --- ledger -----------------------------------------------------------------------------------

def ledger_balances(*, appropriation: Appropriation) -> dict[str, Decimal]:
    """Each account's balance computed from the entries (debits minus credits)."""
    balances = {a.value: ZERO for a in Account}
    debits = LedgerEntry.objects.filter(appropriation=appropriation).values(
        "debit_account").annotate(total=Sum("amount")).order_by()
    credits = LedgerEntry.objects.filter(appropriation=appropriation).values(
        "credit_account").annotate(total=Sum("amount")).order_by()
    for row in debits:
        balances[row["debit_account"]] += row["total"]
    for row in credits:
        balances[row["credit_account"]] -= row["total"]
    return balances


def ledger_is_consistent(*, appropriation: Appropriation) -> bool:
    """Entries balance, and the running totals on the row match the entries."""
    appropriation.refresh_from_db()
    b = ledger_balances(appropriation=appropriation)
    return (
        sum(b.values()) == 0
        and -b[Account.APPROPRIATED] == appropriation.amount
        and b[Account.COMMITTED] == appropriation.committed_amount
        and b[Account.DISBURSED] == appropriation.disbursed_amount
        and b[Account.AVAILABLE] == appropriation.available_amount
        and b[Account.AVAILABLE] >= 0
    )


def appropriation_list() -> QuerySet[Appropriation]:
    return Appropriation.objects.select_related("program")


def appropriation_get(*, pk: int) -> Appropriation:
    obj = Appropriation.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404("No such appropriation.")
    return obj


# --- ranking and the award plan ---------------------------------------------------------------

def ranking_for_cycle(*, cycle: Cycle) -> list[tuple[Application, Decimal | None]]:
    """(application, score) pairs from the reviews app's ranking."""
    from playbook.reviews.selectors import ranking_for_cycle as reviews_ranking

    return ranking_pairs(reviews_ranking(cycle=cycle))


def ranking_pairs(ranking: Iterable[Any]) -> list[tuple[Application, Decimal | None]]:
    """Accept (application, score) pairs or rows with ``.application`` and ``.score``."""
    out = []
    for item in ranking:
        if isinstance(item, tuple):
            app, score = item
        else:
            app, score = item.application, getattr(item, "score", None)
        out.append((app, Decimal(str(score)) if score is not None else None))
    return out


def funding_rules_for(*, cycle: Cycle) -> FundingRules:
    return funding_of(cycle_configuration_current(cycle=cycle).rules)


def plan_policy_for(*, cycle: Cycle, budget: Decimal | None = None,
                    set_aside_amounts: dict[str, Decimal] | None = None) -> PlanPolicy:
    f = funding_rules_for(cycle=cycle)
    policy = PlanPolicy(
        budget=cycle.budget,
        set_asides=tuple(SetAsidePolicy(s.key, s.label, s.amount, frozenset(s.requires))
                         for s in f.set_asides),
        partial_policy=f.partial_policy, partial_min_share=f.partial_min_share,
        tie_breaks=f.tie_breaks, min_score=f.min_score,
    )
    return policy_with(policy, budget=budget, set_aside_amounts=set_aside_amounts)


def candidate_for(*, application: Application, score: Decimal | None) -> Candidate:
    """The award-plan view of an application, read with its own version's funding rules."""
    profile = applicant_profile(application.applicant)
    funding = funding_of(application.rules)
    tags = {"consortium" if profile.type == "consortium" else "single"}
    if profile.rural:
        tags.add("rural")
    share = profile.econ_disadvantaged_share
    if share is not None and share >= funding.high_poverty_share:
        tags.add("high_poverty")
    request = GrantRequest.objects.filter(application=application).first()
    return Candidate(
        key=application.pk, score=score, requested=requested_for(application),
        cap=funding.cap_for(profile.type, request.grant_type if request else ""),
        tags=frozenset(tags), poverty_share=share,
        submitted_at=application.submitted_at,
        label=f"{application.applicant.name}: {application.title}",
    )


PLANNED_STATUSES = [ApplicationStatus.RECOMMENDED, ApplicationStatus.APPROVED,
                    ApplicationStatus.CONDITIONAL, ApplicationStatus.DENIED]


def requested_for(application: Application) -> Decimal:
    found = GrantRequest.objects.filter(application=application).values_list(
        "amount_requested", flat=True).first()
    return found if found is not None else ZERO


@dataclass(frozen=True)
class CyclePlan:
    plan: AwardPlan
    applications: dict[int, Application]


def award_plan_for_cycle(
    *, cycle: Cycle, ranking: Iterable[Any] | None = None, budget: Decimal | None = None,
    set_aside_amounts: dict[str, Decimal] | None = None,
) -> CyclePlan:
    """The funding line for the recommended (and decided) applications of ``cycle``.

    ``ranking`` defaults to the reviews app's; ``budget`` and ``set_aside_amounts`` are what-ifs.
    """
    pairs = ranking_pairs(ranking) if ranking is not None else ranking_for_cycle(cycle=cycle)
    pairs = [(a, s) for a, s in pairs if a.status in PLANNED_STATUSES]
    # Every recommended or decided application is on the page; unscored ones are never funded.
    ranked_ids = {a.pk for a, _ in pairs}
    pairs += [(a, None) for a in Application.objects.filter(
        cycle=cycle, status__in=PLANNED_STATUSES).exclude(pk__in=ranked_ids).select_related(
        "applicant", "configuration", "cycle", "cycle__program")]
    candidates = [candidate_for(application=a, score=s) for a, s in pairs]
    plan = award_plan_build(candidates=candidates, policy=plan_policy_for(
        cycle=cycle, budget=budget, set_aside_amounts=set_aside_amounts))
    return CyclePlan(plan=plan, applications={a.pk: a for a, _ in pairs})


# --- awards -----------------------------------------------------------------------------------

def award_get_for_user(*, user: User | AnonymousUser, pk: int) -> Award:
    """The award, if ``user`` may read its application; 404 otherwise."""
    award = (
        Award.objects.filter(pk=pk)
        .filter(Q(application__in=Application.objects.filter(application_scope_q(user=user))))
        .select_related("application", "application__applicant", "application__cycle",
                        "application__cycle__program", "appropriation")
        .first()
    )
    if award is None:
        raise Http404("No such award.")
    return award


def awards_for_user(*, user: User | AnonymousUser) -> QuerySet[Award]:
    return Award.objects.filter(
        application__in=Application.objects.filter(application_scope_q(user=user))
    ).select_related("application", "application__applicant", "application__cycle")


@dataclass(frozen=True)
class MatchStatus:
    """An award's match: required, pledged, and what the office has verified (only verified
    contributions count; pending ones are shown apart). ``private_required`` is the share of
    the required match that must come from private or philanthropic sources."""

    required: Decimal
    pledged_cash: Decimal
    pledged_in_kind: Decimal
    delivered_cash: Decimal
    delivered_in_kind: Decimal
    counted: Decimal
    in_kind_max_share: Decimal
    pending: Decimal = ZERO
    rejected: Decimal = ZERO
    private_min_share: Decimal = ZERO
    private_required: Decimal = ZERO
    private_counted: Decimal = ZERO

    @property
    def shortfall(self) -> Decimal:
        return max(self.required - self.counted, ZERO)

    @property
    def private_shortfall(self) -> Decimal:
        return max(self.private_required - self.private_counted, ZERO)

    @property
    def met(self) -> bool:
        return self.counted >= self.required and self.private_counted >= self.private_required


def _sums(rows: QuerySet[MatchContribution]) -> dict[str, Decimal]:
    return dict(rows.values("kind").annotate(total=Sum("amount")).values_list("kind", "total"))


def match_status(*, award: Award) -> MatchStatus:
    """The match of ``award``, counting verified contributions only. In kind counts up to the
    award's in-kind share of the required match, for the whole and for the private part alike;
    the private part is required match times the award's private share, rounded half up to the
    cent."""
    from playbook.core.money import round_cents

    contributions = MatchContribution.objects.filter(award=award)
    verified = contributions.filter(status=MatchStatusChoice.VERIFIED)
    delivered = _sums(verified)
    private = _sums(verified.filter(source__in=PRIVATE_SOURCES))
    pending = contributions.filter(status=MatchStatusChoice.PENDING).aggregate(
        t=Sum("amount"))["t"] or ZERO
    rejected = contributions.filter(status=MatchStatusChoice.REJECTED).aggregate(
        t=Sum("amount"))["t"] or ZERO
    pledge = GrantRequest.objects.filter(application_id=award.application_id).first()
    cash = delivered.get(MatchContribution.Kind.CASH, ZERO)
    in_kind = delivered.get(MatchContribution.Kind.IN_KIND, ZERO)
    private_required = round_cents(award.match_required * award.private_min_share)
    return MatchStatus(
        required=award.match_required, pledged_cash=pledge.match_cash if pledge else ZERO,
        pledged_in_kind=pledge.match_in_kind if pledge else ZERO, delivered_cash=cash,
        delivered_in_kind=in_kind,
        counted=match_counted(cash=cash, in_kind=in_kind, required=award.match_required,
                              in_kind_max_share=award.in_kind_max_share),
        in_kind_max_share=award.in_kind_max_share, pending=pending, rejected=rejected,
        private_min_share=award.private_min_share, private_required=private_required,
        private_counted=match_counted(
            cash=private.get(MatchContribution.Kind.CASH, ZERO),
            in_kind=private.get(MatchContribution.Kind.IN_KIND, ZERO),
            required=award.match_required, in_kind_max_share=award.in_kind_max_share),
    )


def match_contribution_get_for_user(*, user: User | AnonymousUser, award: Award,
                                    pk: int) -> MatchContribution:
    """A contribution of ``award`` (which ``user`` may read: fetched with
    ``award_get_for_user``); 404 otherwise."""
    found = MatchContribution.objects.filter(award=award, pk=pk).first()
    if found is None:
        raise Http404("No such contribution.")
    return found


def match_queue() -> QuerySet[MatchContribution]:
    """Contributions waiting for the office to check them, oldest first."""
    return (MatchContribution.objects.filter(status=MatchStatusChoice.PENDING)
            .select_related("award", "award__application", "award__application__applicant",
                            "recorded_by").order_by("recorded_at", "id"))


def agreement_problems_for(*, award: Award) -> list[str]:
    problems = []
    lines_total = sum((b.amount for b in award.budget_lines.all()), Decimal("0"))
    if lines_total != award.amount:
        problems.append(f"The budget lines add up to ${lines_total:,}, not the award of "
                        f"${award.amount:,}.")
    app = Application.objects.get(pk=award.application_id)  # fresh: the status moves
    if app.status != ApplicationStatus.APPROVED:
        problems.append(f"The application is {app.status_label.lower()}; it "
                        "must be approved (conditions met) first.")
    return problems


# --- public performance (Play 1: grantee performance reported in a transparent manner) -------

#: Agreements whose commitments are public: countersigned, in force or ended (not drafts, not
#: cancelled before they took effect).
PUBLIC_AGREEMENT_STATUSES = ("executed", "active", "monitored", "probation", "renewed",
                             "revoked", "expired", "closed")

PERFORMANCE_COLUMNS = [
    "reference", "grantee", "grant_type", "award_amount", "disbursed", "spent_to_date",
    "match_required", "match_verified", "agreement_status", "measure", "unit", "baseline",
    "target", "due_date", "evidence_source", "reported_value", "reported_period_end",
    "published_figure", "published_value", "published_school_year",
]


@dataclass(frozen=True)
class CommitmentProgress:
    measure: str
    unit: str
    baseline: Decimal
    target: Decimal
    due_date: Any
    evidence_source: str
    evidence_label: str
    reported_value: Decimal | None
    reported_note: str
    reported_period_end: Any
    published: Any  # evidence.monitoring.PublishedEvidence | None


@dataclass(frozen=True)
class AwardPerformance:
    award: Award
    grant_type_label: str
    disbursed: Decimal
    spent_to_date: Decimal | None
    match: MatchStatus
    commitments: list[CommitmentProgress]


def award_disbursed(*, award: Award) -> Decimal:
    from playbook.core.money import cents

    return cents(LedgerEntry.objects.filter(
        transaction__award=award, debit_account=Account.DISBURSED).aggregate(
        t=Sum("amount"))["t"])


def award_performance(*, award: Award) -> AwardPerformance:
    """One award's public record: its commitments, the progress the office accepted in the
    grantee's reports, and, for commitments read from a report card or growth results, the
    published figure (only what is published; a suppressed cell reads as suppressed)."""
    from playbook.programs.models import CommitmentValue, MonitoringReport
    from playbook.programs.selectors import commitment_evidence

    agreement = award.agreement
    accepted = MonitoringReport.objects.filter(agreement=agreement, status="accepted")
    published = commitment_evidence(agreement=agreement)
    rows = []
    for c in agreement.commitments.all():
        latest = (CommitmentValue.objects.filter(commitment=c, report__in=accepted)
                  .select_related("report").order_by("-report__period_end").first())
        rows.append(CommitmentProgress(
            measure=c.measure, unit=c.unit, baseline=c.baseline, target=c.target,
            due_date=c.due_date, evidence_source=c.evidence_source,
            evidence_label=c.get_evidence_source_display(),
            reported_value=latest.value if latest else None,
            reported_note=latest.note if latest else "",
            reported_period_end=latest.report.period_end if latest else None,
            published=published.get(c.pk)))
    last = accepted.filter(spending__isnull=False).order_by("-period_end").select_related(
        "spending").first()
    funding = funding_of(award.application.rules)
    kind = funding.grant_type(award.grant_type) if award.grant_type else None
    return AwardPerformance(
        award=award, grant_type_label=kind.label if kind else "",
        disbursed=award_disbursed(award=award),
        spent_to_date=last.spending.spent_to_date if last else None,
        match=match_status(award=award), commitments=rows)


def public_awards(*, cycle: Cycle) -> QuerySet[Award]:
    return (Award.objects.filter(application__cycle=cycle,
                                 agreement__status__in=PUBLIC_AGREEMENT_STATUSES)
            .select_related("agreement", "application", "application__applicant",
                            "application__configuration", "application__cycle",
                            "application__cycle__program")
            .order_by("application__applicant__name", "pk"))


def cycle_performance(*, cycle: Cycle) -> list[AwardPerformance]:
    return [award_performance(award=a) for a in public_awards(cycle=cycle)]


def performance_rows(cycle: Cycle) -> tuple[list[str], list[dict[str, Any]]]:
    """The open-data table of award performance: one row per commitment of each public award
    (an award without commitments: one row without them)."""
    from playbook.core.money import cents

    out: list[dict[str, Any]] = []
    for p in cycle_performance(cycle=cycle):
        a = p.award
        base = {
            "reference": a.application.reference, "grantee": a.application.applicant.name,
            "grant_type": p.grant_type_label, "award_amount": cents(a.amount),
            "disbursed": p.disbursed,
            "spent_to_date": cents(p.spent_to_date) if p.spent_to_date is not None else None,
            "match_required": cents(p.match.required),
            "match_verified": cents(p.match.counted),
            "agreement_status": a.agreement.status_label,
        }
        listed: list[CommitmentProgress | None] = list(p.commitments) or [None]
        for c in listed:
            row = dict(base)
            if c is not None:
                row.update({
                    "measure": c.measure, "unit": c.unit, "baseline": c.baseline,
                    "target": c.target, "due_date": c.due_date.isoformat(),
                    "evidence_source": c.evidence_label,
                    "reported_value": c.reported_value,
                    "reported_period_end": (c.reported_period_end.isoformat()
                                            if c.reported_period_end else None),
                    "published_figure": c.published.shown if c.published else None,
                    "published_value": c.published.value if c.published else None,
                    "published_school_year": c.published.school_year if c.published else None,
                })
            out.append(row)
    return PERFORMANCE_COLUMNS, out
