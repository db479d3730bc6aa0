"""Report-card frameworks: versioned data (YAML or JSON), validated on load.

A framework says which entity types it rates, its components and their metrics (what is
counted, over which students and years, the minimum n to rate), the cut points that make each
metric insufficient / sufficient / exemplary, the weights, how components roll up into an
overall rating (A-F letters or plan types) and which subgroups are reported. The shipped
frameworks live next to this file in ``frameworks/``; ``docs/report-cards.md`` describes the
format field by field.

The document is validated by the pydantic v2 models below (``FrameworkDoc``); every problem
is reported at once, each naming the file and the field path, e.g.
``my-framework.yaml: components[1].metrics[0].cuts.exemplary: must be a number``.
"""

from __future__ import annotations

import copy
import itertools
import json
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, NamedTuple, Self, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

FRAMEWORKS_DIR = Path(__file__).with_name("frameworks")

ENTITY_TYPES = ("school", "district", "consortium", "model", "provider", "state")
RACE_CODES = ("HI", "AM", "AS", "BL", "PI", "WH", "MU")
FLAG_GROUPS = {
    "econ_disadvantaged": "not_econ_disadvantaged",
    "disability": "no_disability",
    "english_learner": "not_english_learner",
}
#: Every subgroup the engine computes, in publishing order. A framework publishes a subset.
SUBGROUPS: tuple[str, ...] = (
    "all", *RACE_CODES,
    "econ_disadvantaged", "not_econ_disadvantaged",
    "disability", "no_disability",
    "english_learner", "not_english_learner",
)
SUBJECTS = ("ela", "math", "science")

#: measure -> (source, unit, default direction). ``unit``: "percent" (a share of students),
#: "rate" (days present over days enrolled), "median" (median SGP), "gap" (median SGP of the
#: subgroup minus that of the rest).
MEASURES: dict[str, tuple[str, str, str]] = {
    "percent_proficient": ("assessments", "percent", "higher"),
    "median_sgp": ("growth", "median", "higher"),
    "percent_adequate_growth": ("growth", "percent", "higher"),
    "growth_gap": ("growth", "gap", "higher"),
    "attendance_rate": ("attendance", "rate", "higher"),
    "chronic_absence_rate": ("attendance", "percent", "lower"),
    "suspension_rate": ("attendance", "percent", "lower"),
}
STUDENT_MEASURE_SOURCES = ("assessments", "growth")


class FrameworkIssue(NamedTuple):
    """One problem in a framework document: the field path and what is wrong with it."""

    path: str  # e.g. "components[1].metrics[0].cuts.exemplary"; "" for the document itself
    message: str  # e.g. "must be a number"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FrameworkError(ValueError):
    """A framework file that does not validate: every problem, each with the file and field path.

    ``errors`` lists every problem found (:class:`FrameworkIssue`, a ``(path, message)`` tuple);
    ``path`` and ``message`` are the first one's. ``str(err)`` has one line per problem, each
    ``"<source>: <path>: <message>"``.
    """

    def __init__(self, source: str, path: str = "", message: str = "", *,
                 errors: Sequence[tuple[str, str]] = ()) -> None:
        issues = [FrameworkIssue(p, m) for p, m in errors] or [FrameworkIssue(path, message)]
        self.source = source
        self.errors: list[FrameworkIssue] = issues
        self.path, self.message = issues[0]
        super().__init__("\n".join(f"{source}: {issue}" for issue in issues))


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    points: float


