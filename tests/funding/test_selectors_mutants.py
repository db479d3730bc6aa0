"""Funding reads pinned where mutation testing found them unchecked: the ranking funding reads
(its scores, from the cycle's own reviews), the awards a user may list, and an award's public
record (money disbursed, spending reported, the open-data row's columns)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from playbook.funding.models import ReportSpending
from playbook.funding.selectors import (
    PERFORMANCE_COLUMNS,
    award_performance,
    awards_for_user,
    performance_rows,
    ranking_for_cycle,
    ranking_pairs,
)
from playbook.funding.services import award_disburse

from .test_public_performance import _in_force, _report

D = Decimal


def test_ranking_rows_and_pairs_keep_their_scores():
    a, b, c = object(), object(), object()
    rows = [SimpleNamespace(application=a, score=71.25), SimpleNamespace(application=b),
            (c, D("60"))]
    assert ranking_pairs(rows) == [(a, D("71.25")), (b, None), (c, D("60"))]


@pytest.mark.django_db
def test_an_awards_public_record_and_who_lists_it(personas):
    cycle, award, own, _growth = _in_force(personas)
    # the ranking funding reads is the cycle's own: the reviewed application, with its score
    ranking = ranking_for_cycle(cycle=cycle)
    assert [app.pk for app, _ in ranking] == [award.application_id]
    assert ranking[0][1] is not None

    assert list(awards_for_user(user=personas.leader_a)) == [award]
    assert list(awards_for_user(user=personas.leader_b)) == []

    award_disburse(award=award, by=personas.officer, amount=D("1000.00"))
    report = _report(personas, award.agreement_id, own, "48", accept=True)
    ReportSpending.objects.create(report=report, spent_to_date=D("750.00"))
    p = award_performance(award=award)
    assert p.disbursed == D("1000.00")  # the disbursement only, not the commitment
    assert p.spent_to_date == D("750.00")

    columns, rows = performance_rows(cycle)
    assert columns == PERFORMANCE_COLUMNS
    assert rows and all(set(r) <= set(PERFORMANCE_COLUMNS) for r in rows)
    assert {r["grant_type"] for r in rows} == {p.grant_type_label}
    assert {r["disbursed"] for r in rows} == {D("1000.00")}
    assert {r["spent_to_date"] for r in rows} == {D("750.00")}
