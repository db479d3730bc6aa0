"""A cycle's rules as one versioned document, read by pydantic models.

The spine's sections (eligibility, the application form, the rubric, review and the decision)
are defined here; each instrument adds its own section (the innovation fund grant's ``funding``,
in ``playbook.funding.rules``) and ``rules_model`` builds the whole document's model from the two.
``rules_errors`` names every problem at once, each at its field, in plain words::

    rubric.criteria[2].weight: must be a number greater than 0
    eligibility.applicant_types[0]: unknown type 'church' (expected one of district, ...)

``rules_parse`` reads a valid document into immutable objects. An application is always read
with the version of the rules it was written under. The models' titles and descriptions are the
words of the rules editor (``rules_form``), so they are written for office staff.

This module never imports an instrument: instruments import it.
"""

from __future__ import annotations

import copy
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any, Literal, NamedTuple, TypeVar, get_args, get_origin

from django.utils.text import slugify
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    Strict,
    StrictBool,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

from playbook.core.money import CENT

# --- the vocabularies -------------------------------------------------------------------------

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
#: Who may be a non-public applicant's partner (applicant types of public schools and systems).
PARTNER_TYPES: dict[str, str] = {"district": "School district", "school": "District school",
                                 "charter": "Charter school"}

FIELD_TYPES = ("text", "textarea", "number", "money", "date", "choice", "yes_no")
FIELD_TYPE_LABELS = {
    "text": "Short text", "textarea": "Long text", "number": "Whole number",
    "money": "Amount of money", "date": "Date", "choice": "Choice from a list",
    "yes_no": "Yes or no",
}
THRESHOLD_FIELDS = {
    "econ_disadvantaged_share": "share of students economically disadvantaged",
    "enrollment": "enrollment",
}
THRESHOLD_OPS = (">=", "<=", ">", "<", "==")
THRESHOLD_OP_LABELS = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than",
                       "==": "exactly"}
ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "csv", "txt", "png", "jpg")
MAJORITIES = {"simple": "Simple majority (more than half of the votes cast)",
              "two_thirds": "Two-thirds majority"}
TIER_ACTS = {"recommends": "Recommends (another body decides)", "decides": "Decides"}

ApplicantType = Literal["district", "charter", "school", "esc", "consortium", "college",
                        "nonprofit", "company"]
PartnerType = Literal["district", "school", "charter"]
FieldType = Literal["text", "textarea", "number", "money", "date", "choice", "yes_no"]
ThresholdField = Literal["econ_disadvantaged_share", "enrollment"]
ThresholdOp = Literal[">=", "<=", ">", "<", "=="]
AttachmentType = Literal["pdf", "docx", "xlsx", "csv", "txt", "png", "jpg"]
Majority = Literal["simple", "two_thirds"]
TierAct = Literal["recommends", "decides"]

assert get_args(ApplicantType) == tuple(APPLICANT_TYPES)
assert get_args(PartnerType) == tuple(PARTNER_TYPES)
assert get_args(FieldType) == FIELD_TYPES
assert get_args(ThresholdField) == tuple(THRESHOLD_FIELDS)
assert get_args(ThresholdOp) == THRESHOLD_OPS
assert get_args(AttachmentType) == ATTACHMENT_TYPES
assert get_args(Majority) == tuple(MAJORITIES)
assert get_args(TierAct) == tuple(TIER_ACTS)

#: ``json_schema_extra`` hints the rules editor reads: a long text gets a text area; an ordered
#: list of choices is typed one a line (the order counts) rather than ticked; ``x-labels`` names
#: the choices in words; ``x-key-title`` and ``x-value-title`` name the two sides of a mapping.
LONG_TEXT: dict[str, Any] = {"x-widget": "textarea"}
ORDERED: dict[str, Any] = {"x-ordered": True}


def labelled(labels: Mapping[str, str], **extra: Any) -> dict[str, Any]:
    """A ``json_schema_extra`` naming each choice in words for the rules editor: a list of
    [value, words] pairs, as the schema sorts an object's keys and the order counts."""
    return {"x-labels": [[value, words] for value, words in labels.items()], **extra}