@dataclass(frozen=True)
class Metric:
    id: str
    title: str
    measure: str
    cuts: dict[str, float]
    subject: str | None = None
    grades: tuple[int, ...] | None = None
    prior_level_max: int | None = None
    min_n: int = 0
    weight: float = 1.0
    direction: str = "higher"
    rated_subgroups: tuple[str, ...] = ("all",)
    scale: tuple[float, float] | None = None
    implementation_years: tuple[int | None, int | None] = (None, None)
    description: str = ""

    @property
    def source(self) -> str:
        return MEASURES[self.measure][0]

    @property
    def unit(self) -> str:
        return MEASURES[self.measure][1]

    @property
    def rated(self) -> bool:
        return self.weight > 0

    @property
    def population(self) -> str:
        """The key of the student population this metric counts (shared by equal definitions).

        Metrics over the same students (e.g. median SGP and percent adequate growth in ELA) share
        one population, so they share one suppression decision.
        """
        grades = "-".join(str(g) for g in self.grades) if self.grades else "all"
        if self.source == "assessments":
            return f"assess:{self.subject}:{grades}"
        if self.source == "growth":
            prior = f":prior<={self.prior_level_max}" if self.prior_level_max else ""
            return f"growth:{self.subject}:{grades}{prior}"
        return "attendance"


@dataclass(frozen=True)
class Component:
    id: str
    title: str
    weight: float
    metrics: tuple[Metric, ...]
    implementation_years: tuple[int | None, int | None] = (None, None)
    description: str = ""


@dataclass(frozen=True)
class RatingBand:
    label: str
    min: float


@dataclass(frozen=True)
class Rating:
    kind: str  # "letter" or "plan"
    bands: tuple[RatingBand, ...]
    min_components: int = 1
    not_rated_label: str = "Insufficient data"

    def label_for(self, score: float) -> str:
        for band in self.bands:
            if score >= band.min:
                return band.label
        return self.bands[-1].label


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: str
    entity_types: tuple[str, ...]
    subgroups: tuple[str, ...]
    levels: tuple[Level, ...]
    components: tuple[Component, ...]
    rating: Rating
    description: str = ""
    source: str = "<dict>"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return f"{self.id}@{self.version}"

    def metrics(self) -> list[tuple[Component, Metric]]:
        return [(c, m) for c in self.components for m in c.metrics]

    def level(self, level_id: str) -> Level:
        return next(lv for lv in self.levels if lv.id == level_id)


# ----------------------------------------------------------------------------------------------
# The document schema (pydantic v2)
#
# The models below describe the document as written; ``framework_from_dict`` turns a valid one
# into the frozen dataclasses above, which are what the engine reads. Scalars are strict (a
# number is never a string or a boolean); unknown fields are refused. A rule about several
# fields is a validator on the model or field that holds them, and names the field at fault with
# a location relative to itself (``_raise_all``); rules that need another part of the document
# (cut points against the levels, rated subgroups against the published ones) are checked once
# that part is valid.

Loc = tuple[str | int, ...]


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("framework", message)


def _raise_all(problems: Sequence[tuple[Loc, str]]) -> None:
    """Report every problem at once, each at its location relative to the model being checked."""
    if problems:
        raise ValidationError.from_exception_data("Framework", [
            InitErrorDetails(type=_problem(message), loc=loc, input=None)
            for loc, message in problems
        ])


def _duplicate_ids(items: Sequence[Any], what: str) -> list[tuple[Loc, str]]:
    seen: set[str] = set()
    problems: list[tuple[Loc, str]] = []
    for i, item in enumerate(items):
        if item.id in seen:
            problems.append(((i, "id"), f"duplicate {what} id {item.id!r}"))
        seen.add(item.id)
    return problems


def _one_of(choices: Sequence[str]) -> BeforeValidator:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or value not in choices:
            raise _problem(f"must be one of {', '.join(choices)} (got {value!r})")
        return value
    return BeforeValidator(check)


