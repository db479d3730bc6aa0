"""The innovation fund (Play 1) as the spine's first registered instrument: a competitive grant.

It adds to the spine: the ``funding`` rule section (caps, match, set-asides, the funding line,
budget categories), what a grant application must hold to be submitted (a budget within the
cap with the match it owes), the amount a decision-body vote is taken on, the award an approval
opens (committed against the appropriation in the decision's transaction), the release of
unspent money when its agreement ends, and its panels on the application, agreement and
organization pages. Registered from ``FundingConfig.ready``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser

from playbook.accounts.models import User
from playbook.accounts.roles import READ_ALL
from playbook.core.money import MONEY
from playbook.programs.eligibility import applicant_profile
from playbook.programs.models import Agreement, Application
from playbook.programs.permissions import application_can_edit, application_is_own
from playbook.programs.registry import Instrument, Panel, PublicDataset, instrument_register
from playbook.programs.rules import Criterion

from .match import match_counted, match_rate_for, match_required
from .models import Award, BudgetLine, GrantRequest
from .rules import FundingRules, funding_of, innovation_fund_default

KEY = "grant"


def application_problems(application: Application) -> list[str]:
    """A grant application's budget: lines, a request above $0 within the cap, the match."""
    rules = application.rules
    funding: FundingRules = funding_of(rules)
    profile = applicant_profile(application.applicant)
    request = GrantRequest.objects.filter(application=application).first()
    requested = request.amount_requested if request else Decimal("0")
    grant_type = request.grant_type if request else ""
    problems: list[str] = []
    kind = funding.grant_type(grant_type) if grant_type else None
    if funding.grant_types and kind is None:
        problems.append("Grant type: choose one of "
                        f"{', '.join(t.label for t in funding.grant_types)}.")
    if not BudgetLine.objects.filter(application=application).exists():
        problems.append("Budget: add at least one budget line.")
    if requested <= 0:
        problems.append("Budget: the state funds requested must be more than $0.")
    cap = funding.cap_for(profile.type, kind.key if kind else "")
    if cap is not None and requested > cap:
        of = f" of a {kind.label.lower()}" if kind else ""
        problems.append(f"Budget: ${requested:,} requested is over the ${cap:,} cap{of} for "
                        f"{profile.type_label.lower()} applicants.")
    rate = match_rate_for(rules=funding.match, poverty_share=profile.econ_disadvantaged_share)
    required = match_required(amount=requested, rate=rate)
    counted = match_counted(cash=request.match_cash if request else Decimal("0"),
                            in_kind=request.match_in_kind if request else Decimal("0"),
                            required=required,
                            in_kind_max_share=funding.match.in_kind_max_share)
    if counted < required:
        problems.append(
            f"Match: ${required:,} ({rate:.0%} of the request) is required; the budget "
            f"pledges ${counted:,} that counts (in-kind counts up to "
            f"{funding.match.in_kind_max_share:.0%} of the match)."
        )
    return problems


class AwardTermsForm(forms.Form):
    """What the decision body votes on: the amount awarded."""

    amount = forms.DecimalField(label="Amount awarded ($)", min_value=Decimal("0.01"),
                                help_text="From the award plan; the request within the cap at "
                                          "most.", **MONEY)

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application

    def clean_amount(self) -> Decimal:
        from .services import award_fundable

        amount: Decimal = self.cleaned_data["amount"]
        fundable = award_fundable(application=self.application)
        if amount > fundable:
            raise forms.ValidationError(f"The award cannot exceed ${fundable:,} (the request, "
                                        "within the cap).")
        return amount


def terms_initial(application: Application) -> dict[str, Any]:
    from .selectors import award_plan_for_cycle

    plan = award_plan_for_cycle(cycle=application.cycle)
    line = next((x for x in plan.plan.lines if x.candidate.key == application.pk), None)
    amount = line.award if line is not None and line.funded else None
    if not amount:
        from .services import award_fundable

        amount = award_fundable(application=application)
    return {"amount": amount}


