"""Report-card frameworks: versioned data (YAML or JSON), validated on load.

A framework says which entity types it rates, its components and their metrics (what is
counted, over which students and years, the minimum n to rate), the cut points that make each
metric insufficient / sufficient / exemplary, the weights, how components roll up into an
overall rating (A-F letters or plan types) and which subgroups are reported. The shipped
frameworks live next to this file in ``frameworks/``; ``docs/report-cards.md`` describes the
format field by field.

Every validation error names the file and the field path, e.g.
``my-framework.yaml: components[1].metrics[0].cuts.exemplary: must be a number``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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


class FrameworkError(ValueError):
    """A framework file that does not validate; the message names the file and field path."""

    def __init__(self, source: str, path: str, message: str) -> None:
        self.source = source
        self.path = path
        self.message = message
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")


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
# Validation helpers


class _V:
    """A small validator that remembers where it is in the document."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> FrameworkError:
        return FrameworkError(self.source, path, message)

    def mapping(self, value: Any, path: str, *, required: Sequence[str],
                optional: Sequence[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, "must be a mapping")
        for key in required:
            if key not in value:
                raise self.fail(_join(path, key), "is required")
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                raise self.fail(_join(path, str(key)),
                                f"unknown field (allowed: {', '.join(sorted(allowed))})")
        return value

    def string(self, value: Any, path: str, *, pattern_ok: bool = False) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "must be a non-empty string")
        if pattern_ok and not all(ch.isalnum() or ch in "-_" for ch in value):
            raise self.fail(path, "may contain only letters, digits, '-' and '_'")
        return value

    def number(self, value: Any, path: str, *, minimum: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, "must be a number")
        if minimum is not None and value < minimum:
            raise self.fail(path, f"must be at least {minimum:g}")
        return float(value)

    def integer(self, value: Any, path: str, *, minimum: int | None = None,
                maximum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "must be an integer")
        if minimum is not None and value < minimum:
            raise self.fail(path, f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise self.fail(path, f"must be at most {maximum}")
        return value

    def choice(self, value: Any, path: str, choices: Sequence[str]) -> str:
        if value not in choices:
            raise self.fail(path, f"must be one of {', '.join(choices)} (got {value!r})")
        return str(value)

    def seq(self, value: Any, path: str, *, nonempty: bool = True) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, "must be a list")
        if nonempty and not value:
            raise self.fail(path, "must not be empty")
        return value

    def unique(self, ids: list[str], path: str, what: str) -> None:
        seen: set[str] = set()
        for i, x in enumerate(ids):
            if x in seen:
                raise self.fail(f"{path}[{i}].id", f"duplicate {what} id {x!r}")
            seen.add(x)

    def years(self, value: Any, path: str) -> tuple[int | None, int | None]:
        if value is None:
            return (None, None)
        m = self.mapping(value, path, required=(), optional=("min", "max"))
        lo = self.integer(m["min"], _join(path, "min"), minimum=1) if "min" in m else None
        hi = self.integer(m["max"], _join(path, "max"), minimum=1) if "max" in m else None
        if lo is not None and hi is not None and hi < lo:
            raise self.fail(_join(path, "max"), "must not be below min")
        return (lo, hi)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ----------------------------------------------------------------------------------------------
# Loading


