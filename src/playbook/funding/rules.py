"""The innovation fund's section of a cycle's rules (``funding``): caps, match, set-asides,
partial funding, tie-breaks and budget categories.

A grant cycle's whole document is read with ``rules_model({"funding": FundingRules})``;
``innovation_fund_default`` is a complete starting document for an innovation-fund round.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from playbook.programs.rules import (
    APPLICANT_TYPES,
    LONG_TEXT,
    ORDERED,
    Amount,
    CycleRules,
    Key,
    Loc,
    Number,
    Plain,
    Rubric,
    RulesSection,
    Share,
    Text,
    duplicate_keys,
    keyed_rows,
    labelled,
)

SET_ASIDE_TAGS = ("consortium", "rural", "high_poverty", "single")
SET_ASIDE_TAG_LABELS = {"consortium": "Consortium applicants", "rural": "Rural applicants",
                        "high_poverty": "High-poverty applicants",
                        "single": "Single (not consortium) applicants"}
PARTIAL_POLICIES = ("stop", "skip", "partial")
PARTIAL_POLICY_LABELS = {
    "stop": "Stop: funding ends at the first application that does not fit",
    "skip": "Skip it and fund smaller applications below it",
    "partial": "Offer it the remainder, if that is at least the least share below",
}
TIE_BREAKS = ("poverty_desc", "requested_asc", "requested_desc", "submitted_asc")
TIE_BREAK_LABELS = {"poverty_desc": "higher poverty first",
                    "requested_asc": "smaller request first",
                    "requested_desc": "larger request first",
                    "submitted_asc": "earlier submission first"}
#: Keys of ``caps`` besides the applicant types: every single applicant, and anyone else.
CAP_KEYS = {**APPLICANT_TYPES, "single": "Any single (not consortium) applicant",
            "default": "Any other applicant"}

SetAsideTag = Literal["consortium", "rural", "high_poverty", "single"]
PartialPolicy = Literal["stop", "skip", "partial"]
TieBreak = Literal["poverty_desc", "requested_asc", "requested_desc", "submitted_asc"]

assert get_args(SetAsideTag) == SET_ASIDE_TAGS
assert get_args(PartialPolicy) == PARTIAL_POLICIES
assert get_args(TieBreak) == TIE_BREAKS


def _cap_key(v: Any) -> Any:
    if not isinstance(v, str) or v not in CAP_KEYS:
        raise PydanticCustomError("rules", "unknown applicant type")
    return v


CapKey = Annotated[str, BeforeValidator(_cap_key)]


class MatchStep(RulesSection):
    """A lower match rate for applicants at or above a poverty share."""

    model_config = ConfigDict(title="Poverty step")

    min_poverty_share: Share = Field(title="From a poverty share of",
                                     description="Between 0 and 1 (0.5 for 50%).")
    rate: Share = Field(title="Match rate", description="Between 0 and 1 (0.1 for 10%).")


class MatchRules(RulesSection):
    """The local match required, as a share of the request."""

    model_config = ConfigDict(title="Match")

    base_rate: Share = Field(default=Decimal("0"), title="Base match rate",
                             description="A share of the request, between 0 and 1 (0.15).")
    poverty_scale: tuple[MatchStep, ...] = Field(
        default=(), title="Lower rates by poverty",
        description="The rate of the highest step an applicant reaches replaces the base rate.")
    in_kind_max_share: Share = Field(
        default=Decimal("1"), title="Most of the match that may be in kind",
        description="A share of the required match (0.5).")
    private_min_share: Share = Field(
        default=Decimal("0"), title="Least of the match from private or philanthropic sources",
        description="A share of the required match: 0 for none, 1 for all of it (Florida's "
                    "matching grants: an equal amount raised from the private sector).")

    @field_validator("poverty_scale")
    @classmethod
    def _in_order(cls, steps: tuple[MatchStep, ...]) -> tuple[MatchStep, ...]:
        return tuple(sorted(steps, key=lambda s: s.min_poverty_share))


class SetAside(RulesSection):
    """Money reserved for applicants with every one of some tags."""

    model_config = ConfigDict(title="Set-aside")

    key: Key = Field(title="Key", description="Lower-case letters, digits and underscores.")
    label: Text = Field(title="Label")
    amount: Amount = Field(title="Amount ($)")
    requires: Annotated[
        tuple[Annotated[SetAsideTag, Plain(noun="tag")], ...],
        Field(title="For applicants that are", json_schema_extra=labelled(SET_ASIDE_TAG_LABELS)),
        Plain(f"a list drawn from {', '.join(SET_ASIDE_TAGS)}"),
    ] = ()


def _caps_field(description: str) -> Any:
    return Field(default={}, title="Award caps ($)", description=description,
                 json_schema_extra=labelled(
        CAP_KEYS, **{"x-key-title": "Applicant type", "x-value-title": "Cap ($)"}))


Caps = Annotated[dict[CapKey, Amount],
                 Plain("an object of applicant type (or single/default) to amount")]


def cap_in(caps: Mapping[str, Decimal], applicant_type: str) -> Decimal | None:
    """The cap of ``caps`` for an applicant type: its own, else ``single`` for any applicant
    but a consortium, else ``default``; None when no cap applies."""
    if applicant_type in caps:
        return caps[applicant_type]
    if applicant_type != "consortium" and "single" in caps:
        return caps["single"]
    return caps.get("default")


class GrantType(RulesSection):
    """One kind of grant within the fund (Kentucky's innovation fund: research, pilot and
    scaling grants), with its own caps and, if it has one, its own rubric."""

    model_config = ConfigDict(title="Grant type")

    key: Key = Field(title="Key", description="Lower-case letters, digits and underscores.")
    label: Text = Field(title="Name", description="For example \"Pilot grant\".")
    description: str = Field(default="", title="What it funds, for applicants",
                             json_schema_extra=LONG_TEXT)
    caps: Caps = _caps_field("The most one application of this type may request. Leave empty "
                             "for the fund's caps.")
    rubric: Rubric | None = Field(
        default=None, title="Rubric for this type",
        description="Leave out to score this type with the cycle's rubric.")

    def cap_for(self, applicant_type: str) -> Decimal | None:
        return cap_in(self.caps, applicant_type)


class PartialFunding(RulesSection):
    """What happens to the next application in rank when it does not fit the budget left."""

    model_config = ConfigDict(title="Partial funding")

    policy: PartialPolicy = Field(default="skip", title="When the next application does not fit",
                                  json_schema_extra=labelled(PARTIAL_POLICY_LABELS))
    min_share: Share = Field(default=Decimal("0.5"), title="Least share of its request to offer",
                             description="Between 0 and 1; for the partial policy.")


class FundingRules(RulesSection):
    """The innovation fund's rules: award caps, match, set-asides, partial funding, ranking and
    the budget's categories."""

    model_config = ConfigDict(title="Funding")

    caps: Caps = _caps_field("The most one application may request, by applicant type. Any "
                             "single applicant covers all but consortia; any other applicant, "
                             "those not named.")
    grant_types: tuple[GrantType, ...] = Field(
        default=(), title="Grant types",
        description="Kinds of grant within the fund, each with its caps and rubric (for "
                    "example research, pilot and scaling). When there are any, every "
                    "application chooses one.")
    match: MatchRules = Field(default_factory=MatchRules, title="Match")
    set_asides: tuple[SetAside, ...] = Field(default=(), title="Set-asides")
    partial_funding: PartialFunding = Field(default_factory=PartialFunding, title="Partial funding")
    tie_breaks: Annotated[
        tuple[Annotated[TieBreak, Plain(noun="tie-break")], ...],
        Field(title="Tie-breaks, in order",
              json_schema_extra=labelled(TIE_BREAK_LABELS, **ORDERED)),
        Plain(f"a list drawn from {', '.join(TIE_BREAKS)}"),
    ] = ("poverty_desc", "submitted_asc")
    min_score: Number | None = Field(default=None, title="Least score to be funded",
                                     description="Leave blank for none.")
    high_poverty_share: Share = Field(
        default=Decimal("0.6"), title="High poverty from a share of",
        description="Applicants at or above it count as high-poverty (for set-asides).")
    budget_categories: Annotated[
        tuple[Text, ...], Field(min_length=1, title="Budget categories"),
        Plain("a non-empty list of category names"),
    ]

    @property
    def partial_policy(self) -> str:
        return self.partial_funding.policy

    @property
    def partial_min_share(self) -> Decimal:
        return self.partial_funding.min_share

    def grant_type(self, key: str) -> GrantType | None:
        return next((t for t in self.grant_types if t.key == key), None)

    def cap_for(self, applicant_type: str, grant_type: str = "") -> Decimal | None:
        """The cap for an applicant type, under a grant type's own caps where it has any
        (the lower of the two when both apply)."""
        fund = cap_in(self.caps, applicant_type)
        kind = self.grant_type(grant_type) if grant_type else None
        own = kind.cap_for(applicant_type) if kind is not None else None
        if own is None:
            return fund
        return own if fund is None else min(own, fund)

    @classmethod
    def cross_checks(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        out = duplicate_keys(keyed_rows(data.get("set_asides"), ("set_asides",)))
        out += duplicate_keys(keyed_rows(data.get("grant_types"), ("grant_types",)))
        cats = data.get("budget_categories")
        if isinstance(cats, list | tuple) and all(isinstance(c, str) for c in cats) and len(
            set(cats)
        ) != len(cats):
            out.append((("budget_categories",), "categories must be unique"))
        return out


#: The sections a grant cycle's rules add to the spine's.
GRANT_SECTIONS = {"funding": FundingRules}


#: What each score on a 0-5 criterion means (the usual state-grant rubric scale).
ANCHORS_0_5: list[dict[str, Any]] = [
    {"score": 0, "meaning": "Not addressed"},
    {"score": 1, "meaning": "Weak: mentioned, without detail"},
    {"score": 2, "meaning": "Limited: some detail, with major gaps"},
    {"score": 3, "meaning": "Adequate: meets the requirement, with minor gaps"},
    {"score": 4, "meaning": "Strong: specific and well supported"},
    {"score": 5, "meaning": "Exemplary: specific, evidence-based, with measurable targets"},
]


def _anchors() -> list[dict[str, Any]]:
    return [dict(a) for a in ANCHORS_0_5]

def innovation_fund_default() -> dict[str, Any]:
    """A complete starting document for an innovation-fund round (Play 1 and Play 7).

    Eligibility is Ohio's Straight A Fund's (schools, districts, educational service centers
    and institutions of higher learning), with charters, consortia and nonprofits as Play 1
    recommends; colleges and nonprofits apply in partnership with a district or a school."""
    return {
        "eligibility": {
            "applicant_types": ["district", "charter", "school", "esc", "consortium",
                                "college", "nonprofit"],
            "non_public_requires_district_partner": True,
            "partner_types": ["district", "school", "charter"],
            "thresholds": [],
        },
        "form": {
            "sections": [
                {"key": "design", "title": "The personalized-learning design", "fields": [
                    {"key": "need", "label": "Need: the students and the problem",
                     "type": "textarea", "required": True, "word_limit": 500},
                    {"key": "model", "label": "The model and how it changes instruction, "
                     "staffing and use of time", "type": "textarea", "required": True,
                     "word_limit": 800},
                    {"key": "students_served", "label": "Students served", "type": "number",
                     "required": True},
                ]},
                {"key": "capacity", "title": "Capacity and sustainability", "fields": [
                    {"key": "sustainability", "label": "How the work is sustained after the "
                     "grant from existing funds", "type": "textarea", "required": True,
                     "word_limit": 500},
                    {"key": "provider_track_record", "label": "Track record of any provider",
                     "type": "textarea", "required": False, "word_limit": 300},
                ]},
            ],
            "attachments": [
                {"key": "support_letters", "label": "Letters of support", "required": False,
                 "types": ["pdf"], "max_mb": 10},
            ],
            "collaboration_plan_word_limit": 1000,
        },
        "rubric": {"criteria": [
            {"key": "innovation", "title": "Innovation and personalization", "weight": 30,
             "scale_min": 0, "scale_max": 5,
             "guidance": "Combines technology with changes to human capital and use of time; "
                         "not cosmetic.", "anchors": _anchors()},
            {"key": "evidence", "title": "Evidence and likely impact on student results",
             "weight": 25, "scale_min": 0, "scale_max": 5,
             "guidance": "Cites evidence that the model raises results for students like "
                         "these, and sets measurable targets for achievement and growth.",
             "anchors": _anchors()},
            {"key": "capacity", "title": "Capacity, commitment and provider track record",
             "weight": 20, "scale_min": 0, "scale_max": 5,
             "guidance": "Named leaders, staff time and a provider that has done this before; "
                         "board and union commitments in writing.", "anchors": _anchors()},
            {"key": "sustainability", "title": "Fiscal sustainability", "weight": 25,
             "scale_min": 0, "scale_max": 5,
             "guidance": "Start-up costs only; operating costs from existing budgets.",
             "anchors": _anchors()},
        ]},
        "review": {"required": True, "reviewers_per_application": 3,
                   "release_comments_to_applicant": True},
        "decision": {
            "tiers": [{"body": "innovation-fund-governing-board",
                       "label": "Innovation Fund Governing Board decides", "quorum": 3,
                       "majority": "simple", "acts": "decides"}],
            "vote_record_public": True,
        },
        "funding": {
            "caps": {"single": "1000000.00", "consortium": "15000000.00"},
            "match": {
                "base_rate": "0.15",
                "poverty_scale": [{"min_poverty_share": "0.50", "rate": "0.10"},
                                  {"min_poverty_share": "0.75", "rate": "0.05"}],
                "in_kind_max_share": "0.50",
            },
            "set_asides": [
                {"key": "rural_consortia", "label": "Rural consortia", "amount": "2000000.00",
                 "requires": ["consortium", "rural"]},
            ],
            "partial_funding": {"policy": "partial", "min_share": "0.50"},
            "tie_breaks": ["poverty_desc", "requested_asc", "submitted_asc"],
            "high_poverty_share": "0.60",
            "budget_categories": ["Personnel", "Professional development", "Technology",
                                  "Contracted services", "Materials", "Evaluation", "Other"],
        },
    }


def funding_of(rules: CycleRules) -> FundingRules:
    """The ``funding`` section of a grant cycle's rules (every grant cycle has one)."""
    section = rules.section("funding", FundingRules)
    if section is None:
        raise LookupError("These rules have no funding section: not a grant cycle.")
    return section


def kentucky_grant_types() -> list[dict[str, Any]]:
    """Grant types after the Fund for Transforming Education in Kentucky's innovation fund
    (research, pilot and scaling grants), each with its caps and rubric. The amounts are an
    example for a round, not Kentucky's (the seed names the types, not their sizes)."""
    def criterion(key: str, title: str, weight: int, guidance: str) -> dict[str, Any]:
        return {"key": key, "title": title, "weight": weight, "scale_min": 0, "scale_max": 5,
                "guidance": guidance, "anchors": _anchors()}

    return [
        {"key": "research", "label": "Research grant",
         "description": "Study a personalized-learning practice: a question, a design and a "
                        "plan to share what is learned.",
         "caps": {"single": "150000.00", "consortium": "300000.00"},
         "rubric": {"criteria": [
             criterion("question", "A clear research question that matters to students", 40,
                       "A question about students' learning that the answer would change "
                       "practice on."),
             criterion("design", "A credible design and measures", 40,
                       "A comparison, measures chosen before the study, enough students."),
             criterion("sharing", "A plan to share what is learned", 20,
                       "Who will hear of it, in what form, by when.")]}},
        {"key": "pilot", "label": "Pilot grant",
         "description": "Try a model in a few classrooms or one school, with measures of "
                        "implementation and early results.",
         "caps": {"single": "500000.00", "consortium": "1500000.00"}},
        {"key": "scaling", "label": "Scaling grant",
         "description": "Spread a model with evidence of results to more schools.",
         "caps": {"single": "1000000.00", "consortium": "15000000.00"},
         "rubric": {"criteria": [
             criterion("evidence", "Evidence of results where the model runs now", 35,
                       "Growth or achievement results from the schools that run it today."),
             criterion("plan", "A plan to scale with quality", 30,
                       "Which schools, in what order, with what training and checks."),
             criterion("capacity", "Capacity, commitment and provider track record", 15,
                       "Named leaders, staff time and a provider that has done this before."),
             criterion("sustainability", "Fiscal sustainability", 20,
                       "Start-up costs only; operating costs from existing budgets.")]}},
    ]
