"""The versioned cycle configuration: what a cycle's JSON says and how it is checked.

A cycle's rules (eligibility, application form, rubric, reviewers per application, decision body
and, for grant programs, the funding rules) are stored as one JSON document per version
(``CycleConfiguration.data``). ``configuration_errors`` checks a document and names the field of
every problem (``rubric.criteria[2].weight: must be a number greater than 0``);
``CycleRules.from_data`` reads a valid document into typed, immutable objects.

An application is always read with the version it was written under.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# Applicant types, derived from the registry (see ``eligibility.applicant_type``).
APPLICANT_TYPES: dict[str, str] = {
    "district": "School district",
    "charter": "Charter school",
    "school": "District school",
    "esc": "Educational service center",
    "consortium": "Consortium",
    "college": "College or university",
    "nonprofit": "Nonprofit",
    "company": "Company",
}
#: Applicants that are not public school systems: they need a district partner when the
#: cycle says so.
NON_PUBLIC_TYPES = frozenset({"college", "nonprofit", "company"})

FIELD_TYPES = ("text", "textarea", "number", "money", "date", "choice", "yes_no")
THRESHOLD_FIELDS = {
    "econ_disadvantaged_share": "share of students economically disadvantaged",
    "enrollment": "enrollment",
}
THRESHOLD_OPS = (">=", "<=", ">", "<", "==")
SET_ASIDE_TAGS = ("consortium", "rural", "high_poverty", "single")
PARTIAL_POLICIES = ("stop", "skip", "partial")
TIE_BREAKS = ("poverty_desc", "requested_asc", "requested_desc", "submitted_asc")
ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "csv", "txt", "png", "jpg")


class ConfigurationError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


# --- typed, read-only view --------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    field: str
    op: str
    value: Decimal

    def holds(self, actual: Decimal | None) -> bool:
        if actual is None:
            return False
        return {
            ">=": actual >= self.value,
            "<=": actual <= self.value,
            ">": actual > self.value,
            "<": actual < self.value,
            "==": actual == self.value,
        }[self.op]

    def describe(self) -> str:
        return f"{THRESHOLD_FIELDS.get(self.field, self.field)} {self.op} {self.value}"


@dataclass(frozen=True)
class EligibilityRules:
    applicant_types: tuple[str, ...]
    non_public_requires_district_partner: bool = True
    thresholds: tuple[Threshold, ...] = ()


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    type: str = "textarea"
    required: bool = False
    word_limit: int | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class FormSection:
    key: str
    title: str
    fields: tuple[FormField, ...]
    consortium_only: bool = False


@dataclass(frozen=True)
class AttachmentSlot:
    key: str
    label: str
    required: bool = False
    types: tuple[str, ...] = ("pdf",)
    max_mb: int = 10


@dataclass(frozen=True)
class FormSchema:
    sections: tuple[FormSection, ...]
    budget_categories: tuple[str, ...]
    attachments: tuple[AttachmentSlot, ...] = ()
    collaboration_plan_word_limit: int = 1000

    def all_fields(self, *, consortium: bool) -> list[FormField]:
        return [f for s in self.sections if consortium or not s.consortium_only for f in s.fields]


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion. The reviews app scores each on ``scale_min``..``scale_max``."""

    key: str
    title: str
    weight: Decimal
    scale_min: int
    scale_max: int
    guidance: str = ""


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal("0"))


@dataclass(frozen=True)
class DecisionBody:
    name: str
    quorum: int = 1


@dataclass(frozen=True)
class MatchStep:
    min_poverty_share: Decimal
    rate: Decimal


@dataclass(frozen=True)
class MatchRules:
    base_rate: Decimal = Decimal("0")
    poverty_scale: tuple[MatchStep, ...] = ()
    in_kind_max_share: Decimal = Decimal("1")


@dataclass(frozen=True)
class SetAside:
    key: str
    label: str
    amount: Decimal
    requires: tuple[str, ...]