def funding_line_trace(application: Application) -> tuple[str, str, list[dict[str, Any]]] | None:
    """The funding line as it stood when the vote opened: rank, score, request and cap, the
    policy that placed the line, and what the plan would award."""
    from .selectors import award_plan_for_cycle

    plan = award_plan_for_cycle(cycle=application.cycle).plan
    line = next((x for x in plan.lines if x.candidate.key == application.pk), None)
    if line is None:
        return None
    version = application.configuration.version
    c = line.candidate
    policy = plan.policy
    steps = [
        {"rule": "review.ranking", "version": version, "applicant": True,
         "values": {"score": str(c.score) if c.score is not None else "no completed review",
                    "rank": str(line.rank)},
         "result": f"ranked {line.rank} of {len(plan.lines)}", "passed": c.score is not None},
        {"rule": "funding.caps", "version": version, "applicant": True,
         "values": {"requested": f"${c.requested:,}",
                    "cap": f"${c.cap:,}" if c.cap is not None else "none"},
         "result": f"fundable ${c.fundable:,}", "passed": True},
        {"rule": "funding.partial_funding / tie_breaks / set_asides", "version": version,
         "applicant": False,
         "values": {"budget": f"${policy.budget:,}", "partial policy": policy.partial_policy,
                    "tie-breaks": ", ".join(policy.tie_breaks),
                    "set-aside": line.source or "general"},
         "result": line.note or line.status, "passed": line.funded},
        {"rule": "funding line", "version": version, "applicant": True,
         "values": {"status": line.status}, "result": f"plan awards ${line.award:,}",
         "passed": line.funded},
    ]
    result = (f"Rank {line.rank}: the plan awards ${line.award:,}" if line.funded
              else f"Rank {line.rank}: below the funding line ({line.note or line.status})")
    return "funding_line", result, steps


def agreement_problems(agreement: Agreement) -> list[str]:
    from .selectors import agreement_problems_for

    award = Award.objects.filter(agreement=agreement).first()
    return agreement_problems_for(award=award) if award else ["The award is missing."]


def _budget_context(application: Application, user: User | AnonymousUser) -> dict[str, Any] | None:
    """Whoever reads the application (it was fetched through the spine's access checks) reads
    its budget: applicant, staff, auditors, assigned reviewers, deciders."""
    request = GrantRequest.objects.filter(application=application).first()
    return {"app": application, "grant": request, "grant_type": _grant_type(application),
            "budget": BudgetLine.objects.filter(application=application),
            "can_edit": application_can_edit(user=user, application=application)[0]}


def _award_context(application: Application, user: User | AnonymousUser) -> dict[str, Any] | None:
    award = (Award.objects.filter(application=application).exclude(agreement__status="cancelled")
             .select_related("agreement").first())
    if award is None or not user.is_authenticated:
        return None
    if user.role not in READ_ALL and not application_is_own(user=user, application=application):
        return None
    return {"award": award}


def _organization_context(org: Any, user: User | AnonymousUser) -> dict[str, Any] | None:
    """The organization's grant applications and awards that ``user`` may read (office staff
    and auditors: all; the organization's own leaders: theirs)."""
    from playbook.programs.selectors import application_scope_q

    if not user.is_authenticated:
        return None
    visible = Application.objects.filter(application_scope_q(user=user), applicant=org)
    if user.role not in READ_ALL and not visible.exists():
        return None
    awards = Award.objects.filter(application__in=visible).select_related(
        "application", "application__cycle", "agreement")
    requests = GrantRequest.objects.filter(application__in=visible).exclude(
        application__status="draft").select_related("application", "application__cycle")
    return {"awards": awards, "requests": requests}


def _criteria(application: Application) -> tuple[Criterion, ...] | None:
    """The rubric of the grant type the application chose, where that type has its own."""
    request = GrantRequest.objects.filter(application=application).first()
    if request is None or not request.grant_type:
        return None
    kind = funding_of(application.rules).grant_type(request.grant_type)
    return kind.rubric.criteria if kind is not None and kind.rubric is not None else None