def _non_empty(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise _problem("must be a non-empty string")
    return value


def _identifier(value: Any) -> Any:
    _non_empty(value)
    if not all(ch.isalnum() or ch in "-_" for ch in value):
        raise _problem("may contain only letters, digits, '-' and '_'")
    return value


def _version(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _problem("must be a string or number")
    return str(value)


def _label(value: Any) -> str:
    return str(value)


def _text(value: Any) -> str:
    return str(value or "")


Identifier = Annotated[str, BeforeValidator(_identifier)]
NonEmpty = Annotated[str, BeforeValidator(_non_empty)]
Label = Annotated[str, BeforeValidator(_label)]  # any scalar, as text
Text = Annotated[str, BeforeValidator(_text)]  # free text; empty when absent or null
Version = Annotated[str, BeforeValidator(_version)]
Number = StrictFloat  # an int or a float, never a bool or a string
NonNegative = Annotated[StrictFloat, Field(ge=0)]
Year = Annotated[StrictInt, Field(ge=1)]
Grade = Annotated[StrictInt, Field(ge=-1, le=12)]  # -1 pre-K, 0 kindergarten
EntityType = Annotated[str, _one_of(ENTITY_TYPES)]
Subgroup = Annotated[str, _one_of(SUBGROUPS)]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


class YearsDoc(_Document):
    """``implementation_years``: the years of use (1 = first) a component or metric counts in."""

    min: Year | None = None
    max: Year | None = None

    @field_validator("max")
    @classmethod
    def _max_not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min")
        if value is not None and low is not None and value < low:
            raise _problem("must not be below min")
        return value


class ScaleDoc(_Document):
    zero_at: Number
    full_at: Number

    @field_validator("full_at")
    @classmethod
    def _full_differs(cls, value: float, info: ValidationInfo) -> float:
        if value == info.data.get("zero_at"):
            raise _problem("must differ from zero_at")
        return value


class LevelDoc(_Document):
    id: Identifier
    label: Label | None = None  # the id when absent
    points: Number


class MetricDoc(_Document):
    id: Identifier
    title: NonEmpty
    measure: Annotated[str, _one_of(tuple(MEASURES))]
    cuts: dict[str, Number] | None = None
    subject: Annotated[str, _one_of(SUBJECTS)] | None = None
    grades: Annotated[list[Grade], Field(min_length=1)] | None = None
    prior_level_max: Annotated[StrictInt, Field(ge=1, le=5)] | None = None
    min_n: Annotated[StrictInt, Field(ge=0)] = 0
    weight: NonNegative = 1.0
    direction: Annotated[str, _one_of(("higher", "lower"))] | None = None  # the measure's
    rated_subgroups: Annotated[list[Subgroup], Field(min_length=1)] | None = None  # ["all"]
    scale: ScaleDoc | None = None
    implementation_years: YearsDoc | None = None
    description: Text = ""

    @model_validator(mode="after")
    def _fits_its_measure(self) -> Self:
        source, unit, _ = MEASURES[self.measure]
        given = self.model_fields_set
        problems: list[tuple[Loc, str]] = []
        if source in STUDENT_MEASURE_SOURCES:
            if self.subject is None:
                problems.append((("subject",), f"is required for measure {self.measure}"))
        elif "subject" in given:
            problems.append((("subject",), f"does not apply to measure {self.measure}"))
        if "grades" in given and source not in STUDENT_MEASURE_SOURCES:
            problems.append((("grades",), f"does not apply to measure {self.measure}"))
        if "prior_level_max" in given and source != "growth":
            problems.append((("prior_level_max",), "applies only to growth measures"))
        if self.cuts is None and self.weight > 0:
            problems.append((("cuts",), "is required for a rated metric (weight > 0)"))
        if unit == "gap" and "all" in (self.rated_subgroups or ["all"]):
            problems.append((("rated_subgroups",), "a growth gap has no value for 'all'; name "
                             "the subgroups to rate"))
        _raise_all(problems)
        return self

    @property
    def resolved_direction(self) -> str:
        return self.direction or MEASURES[self.measure][2]


class ComponentDoc(_Document):
    id: Identifier
    title: NonEmpty
    weight: NonNegative
    metrics: Annotated[list[MetricDoc], Field(min_length=1)]
    implementation_years: YearsDoc | None = None
    description: Text = ""

    @field_validator("metrics")
    @classmethod
    def _unique_metric_ids(cls, metrics: list[MetricDoc]) -> list[MetricDoc]:
        _raise_all(_duplicate_ids(metrics, "metric"))
        return metrics


class BandDoc(_Document):
    label: NonEmpty
    min: NonNegative


class RatingDoc(_Document):
    type: Annotated[str, _one_of(("letter", "plan"))]
    bands: Annotated[list[BandDoc], Field(min_length=1)]
    min_components: Annotated[StrictInt, Field(ge=1)] = 1
    not_rated_label: Label = "Insufficient data"

    @field_validator("bands")
    @classmethod
    def _bands_best_first(cls, bands: list[BandDoc]) -> list[BandDoc]:
        problems: list[tuple[Loc, str]] = [
            ((i, "min"), "bands go from best to worst: min must decrease")
            for i in range(1, len(bands)) if bands[i].min >= bands[i - 1].min
        ]
        if bands[-1].min != 0:
            problems.append(((len(bands) - 1, "min"), "the last band must start at 0"))
        labels = [b.label for b in bands]
        if len(set(labels)) != len(labels):
            problems.append(((), "a label is used twice"))
        _raise_all(problems)
        return bands


class FrameworkDoc(_Document):
    """A report-card framework document, as written in YAML or JSON.

    Fields are validated in this order, and a field's rules may use the fields before it
    (``components`` uses ``subgroups`` and ``levels``; ``rating`` uses ``components``).
    """

    id: Identifier
    version: Version
    title: NonEmpty
    description: Text = ""
    entity_types: Annotated[list[EntityType], Field(min_length=1)]
    subgroups: Annotated[list[Subgroup], Field(min_length=1)] = list(SUBGROUPS)
    levels: Annotated[list[LevelDoc], Field(min_length=1)]
    components: Annotated[list[ComponentDoc], Field(min_length=1)]
    rating: RatingDoc

    @field_validator("entity_types")
    @classmethod
    def _entity_types_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise _problem("lists an entity type twice")
        return value

    @field_validator("subgroups")
    @classmethod
    def _subgroups_with_all(cls, value: list[str]) -> list[str]:
        problems: list[tuple[Loc, str]] = []
        if "all" not in value:
            problems.append(((), "must include 'all'"))
        if len(set(value)) != len(value):
            problems.append(((), "lists a subgroup twice"))
        _raise_all(problems)
        return [s for s in SUBGROUPS if s in value]  # publishing order

    @field_validator("levels")
    @classmethod
    def _levels_lowest_first(cls, levels: list[LevelDoc]) -> list[LevelDoc]:
        problems = _duplicate_ids(levels, "level")
        if len(levels) < 2:
            problems.append(((), "needs at least two levels (lowest first)"))
        problems += [
            ((i, "points"), "levels go from lowest to highest: points must increase")
            for i in range(1, len(levels)) if levels[i].points <= levels[i - 1].points
        ]
        _raise_all(problems)
        return levels

    @field_validator("components")
    @classmethod
    def _components_fit(cls, components: list[ComponentDoc], info: ValidationInfo
                        ) -> list[ComponentDoc]:
        problems = _duplicate_ids(components, "component")
        all_ids = [m.id for c in components for m in c.metrics]
        for dup in dict.fromkeys(x for x in all_ids if all_ids.count(x) > 1):
            problems.append(((), f"metric id {dup!r} is used in two components"))
        if not any(c.weight > 0 and any(m.weight > 0 for m in c.metrics) for c in components):
            problems.append(((), "at least one component with weight > 0 must have a rated "
                             "metric (weight > 0)"))
        levels: list[LevelDoc] | None = info.data.get("levels")
        subgroups: list[str] | None = info.data.get("subgroups")
        for ci, comp in enumerate(components):
            for mi, metric in enumerate(comp.metrics):
                at: Loc = (ci, "metrics", mi)
                if levels is not None and metric.cuts is not None:
                    problems += _cut_problems(metric.cuts, metric.resolved_direction,
                                              [lv.id for lv in levels], at)
                if subgroups is not None and metric.rated_subgroups is not None:
                    problems += [
                        ((*at, "rated_subgroups", i),
                         f"must be one of {', '.join(subgroups)} (got {s!r})")
                        for i, s in enumerate(metric.rated_subgroups) if s not in subgroups
                    ]
        _raise_all(problems)
        return components

    @field_validator("rating")
    @classmethod
    def _rating_fits(cls, rating: RatingDoc, info: ValidationInfo) -> RatingDoc:
        components: list[ComponentDoc] | None = info.data.get("components")
        if components is not None and rating.min_components > len(components):
            _raise_all([(("min_components",), f"must be at most {len(components)}")])
        return rating


def _cut_problems(cuts: dict[str, float], direction: str, level_ids: list[str], at: Loc
                  ) -> list[tuple[Loc, str]]:
    """A cut point for every level above the lowest, moving in the metric's direction."""
    needed = level_ids[1:]
    problems: list[tuple[Loc, str]] = [
        ((*at, "cuts", k), "is required") for k in needed if k not in cuts]
    problems += [
        ((*at, "cuts", k), f"unknown field (allowed: {', '.join(sorted(needed))})")
        for k in cuts if k not in needed
    ]
    order = "increase" if direction == "higher" else "decrease"
    for prev, k in itertools.pairwise(k for k in needed if k in cuts):
        backwards = cuts[k] < cuts[prev] if order == "increase" else cuts[k] > cuts[prev]
        if backwards:
            problems.append(((*at, "cuts", k), f"cut points must {order} from level to level "
                             f"(direction: {direction})"))
    return problems


# ----------------------------------------------------------------------------------------------
# Pydantic's errors in our notation


def _path(loc: Loc) -> str:
    """``("components", 1, "metrics", 0, "cuts", "exemplary")`` -> the notation of errors."""
    path = ""
    for i, part in enumerate(loc):
        if part == "[key]":  # pydantic's marker: the mapping key before it is at fault
            continue
        if isinstance(part, int) and loc[i + 1:i + 2] != ("[key]",):
            path += f"[{part}]"
        else:
            path = _join(path, str(part))
    return path


def _unwrap(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            inner = [a for a in get_args(annotation) if a is not type(None)]
            if len(inner) != 1:
                return annotation
            annotation = inner[0]
        else:
            return annotation


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The document model found at ``loc`` in a framework document, if there is one."""
    node: Any = FrameworkDoc
    for part in loc:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel) and isinstance(part, str):
            if part not in node.model_fields:
                return None
            node = node.model_fields[part].annotation
        elif get_origin(node) is list and isinstance(part, int):
            node = get_args(node)[0]
        else:
            return None
    node = _unwrap(node)
    return node if isinstance(node, type) and issubclass(node, BaseModel) else None


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(error: ErrorDetails) -> str:
    """Pydantic's error in our plain words."""
    kind, ctx, loc = error["type"], error.get("ctx", {}), error["loc"]
    if kind == "framework":
        return error["msg"]
    if loc and loc[-1] == "[key]":
        return "field names must be strings"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        if model is None:
            return "unknown field"
        return f"unknown field (allowed: {', '.join(sorted(model.model_fields))})"
    simple = {
        "float_type": "must be a number", "float_parsing": "must be a number",
        "int_type": "must be an integer", "int_parsing": "must be an integer",
        "int_from_float": "must be an integer", "string_type": "must be a string",
        "list_type": "must be a list", "dict_type": "must be a mapping",
        "model_type": "must be a mapping", "model_attributes_type": "must be a mapping",
    }
    if kind in simple:
        return simple[kind]
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return "must not be empty" if n == 1 else f"must have at least {n} items"
    if kind == "greater_than_equal":
        return f"must be at least {_number(ctx['ge'])}"
    if kind == "less_than_equal":
        return f"must be at most {_number(ctx['le'])}"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}"
    msg = error["msg"]
    return msg[:1].lower() + msg[1:]


def _issues(exc: ValidationError) -> list[tuple[str, str]]:
    issues = [(_path(e["loc"]), _message(e)) for e in exc.errors(include_url=False)]
    return list(dict.fromkeys(issues))  # once each, in pydantic's order


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ----------------------------------------------------------------------------------------------
# Loading


def framework_from_dict(*, data: Any, source: str = "<dict>") -> Framework:
    """Validate ``data`` (a parsed YAML/JSON document) and return the :class:`Framework`.

    Raises :class:`FrameworkError` naming ``source`` and, for every problem found, its field
    path.
    """
    try:
        doc = FrameworkDoc.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(source, errors=_issues(exc)) from exc
    level_ids = [lv.id for lv in doc.levels]
    return Framework(
        id=doc.id, version=doc.version, title=doc.title,
        entity_types=tuple(doc.entity_types), subgroups=tuple(doc.subgroups),
        levels=tuple(Level(lv.id, lv.id if lv.label is None else lv.label, lv.points)
                     for lv in doc.levels),
        components=tuple(
            Component(id=c.id, title=c.title, weight=c.weight,
                      metrics=tuple(_metric(m, level_ids) for m in c.metrics),
                      implementation_years=_years(c.implementation_years),
                      description=c.description)
            for c in doc.components
        ),
        rating=Rating(kind=doc.rating.type,
                      bands=tuple(RatingBand(b.label, b.min) for b in doc.rating.bands),
                      min_components=doc.rating.min_components,
                      not_rated_label=doc.rating.not_rated_label),
        description=doc.description, source=source, raw=copy.deepcopy(dict(data)),
    )


def _metric(m: MetricDoc, level_ids: list[str]) -> Metric:
    cuts = m.cuts or {}
    return Metric(
        id=m.id, title=m.title, measure=m.measure,
        cuts={k: cuts[k] for k in level_ids[1:] if k in cuts},
        subject=m.subject,
        grades=tuple(sorted(set(m.grades))) if m.grades is not None else None,
        prior_level_max=m.prior_level_max, min_n=m.min_n, weight=m.weight,
        direction=m.resolved_direction,
        rated_subgroups=tuple(m.rated_subgroups) if m.rated_subgroups is not None else ("all",),
        scale=(m.scale.zero_at, m.scale.full_at) if m.scale is not None else None,
        implementation_years=_years(m.implementation_years),
        description=m.description,
    )


def _years(years: YearsDoc | None) -> tuple[int | None, int | None]:
    return (None, None) if years is None else (years.min, years.max)


def load_framework(*, path: str | Path) -> Framework:
    """Read and validate a framework file (``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError(source, "", f"cannot be read ({exc.strerror})") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FrameworkError(source, "", f"is not valid {path.suffix[1:].upper()}: {exc}"
                             ) from exc
    return framework_from_dict(data=data, source=source)


def shipped_frameworks() -> dict[str, Path]:
    """The frameworks shipped with Playbook: ``{id: path}``."""
    return {p.stem: p for p in sorted(FRAMEWORKS_DIR.glob("*.yaml"))}


def load_shipped(*, name: str) -> Framework:
    """Load a shipped framework by its id (file name without ``.yaml``)."""
    paths = shipped_frameworks()
    if name not in paths:
        raise FrameworkError(f"{name}.yaml", "", "no such shipped framework (have: "
                             f"{', '.join(paths)})")
    return load_framework(path=paths[name])


def framework_to_dict(*, framework: Framework) -> dict[str, Any]:
    """The framework as a plain document (what was loaded, normalized by a round trip)."""
    return copy.deepcopy(framework.raw)


def framework_dump(*, framework: Framework, path: str | Path) -> Path:
    """Write the framework as YAML (or JSON for ``.json``) and return the path."""
    path = Path(path)
    doc = framework_to_dict(framework=framework)
    if path.suffix == ".json":
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
    return path


def framework_copy(*, framework: Framework, version: str, changes: Mapping[str, Any] | None = None,
                   new_id: str | None = None) -> Framework:
    """A new version of ``framework``: ``changes`` maps field paths to new values.

    Paths use the same notation as errors and :func:`framework_diff`, with ids in brackets for
    list items that have one: ``{"components[growth].metrics[ela_median_sgp].cuts.exemplary":
    60}``. Numeric indices work too (``components[1].weight``). The copy is validated.
    """
    doc = framework_to_dict(framework=framework)
    doc["version"] = version
    if new_id is not None:
        doc["id"] = new_id
    for path, value in (changes or {}).items():
        _set_path(doc, path, value, framework.source)
    return framework_from_dict(data=doc, source=f"{framework.source} (copy {version})")


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in path.split("."):
        while "[" in chunk:
            head, rest = chunk.split("[", 1)
            if head:
                parts.append(head)
            key, chunk = rest.split("]", 1)
            parts.append(int(key) if key.lstrip("-").isdigit() else f"[{key}]")
        if chunk:
            parts.append(chunk)
    return parts


def _set_path(doc: Any, path: str, value: Any, source: str) -> None:
    parts = _split_path(path)
    node = doc
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, str) and part.startswith("["):
            key = part[1:-1]
            if not isinstance(node, list):
                raise FrameworkError(source, path, f"{key!r} is not in a list")
            idx = next((j for j, item in enumerate(node)
                        if isinstance(item, Mapping) and item.get("id") == key), None)
            if idx is None:
                raise FrameworkError(source, path, f"no item with id {key!r}")
            part = idx
        if isinstance(part, int):
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                raise FrameworkError(source, path, "index out of range")
        elif not isinstance(node, dict):
            raise FrameworkError(source, path, "is not a mapping")
        if last:
            node[part] = value
        else:
            node = node[part]


# ----------------------------------------------------------------------------------------------
# Comparing two versions


@dataclass(frozen=True)
class FrameworkChange:
    """One difference between two framework versions."""

    path: str
    kind: str  # "changed", "added" or "removed"
    old: Any
    new: Any

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {self.new!r}"
        if self.kind == "removed":
            return f"- {self.path}: {self.old!r}"
        return f"~ {self.path}: {self.old!r} -> {self.new!r}"


def framework_diff(*, old: Framework, new: Framework) -> list[FrameworkChange]:
    """Field-by-field differences from ``old`` to ``new``.

    List items with an ``id`` (components, metrics, levels) are matched by id, so reordering is
    not a change and paths read ``components[growth].metrics[ela_median_sgp].cuts.exemplary``.
    """
    changes: list[FrameworkChange] = []
    _diff(framework_to_dict(framework=old), framework_to_dict(framework=new), "", changes)
    return changes


def _diff(a: Any, b: Any, path: str, out: list[FrameworkChange]) -> None:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in list(a) + [k for k in b if k not in a]:
            p = _join(path, str(key))
            if key not in b:
                out.append(FrameworkChange(p, "removed", a[key], None))
            elif key not in a:
                out.append(FrameworkChange(p, "added", None, b[key]))
            else:
                _diff(a[key], b[key], p, out)
        return
    if (isinstance(a, list) and isinstance(b, list) and a and b
            and all(isinstance(x, Mapping) and "id" in x for x in [*a, *b])):
        ia = {x["id"]: x for x in a}
        ib = {x["id"]: x for x in b}
        for key in list(ia) + [k for k in ib if k not in ia]:
            p = f"{path}[{key}]"
            if key not in ib:
                out.append(FrameworkChange(p, "removed", ia[key], None))
            elif key not in ia:
                out.append(FrameworkChange(p, "added", None, ib[key]))
            else:
                _diff(ia[key], ib[key], p, out)
        return
    if a != b:
        out.append(FrameworkChange(path, "changed", a, b))