@dataclass(frozen=True)
class FundingRules:
    caps: dict[str, Decimal] = field(default_factory=dict)
    match: MatchRules = field(default_factory=MatchRules)
    set_asides: tuple[SetAside, ...] = ()
    partial_policy: str = "skip"
    partial_min_share: Decimal = Decimal("0.5")
    tie_breaks: tuple[str, ...] = ("poverty_desc", "submitted_asc")
    min_score: Decimal | None = None
    high_poverty_share: Decimal = Decimal("0.6")

    def cap_for(self, applicant_type: str) -> Decimal | None:
        if applicant_type in self.caps:
            return self.caps[applicant_type]
        if applicant_type != "consortium" and "single" in self.caps:
            return self.caps["single"]
        return self.caps.get("default")


@dataclass(frozen=True)
class CycleRules:
    eligibility: EligibilityRules
    form: FormSchema
    rubric: Rubric
    reviewers_per_application: int
    decision_body: DecisionBody
    funding: FundingRules | None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CycleRules:
        errors = configuration_errors(data)
        if errors:
            raise ConfigurationError(errors)
        el = data["eligibility"]
        form = data["form"]
        funding = data.get("funding")
        return cls(
            eligibility=EligibilityRules(
                applicant_types=tuple(el["applicant_types"]),
                non_public_requires_district_partner=bool(
                    el.get("non_public_requires_district_partner", True)
                ),
                thresholds=tuple(
                    Threshold(t["field"], t["op"], _dec(t["value"]))
                    for t in el.get("thresholds", [])
                ),
            ),
            form=FormSchema(
                sections=tuple(
                    FormSection(
                        key=s["key"], title=s["title"],
                        consortium_only=bool(s.get("consortium_only", False)),
                        fields=tuple(
                            FormField(
                                key=f["key"], label=f["label"], type=f.get("type", "textarea"),
                                required=bool(f.get("required", False)),
                                word_limit=f.get("word_limit"),
                                choices=tuple(f.get("choices", [])), help=f.get("help", ""),
                            )
                            for f in s["fields"]
                        ),
                    )
                    for s in form["sections"]
                ),
                budget_categories=tuple(form["budget_categories"]),
                attachments=tuple(
                    AttachmentSlot(
                        key=a["key"], label=a["label"], required=bool(a.get("required", False)),
                        types=tuple(a.get("types", ["pdf"])), max_mb=int(a.get("max_mb", 10)),
                    )
                    for a in form.get("attachments", [])
                ),
                collaboration_plan_word_limit=int(form.get("collaboration_plan_word_limit", 1000)),
            ),
            rubric=Rubric(
                criteria=tuple(
                    Criterion(
                        key=c["key"], title=c["title"], weight=_dec(c["weight"]),
                        scale_min=int(c["scale_min"]), scale_max=int(c["scale_max"]),
                        guidance=c.get("guidance", ""),
                    )
                    for c in data["rubric"]["criteria"]
                )
            ),
            reviewers_per_application=int(data["review"]["reviewers_per_application"]),
            decision_body=DecisionBody(
                name=data["decision_body"]["name"],
                quorum=int(data["decision_body"].get("quorum", 1)),
            ),
            funding=_funding(funding) if funding is not None else None,
        )


def _funding(f: dict[str, Any]) -> FundingRules:
    match = f.get("match", {})
    partial = f.get("partial_funding", {})
    return FundingRules(
        caps={k: _dec(v) for k, v in f.get("caps", {}).items()},
        match=MatchRules(
            base_rate=_dec(match.get("base_rate", 0)),
            poverty_scale=tuple(
                sorted(
                    (MatchStep(_dec(s["min_poverty_share"]), _dec(s["rate"]))
                     for s in match.get("poverty_scale", [])),
                    key=lambda s: s.min_poverty_share,
                )
            ),
            in_kind_max_share=_dec(match.get("in_kind_max_share", 1)),
        ),
        set_asides=tuple(
            SetAside(key=s["key"], label=s["label"], amount=_dec(s["amount"]),
                     requires=tuple(s.get("requires", [])))
            for s in f.get("set_asides", [])
        ),
        partial_policy=partial.get("policy", "skip"),
        partial_min_share=_dec(partial.get("min_share", "0.5")),
        tie_breaks=tuple(f.get("tie_breaks", ["poverty_desc", "submitted_asc"])),
        min_score=_dec(f["min_score"]) if f.get("min_score") is not None else None,
        high_poverty_share=_dec(f.get("high_poverty_share", "0.6")),
    )