def _grant_type(application: Application) -> str | None:
    request = GrantRequest.objects.filter(application=application).first()
    if request is None or not request.grant_type:
        return None
    kind = funding_of(application.rules).grant_type(request.grant_type)
    return kind.label if kind else request.grant_type


def _performance_context(cycle: Any, user: User | AnonymousUser) -> dict[str, Any] | None:
    """The public round page's grantee performance: everyone reads it (Play 1)."""
    from .selectors import cycle_performance

    awards = cycle_performance(cycle=cycle)
    return {"awards": awards, "cycle": cycle} if awards else None


def _requested(application: Application) -> Decimal | None:
    found = GrantRequest.objects.filter(application=application).first()
    return found.amount_requested if found else None


def _awarded(application: Application) -> Decimal | None:
    award = (Award.objects.filter(application=application).exclude(agreement__status="cancelled")
             .first())
    return award.amount if award is not None else None


def _pledge(field: str) -> Any:
    def value(application: Application) -> Decimal | None:
        found = GrantRequest.objects.filter(application=application).first()
        return getattr(found, field) if found else None

    return value


def _totals(cycle: Any) -> list[tuple[str, str, Any]]:
    from django.db.models import Count, Sum

    from playbook.core.money import cents
    from playbook.programs.selectors import PUBLIC_STATUSES

    requested = GrantRequest.objects.filter(
        application__cycle=cycle, application__status__in=PUBLIC_STATUSES).aggregate(
        total=Sum("amount_requested"))["total"]
    awarded = Award.objects.filter(application__cycle=cycle).exclude(
        agreement__status="cancelled").aggregate(n=Count("id"), total=Sum("amount"))
    return [("requested", "Requested", cents(requested)),
            ("awards", "Awards", awarded["n"] or 0),
            ("awarded", "Awarded", cents(awarded["total"]))]


def _performance_rows(cycle: Any) -> tuple[list[str], list[dict[str, Any]]]:
    from .selectors import performance_rows

    return performance_rows(cycle)


def register() -> Instrument:
    from . import services

    return instrument_register(Instrument(
        key=KEY,
        label="Competitive grant",
        rules_sections={"funding": FundingRules},
        rules_default=innovation_fund_default,
        application_problems=application_problems,
        decision_terms_form=AwardTermsForm,
        decision_terms_initial=terms_initial,
        decision_trace=funding_line_trace,
        on_approved=services.on_approved,
        on_agreement_transition=services.on_agreement_transition,
        agreement_problems=agreement_problems,
        agreement_label="award agreement",
        agreement_term_days=730,
        evidence_sources=("self_reported", "report_card", "growth_run"),
        application_panels=(
            Panel("grant_budget", "Budget", "funding/_application_budget.html",
                  _budget_context, order=20),
            Panel("grant_award", "Award", "funding/_application_award.html", _award_context,
                  order=30),
        ),
        organization_panel=Panel("grants", "Innovation fund grants",
                                 "funding/_organization_grants.html", _organization_context),
        public_columns=(("grant_type", "Grant type", _grant_type),
                        ("amount_requested", "Requested", _requested),
                        ("amount_awarded", "Awarded", _awarded)),
        public_panels=(Panel("grant_performance", "Grantee performance",
                             "funding/_round_performance.html", _performance_context),),
        public_datasets=(PublicDataset("performance", "Grantee performance",
                                       _performance_rows),),
        application_criteria=_criteria,
        public_totals=_totals,
        export_columns=(("grant_type", _pledge("grant_type")),
                        ("amount_requested", _requested), ("match_cash", _pledge("match_cash")),
                        ("match_in_kind", _pledge("match_in_kind")),
                        ("award_amount", _awarded)),
        application_pages=(("Budget and match", "funding:application_budget"),),
        report_url_name="funding:report_new",
        staff_links=(("Appropriations and ledgers", "funding:appropriation_list"),
                     ("Grant awards: budgets, match and disbursements", "funding:award_list"),
                     ("Match contributions to check", "funding:match_queue")),
        cycle_links=(("Ranking and funding line", "funding:decision_page"),),
    ))
