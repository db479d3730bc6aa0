"""Model adoptions make a conflict from two school years before the cycle's fiscal year to the
year after it (a model a school adopts next year is already a tie), and not outside that."""

from __future__ import annotations

import pytest

from playbook.reviews.conflicts import LOOKBACK_YEARS, conflicts_for

from ..factories import AdoptionFactory, LearningModelFactory, ProviderFactory
from .conftest import make_reviewer


@pytest.mark.parametrize(("school_year", "conflicts"), [
    (2023, False), (2024, True), (2026, True), (2027, True), (2028, False),
])
def test_adoptions_conflict_from_the_lookback_to_the_following_school_year(
        review_round, personas, school_year, conflicts):
    assert review_round.cycle.fiscal_year == 2026 and LOOKBACK_YEARS == 2
    provider = ProviderFactory(name="Next Year Learning")
    AdoptionFactory(school=personas.school_a, school_year=school_year,
                    model=LearningModelFactory(provider=provider, name="Next Year Math"))
    vendor = make_reviewer("nextyear", organization=provider)
    found = conflicts_for(reviewer=vendor, application=review_round.app_a)
    assert bool(found) is conflicts
    if conflicts:
        assert [c.source for c in found] == ["provider"]


@pytest.mark.parametrize(("school_year", "conflicts"), [(2027, True), (2028, False)])
def test_a_providers_application_conflicts_with_next_years_adopters(
        review_round, personas, school_year, conflicts):
    """The reverse direction: a provider applies; a reviewer from a school that adopts its model
    next year conflicts."""
    from ..factories import DistrictFactory
    from .conftest import make_application

    provider = ProviderFactory(name="Adopted Later")
    AdoptionFactory(school=personas.school_b, school_year=school_year,
                    model=LearningModelFactory(provider=provider))
    app = make_application(cycle=review_round.cycle, applicant=provider,
                           creator=personas.provider_user,
                           partner=DistrictFactory(name="Partner for Later"))
    principal = make_reviewer("laterprincipal", organization=personas.school_b)
    assert bool(conflicts_for(reviewer=principal, application=app)) is conflicts
