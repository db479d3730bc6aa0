"""Eligibility: who may apply to a cycle, read from the registry and the cycle's own rules.

``applicant_type`` and ``applicant_profile`` turn an organization into the facts the rules speak
about; ``eligibility_problems`` lists every rule an applicant fails (empty: eligible). A
consortium is described by its members: enrollment summed, poverty share weighted by enrollment,
rural when most of its members' enrollment is in rural locales.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from playbook.organizations.models import (
    ConsortiumMembership,
    Organization,
    OrgKind,
    ProviderType,
    SchoolType,
)

from .rules import APPLICANT_TYPES, NON_PUBLIC_TYPES, EligibilityRules


@dataclass(frozen=True)
class ApplicantProfile:
    type: str
    enrollment: int | None
    econ_disadvantaged_share: Decimal | None
    rural: bool
    member_count: int = 1
    has_lead: bool = True

    @property
    def type_label(self) -> str:
        return APPLICANT_TYPES.get(self.type, self.type)

    def value(self, field: str) -> Decimal | None:
        if field == "enrollment":
            return Decimal(self.enrollment) if self.enrollment is not None else None
        if field == "econ_disadvantaged_share":
            return self.econ_disadvantaged_share
        return None


def applicant_type(org: Organization) -> str:
    if org.kind == OrgKind.DISTRICT:
        return "district"
    if org.kind == OrgKind.SCHOOL:
        return "charter" if org.school_type == SchoolType.CHARTER else "school"
    if org.kind == OrgKind.ESC:
        return "esc"
    if org.kind == OrgKind.CONSORTIUM:
        return "consortium"
    if org.kind == OrgKind.PROVIDER:
        return {ProviderType.COLLEGE: "college", ProviderType.NONPROFIT: "nonprofit"}.get(
            org.provider_type, "company"  # type: ignore[call-overload]
        )
    return "other"


def applicant_profile(org: Organization) -> ApplicantProfile:
    kind = applicant_type(org)
    if kind != "consortium":
        return ApplicantProfile(
            type=kind, enrollment=org.enrollment,
            econ_disadvantaged_share=org.econ_disadvantaged_share, rural=org.is_rural,
        )
    memberships = list(
        ConsortiumMembership.objects.filter(consortium=org).select_related("member")
    )
    members = [m.member for m in memberships]
    enrolled = [m for m in members if m.enrollment]
    total = sum(m.enrollment or 0 for m in enrolled)
    share: Decimal | None = None
    weighted = [m for m in enrolled if m.econ_disadvantaged_share is not None]
    weighted_total = sum(m.enrollment or 0 for m in weighted)
    if weighted_total:
        share = (
            sum(Decimal(m.enrollment or 0) * (m.econ_disadvantaged_share or 0) for m in weighted)
            / Decimal(weighted_total)
        ).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    elif org.econ_disadvantaged_share is not None:
        share = org.econ_disadvantaged_share
    rural_enrollment = sum(m.enrollment or 0 for m in enrolled if m.is_rural)
    if total:
        rural = rural_enrollment * 2 > total
    else:
        rural = bool(members) and sum(m.is_rural for m in members) * 2 > len(members)
    return ApplicantProfile(
        type=kind, enrollment=total or org.enrollment, econ_disadvantaged_share=share,
        rural=rural or (not members and org.is_rural), member_count=len(members),
        has_lead=any(m.role == ConsortiumMembership.MemberRole.LEAD for m in memberships),
    )


@dataclass(frozen=True)
class Check:
    """One eligibility rule applied: what it read, what it found, and whether it passed."""

    rule: str
    values: dict[str, str]
    passed: bool
    message: str


def eligibility_checks(
    *, rules: EligibilityRules, applicant: Organization, partner: Organization | None
) -> list[Check]:
    """Every eligibility rule of ``rules`` applied to ``applicant``, passed or not."""
    checks: list[Check] = []
    profile = applicant_profile(applicant)
    allowed = ", ".join(APPLICANT_TYPES.get(t, t) for t in rules.applicant_types)
    ok = profile.type in rules.applicant_types
    checks.append(Check("eligibility.applicant_types", {"applicant type": profile.type_label,
                                                        "eligible types": allowed}, ok,
                        "" if ok else f"{profile.type_label} applicants are not eligible in "
                                      f"this cycle (eligible: {allowed})."))
    if profile.type == "consortium":
        ok = profile.member_count >= 2
        checks.append(Check("consortium.members", {"members": str(profile.member_count)}, ok,
                            "" if ok else "A consortium needs at least two members in the "
                                          "registry."))
        checks.append(Check("consortium.lead", {"lead member": "yes" if profile.has_lead
                                                else "none"}, profile.has_lead,
                            "" if profile.has_lead else "A consortium needs a lead member in "
                                                        "the registry."))
    if profile.type in NON_PUBLIC_TYPES and rules.non_public_requires_district_partner:
        if partner is None:
            checks.append(Check("eligibility.non_public_requires_district_partner",
                                {"partner": "none"}, False,
                                f"{profile.type_label} applicants must name a "
                                f"{rules.partner_words(short=True)} partner."))
        else:
            problem = partner_problem(rules=rules, partner=partner)
            checks.append(Check("eligibility.partner_types",
                                {"partner": partner.name,
                                 "partner type": APPLICANT_TYPES.get(applicant_type(partner),
                                                                     "other")},
                                problem is None, problem or ""))
    for i, threshold in enumerate(rules.thresholds):
        actual = profile.value(threshold.field)
        ok = threshold.holds(actual)
        shown = str(actual) if actual is not None else "no value"
        checks.append(Check(f"eligibility.thresholds[{i}]",
                            {"rule": threshold.describe(), "registry": shown}, ok,
                            "" if ok else f"Requires {threshold.describe()}; the registry "
                                          f"shows {shown}."))
    return checks


def partner_problem(*, rules: EligibilityRules, partner: Organization) -> str | None:
    """Why ``partner`` cannot be an applicant's partner under ``rules``; None when it can."""
    if applicant_type(partner) in rules.partner_types and partner.active:
        return None
    return f"The partner must be a {rules.partner_words()}."


def eligibility_problems(
    *, rules: EligibilityRules, applicant: Organization, partner: Organization | None
) -> list[str]:
    """Every eligibility rule ``applicant`` fails under ``rules``; [] means eligible."""
    return [c.message for c in eligibility_checks(rules=rules, applicant=applicant,
                                                  partner=partner) if not c.passed]
