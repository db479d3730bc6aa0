"""The sequential twin of ``test_decision_concurrency`` (which needs PostgreSQL): the same
decision submitted again, by someone else or by a second click, records nothing more and says
why, never a server error (issue 10). Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from playbook.funding.models import Award
from playbook.programs.models import (
    Agreement,
    Application,
    ApplicationStatus,
    Ballot,
    LifecycleTransition,
    Vote,
)
from playbook.programs.services import decisions

from ..conftest import signed_in_client
from ..funding.helpers import board, funded_cycle, recommended_application
from .helpers import advance_to, complete_draft


def _three(personas: Any) -> list[Any]:
    return [signed_in_client(u) for u in (personas.officer, personas.admin, personas.decider)]


def test_opening_the_vote_again_is_refused_with_a_message(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, amount="300000.00")
    url = reverse("programs:ballot_new", args=[app.pk])

    first, *again = [c.post(url, {"amount": "300000.00"}) for c in _three(personas)]

    assert first.status_code == 302
    for r in again:
        assert r.status_code == 200
        assert "A vote on this application is already open." in r.content.decode()
    assert Ballot.objects.filter(application=app).count() == 1


def test_closing_the_vote_again_records_one_decision(personas):
    cycle, _ = funded_cycle(personas.officer)
    members = board(personas)
    app = recommended_application(personas, cycle, amount="300000.00")
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    for member in members:
        decisions.vote_cast(ballot=ballot, by=member, choice="approve")
    url = reverse("programs:ballot_close", args=[ballot.pk])

    first, *again = [c.post(url, {"reason": "Strong plan."}, follow=True)
                     for c in _three(personas)]

    assert first.redirect_chain[-1][0] == reverse("programs:application_detail", args=[app.pk])
    for r in again:
        assert r.status_code == 200
        assert r.redirect_chain[-1][0] == reverse("programs:ballot_detail", args=[ballot.pk])
        assert "The vote has closed." in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.APPROVED
    assert LifecycleTransition.objects.filter(object_id=app.pk, name="approve").count() == 1
    assert Award.objects.filter(application=app).count() == 1
    assert Agreement.objects.filter(application=app).count() == 1


def test_voting_again_is_refused_with_a_message(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, amount="300000.00")
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    url = reverse("programs:ballot_vote", args=[ballot.pk])
    client = signed_in_client(personas.decider)

    first = client.post(url, {"choice": "approve"}, follow=True)
    again = client.post(url, {"choice": "deny"}, follow=True)

    assert "Your vote is recorded." in first.content.decode()
    assert again.status_code == 200
    assert "Your vote is recorded." not in again.content.decode()
    assert "You have voted; every vote is kept as cast." in again.content.decode()
    assert list(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True)) == [
        "approve"]


def test_screening_again_is_refused_with_a_message(personas):
    cycle, _ = funded_cycle(personas.officer)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                         amount="300000.00")
    app = advance_to(app, "submitted", officer=personas.officer, decider=personas.decider,
                     applicant_user=personas.leader_a)
    url = reverse("programs:application_screen", args=[app.pk])
    clients = [signed_in_client(u) for u in (personas.officer, personas.admin)]

    first, again = [c.post(url, {"action": "eligible", "reason": ""}) for c in clients]

    assert first.status_code == 302
    assert again.status_code == 200
    assert "Cannot screen eligible a record that is screened" in again.content.decode()
    assert LifecycleTransition.objects.filter(object_id=app.pk,
                                              name="screen_eligible").count() == 1