# --- plain messages ---------------------------------------------------------------------------

Loc = tuple[int | str, ...]
KEY_MESSAGE = "required key of lower-case letters, digits and underscores"
SLUG_MESSAGE = "required short name of lower-case letters, digits and hyphens"
_KEY = re.compile(r"[a-z0-9_]*[a-z][a-z0-9_]*")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Plain:
    """How the error messages speak of a field (put it in the field's ``Annotated``).

    ``what`` stands in for pydantic's message when the value is missing or of the wrong kind
    ("a non-empty list of criteria"); ``noun`` names one of its values in
    "unknown type 'x' (expected one of ...)".
    """

    what: str | None = None
    noun: str = "value"


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("rules", message)


def _text(v: Any) -> Any:
    if not isinstance(v, str) or not v.strip():
        raise _fail("required text")
    return v


def _key(v: Any) -> Any:
    if not isinstance(v, str) or not _KEY.fullmatch(v):
        raise _fail(KEY_MESSAGE)
    return v


def _slug(v: Any) -> Any:
    if not isinstance(v, str) or not _SLUG.fullmatch(v):
        raise _fail(SLUG_MESSAGE)
    return v


def _decimal(v: Any) -> Decimal:
    """A JSON number or numeric string as a finite ``Decimal``; never a boolean."""
    if isinstance(v, bool) or not isinstance(v, int | float | str | Decimal):
        raise _fail("must be a number")
    try:
        d = Decimal(v.strip()) if isinstance(v, str) else Decimal(str(v))
    except InvalidOperation:
        raise _fail("must be a number") from None
    if not d.is_finite():
        raise _fail("must be a number")
    return d


def _amount(v: Any) -> Decimal:
    d = _decimal(v)
    try:
        whole_cents = d == d.quantize(CENT)
    except InvalidOperation:
        whole_cents = False
    if d < 0 or not whole_cents:
        raise _fail("must be an amount of dollars and cents, not negative")
    return d


def _share(v: Any) -> Decimal:
    d = _decimal(v)
    if not 0 <= d <= 1:
        raise _fail("must be a share between 0 and 1")
    return d


def _weight(v: Any) -> Decimal:
    d = _decimal(v)
    if d <= 0:
        raise _fail("must be a number greater than 0")
    return d


#: Required text: a string with something in it.
Text = Annotated[str, BeforeValidator(_text), Plain("required text")]
#: A key of lower-case letters, digits and underscores (``need``, ``support_letters``).
Key = Annotated[str, BeforeValidator(_key), Plain(KEY_MESSAGE)]
#: A short name of lower-case letters, digits and hyphens (``innovation-fund-governing-board``).
Slug = Annotated[str, BeforeValidator(_slug), Plain(SLUG_MESSAGE)]
#: Any finite number (a JSON number or a numeric string; never true or false).
Number = Annotated[Decimal, BeforeValidator(_decimal), Plain("must be a number")]
#: Dollars and cents, not negative.
Amount = Annotated[Decimal, BeforeValidator(_amount), Field(ge=0), Plain("must be a number")]
#: A share between 0 and 1.
Share = Annotated[Decimal, BeforeValidator(_share), Field(ge=0, le=1),
                  Plain("must be a number")]
#: A rubric weight: a number greater than 0.
Weight = Annotated[Decimal, BeforeValidator(_weight), Field(gt=0), Plain("must be a number")]
#: A whole number: not a float, not a numeric string, not true or false.
WholeNumber = Annotated[int, Strict()]


# --- the base of every section ----------------------------------------------------------------

_STOCK_ERRORS = frozenset(get_args(ErrorType))


def _get(data: Any, name: str, default: Any = None) -> Any:
    """A member of raw input (a dict) or of an already-built model; ``default`` when absent."""
    if isinstance(data, Mapping):
        return data.get(name, default)
    if isinstance(data, BaseModel):
        return getattr(data, name, default)
    return default


def _rows(value: Any) -> list[tuple[int, Any]]:
    """The entries of a raw list (or tuple) with their index; [] for anything else."""
    if isinstance(value, list | tuple):
        return list(enumerate(value))
    return []


