"""Three people decide the same application at the same moment, through the pages, on
PostgreSQL: no server error, exactly one decision recorded, the others told why (issue 10).

Each request runs in its own thread (its own database connection) and all are released at
once by a barrier, so the row locks and the open-vote unique constraint meet real contention.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from playbook.funding.models import Award
from playbook.programs.models import (
    Agreement,
    Application,
    ApplicationStatus,
    Ballot,
    BallotStatus,
    LifecycleTransition,
    Vote,
)
from playbook.programs.services import decisions

from ..conftest import signed_in_client
from ..funding.helpers import board, funded_cycle, recommended_application
from .helpers import advance_to, complete_draft

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent requests need PostgreSQL "
                              "(set DATABASE_URL=postgres://...)"),
]


def _posts_at_once(requests: list[tuple[Client, str, dict[str, str]]]) -> list[Any]:
    """POST each (client, url, data) in its own thread, all released at once; follow redirects
    so the message shown to each person is in its final page."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def run(i: int, client: Client, url: str, data: dict[str, str]) -> None:
        try:
            barrier.wait()
            results[i] = client.post(url, data, follow=True)
        except Exception as exc:  # the test inspects every outcome
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _deciders(personas: Any) -> list[Client]:
    """Two office staff and the board's chair: everyone who may open and close a vote."""
    return [signed_in_client(u) for u in (personas.officer, personas.admin, personas.decider)]


def _statuses(results: list[Any]) -> list[int]:
    assert not [r for r in results if isinstance(r, BaseException)], results
    return [r.status_code if not r.redirect_chain else r.redirect_chain[0][1] for r in results]


def test_three_people_open_the_vote_at_once_one_vote_opens(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, amount="300000.00")
    url = reverse("programs:ballot_new", args=[app.pk])

    results = _posts_at_once([(c, url, {"amount": "300000.00"}) for c in _deciders(personas)])

    codes = _statuses(results)
    assert all(code < 500 for code in codes), codes
    assert Ballot.objects.filter(application=app).count() == 1
    assert sorted(codes) == [200, 200, 302], codes  # one opened (redirect), two told why
    refused = [r for r in results if not r.redirect_chain]
    for r in refused:
        assert "A vote on this application is already open." in r.content.decode()


def test_three_people_close_the_vote_at_once_one_decision_is_recorded(personas):
    cycle, _ = funded_cycle(personas.officer)
    members = board(personas)
    app = recommended_application(personas, cycle, amount="300000.00")
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    for member in members:
        decisions.vote_cast(ballot=ballot, by=member, choice="approve")
    url = reverse("programs:ballot_close", args=[ballot.pk])

    results = _posts_at_once([(c, url, {"reason": "Strong plan."})
                              for c in _deciders(personas)])

    codes = _statuses(results)
    assert all(code < 500 for code in codes), codes
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.APPROVED
    assert Ballot.objects.get(pk=ballot.pk).status == BallotStatus.CLOSED
    assert LifecycleTransition.objects.filter(object_id=app.pk, name="approve").count() == 1
    assert Award.objects.filter(application=app).count() == 1
    assert Agreement.objects.filter(application=app).count() == 1
    finals = [r.redirect_chain[-1][0] for r in results]
    won = [r for r, f in zip(results, finals, strict=True)
           if f == reverse("programs:application_detail", args=[app.pk])]
    lost = [r for r, f in zip(results, finals, strict=True)
            if f == reverse("programs:ballot_detail", args=[ballot.pk])]
    assert len(won) == 1 and len(lost) == 2, finals
    for r in lost:
        assert "The vote has closed." in r.content.decode()


def test_a_member_voting_three_times_at_once_is_recorded_once(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, amount="300000.00")
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    url = reverse("programs:ballot_vote", args=[ballot.pk])
    clients = [signed_in_client(personas.decider) for _ in range(3)]

    results = _posts_at_once([(c, url, {"choice": "approve"}) for c in clients])

    codes = _statuses(results)
    assert all(code < 500 for code in codes), codes
    assert Vote.objects.filter(ballot=ballot, member=personas.decider).count() == 1
    pages = [r.content.decode() for r in results]
    assert sum("Your vote is recorded." in p for p in pages) == 1, codes
    refused = [p for p in pages if "Your vote is recorded." not in p]
    assert len(refused) == 2
    assert all("You have voted; every vote is kept as cast." in p for p in refused)


def test_three_officers_screen_the_same_application_at_once_one_step_is_recorded(personas):
    cycle, _ = funded_cycle(personas.officer)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                         amount="300000.00")
    app = advance_to(app, "submitted", officer=personas.officer, decider=personas.decider,
                     applicant_user=personas.leader_a)
    url = reverse("programs:application_screen", args=[app.pk])
    staff = [personas.officer, personas.admin, personas.officer]

    results = _posts_at_once([(signed_in_client(u), url, {"action": "eligible", "reason": ""})
                              for u in staff])

    codes = _statuses(results)
    assert all(code < 500 for code in codes), codes
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.SCREENED
    assert LifecycleTransition.objects.filter(object_id=app.pk,
                                              name="screen_eligible").count() == 1
    assert sorted(codes) == [200, 200, 302], codes
    for r in results:
        if not r.redirect_chain:
            assert "Cannot screen eligible a record that is screened" in r.content.decode()
