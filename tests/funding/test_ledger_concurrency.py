"""Parallel award decisions on PostgreSQL never over-commit the appropriation."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from playbook.funding.models import Appropriation, Award
from playbook.funding.selectors import ledger_is_consistent
from playbook.funding.services import OverCommitment, ledger_post
from playbook.programs.models import Agreement, Application, ApplicationStatus, Ballot
from playbook.programs.services import decisions

from .helpers import board, funded_cycle, recommended_application

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks under real concurrency need PostgreSQL "
                              "(set DATABASE_URL=postgres://...)"),
]
D = Decimal


def _in_parallel(jobs):  # type: ignore[no-untyped-def]
    """Run each job in its own thread (own database connection), all released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i, job):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # the test inspects every outcome
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_parallel_awards_never_over_commit_and_the_losers_are_told_why(personas):
    cycle, approp = funded_cycle(personas.officer, appropriation="1000000.00")
    members = board(personas)
    apps = [recommended_application(personas, cycle, amount="300000.00") for _ in range(8)]
    ballots = []
    for app in apps:
        ballot = decisions.ballot_open(application=app, by=personas.officer,
                                       terms={"amount": "300000.00"})
        for member in members:
            decisions.vote_cast(ballot=ballot, by=member, choice="approve")
        ballots.append(ballot)

    # Every vote passes; the officer closes all eight at once.
    results = _in_parallel([
        (lambda b=b: decisions.ballot_close(ballot=Ballot.objects.get(pk=b.pk),
                                            by=personas.officer))
        for b in ballots
    ])

    won = [r for r in results if isinstance(r, Ballot)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 3, results
    assert len(lost) == 5
    assert all(isinstance(e, OverCommitment) for e in lost), lost
    assert all("cannot be committed" in str(e) for e in lost)
    approp = Appropriation.objects.get(pk=approp.pk)
    assert approp.committed_amount == D("900000.00")
    assert approp.available_amount == D("100000.00")
    assert Award.objects.count() == 3
    assert Agreement.objects.count() == 3
    assert ledger_is_consistent(appropriation=approp)
    statuses = sorted(Application.objects.filter(pk__in=[a.pk for a in apps])
                      .values_list("status", flat=True))
    assert statuses.count(ApplicationStatus.APPROVED) == 3
    assert statuses.count(ApplicationStatus.RECOMMENDED) == 5
    # The losers' votes stay open, with their votes, to close when money is found.
    ballot_states = sorted(Ballot.objects.filter(pk__in=[b.pk for b in ballots])
                           .values_list("status", flat=True))
    assert ballot_states == ["closed"] * 3 + ["open"] * 5


def test_parallel_raw_commitments_of_odd_sizes_fill_exactly_to_the_appropriation(personas):
    _, approp = funded_cycle(personas.officer, appropriation="1000.00")
    amounts = [D("137.00")] * 10 + [D("41.00")] * 10
    results = _in_parallel([
        (lambda amt=amt: ledger_post(appropriation=Appropriation.objects.get(pk=approp.pk),
                                     kind="commit", amount=amt, by=personas.officer))
        for amt in amounts
    ])
    approp = Appropriation.objects.get(pk=approp.pk)
    committed = sum((amt for amt, r in zip(amounts, results, strict=True)
                     if not isinstance(r, Exception)), D("0"))
    assert approp.committed_amount == committed <= D("1000.00")
    assert all(isinstance(r, OverCommitment) for r in results if isinstance(r, Exception))
    assert ledger_is_consistent(appropriation=approp)
