"""Decisions by vote: quorum, majority, recusal, two tiers, the vote record, and the grant's
award committed when the vote closes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from playbook.funding.models import Award
from playbook.programs.models import Agreement, Application, Ballot, Vote
from playbook.programs.services import decisions, lifecycle
from playbook.programs.transitions import TransitionRefused

from ..factories import UserFactory
from ..funding.helpers import funded_cycle, recommended_application
from .helpers import board, decide

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def recommended(personas):
    cycle, _ = funded_cycle(personas.officer)
    members = board(personas, size=3)
    app = recommended_application(personas, cycle, amount="300000.00")
    return app, members


def test_a_unanimous_vote_approves_and_opens_the_award_agreement(personas, recommended):
    app, members = recommended
    ballot = decide(app, officer=personas.officer, outcome="approved", amount="250000.00")
    app.refresh_from_db()
    assert ballot.outcome == "approved" and app.status == "approved"
    agreement = Agreement.objects.get(application=app)
    assert agreement.status == "drafted" and agreement.instrument == "grant"
    assert Award.objects.get(agreement=agreement).amount == D("250000.00")
    assert sorted(ballot.votes.values_list("member__username", "choice")) == sorted(
        (m.username, "approve") for m in members)


def test_one_member_cannot_decide_for_a_board_whose_quorum_is_three(personas, recommended):
    app, members = recommended
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    decisions.vote_cast(ballot=ballot, by=members[0], choice="approve")
    with pytest.raises(TransitionRefused, match="quorum is 3"):
        decisions.ballot_close(ballot=ballot, by=personas.officer)
    app.refresh_from_db()
    assert app.status == "recommended" and not Award.objects.filter(application=app).exists()
    assert Ballot.objects.get(pk=ballot.pk).status == "open"


def test_a_recusal_does_not_count_toward_the_quorum(personas, recommended):
    app, members = recommended
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    decisions.vote_cast(ballot=ballot, by=members[0], choice="approve")
    decisions.vote_cast(ballot=ballot, by=members[1], choice="approve")
    decisions.vote_cast(ballot=ballot, by=members[2], choice="recuse",
                        reason="My spouse works for the applicant.")
    with pytest.raises(TransitionRefused, match="2 have"):
        decisions.ballot_close(ballot=ballot, by=personas.officer)


def test_a_tie_fails_and_denies(personas, recommended):
    app, members = recommended
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    decisions.vote_cast(ballot=ballot, by=members[0], choice="approve")
    decisions.vote_cast(ballot=ballot, by=members[1], choice="deny", reason="Thin evidence.")
    decisions.vote_cast(ballot=ballot, by=members[2], choice="abstain")
    closed = decisions.ballot_close(ballot=ballot, by=personas.officer)
    app.refresh_from_db()
    assert closed.outcome == "denied" and app.status == "denied"
    assert not Agreement.objects.filter(application=app).exists()
    assert "1 approve" in app.transitions.last().reason


def test_conditional_majority_records_the_conditions(personas, recommended):
    app, members = recommended
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    decisions.vote_cast(ballot=ballot, by=members[0], choice="conditional",
                        conditions="Send the signed member agreements.")
    decisions.vote_cast(ballot=ballot, by=members[1], choice="conditional",
                        conditions="Name the evaluator.")
    decisions.vote_cast(ballot=ballot, by=members[2], choice="approve")
    decisions.ballot_close(ballot=ballot, by=personas.officer)
    app.refresh_from_db()
    assert app.status == "conditional"
    assert "signed member agreements" in app.conditions and "evaluator" in app.conditions


def test_every_vote_is_kept_as_cast(personas, recommended):
    app, members = recommended
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    vote = decisions.vote_cast(ballot=ballot, by=members[0], choice="approve")
    with pytest.raises(TransitionRefused):
        decisions.vote_cast(ballot=ballot, by=members[0], choice="deny", reason="Changed mind")
    vote.choice = "deny"
    with pytest.raises(Exception, match="append-only"):
        vote.save()
    assert Vote.objects.get(pk=vote.pk).choice == "approve"


def test_only_members_vote_and_staff_or_the_chair_open_and_close(personas, recommended):
    app, members = recommended
    with pytest.raises(PermissionDenied):
        decisions.ballot_open(application=app, by=members[1], terms={"amount": "1.00"})
    ballot = decisions.ballot_open(application=app, by=members[0],  # the chair
                                   terms={"amount": "300000.00"})
    for outsider in (personas.officer, personas.leader_a, personas.auditor, personas.reviewer):
        with pytest.raises(PermissionDenied):
            decisions.vote_cast(ballot=ballot, by=outsider, choice="approve")
    with pytest.raises(PermissionDenied):
        decisions.ballot_close(ballot=ballot, by=members[1])


def test_bad_votes_are_refused_with_the_field(personas, recommended):
    app, members = recommended
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    with pytest.raises(ValidationError) as info:
        decisions.vote_cast(ballot=ballot, by=members[0], choice="conditional")
    assert "conditions" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        decisions.vote_cast(ballot=ballot, by=members[0], choice="recuse")
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError):
        decisions.vote_cast(ballot=ballot, by=members[0], choice="maybe")


def test_the_vote_is_on_terms_the_instrument_checks(personas, recommended):
    app, _ = recommended
    with pytest.raises(ValidationError) as info:
        decisions.ballot_open(application=app, by=personas.officer,
                              terms={"amount": "900000.00"})
    assert "amount" in info.value.message_dict


def test_decisions_are_never_direct_steps(personas, recommended):
    app, members = recommended
    for name in ("approve", "approve_with_conditions", "deny"):
        with pytest.raises(PermissionDenied, match="system"):
            lifecycle.application_step(application=app, name=name, by=members[0])
    assert Application.objects.get(pk=app.pk).status == "recommended"


def test_two_tiers_recommend_then_decide(personas):
    cycle, _ = funded_cycle(personas.officer)
    governing = board(personas, size=3)
    controlling = board(personas, size=2, slug="controlling-board")
    current = cycle.configurations.order_by("-version").first()
    data = dict(current.data)
    data["decision"] = {"tiers": [
        {"body": "innovation-fund-governing-board", "label": "Governing board recommends",
         "quorum": 3, "majority": "simple", "acts": "recommends"},
        {"body": "controlling-board", "label": "Controlling board approves", "quorum": 2,
         "majority": "two_thirds", "acts": "decides"}], "vote_record_public": False}
    type(current).objects.filter(pk=current.pk).update(data=data)
    app = recommended_application(personas, cycle, amount="300000.00")
    first = decisions.ballot_open(application=app, by=personas.officer,
                                  terms={"amount": "300000.00"})
    for m in governing:
        decisions.vote_cast(ballot=first, by=m, choice="approve")
    decisions.ballot_close(ballot=first, by=personas.officer)
    app.refresh_from_db()
    assert app.status == "recommended"
    second = Ballot.objects.get(application=app, tier=2)
    assert second.body.slug == "controlling-board" and second.terms == first.terms
    decisions.vote_cast(ballot=second, by=controlling[0], choice="approve")
    decisions.vote_cast(ballot=second, by=controlling[1], choice="deny", reason="Too costly.")
    decisions.ballot_close(ballot=second, by=personas.officer)
    app.refresh_from_db()
    assert app.status == "denied"  # 1 of 2 is not two thirds


def test_why_the_funding_line_and_eligibility_came_out_as_they_did(personas, recommended,
                                                                   client_for):
    from playbook.programs.selectors import traces_for
    from playbook.reviews.services import normalization_run

    app, _ = recommended
    normalization_run(cycle=app.cycle)
    decisions.ballot_open(application=app, by=personas.officer, terms={"amount": "300000.00"})
    staff = {t["trace"].kind: t for t in traces_for(obj=app)}
    assert set(staff) == {"eligibility", "funding_line"}
    assert staff["eligibility"]["trace"].result == "Meets every eligibility rule."
    rules = [s["rule"] for s in staff["eligibility"]["steps"]]
    assert rules[0] == "eligibility.applicant_types"
    assert all(s["version"] == app.configuration.version for s in staff["eligibility"]["steps"])
    line = staff["funding_line"]
    assert line["trace"].result.startswith("Rank 1: the plan awards $300,000.00")
    applicant = {t["trace"].kind: t for t in traces_for(obj=app, applicant_view=True)}
    assert len(applicant["funding_line"]["steps"]) == len(line["steps"]) - 1  # policy internals
    page = client_for(personas.leader_a if app.applicant == personas.district_a
                      else personas.officer).get(f"/programs/applications/{app.pk}/")
    assert page.status_code == 200


def test_a_failed_eligibility_rule_is_traced_with_the_value_it_read(personas):
    from playbook.programs.selectors import traces_for
    from playbook.programs.services.lifecycle import application_screen

    from .helpers import complete_draft, make_cycle

    cycle = make_cycle(personas.officer)
    current = cycle.configurations.get()
    data = dict(current.data)
    data["eligibility"] = {**data["eligibility"], "thresholds": [
        {"field": "econ_disadvantaged_share", "op": ">=", "value": "0.99"}]}
    type(current).objects.filter(pk=current.pk).update(data=data)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)
    app = lifecycle.application_submit(application=app, by=personas.leader_a)
    application_screen(application=app, by=personas.officer, eligible=False,
                       reason="Below the poverty threshold.")
    trace = traces_for(obj=app, applicant_view=True)[0]
    failed = [s for s in trace["steps"] if not s["passed"]]
    assert trace["trace"].result == "Fails 1 eligibility rule."
    assert failed[0]["rule"] == "eligibility.thresholds[0]"
    assert "registry" in failed[0]["values"]


def test_the_vote_record_is_public_only_where_the_cycle_says_so(personas, recommended, client):
    from playbook.programs.models import CycleConfiguration

    app, members = recommended
    ballot = decide(app, officer=personas.officer, outcome="approved", amount="300000.00")
    data = client.get(f"/programs/rounds/{app.cycle_id}/data.json").json()
    row = next(r for r in data["applications"] if r["reference"] == app.reference)
    assert "approved" in row["vote"] and all(m.username in row["vote"] for m in members)
    config = app.configuration
    doc = dict(config.data)
    doc["decision"] = {**doc["decision"], "vote_record_public": False}
    CycleConfiguration.objects.filter(pk=config.pk).update(data=doc)
    data = client.get(f"/programs/rounds/{app.cycle_id}/data.json").json()
    row = next(r for r in data["applications"] if r["reference"] == app.reference)
    assert row["vote"] is None
    assert client.get(f"/programs/votes/{ballot.pk}/").status_code in (302, 403, 404)


def test_who_reads_a_ballot(personas, recommended, client_for):
    app, members = recommended
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    url = f"/programs/votes/{ballot.pk}/"
    for user in (members[1], personas.officer, personas.auditor):
        page = client_for(user).get(url)
        assert page.status_code == 200 and "What the reviewers said" in page.content.decode()
    for user in (personas.leader_a, personas.leader_b, personas.reviewer, personas.provider_user,
                 personas.parent):
        assert client_for(user).get(url).status_code in (403, 404)
    outsider = UserFactory(username="other-board-member", role="decision_body")
    assert client_for(outsider).get(url).status_code == 404
    response = client_for(members[1]).post(f"{url}vote/", {"choice": "approve"})
    assert response.status_code == 302 and ballot.votes.filter(member=members[1]).exists()
    response = client_for(personas.leader_a).post(f"{url}vote/", {"choice": "approve"})
    assert response.status_code in (403, 404)
    assert not ballot.votes.filter(member=personas.leader_a).exists()
