"""Conflicts detected from the platform's own data, and declared ones."""

from __future__ import annotations

import pytest

from playbook.reviews.conflicts import conflicts_between, conflicts_for
from playbook.reviews.models import Assignment, ReviewerAffiliation
from playbook.reviews.services import affiliation_add, conflict_declare

from ..factories import (
    AdoptionFactory,
    ConsortiumFactory,
    DistrictFactory,
    LearningModelFactory,
    MembershipFactory,
    ProviderFactory,
    SchoolFactory,
)
from .conftest import make_application, make_reviewer


def _sources(reviewer, app):  # type: ignore[no-untyped-def]
    return {c.source for c in conflicts_for(reviewer=reviewer, application=app)}


def test_same_organization(review_round):
    assert _sources(review_round.conflicted, review_round.app_a) == {"same_organization"}
    assert _sources(review_round.conflicted, review_round.app_b) == set()
    (c,) = conflicts_for(reviewer=review_round.conflicted, application=review_round.app_a)
    assert c.reason == "Works for Alder County Schools, which is the applicant."


def test_partner_district_is_a_party(review_round, personas):
    provider_app = make_application(
        cycle=review_round.cycle, applicant=ProviderFactory(name="Open Path"),
        creator=personas.provider_user, partner=personas.district_b,
    )
    ravi = make_reviewer("ravi", organization=personas.district_b)
    assert "the partner district" in conflicts_for(reviewer=ravi,
                                                   application=provider_app)[0].reason


def test_employment_within_the_lookback_but_not_before(review_round, personas):
    r = review_round.second
    affiliation_add(reviewer=r, organization=personas.district_b,
                    kind=ReviewerAffiliation.Kind.EMPLOYMENT, start_year=2015, end_year=2024)
    assert _sources(r, review_round.app_b) == {"same_organization"}
    reason = conflicts_for(reviewer=r, application=review_round.app_b)[0].reason
    assert reason == "Employed by (until 2024) Birch City Schools, which is the applicant."
    old = make_reviewer("old")
    affiliation_add(reviewer=old, organization=personas.district_b,
                    kind=ReviewerAffiliation.Kind.EMPLOYMENT, start_year=2010, end_year=2020)
    assert _sources(old, review_round.app_b) == set()


def test_consortium_membership_both_ways(review_round, personas):
    consortium = ConsortiumFactory(name="Prairie Consortium")
    MembershipFactory(consortium=consortium, member=personas.district_a)
    member_b = DistrictFactory(name="Willow District")
    MembershipFactory(consortium=consortium, member=member_b)
    consortium_app = make_application(cycle=review_round.cycle, applicant=consortium,
                                      creator=personas.leader_a)
    willow = make_reviewer("willow", organization=member_b)
    assert _sources(willow, consortium_app) == {"consortium"}
    # Someone working for the consortium conflicts with its member district's application.
    staffer = make_reviewer("staffer", organization=consortium)
    assert _sources(staffer, review_round.app_a) == {"consortium"}
    # ... and a member district's school with the consortium application.
    willow_school = SchoolFactory(name="Willow Elementary", parent=member_b)
    teacher = make_reviewer("teacherrev", organization=willow_school)
    assert _sources(teacher, consortium_app) == {"consortium"}


def test_district_and_school_both_ways(review_round, personas):
    school_app = make_application(cycle=review_round.cycle, applicant=personas.school_b,
                                  creator=personas.leader_b)
    assert _sources(make_reviewer("dist", organization=personas.district_b),
                    school_app) >= {"district"}
    principal = make_reviewer("princ", organization=personas.school_a)
    assert _sources(principal, review_round.app_a) == {"district"}


def test_provider_whose_models_the_applicants_schools_use(review_round, personas):
    provider = ProviderFactory(name="Bright Path Learning")
    model = LearningModelFactory(provider=provider, name="Bright Path Math")
    AdoptionFactory(school=personas.school_a, model=model, school_year=2025)
    vendor = make_reviewer("vendorrev", organization=provider)
    assert _sources(vendor, review_round.app_a) == {"provider"}
    reason = conflicts_for(reviewer=vendor, application=review_round.app_a)[0].reason
    assert reason == ("Works for Bright Path Learning, which provides Bright Path Math, used by "
                      "schools of the applicant.")
    assert _sources(vendor, review_round.app_b) == set()
    # The reverse: a provider applies; a reviewer from a district using its model conflicts.
    provider_app = make_application(cycle=review_round.cycle, applicant=provider,
                                    creator=personas.provider_user,
                                    partner=DistrictFactory(name="Partner District"))
    assert _sources(review_round.conflicted, provider_app) == {"provider"}


def test_old_adoptions_do_not_conflict(review_round, personas):
    provider = ProviderFactory()
    AdoptionFactory(school=personas.school_a, model=LearningModelFactory(provider=provider),
                    school_year=2019)
    assert _sources(make_reviewer("v2", organization=provider), review_round.app_a) == set()


def test_declared_conflict_with_an_organization_and_with_one_application(review_round,
                                                                         personas):
    r = review_round.reviewer
    conflict_declare(reviewer=r, organization=personas.district_b, reason="My sister teaches "
                     "there")
    assert _sources(r, review_round.app_b) == {"declared"}
    conflict_declare(reviewer=r, application=review_round.app_c, reason="Co-authored the plan")
    assert _sources(r, review_round.app_c) == {"declared"}
    assert _sources(r, review_round.app_a) == set()


def test_declaring_withdraws_unsubmitted_assignments(review_round):
    r = review_round.reviewer
    Assignment.objects.create(cycle=review_round.cycle, application=review_round.app_c,
                              reviewer=r, source="manual", assigned_at=review_round.cycle.opens_at)
    conflict_declare(reviewer=r, application=review_round.app_c, reason="Friend of the lead")
    assert not Assignment.objects.filter(reviewer=r, application=review_round.app_c).exists()


def test_declare_needs_a_reason_and_one_target(review_round, personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        conflict_declare(reviewer=review_round.reviewer, organization=personas.district_a,
                         reason="  ")
    with pytest.raises(ValidationError):
        conflict_declare(reviewer=review_round.reviewer, reason="x")


def test_batch_detection_uses_a_fixed_number_of_queries(review_round, personas,
                                                        django_assert_max_num_queries):
    reviewers = [make_reviewer(f"rev{i}", organization=personas.district_a) for i in range(6)]
    apps = [review_round.app_a, review_round.app_b, review_round.app_c]
    for a in apps:
        a.cycle  # noqa: B018 - loaded by the callers' select_related
    with django_assert_max_num_queries(20):
        found = conflicts_between(reviewers=reviewers, applications=apps)
    assert {k for k in found} == {(r.pk, review_round.app_a.pk) for r in reviewers}