def framework_from_dict(*, data: Any, source: str = "<dict>") -> Framework:
    """Validate ``data`` (a parsed YAML/JSON document) and return the :class:`Framework`.

    Raises :class:`FrameworkError` naming ``source`` and the field path of the first problem.
    """
    v = _V(source)
    top = v.mapping(data, "", required=("id", "version", "title", "entity_types", "levels",
                                        "components", "rating"),
                    optional=("description", "subgroups"))
    fid = v.string(top["id"], "id", pattern_ok=True)
    version = top["version"]
    if isinstance(version, bool) or not isinstance(version, str | int | float):
        raise v.fail("version", "must be a string or number")
    version = str(version)
    title = v.string(top["title"], "title")
    description = str(top.get("description", "") or "")

    entity_types = tuple(
        v.choice(x, f"entity_types[{i}]", ENTITY_TYPES)
        for i, x in enumerate(v.seq(top["entity_types"], "entity_types"))
    )
    if len(set(entity_types)) != len(entity_types):
        raise v.fail("entity_types", "lists an entity type twice")

    subgroups_raw = top.get("subgroups", list(SUBGROUPS))
    subgroups = tuple(
        v.choice(x, f"subgroups[{i}]", SUBGROUPS)
        for i, x in enumerate(v.seq(subgroups_raw, "subgroups"))
    )
    if "all" not in subgroups:
        raise v.fail("subgroups", "must include 'all'")
    if len(set(subgroups)) != len(subgroups):
        raise v.fail("subgroups", "lists a subgroup twice")
    subgroups = tuple(s for s in SUBGROUPS if s in subgroups)

    levels_raw = v.seq(top["levels"], "levels")
    levels: list[Level] = []
    for i, lv in enumerate(levels_raw):
        p = f"levels[{i}]"
        m = v.mapping(lv, p, required=("id", "points"), optional=("label",))
        lid = v.string(m["id"], f"{p}.id", pattern_ok=True)
        levels.append(Level(lid, str(m.get("label", lid)), v.number(m["points"], f"{p}.points")))
    v.unique([lv.id for lv in levels], "levels", "level")
    if len(levels) < 2:
        raise v.fail("levels", "needs at least two levels (lowest first)")
    for i in range(1, len(levels)):
        if levels[i].points <= levels[i - 1].points:
            raise v.fail(f"levels[{i}].points", "levels go from lowest to highest: points must "
                         "increase")
    level_ids = [lv.id for lv in levels]

    components: list[Component] = []
    for ci, comp in enumerate(v.seq(top["components"], "components")):
        cp = f"components[{ci}]"
        cm = v.mapping(comp, cp, required=("id", "title", "weight", "metrics"),
                       optional=("description", "implementation_years"))
        metrics = [
            _metric(v, mm, f"{cp}.metrics[{mi}]", level_ids, subgroups)
            for mi, mm in enumerate(v.seq(cm["metrics"], f"{cp}.metrics"))
        ]
        v.unique([m.id for m in metrics], f"{cp}.metrics", "metric")
        components.append(Component(
            id=v.string(cm["id"], f"{cp}.id", pattern_ok=True),
            title=v.string(cm["title"], f"{cp}.title"),
            weight=v.number(cm["weight"], f"{cp}.weight", minimum=0),
            metrics=tuple(metrics),
            implementation_years=v.years(cm.get("implementation_years"),
                                         f"{cp}.implementation_years"),
            description=str(cm.get("description", "") or ""),
        ))
    v.unique([c.id for c in components], "components", "component")
    all_ids = [m.id for c in components for m in c.metrics]
    if len(set(all_ids)) != len(all_ids):
        dup = next(x for x in all_ids if all_ids.count(x) > 1)
        raise v.fail("components", f"metric id {dup!r} is used in two components")
    if not any(c.weight > 0 and any(m.rated for m in c.metrics) for c in components):
        raise v.fail("components", "at least one component with weight > 0 must have a rated "
                     "metric (weight > 0)")

    rating = _rating(v, top["rating"], len(components))
    return Framework(
        id=fid, version=version, title=title, entity_types=entity_types, subgroups=subgroups,
        levels=tuple(levels), components=tuple(components), rating=rating,
        description=description, source=source, raw=copy.deepcopy(dict(top)),
    )


