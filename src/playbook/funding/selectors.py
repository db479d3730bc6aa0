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
from .models import Account, Appropriation, Award, GrantRequest, LedgerEntry, MatchContribution
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
    return Candidate(
        key=application.pk, score=score, requested=requested_for(application),
        cap=funding.cap_for(profile.type), tags=frozenset(tags), poverty_share=share,
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
    required: Decimal
    pledged_cash: Decimal
    pledged_in_kind: Decimal
    delivered_cash: Decimal
    delivered_in_kind: Decimal
    counted: Decimal
    in_kind_max_share: Decimal

    @property
    def shortfall(self) -> Decimal:
        return max(self.required - self.counted, ZERO)

    @property
    def met(self) -> bool:
        return self.counted >= self.required


def match_status(*, award: Award) -> MatchStatus:
    delivered = dict(
        MatchContribution.objects.filter(award=award).values("kind")
        .annotate(total=Sum("amount")).values_list("kind", "total")
    )
    pledge = GrantRequest.objects.filter(application_id=award.application_id).first()
    cash = delivered.get(MatchContribution.Kind.CASH, ZERO)
    in_kind = delivered.get(MatchContribution.Kind.IN_KIND, ZERO)
    return MatchStatus(
        required=award.match_required, pledged_cash=pledge.match_cash if pledge else ZERO,
        pledged_in_kind=pledge.match_in_kind if pledge else ZERO, delivered_cash=cash,
        delivered_in_kind=in_kind,
        counted=match_counted(cash=cash, in_kind=in_kind, required=award.match_required,
                              in_kind_max_share=award.in_kind_max_share),
        in_kind_max_share=award.in_kind_max_share,
    )


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
