"""Rules of ``programs/eligibility.py`` that mutation testing found unpinned (issue 10): the
applicant types an educational service center and an unknown kind of organization get, and a
single applicant's rural flag read from its locale."""

from __future__ import annotations

from decimal import Decimal

from playbook.organizations.models import Organization, OrgKind
from playbook.programs.eligibility import applicant_profile, applicant_type


def test_an_educational_service_center_is_the_esc_type():
    assert applicant_type(Organization(kind=OrgKind.ESC, name="Region 4 ESC")) == "esc"


def test_a_state_agency_is_an_other_applicant():
    assert applicant_type(Organization(kind=OrgKind.STATE_AGENCY, name="SEA")) == "other"


def test_a_single_applicants_rural_flag_comes_from_its_locale():
    rural = Organization(kind=OrgKind.DISTRICT, name="Alder", locale="42", enrollment=900,
                         econ_disadvantaged_share=Decimal("0.600"))
    city = Organization(kind=OrgKind.DISTRICT, name="Birch", locale="11", enrollment=48000)
    assert applicant_profile(rural).rural is True
    assert applicant_profile(rural).econ_disadvantaged_share == Decimal("0.600")
    assert applicant_profile(rural).enrollment == 900
    assert applicant_profile(city).rural is False
