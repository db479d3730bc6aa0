"""A consortium's profile at its edges: a member with no poverty share on file is left out of
the weighted share (not counted as 0%), one member is not a consortium, and exactly half rural
is not rural."""

from __future__ import annotations

from decimal import Decimal

import pytest

from playbook.organizations.models import ConsortiumMembership
from playbook.programs.eligibility import applicant_profile, eligibility_problems
from playbook.programs.rules import EligibilityRules

from ..factories import ConsortiumFactory, DistrictFactory

pytestmark = pytest.mark.django_db
D = Decimal
RULES = EligibilityRules(applicant_types=("district", "consortium"))
RURAL, CITY = "42", "11"


def consortium_of(*members, share=None):  # type: ignore[no-untyped-def]
    """A consortium with ``members`` (the first is the lead)."""
    consortium = ConsortiumFactory(econ_disadvantaged_share=share)
    for i, member in enumerate(members):
        ConsortiumMembership.objects.create(
            consortium=consortium, member=member,
            role=(ConsortiumMembership.MemberRole.LEAD if i == 0
                  else ConsortiumMembership.MemberRole.MEMBER))
    return consortium


def test_a_member_without_a_poverty_share_is_left_out_of_the_weighted_share():
    known = DistrictFactory(enrollment=1000, econ_disadvantaged_share=D("0.800"))
    unknown = DistrictFactory(enrollment=3000, econ_disadvantaged_share=None)
    profile = applicant_profile(consortium_of(known, unknown))
    assert profile.econ_disadvantaged_share == D("0.800")  # not 800 / 4000 = 0.200
    assert profile.enrollment == 4000


def test_the_share_is_weighted_by_enrollment_and_rounded_half_up():
    a = DistrictFactory(enrollment=1, econ_disadvantaged_share=D("0.001"))
    b = DistrictFactory(enrollment=1, econ_disadvantaged_share=D("0.000"))
    # (0.001 + 0) / 2 = 0.0005 -> 0.001
    assert applicant_profile(consortium_of(a, b)).econ_disadvantaged_share == D("0.001")
    big = DistrictFactory(enrollment=3000, econ_disadvantaged_share=D("0.900"))
    small = DistrictFactory(enrollment=1000, econ_disadvantaged_share=D("0.100"))
    assert applicant_profile(consortium_of(big, small)).econ_disadvantaged_share == D("0.700")


def test_with_no_member_share_the_consortiums_own_share_is_used():
    a = DistrictFactory(enrollment=500, econ_disadvantaged_share=None)
    b = DistrictFactory(enrollment=500, econ_disadvantaged_share=None)
    assert applicant_profile(consortium_of(a, b, share=D("0.650"))).econ_disadvantaged_share == (
        D("0.650"))
    assert applicant_profile(consortium_of(a, b)).econ_disadvantaged_share is None


def test_a_one_member_consortium_is_not_eligible_and_two_members_are():
    lead = DistrictFactory()
    one = consortium_of(lead)
    assert applicant_profile(one).member_count == 1
    assert eligibility_problems(rules=RULES, applicant=one, partner=None) == [
        "A consortium needs at least two members in the registry."]
    two = consortium_of(lead, DistrictFactory())
    assert eligibility_problems(rules=RULES, applicant=two, partner=None) == []


def test_exactly_half_rural_enrollment_is_not_rural():
    rural = DistrictFactory(locale=RURAL, enrollment=1000)
    city = DistrictFactory(locale=CITY, enrollment=1000)
    assert rural.is_rural and not city.is_rural
    assert applicant_profile(consortium_of(rural, city)).rural is False
    bigger = DistrictFactory(locale=RURAL, enrollment=1001)
    assert applicant_profile(consortium_of(bigger, city)).rural is True


def test_without_enrollment_on_file_most_members_must_be_rural():
    r1 = DistrictFactory(locale=RURAL, enrollment=None)
    r2 = DistrictFactory(locale=RURAL, enrollment=None)
    c1 = DistrictFactory(locale=CITY, enrollment=None)
    c2 = DistrictFactory(locale=CITY, enrollment=None)
    assert applicant_profile(consortium_of(r1, c1)).rural is False  # half
    assert applicant_profile(consortium_of(r1, r2, c1)).rural is True  # two of three
    assert applicant_profile(consortium_of(r1, c1, c2)).rural is False


def test_a_consortium_without_a_lead_member_is_not_eligible():
    consortium = ConsortiumFactory()
    for _ in range(2):
        ConsortiumMembership.objects.create(consortium=consortium, member=DistrictFactory(),
                                            role=ConsortiumMembership.MemberRole.MEMBER)
    assert eligibility_problems(rules=RULES, applicant=consortium, partner=None) == [
        "A consortium needs a lead member in the registry."]