def duplicate_keys(rows: Sequence[tuple[Loc, Any]]) -> list[tuple[Loc, str]]:
    """``duplicate key 'x'`` at every repeat of a valid key among ``rows`` of (loc, key)."""
    seen: set[str] = set()
    out: list[tuple[Loc, str]] = []
    for loc, key in rows:
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            continue
        if key in seen:
            out.append((loc, f"duplicate key {key!r}"))
        seen.add(key)
    return out


def keyed_rows(value: Any, where: Loc = (), name: str = "key") -> list[tuple[Loc, Any]]:
    """(loc, key) for each entry of a raw list of objects, for ``duplicate_keys``."""
    return [((*where, i, name), _get(row, name)) for i, row in _rows(value)]


class RulesSection(BaseModel):
    """Base of every section of a cycle's rules: immutable, unknown settings refused.

    A section's checks across its fields (duplicate keys, one field against another) go in
    ``cross_checks``: they read the raw input, so they are reported together with every other
    problem instead of waiting until the fields are right.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def cross_checks(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        """Problems across fields, as (loc relative to this section, plain message). Must
        tolerate any input: report only what can be told from well-formed parts."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _check_across(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        found = cls.cross_checks(data) if isinstance(data, Mapping) else []
        if not found:
            return handler(data)
        lines = [InitErrorDetails(type=_fail(message), loc=loc, input=data)
                 for loc, message in found]
        try:
            handler(data)
        except ValidationError as exc:
            raise ValidationError.from_exception_data(
                exc.title, [*_as_init(exc.errors()), *lines]) from None
        raise ValidationError.from_exception_data(cls.__name__, lines)


def _as_init(errors: list[ErrorDetails]) -> list[InitErrorDetails]:
    """Errors pydantic reported, fed back so a section can add its own to them."""
    out: list[InitErrorDetails] = []
    for e in errors:
        kind: Any = e["type"] if e["type"] in _STOCK_ERRORS else PydanticCustomError(
            e["type"], e["msg"])
        line = InitErrorDetails(type=kind, loc=tuple(e["loc"]), input=e["input"])
        if "ctx" in e and e["type"] in _STOCK_ERRORS:
            line["ctx"] = e["ctx"]
        out.append(line)
    return out


# --- eligibility ------------------------------------------------------------------------------


class Threshold(RulesSection):
    """A condition on the applicant's registry data, such as enrollment of at most 5,000."""

    model_config = ConfigDict(title="Threshold")

    field: ThresholdField = Field(
        title="Registry measure", json_schema_extra=labelled(THRESHOLD_FIELDS))
    op: ThresholdOp = Field(title="Comparison", json_schema_extra=labelled(THRESHOLD_OP_LABELS))
    value: Number = Field(title="Value",
                          description="A share is written between 0 and 1 (0.4 for 40%).")

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


class EligibilityRules(RulesSection):
    """Who may apply."""

    model_config = ConfigDict(title="Eligibility")

    applicant_types: Annotated[
        tuple[Annotated[ApplicantType, Plain(noun="type")], ...],
        Field(min_length=1, title="Eligible applicant types",
              json_schema_extra=labelled(APPLICANT_TYPES)),
        Plain("a non-empty list of applicant types"),
    ]
    non_public_requires_district_partner: StrictBool = Field(
        default=True, title="Colleges, nonprofits and companies must apply with a partner")
    partner_types: Annotated[
        tuple[Annotated[PartnerType, Plain(noun="type")], ...],
        Field(min_length=1, title="Who may be the partner",
              json_schema_extra=labelled(PARTNER_TYPES)),
        Plain(f"a non-empty list drawn from {', '.join(PARTNER_TYPES)}"),
    ] = ("district",)

    def partner_words(self, *, short: bool = False) -> str:
        """The partners allowed, in words: "school district" or "school district, district
        school or charter school" (``short``: "district", "district, district school or ...",
        to go before "partner")."""
        words = [PARTNER_TYPES[t].lower() for t in self.partner_types]
        if short:
            words = ["district" if t == "district" else w
                     for t, w in zip(self.partner_types, words, strict=True)]
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    thresholds: tuple[Threshold, ...] = Field(
        default=(), title="Thresholds on registry data",
        description="Every threshold must hold for the applicant to be eligible.")


