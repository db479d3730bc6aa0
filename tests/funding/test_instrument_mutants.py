"""The grant instrument's hooks pinned where mutation testing found them unchecked: a grant
application's problems (exact wording, in-kind match), the funding-line trace of the decision
vote, the application and organization panels' contexts, and the export's pledge columns."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from playbook.funding.instrument import (
    _award_context,
    _budget_context,
    _organization_context,
    _pledge,
    application_problems,
    funding_line_trace,
)
from playbook.funding.match import match_rate_for, match_required
from playbook.funding.models import GrantRequest
from playbook.funding.rules import funding_of
from playbook.programs.eligibility import applicant_profile
from playbook.programs.services.applications import application_start

from ..programs.helpers import complete_draft, make_cycle
from .helpers import approved_award, board, funded_cycle, recommended_application

pytestmark = pytest.mark.django_db
D = Decimal


def test_an_empty_grant_application_names_its_budget_problems(personas):
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="Nothing yet")
    problems = application_problems(app)
    assert "Budget: add at least one budget line." in problems
    assert "Budget: the state funds requested must be more than $0." in problems
    assert _pledge("match_cash")(app) is None


def test_in_kind_match_counts_up_to_its_share(personas):
    cycle = make_cycle(personas.officer)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                         amount="100000.00")
    GrantRequest.objects.filter(application=app).update(match_cash=D("0"),
                                                        match_in_kind=D("100000.00"))
    funding = funding_of(app.rules)
    rate = match_rate_for(rules=funding.match,
                          poverty_share=applicant_profile(app.applicant).econ_disadvantaged_share)
    required = match_required(amount=D("100000.00"), rate=rate)
    counted = (required * funding.match.in_kind_max_share).quantize(D("0.01"))
    assert 0 < counted < required
    assert application_problems(app) == [
        f"Match: ${required:,} ({rate:.0%} of the request) is required; the budget pledges "
        f"${counted:,} that counts (in-kind counts up to "
        f"{funding.match.in_kind_max_share:.0%} of the match)."]
    assert _pledge("match_in_kind")(app) == D("100000.00")


def test_the_funding_line_trace_is_the_applications_own(personas):
    cycle, _ = funded_cycle(personas.officer)
    app = recommended_application(personas, cycle, amount="400000.00")
    recommended_application(personas, cycle, amount="250000.00")
    kind, result, steps = funding_line_trace(app)
    assert kind == "funding_line"
    assert [s["rule"] for s in steps] == [
        "review.ranking", "funding.caps", "funding.partial_funding / tie_breaks / set_asides",
        "funding line"]
    assert all(set(s) == {"rule", "version", "applicant", "values", "result", "passed"}
               for s in steps)
    assert {s["version"] for s in steps} == {app.configuration.version}
    assert steps[1]["values"]["requested"] == "$400,000.00"
    assert set(steps[2]["values"]) == {"budget", "partial policy", "tie-breaks", "set-aside"}
    assert steps[3]["result"] == "plan awards $400,000.00"
    assert result == f"Rank {steps[0]['values']['rank']}: the plan awards $400,000.00"


def test_panels_show_the_award_and_grants_only_to_those_who_may_read_them(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    award = approved_award(personas, cycle)
    app = award.application
    budget = _budget_context(app, personas.leader_a)
    assert set(budget) == {"app", "grant", "grant_type", "budget", "can_edit"}
    assert budget["grant"] == GrantRequest.objects.get(application=app)

    assert _award_context(app, personas.leader_a) == {"award": award}
    assert _award_context(app, personas.officer) == {"award": award}
    assert _award_context(app, personas.leader_b) is None
    assert _award_context(app, AnonymousUser()) is None

    own = _organization_context(personas.district_a, personas.leader_a)
    assert list(own["awards"]) == [award]
    assert [r.application_id for r in own["requests"]] == [app.pk]
    other = _organization_context(personas.district_b, personas.officer)
    assert list(other["awards"]) == [] and list(other["requests"]) == []
