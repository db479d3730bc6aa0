"""The reviewer pool's writes, pinned where mutation testing found them unchecked: joining the
pool (who may, once only, the tags it takes), editing a profile, affiliations, and the fiscal
years an attestation may name."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from playbook.accounts.roles import Role
from playbook.reviews.models import ReviewerAffiliation, ReviewerProfile
from playbook.reviews.services import (
    affiliation_add,
    attestation_sign,
    attestation_years,
    reviewer_profile_create,
    reviewer_profile_update,
)

from ..factories import UserFactory


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@pytest.mark.django_db
def test_joining_the_pool_keeps_the_given_tags_once_in_order_and_no_notes_by_default():
    user = UserFactory(username="newcomer", role=Role.REVIEWER)
    profile = reviewer_profile_create(user=user, expertise=["rural", "urban", "rural"])
    profile.refresh_from_db()
    assert profile.expertise == ["rural", "urban"]
    assert profile.notes == ""
    assert profile.external is True and profile.active is True


@pytest.mark.django_db
def test_unknown_expertise_tags_are_refused_and_named():
    user = UserFactory(username="newcomer", role=Role.REVIEWER)
    with pytest.raises(ValidationError) as exc:
        reviewer_profile_create(user=user, expertise=["rural", "bogus", "other"])
    assert _errors(exc) == {"expertise": ["Unknown expertise tags: bogus, other."]}
    assert not ReviewerProfile.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_only_reviewer_and_staff_accounts_join_the_pool():
    parent = UserFactory(username="a_parent", role=Role.PARENT)
    with pytest.raises(ValidationError) as exc:
        reviewer_profile_create(user=parent)
    assert _errors(exc) == {"user": [
        "Only reviewer and office-staff accounts can join the reviewer pool."]}
    staff = UserFactory(username="staffer", role=Role.PROGRAM_OFFICER)
    assert reviewer_profile_create(user=staff).user == staff


@pytest.mark.django_db
def test_joining_the_pool_twice_is_refused_by_name():
    user = UserFactory(username="twice", role=Role.REVIEWER, first_name="Tess",
                       last_name="Wice")
    reviewer_profile_create(user=user)
    with pytest.raises(ValidationError) as exc:
        reviewer_profile_create(user=user)
    assert _errors(exc) == {"user": ["Tess Wice is already in the pool."]}
    assert ReviewerProfile.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_profile_update_saves_every_field():
    user = UserFactory(username="editme", role=Role.REVIEWER)
    profile = reviewer_profile_create(user=user, expertise=["rural"])
    reviewer_profile_update(profile=profile, expertise=["urban", "urban", "consortia"],
                            external=False, active=False, notes="Retired in June.")
    stored = ReviewerProfile.objects.get(pk=profile.pk)
    assert stored.expertise == ["urban", "consortia"]
    assert stored.external is False
    assert stored.active is False
    assert stored.notes == "Retired in June."
    with pytest.raises(ValidationError) as exc:
        reviewer_profile_update(profile=profile, expertise=["nope"], external=False,
                                active=False)
    assert _errors(exc) == {"expertise": ["Unknown expertise tags: nope."]}


@pytest.mark.django_db
def test_an_affiliation_keeps_its_years_and_refuses_an_end_before_its_start(personas: Any):
    profile = reviewer_profile_create(user=personas.reviewer)
    with pytest.raises(ValidationError) as exc:
        affiliation_add(reviewer=profile, organization=personas.district_a,
                        kind=ReviewerAffiliation.Kind.BOARD, start_year=2020, end_year=2019)
    assert _errors(exc) == {"end_year": ["The end year is before the start year."]}
    found = affiliation_add(reviewer=profile, organization=personas.district_a,
                            kind=ReviewerAffiliation.Kind.BOARD, start_year=2019,
                            end_year=2021)
    found.refresh_from_db()
    assert (found.start_year, found.end_year) == (2019, 2021)
    with pytest.raises(ValidationError) as exc:
        affiliation_add(reviewer=profile, organization=personas.district_a,
                        kind=ReviewerAffiliation.Kind.BOARD)
    assert exc.value.messages == ["That affiliation is already recorded."]


@pytest.mark.django_db
def test_attestation_years_run_from_2000_to_two_years_ahead(personas: Any):
    this_year = timezone.localdate().year
    years = attestation_years()
    assert (years.start, years.stop) == (2000, this_year + 3)
    profile = reviewer_profile_create(user=personas.reviewer)
    assert attestation_sign(reviewer=profile, fiscal_year=this_year + 2).fiscal_year == (
        this_year + 2)
    with pytest.raises(ValidationError) as exc:
        attestation_sign(reviewer=profile, fiscal_year=this_year + 3)
    assert _errors(exc) == {"fiscal_year": [
        f"An attestation is for a fiscal year from 2000 to {this_year + 2}; "
        f"{this_year + 3} is not one."]}


# --- another read, and the scores a draft keeps ----------------------------------------------


def _pool_member(first: str, *, expertise: tuple[str, ...] = ()) -> ReviewerProfile:
    user = UserFactory(username=first.lower(), role=Role.REVIEWER, first_name=first,
                       last_name="")
    profile = reviewer_profile_create(user=user, expertise=expertise)
    attestation_sign(reviewer=profile, fiscal_year=2026)
    return profile


@pytest.mark.django_db
def test_another_read_goes_to_the_best_match_then_the_lightest_load_within_the_maximum(
        personas: Any):
    from decimal import Decimal

    from playbook.reviews.models import Assignment
    from playbook.reviews.services import assignment_another_read, review_round_update

    from ..factories import DistrictFactory
    from .conftest import make_application, make_cycle

    cycle = make_cycle(slug="another-read")
    target = make_application(cycle=cycle, applicant=personas.district_a,  # rural
                              creator=personas.leader_a)
    others = [make_application(cycle=cycle, applicant=org, creator=personas.leader_b)
              for org in (personas.district_b, DistrictFactory(name="Cedar Valley"))]
    _pool_member("Abe")  # active, but not on this round's panel
    ann, bea, cat = _pool_member("Ann"), _pool_member("Bea"), _pool_member("Cat")
    dee = _pool_member("Dee", expertise=("rural",))
    review_round_update(cycle=cycle, min_load=0, max_load=2, outlier_sd=Decimal("2"),
                        panel=[ann, bea, cat, dee])
    for reviewer, apps in ((ann, others), (bea, others[:1])):
        for app in apps:
            Assignment.objects.create(cycle=cycle, application=app, reviewer=reviewer,
                                      source="manual", assigned_at=cycle.opens_at)
    # loads: Ann 2 (full), Bea 1, Cat 0, Dee 0; only Dee's expertise matches
    first = assignment_another_read(application=target, by=personas.officer)
    assert (first.reviewer, first.assigned_by) == (dee, personas.officer)
    assert assignment_another_read(application=target).reviewer == cat  # lighter than Bea
    assert assignment_another_read(application=target).reviewer == bea  # Ann is full
    with pytest.raises(ValidationError) as exc:
        assignment_another_read(application=target)
    assert exc.value.messages == [
        f"No reviewer without a conflict has room for {target.reference}: add a reviewer to "
        "the panel or raise the maximum load."]


@pytest.mark.django_db
def test_a_draft_keeps_the_scores_given_and_refuses_one_that_is_not_a_number(personas: Any):
    from playbook.reviews.models import Assignment
    from playbook.reviews.services import review_save

    from .conftest import make_application, make_cycle

    cycle = make_cycle(slug="drafts")
    app = make_application(cycle=cycle, applicant=personas.district_b,
                           creator=personas.leader_b)
    reviewer = _pool_member("Eve")
    a = Assignment.objects.create(cycle=cycle, application=app, reviewer=reviewer,
                                  source="manual", assigned_at=cycle.opens_at)
    draft = review_save(assignment=a, by=reviewer.user,
                        scores={"innovation": "", "evidence": None, "capacity": "3",
                                "sustainability": 2})
    assert draft.scores == {"capacity": 3, "sustainability": 2}
    with pytest.raises(ValidationError) as exc:
        review_save(assignment=a, by=reviewer.user, scores={"capacity": "three"})
    assert "capacity" in exc.value.message_dict


@pytest.mark.django_db
def test_a_reviewer_with_no_assignments_has_room_under_a_maximum_load_of_one(personas: Any):
    from decimal import Decimal

    from playbook.reviews.services import assignment_another_read, review_round_update

    from .conftest import make_application, make_cycle

    cycle = make_cycle(slug="max-one")
    app = make_application(cycle=cycle, applicant=personas.district_b,
                           creator=personas.leader_b)
    fay = _pool_member("Fay")
    review_round_update(cycle=cycle, min_load=0, max_load=1, outlier_sd=Decimal("2"),
                        panel=[fay])
    assert assignment_another_read(application=app).reviewer == fay