# --- the application form ---------------------------------------------------------------------


class FormField(RulesSection):
    """One question of the application form."""

    model_config = ConfigDict(title="Question")

    key: Key = Field(title="Key", description="Lower-case letters, digits and underscores; "
                     "unique across the whole form. Answers are stored under it.")
    label: Text = Field(title="Question")
    type: Annotated[FieldType, Plain(noun="type")] = Field(
        default="textarea", title="Kind of answer", json_schema_extra=labelled(FIELD_TYPE_LABELS))
    required: StrictBool = Field(default=False, title="Required to submit")
    word_limit: Annotated[WholeNumber, Field(ge=1)] | None = Field(
        default=None, title="Word limit",
        description="Text answers only. Leave blank for no limit.")
    choices: tuple[Text, ...] = Field(
        default=(), title="Options", description="For a choice from a list: at least two.")
    help: str = Field(default="", title="Help for applicants", json_schema_extra=LONG_TEXT)

    @classmethod
    def cross_checks(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        out: list[tuple[Loc, str]] = []
        kind = data.get("type", "textarea")
        if data.get("word_limit") is not None and kind in FIELD_TYPES and kind not in (
            "text", "textarea"
        ):
            out.append((("word_limit",), "only text fields have a word limit"))
        choices = data.get("choices", ())
        if kind == "choice" and isinstance(choices, list | tuple) and sum(
            1 for c in choices if isinstance(c, str) and c.strip()
        ) < 2:
            out.append((("choices",), "a choice field needs a list of at least two options"))
        return out


class FormSection(RulesSection):
    """A section of the application form: a titled group of questions."""

    model_config = ConfigDict(title="Section")

    key: Key = Field(title="Key", description="Lower-case letters, digits and underscores.")
    title: Text = Field(title="Title")
    fields: Annotated[tuple[FormField, ...], Field(min_length=1, title="Questions"),
                      Plain("a non-empty list of fields")]
    consortium_only: StrictBool = Field(default=False, title="Asked of consortium applicants only")


class AttachmentSlot(RulesSection):
    """A file the applicant may (or must) attach."""

    model_config = ConfigDict(title="Attachment")

    key: Key = Field(title="Key", description="Lower-case letters, digits and underscores.")
    label: Text = Field(title="Label")
    required: StrictBool = Field(default=False, title="Required to submit")
    types: Annotated[
        tuple[Annotated[AttachmentType, Plain(noun="type")], ...],
        Field(min_length=1, title="File types allowed"),
        Plain(f"a list drawn from {', '.join(ATTACHMENT_TYPES)}"),
    ] = ("pdf",)
    max_mb: Annotated[WholeNumber, Field(ge=1, le=50)] = Field(
        default=10, title="Largest file (MB)", description="From 1 to 50.")


class FormSchema(RulesSection):
    """The application form: its sections, attachments and the consortium collaboration plan."""

    model_config = ConfigDict(title="Application form")

    sections: Annotated[tuple[FormSection, ...], Field(min_length=1, title="Sections"),
                        Plain("a non-empty list of sections")]
    attachments: tuple[AttachmentSlot, ...] = Field(default=(), title="Attachments")
    collaboration_plan_word_limit: Annotated[WholeNumber, Field(ge=50)] = Field(
        default=1000, title="Consortium collaboration plan: word limit", description="At least 50.")

    def all_fields(self, *, consortium: bool) -> list[FormField]:
        return [f for s in self.sections if consortium or not s.consortium_only for f in s.fields]

    @classmethod
    def cross_checks(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        sections = data.get("sections")
        fields = [((("sections", i, "fields", j, "key")), _get(f, "key"))
                  for i, s in _rows(sections) for j, f in _rows(_get(s, "fields"))]
        return [
            *duplicate_keys(keyed_rows(sections, ("sections",))),
            *duplicate_keys(fields),
            *duplicate_keys(keyed_rows(data.get("attachments"), ("attachments",))),
        ]


# --- rubric, review, decision -----------------------------------------------------------------


class Anchor(RulesSection):
    """What one score of a criterion means, so reviewers score alike."""

    model_config = ConfigDict(title="Score anchor")

    score: Annotated[WholeNumber, Field(ge=0)] = Field(title="Score")
    meaning: Text = Field(title="What it means",
                          description='For example "Strong: specific, evidence-based, '
                                      'with measurable targets".')


class Criterion(RulesSection):
    """One rubric criterion. Reviewers score it from the lowest to the highest score."""

    model_config = ConfigDict(title="Criterion")

    key: Key = Field(title="Key", description="Lower-case letters, digits and underscores.")
    title: Text = Field(title="Title")
    weight: Weight = Field(title="Weight", description="Greater than 0. Weights are relative: "
                           "a criterion's share of the score is its weight over their total.")
    scale_min: Annotated[WholeNumber, Field(ge=0)] = Field(title="Lowest score")
    scale_max: Annotated[WholeNumber, Field(ge=1)] = Field(title="Highest score")
    guidance: str = Field(default="", title="Guidance for reviewers", json_schema_extra=LONG_TEXT)
    anchors: tuple[Anchor, ...] = Field(
        default=(), title="Score anchors",
        description="What each score means (any or all of them, from lowest to highest).")

    def anchor_for(self, score: int) -> str:
        """What ``score`` means, or "" where no anchor is given."""
        return next((a.meaning for a in self.anchors if a.score == score), "")

    @classmethod
    def cross_checks(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        lo, hi = data.get("scale_min"), data.get("scale_max")
        out: list[tuple[Loc, str]] = []
        if (type(lo) is int and type(hi) is int and lo >= 0 and hi >= 1
                and hi <= lo):
            out.append((("scale_max",), "must be greater than scale_min"))
        anchors = data.get("anchors")
        if isinstance(anchors, list | tuple):
            seen: set[int] = set()
            for i, anchor in enumerate(anchors):
                score = _get(anchor, "score")
                if type(score) is not int:
                    continue
                if type(lo) is int and type(hi) is int and not lo <= score <= hi:
                    out.append((("anchors", i, "score"),
                                f"must be within the scale, {lo} to {hi}"))
                if score in seen:
                    out.append((("anchors", i, "score"), f"score {score} is anchored twice"))
                seen.add(score)
        return out


class Rubric(RulesSection):
    """The criteria reviewers score."""

    model_config = ConfigDict(title="Rubric")

    criteria: Annotated[tuple[Criterion, ...], Field(min_length=1, title="Criteria"),
                        Plain("a non-empty list of criteria")]

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal("0"))

    @classmethod
    def cross_checks(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        return duplicate_keys(keyed_rows(data.get("criteria"), ("criteria",)))


class ReviewRules(RulesSection):
    """Whether applications are reviewed and scored, by how many reviewers, and what the
    applicant sees of it."""

    model_config = ConfigDict(title="Review")

    required: StrictBool = Field(
        default=True, title="Applications are reviewed and scored",
        description="When they are not, the rubric may be left out.")
    reviewers_per_application: Annotated[WholeNumber, Field(ge=1, le=20)] = Field(
        default=3, title="Reviewers per application", description="From 1 to 20.")
    release_comments_to_applicant: StrictBool = Field(
        default=False, title="Applicants see the reviewers' comments once decisions are made")


class DecisionTier(RulesSection):
    """A body that votes on the applications: it recommends, or it decides."""

    model_config = ConfigDict(title="Deciding body")

    body: Slug = Field(title="Body", description="Its short name: lower-case letters, digits "
                       "and hyphens (innovation-fund-governing-board).")
    label: Text = Field(title="What it does, in words",
                        description='For example "Governing board recommends".')
    quorum: Annotated[WholeNumber, Field(ge=1)] = Field(
        default=1, title="Quorum", description="Members who must vote for the vote to count.")
    majority: Majority = Field(default="simple", title="Majority needed",
                               json_schema_extra=labelled(MAJORITIES))
    acts: TierAct = Field(title="Its vote", json_schema_extra=labelled(TIER_ACTS))


class DecisionRules(RulesSection):
    """Who decides: one body that decides, or one that recommends and then one that decides."""

    model_config = ConfigDict(title="Decision")

    tiers: Annotated[
        tuple[DecisionTier, ...], Field(min_length=1, max_length=2, title="Deciding bodies"),
        Plain("one or two deciding bodies: the last decides, a first of two recommends"),
    ]
    vote_record_public: StrictBool = Field(default=True, title="Each member's vote is public")

    @classmethod
    def cross_checks(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        tiers = data.get("tiers")
        if not isinstance(tiers, list | tuple) or len(tiers) not in (1, 2):
            return []
        acts = [a if isinstance(a, str) else None for a in (_get(t, "acts") for t in tiers)]
        out: list[tuple[Loc, str]] = []
        if len(tiers) == 2 and acts[0] in TIER_ACTS and acts[0] != "recommends":
            out.append((("tiers", 0, "acts"), "the first of two bodies must recommend"))
        if acts[-1] in TIER_ACTS and acts[-1] != "decides":
            out.append((("tiers", len(tiers) - 1, "acts"), "the last body must decide"))
        return out


# --- the whole document -----------------------------------------------------------------------

S = TypeVar("S", bound=BaseModel)


class CycleRules(RulesSection):
    """The spine's sections of a cycle's rules. ``rules_model`` adds the instrument's."""

    model_config = ConfigDict(title="Rules of the cycle")

    eligibility: EligibilityRules = Field(title="Eligibility")
    form: FormSchema = Field(title="Application form")
    rubric: Rubric | None = Field(
        default=None, title="Rubric",
        description="May be left out when applications are not reviewed.")
    review: ReviewRules = Field(title="Review")
    decision: DecisionRules = Field(title="Decision")

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        """The rubric's criteria; none when the cycle has no rubric (no review)."""
        return tuple(self.rubric.criteria) if self.rubric is not None else ()

    def section(self, name: str, kind: type[S]) -> S | None:
        """The instrument section ``name`` (``rules.section("funding", FundingRules)``), or None
        when this cycle's rules have none. Typed, where ``rules.funding`` is not."""
        value = getattr(self, name, None)
        return value if isinstance(value, kind) else None

    @classmethod
    def cross_checks(cls, data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
        review = data.get("review")
        reviewed = _get(review, "required", True) if isinstance(review, Mapping | BaseModel) \
            else None
        if reviewed is True and data.get("rubric") is None:
            return [(("rubric",), "required object with criteria, since applications are "
                                  "reviewed (review.required is true)")]
        return []


SPINE_SECTIONS = tuple(CycleRules.model_fields)


def rules_model(sections: Mapping[str, type[BaseModel]]) -> type[CycleRules]:
    """The model of a whole document: the spine's sections plus ``sections`` (the instrument's,
    ``{"funding": FundingRules}``) as required fields. Built once per set of sections."""
    return _rules_model(tuple(sorted(sections.items(), key=lambda item: item[0])))


@lru_cache(maxsize=64)
def _rules_model(sections: tuple[tuple[str, type[BaseModel]], ...]) -> type[CycleRules]:
    if not sections:
        return CycleRules
    fields: dict[str, Any] = {}
    for name, kind in sections:
        if name in SPINE_SECTIONS or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"{name!r} cannot name an instrument's section")
        title = kind.model_config.get("title") or name.replace("_", " ").capitalize()
        fields[name] = (kind, Field(title=title))
    return create_model(
        "CycleRules_" + "_".join(name for name, _ in sections),
        __base__=CycleRules, __module__=__name__, **fields,
    )


# --- errors in plain words --------------------------------------------------------------------


class RulesProblem(NamedTuple):
    """One problem of a document: where (pydantic's loc; a dict key's loc ends ``"[key]"``)
    and what, in plain words."""

    loc: Loc
    message: str

    @property
    def path(self) -> str:
        """``rubric.criteria[2].weight``; ``funding.caps.bogus``; ``rules`` for the whole."""
        out = ""
        for part in self.loc:
            if part == "[key]":
                continue
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out or "rules"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RulesError(ValueError):
    def __init__(self, problems: Sequence[RulesProblem]) -> None:
        self.problems = list(problems)
        self.errors = [str(p) for p in self.problems]
        super().__init__("; ".join(self.errors))


def model_problems(model: type[BaseModel], data: Any) -> list[RulesProblem]:
    """Every problem of ``data`` read as ``model`` (any pydantic model), in plain words."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return _problems(model, exc)
    return []


def rules_errors(data: Any, *, sections: Mapping[str, type[BaseModel]]) -> list[str]:
    """Every problem of a document, each naming its field; [] when it is valid."""
    return [str(p) for p in model_problems(rules_model(sections), data)]


def rules_parse(data: Any, *, sections: Mapping[str, type[BaseModel]]) -> CycleRules:
    """The document read into immutable objects; ``RulesError`` naming every problem if not."""
    model = rules_model(sections)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RulesError(_problems(model, exc)) from None


def rules_document(rules: BaseModel) -> dict[str, Any]:
    """The rules as a JSON-ready document (amounts and shares as strings, every default
    written out): what is stored, and what the editor hands back."""
    return rules.model_dump(mode="json")


def _problems(model: type[BaseModel], exc: ValidationError) -> list[RulesProblem]:
    out: list[RulesProblem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and isinstance(err["input"], list | tuple) and len(
            err["input"]
        ) >= (err.get("ctx") or {}).get("min_length", 0):
            continue  # pydantic counts a list again without its bad entries: already reported
        problem = RulesProblem(loc, _message(model, loc, err))
        if problem not in out:
            out.append(problem)
    return out


_RANGES = {"greater_than_equal": ("ge", "must be at least {}"),
           "less_than_equal": ("le", "must be at most {}"),
           "greater_than": ("gt", "must be greater than {}"),
           "less_than": ("lt", "must be less than {}")}


def _message(model: type[BaseModel], loc: Loc, err: ErrorDetails) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    tp, meta = _target(model, loc)
    plain = next((m for m in meta if isinstance(m, Plain)), None)
    if kind not in _STOCK_ERRORS:  # ours, already plain
        return err["msg"]
    if kind == "extra_forbidden":
        parent, _ = _target(model, loc[:-1])
        names = sorted(parent.model_fields) if _is_model(parent) else []
        what = "section" if len(loc) == 1 and _is_model(model) and issubclass(
            model, CycleRules) else "setting"
        return f"unknown {what} (expected one of {', '.join(names)})"
    if kind == "literal_error":
        allowed = get_args(tp) if get_origin(tp) is Literal else ()
        expected = ", ".join(map(str, allowed)) or str(ctx.get("expected", ""))
        return f"unknown {plain.noun if plain else 'value'} {_shown(err['input'])} " \
               f"(expected one of {expected})"
    if kind in _RANGES:
        name, text = _RANGES[kind]
        return text.format(ctx.get(name))
    if plain is not None and plain.what:
        return plain.what
    if kind == "missing":
        return _missing(tp)
    if kind.startswith("bool"):
        return "must be true or false"
    if kind.startswith("int"):
        return "must be a whole number"
    if kind.startswith(("decimal", "float")):
        return "must be a number"
    if kind in ("string_type", "string_unicode"):
        return "must be text"
    if kind == "string_too_short":
        return "required text"
    if kind in ("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"):
        return "must be a list"
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length" if kind == "too_short" else "max_length")
        return f"must have at {'least' if kind == 'too_short' else 'most'} {n} " \
               f"{'entry' if n == 1 else 'entries'}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return "must be a JSON object" if not loc else "must be an object"
    if kind == "invalid_key":
        return "names must be text"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    return err["msg"]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _missing(tp: Any) -> str:
    if get_origin(tp) is Literal:
        return f"expected one of {', '.join(map(str, get_args(tp)))}"
    if _is_model(tp):
        names = [n for n, f in tp.model_fields.items() if f.is_required()]
        if not names:
            return "required object"
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"required object with {listed}"
    if tp is bool:
        return "must be true or false"
    if tp is int:
        return "must be a whole number"
    if tp is Decimal or tp is float:
        return "must be a number"
    if tp is str:
        return "required text"
    if get_origin(tp) in (list, tuple, Sequence):
        return "required list"
    if get_origin(tp) in (dict, Mapping):
        return "required object"
    return "required"


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _unwrap(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    """``tp`` without ``Annotated`` and ``| None``, and the metadata found on the way."""
    meta: tuple[Any, ...] = ()
    while True:
        if get_origin(tp) is Annotated:
            meta += tuple(tp.__metadata__)
            tp = get_args(tp)[0]
        elif get_origin(tp) in (typing.Union, types.UnionType):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp, meta
            tp = rest[0]
        else:
            return tp, meta


def _target(model: Any, loc: Loc) -> tuple[Any, tuple[Any, ...]]:
    """The type at ``loc`` in ``model`` and its metadata (``Plain`` among them); (None, ())
    where the loc leads nowhere known."""
    tp: Any = model
    meta: tuple[Any, ...] = ()
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        tp, more = _unwrap(tp)
        origin = get_origin(tp)
        if _is_model(tp) and isinstance(part, str):
            info = tp.model_fields.get(part)
            if info is None:
                return None, ()
            tp, meta = info.annotation, tuple(info.metadata)
        elif origin in (list, tuple, Sequence, set, frozenset) and isinstance(part, int):
            args = get_args(tp)
            tp, meta = (args[0] if args else Any), ()
        elif origin in (dict, Mapping) and isinstance(part, str):
            key_error = i + 1 < len(loc) and loc[i + 1] == "[key]"
            tp, meta = get_args(tp)[0 if key_error else 1], ()
        else:
            return None, ()
    tp, more = _unwrap(tp)
    return tp, meta + more


# --- documents --------------------------------------------------------------------------------


def spine_default() -> dict[str, Any]:
    """A minimal valid document of the spine's sections alone."""
    return {
        "eligibility": {"applicant_types": ["district"]},
        "form": {"sections": [
            {"key": "proposal", "title": "The proposal", "fields": [
                {"key": "summary", "label": "Summary of the proposal", "type": "textarea",
                 "required": True, "word_limit": 500},
            ]},
        ]},
        "rubric": {"criteria": [
            {"key": "quality", "title": "Quality of the proposal", "weight": 100,
             "scale_min": 0, "scale_max": 5},
        ]},
        "review": {"required": True, "reviewers_per_application": 3,
                   "release_comments_to_applicant": False},
        "decision": {
            "tiers": [{"body": "decision-body", "label": "Decision body decides", "quorum": 1,
                       "majority": "simple", "acts": "decides"}],
            "vote_record_public": True,
        },
    }


def migrate_document(old: Mapping[str, Any]) -> dict[str, Any]:
    """A document of the first shape (``decision_body``, ``review.reviewers_per_application``
    alone, ``form.budget_categories``) in the current one. A document already in the current
    shape comes back unchanged (as a copy).

    - ``decision_body {name, quorum}`` becomes ``decision`` with one tier that decides, its body
      the name as a short name, its majority simple and the record of votes public;
    - ``review`` gains ``required: true`` and ``release_comments_to_applicant: false``;
    - ``form.budget_categories`` moves to ``funding.budget_categories`` when there is a funding
      section, and is dropped otherwise.
    """
    doc = copy.deepcopy(dict(old))
    body = doc.pop("decision_body", None)
    if isinstance(body, Mapping) and "decision" not in doc:
        name = str(body.get("name") or "").strip()
        doc["decision"] = {
            "tiers": [{
                "body": _body_slug(name),
                "label": f"{name} decides" if name else "Decision body decides",
                "quorum": body.get("quorum", 1),
                "majority": "simple",
                "acts": "decides",
            }],
            "vote_record_public": True,
        }
    review = doc.get("review")
    if isinstance(review, dict):
        review.setdefault("required", True)
        review.setdefault("release_comments_to_applicant", False)
    form = doc.get("form")
    if isinstance(form, dict) and "budget_categories" in form:
        categories = form.pop("budget_categories")
        funding = doc.get("funding")
        if isinstance(funding, dict):
            funding.setdefault("budget_categories", categories)
    return doc


def _body_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", slugify(name)).strip("-")
    return slug or "decision-body"
