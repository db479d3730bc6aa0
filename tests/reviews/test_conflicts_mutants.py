"""Rules of ``reviews/conflicts.py`` that mutation testing found unpinned (issue 10): the exact
words naming the partner district, and when an affiliation's reason says "(until YEAR)": only
when it ended before the cycle's fiscal year, never for one that lasts or ends this year."""

from __future__ import annotations

import pytest

from playbook.reviews.conflicts import conflicts_for
from playbook.reviews.models import ReviewerAffiliation
from playbook.reviews.services import affiliation_add

from ..factories import ProviderFactory
from .conftest import make_application, make_reviewer


def test_the_partner_districts_conflict_reads_exactly(review_round, personas):
    provider_app = make_application(
        cycle=review_round.cycle, applicant=ProviderFactory(name="Open Path"),
        creator=personas.provider_user, partner=personas.district_b,
    )
    ravi = make_reviewer("ravi", organization=personas.district_b)
    reasons = [c.reason for c in conflicts_for(reviewer=ravi, application=provider_app)]
    assert "Works for Birch City Schools, which is the partner district." in reasons


@pytest.mark.parametrize(("end_year", "label"), [
    (None, "Employed by"),
    (2026, "Employed by"),  # the cycle's own fiscal year: still current
    (2025, "Employed by (until 2025)"),
])
def test_an_affiliation_says_until_only_when_it_ended_before_the_year(
        review_round, personas, end_year, label):
    assert review_round.cycle.fiscal_year == 2026
    r = review_round.second
    affiliation_add(reviewer=r, organization=personas.district_b,
                    kind=ReviewerAffiliation.Kind.EMPLOYMENT, start_year=2015,
                    end_year=end_year)
    (c,) = conflicts_for(reviewer=r, application=review_round.app_b)
    assert c.reason == f"{label} Birch City Schools, which is the applicant."