def _dec(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    return Decimal(str(value))


# --- validation -------------------------------------------------------------------------------


def configuration_errors(data: Any) -> list[str]:
    """Every problem in a configuration document, each naming its field; [] when valid."""
    e: list[str] = []
    if not isinstance(data, dict):
        return ["configuration: must be a JSON object"]
    known = {"eligibility", "form", "rubric", "review", "decision_body", "funding"}
    for key in sorted(set(data) - known):
        e.append(f"{key}: unknown section (expected one of {', '.join(sorted(known))})")
    _check_eligibility(data.get("eligibility"), e)
    _check_form(data.get("form"), e)
    _check_rubric(data.get("rubric"), e)
    review = data.get("review")
    if not isinstance(review, dict):
        e.append("review: required object with reviewers_per_application")
    else:
        _int(review.get("reviewers_per_application"), "review.reviewers_per_application", e,
             minimum=1, maximum=20)
    body = data.get("decision_body")
    if not isinstance(body, dict):
        e.append("decision_body: required object with name")
    else:
        if not _nonempty_str(body.get("name")):
            e.append("decision_body.name: required text")
        if "quorum" in body:
            _int(body["quorum"], "decision_body.quorum", e, minimum=1)
    if data.get("funding") is not None:
        _check_funding(data["funding"], e)
    return e


def _check_eligibility(el: Any, e: list[str]) -> None:
    if not isinstance(el, dict):
        e.append("eligibility: required object with applicant_types")
        return
    types = el.get("applicant_types")
    if not isinstance(types, list) or not types:
        e.append("eligibility.applicant_types: a non-empty list of applicant types")
    else:
        for i, t in enumerate(types):
            if t not in APPLICANT_TYPES:
                e.append(f"eligibility.applicant_types[{i}]: unknown type {t!r} "
                         f"(expected one of {', '.join(APPLICANT_TYPES)})")
    if "non_public_requires_district_partner" in el and not isinstance(
        el["non_public_requires_district_partner"], bool
    ):
        e.append("eligibility.non_public_requires_district_partner: must be true or false")
    thresholds = el.get("thresholds", [])
    if not isinstance(thresholds, list):
        e.append("eligibility.thresholds: must be a list")
        return
    for i, t in enumerate(thresholds):
        where = f"eligibility.thresholds[{i}]"
        if not isinstance(t, dict):
            e.append(f"{where}: must be an object with field, op and value")
            continue
        if t.get("field") not in THRESHOLD_FIELDS:
            e.append(f"{where}.field: expected one of {', '.join(THRESHOLD_FIELDS)}")
        if t.get("op") not in THRESHOLD_OPS:
            e.append(f"{where}.op: expected one of {', '.join(THRESHOLD_OPS)}")
        _number(t.get("value"), f"{where}.value", e)


def _check_form(form: Any, e: list[str]) -> None:
    if not isinstance(form, dict):
        e.append("form: required object with sections and budget_categories")
        return
    sections = form.get("sections")
    if not isinstance(sections, list) or not sections:
        e.append("form.sections: a non-empty list of sections")
        sections = []
    section_keys: set[str] = set()
    field_keys: set[str] = set()
    for i, s in enumerate(sections):
        where = f"form.sections[{i}]"
        if not isinstance(s, dict):
            e.append(f"{where}: must be an object")
            continue
        _key(s.get("key"), f"{where}.key", section_keys, e)
        if not _nonempty_str(s.get("title")):
            e.append(f"{where}.title: required text")
        fields = s.get("fields")
        if not isinstance(fields, list) or not fields:
            e.append(f"{where}.fields: a non-empty list of fields")
            continue
        for j, f in enumerate(fields):
            fw = f"{where}.fields[{j}]"
            if not isinstance(f, dict):
                e.append(f"{fw}: must be an object")
                continue
            _key(f.get("key"), f"{fw}.key", field_keys, e)
            if not _nonempty_str(f.get("label")):
                e.append(f"{fw}.label: required text")
            ftype = f.get("type", "textarea")
            if ftype not in FIELD_TYPES:
                e.append(f"{fw}.type: unknown type {ftype!r} (expected one of "
                         f"{', '.join(FIELD_TYPES)})")
            if "word_limit" in f:
                _int(f["word_limit"], f"{fw}.word_limit", e, minimum=1)
                if ftype not in ("text", "textarea"):
                    e.append(f"{fw}.word_limit: only text fields have a word limit")
            if ftype == "choice":
                choices = f.get("choices")
                if not isinstance(choices, list) or len(choices) < 2 or not all(
                    _nonempty_str(c) for c in choices
                ):
                    e.append(f"{fw}.choices: a choice field needs a list of at least two options")
    cats = form.get("budget_categories")
    if not isinstance(cats, list) or not cats or not all(_nonempty_str(c) for c in cats):
        e.append("form.budget_categories: a non-empty list of category names")
    elif len(set(cats)) != len(cats):
        e.append("form.budget_categories: categories must be unique")
    atts = form.get("attachments", [])
    if not isinstance(atts, list):
        e.append("form.attachments: must be a list")
        atts = []
    att_keys: set[str] = set()
    for i, a in enumerate(atts):
        where = f"form.attachments[{i}]"
        if not isinstance(a, dict):
            e.append(f"{where}: must be an object")
            continue
        _key(a.get("key"), f"{where}.key", att_keys, e)
        if not _nonempty_str(a.get("label")):
            e.append(f"{where}.label: required text")
        types = a.get("types", ["pdf"])
        if not isinstance(types, list) or not types or any(t not in ATTACHMENT_TYPES
                                                           for t in types):
            e.append(f"{where}.types: a list drawn from {', '.join(ATTACHMENT_TYPES)}")
        if "max_mb" in a:
            _int(a["max_mb"], f"{where}.max_mb", e, minimum=1, maximum=50)
    if "collaboration_plan_word_limit" in form:
        _int(form["collaboration_plan_word_limit"], "form.collaboration_plan_word_limit", e,
             minimum=50)


def _check_rubric(rubric: Any, e: list[str]) -> None:
    if not isinstance(rubric, dict) or not isinstance(rubric.get("criteria"), list) or not (
        rubric["criteria"]
    ):
        e.append("rubric.criteria: a non-empty list of criteria")
        return
    keys: set[str] = set()
    for i, c in enumerate(rubric["criteria"]):
        where = f"rubric.criteria[{i}]"
        if not isinstance(c, dict):
            e.append(f"{where}: must be an object")
            continue
        _key(c.get("key"), f"{where}.key", keys, e)
        if not _nonempty_str(c.get("title")):
            e.append(f"{where}.title: required text")
        w = _number(c.get("weight"), f"{where}.weight", e)
        if w is not None and w <= 0:
            e.append(f"{where}.weight: must be a number greater than 0")
        lo = _int(c.get("scale_min"), f"{where}.scale_min", e, minimum=0)
        hi = _int(c.get("scale_max"), f"{where}.scale_max", e, minimum=1)
        if lo is not None and hi is not None and hi <= lo:
            e.append(f"{where}.scale_max: must be greater than scale_min")
        if "guidance" in c and not isinstance(c["guidance"], str):
            e.append(f"{where}.guidance: must be text")


def _check_funding(f: Any, e: list[str]) -> None:
    if not isinstance(f, dict):
        e.append("funding: must be an object")
        return
    caps = f.get("caps", {})
    if not isinstance(caps, dict):
        e.append("funding.caps: an object of applicant type (or single/default) to amount")
    else:
        for k, v in caps.items():
            if k not in APPLICANT_TYPES and k not in ("single", "default"):
                e.append(f"funding.caps.{k}: unknown applicant type")
            _money(v, f"funding.caps.{k}", e)
    match = f.get("match", {})
    if not isinstance(match, dict):
        e.append("funding.match: must be an object")
    else:
        _share(match.get("base_rate", 0), "funding.match.base_rate", e)
        _share(match.get("in_kind_max_share", 1), "funding.match.in_kind_max_share", e)
        scale = match.get("poverty_scale", [])
        if not isinstance(scale, list):
            e.append("funding.match.poverty_scale: must be a list")
        else:
            for i, s in enumerate(scale):
                where = f"funding.match.poverty_scale[{i}]"
                if not isinstance(s, dict):
                    e.append(f"{where}: must be an object with min_poverty_share and rate")
                    continue
                _share(s.get("min_poverty_share"), f"{where}.min_poverty_share", e)
                _share(s.get("rate"), f"{where}.rate", e)
    sas = f.get("set_asides", [])
    if not isinstance(sas, list):
        e.append("funding.set_asides: must be a list")
        sas = []
    keys: set[str] = set()
    for i, s in enumerate(sas):
        where = f"funding.set_asides[{i}]"
        if not isinstance(s, dict):
            e.append(f"{where}: must be an object")
            continue
        _key(s.get("key"), f"{where}.key", keys, e)
        if not _nonempty_str(s.get("label")):
            e.append(f"{where}.label: required text")
        _money(s.get("amount"), f"{where}.amount", e)
        req = s.get("requires", [])
        if not isinstance(req, list) or any(r not in SET_ASIDE_TAGS for r in req):
            e.append(f"{where}.requires: a list drawn from {', '.join(SET_ASIDE_TAGS)}")
    partial = f.get("partial_funding", {})
    if not isinstance(partial, dict):
        e.append("funding.partial_funding: must be an object with policy and min_share")
    else:
        if partial.get("policy", "skip") not in PARTIAL_POLICIES:
            e.append(f"funding.partial_funding.policy: expected one of "
                     f"{', '.join(PARTIAL_POLICIES)}")
        _share(partial.get("min_share", "0.5"), "funding.partial_funding.min_share", e)
    tbs = f.get("tie_breaks", [])
    if not isinstance(tbs, list) or any(t not in TIE_BREAKS for t in tbs):
        e.append(f"funding.tie_breaks: a list drawn from {', '.join(TIE_BREAKS)}")
    if f.get("min_score") is not None:
        _number(f["min_score"], "funding.min_score", e)
    if "high_poverty_share" in f:
        _share(f["high_poverty_share"], "funding.high_poverty_share", e)


def _nonempty_str(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _key(v: Any, where: str, seen: set[str], e: list[str]) -> None:
    if not isinstance(v, str) or not v or not v.replace("_", "").isalnum() or not v.islower():
        e.append(f"{where}: required key of lower-case letters, digits and underscores")
        return
    if v in seen:
        e.append(f"{where}: duplicate key {v!r}")
    seen.add(v)


def _number(v: Any, where: str, e: list[str]) -> Decimal | None:
    try:
        d = _dec(v)
        if not d.is_finite():
            raise InvalidOperation
        return d
    except (InvalidOperation, TypeError, ValueError):
        e.append(f"{where}: must be a number")
        return None


def _money(v: Any, where: str, e: list[str]) -> None:
    d = _number(v, where, e)
    if d is not None and (d < 0 or d != d.quantize(Decimal("0.01"))):
        e.append(f"{where}: must be an amount of dollars and cents, not negative")


def _share(v: Any, where: str, e: list[str]) -> None:
    d = _number(v, where, e)
    if d is not None and not (0 <= d <= 1):
        e.append(f"{where}: must be a share between 0 and 1")


def _int(v: Any, where: str, e: list[str], *, minimum: int | None = None,
         maximum: int | None = None) -> int | None:
    if not isinstance(v, int) or isinstance(v, bool):
        e.append(f"{where}: must be a whole number")
        return None
    if minimum is not None and v < minimum:
        e.append(f"{where}: must be at least {minimum}")
    if maximum is not None and v > maximum:
        e.append(f"{where}: must be at most {maximum}")
    return v


def innovation_fund_default() -> dict[str, Any]:
    """A complete starting configuration for an innovation-fund round (Play 1 and Play 7)."""
    return {
        "eligibility": {
            "applicant_types": ["district", "charter", "esc", "consortium", "college",
                                "nonprofit"],
            "non_public_requires_district_partner": True,
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
            "budget_categories": ["Personnel", "Professional development", "Technology",
                                  "Contracted services", "Materials", "Evaluation", "Other"],
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
                         "not cosmetic."},
            {"key": "evidence", "title": "Evidence and likely impact on student results",
             "weight": 25, "scale_min": 0, "scale_max": 5, "guidance": ""},
            {"key": "capacity", "title": "Capacity, commitment and provider track record",
             "weight": 20, "scale_min": 0, "scale_max": 5, "guidance": ""},
            {"key": "sustainability", "title": "Fiscal sustainability", "weight": 25,
             "scale_min": 0, "scale_max": 5,
             "guidance": "Start-up costs only; operating costs from existing budgets."},
        ]},
        "review": {"reviewers_per_application": 3},
        "decision_body": {"name": "Innovation Fund Governing Board", "quorum": 3},
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
        },
    }