def _metric(v: _V, value: Any, p: str, level_ids: list[str], subgroups: tuple[str, ...]
            ) -> Metric:
    m = v.mapping(value, p, required=("id", "title", "measure"),
                  optional=("cuts", "subject", "grades", "prior_level_max", "min_n", "weight",
                            "direction", "rated_subgroups", "scale", "implementation_years",
                            "description"))
    measure = v.choice(m["measure"], f"{p}.measure", tuple(MEASURES))
    source, unit, default_direction = MEASURES[measure]
    subject = None
    if source in STUDENT_MEASURE_SOURCES:
        if "subject" not in m:
            raise v.fail(f"{p}.subject", f"is required for measure {measure}")
        subject = v.choice(m["subject"], f"{p}.subject", SUBJECTS)
    elif "subject" in m:
        raise v.fail(f"{p}.subject", f"does not apply to measure {measure}")
    grades: tuple[int, ...] | None = None
    if "grades" in m:
        if source not in STUDENT_MEASURE_SOURCES:
            raise v.fail(f"{p}.grades", f"does not apply to measure {measure}")
        grades = tuple(sorted({
            v.integer(g, f"{p}.grades[{i}]", minimum=-1, maximum=12)
            for i, g in enumerate(v.seq(m["grades"], f"{p}.grades"))
        }))
    prior = None
    if "prior_level_max" in m:
        if source != "growth":
            raise v.fail(f"{p}.prior_level_max", "applies only to growth measures")
        prior = v.integer(m["prior_level_max"], f"{p}.prior_level_max", minimum=1, maximum=5)
    direction = v.choice(m.get("direction", default_direction), f"{p}.direction",
                         ("higher", "lower"))
    weight = v.number(m.get("weight", 1), f"{p}.weight", minimum=0)
    if "cuts" not in m and weight > 0:
        raise v.fail(f"{p}.cuts", "is required for a rated metric (weight > 0)")
    cuts_m = v.mapping(m.get("cuts", {}), f"{p}.cuts",
                       required=tuple(level_ids[1:]) if "cuts" in m else (), optional=())
    cuts = {k: v.number(cuts_m[k], f"{p}.cuts.{k}") for k in level_ids[1:] if k in cuts_m}
    values = [cuts[k] for k in level_ids[1:] if k in cuts]
    for i in range(1, len(values)):
        bad = values[i] < values[i - 1] if direction == "higher" else values[i] > values[i - 1]
        if bad:
            order = "increase" if direction == "higher" else "decrease"
            raise v.fail(f"{p}.cuts.{level_ids[i + 1]}",
                         f"cut points must {order} from level to level (direction: {direction})")
    rated_sg: tuple[str, ...] = ("all",)
    if "rated_subgroups" in m:
        rated_sg = tuple(
            v.choice(x, f"{p}.rated_subgroups[{i}]", subgroups)
            for i, x in enumerate(v.seq(m["rated_subgroups"], f"{p}.rated_subgroups"))
        )
    if unit == "gap" and "all" in rated_sg:
        raise v.fail(f"{p}.rated_subgroups", "a growth gap has no value for 'all'; name the "
                     "subgroups to rate")
    scale = None
    if "scale" in m:
        s = v.mapping(m["scale"], f"{p}.scale", required=("zero_at", "full_at"), optional=())
        z = v.number(s["zero_at"], f"{p}.scale.zero_at")
        f = v.number(s["full_at"], f"{p}.scale.full_at")
        if z == f:
            raise v.fail(f"{p}.scale.full_at", "must differ from zero_at")
        scale = (z, f)
    return Metric(
        id=v.string(m["id"], f"{p}.id", pattern_ok=True),
        title=v.string(m["title"], f"{p}.title"),
        measure=measure, cuts=cuts, subject=subject, grades=grades, prior_level_max=prior,
        min_n=v.integer(m.get("min_n", 0), f"{p}.min_n", minimum=0),
        weight=weight,
        direction=direction, rated_subgroups=rated_sg, scale=scale,
        implementation_years=v.years(m.get("implementation_years"), f"{p}.implementation_years"),
        description=str(m.get("description", "") or ""),
    )


def _rating(v: _V, value: Any, n_components: int) -> Rating:
    r = v.mapping(value, "rating", required=("type", "bands"),
                  optional=("min_components", "not_rated_label"))
    kind = v.choice(r["type"], "rating.type", ("letter", "plan"))
    bands: list[RatingBand] = []
    for i, b in enumerate(v.seq(r["bands"], "rating.bands")):
        p = f"rating.bands[{i}]"
        bm = v.mapping(b, p, required=("label", "min"), optional=())
        bands.append(RatingBand(v.string(bm["label"], f"{p}.label"),
                                v.number(bm["min"], f"{p}.min", minimum=0)))
        if i and bands[i].min >= bands[i - 1].min:
            raise v.fail(f"{p}.min", "bands go from best to worst: min must decrease")
    if bands[-1].min != 0:
        raise v.fail(f"rating.bands[{len(bands) - 1}].min", "the last band must start at 0")
    labels = [b.label for b in bands]
    if len(set(labels)) != len(labels):
        raise v.fail("rating.bands", "a label is used twice")
    min_c = v.integer(r.get("min_components", 1), "rating.min_components", minimum=1,
                      maximum=n_components)
    return Rating(kind=kind, bands=tuple(bands), min_components=min_c,
                  not_rated_label=str(r.get("not_rated_label", "Insufficient data")))


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
