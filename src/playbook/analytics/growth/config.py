"""Configuration of a growth run: knots, cutscores, growth levels, and its fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from playbook.analytics.growth.bspline import GradeKnots

ENGINE_VERSION = "playbook-sgp/1.1"  # 1.1: the R rules for derived knots, lagged targets, statuses
N_TAUS = 100
PREDICTION_DIGITS = 5
DEFAULT_GROWTH_CUTS = (20, 40, 61, 81)
DEFAULT_GROWTH_LABELS = ("Very Low", "Low", "Typical", "High", "Very High")
#: knots derived as ``studentGrowthPercentiles`` derives them (the default) or as ``prepareSGP``
#: does; see :func:`playbook.analytics.growth.engine.resolve_knots`
KNOTS_RULES = ("studentGrowthPercentiles", "prepareSGP")


class ConfigError(ValueError):
    """A knots or cutscores file (or a setting) that cannot be used."""


@dataclass(frozen=True, slots=True)
class Cutscores:
    """Achievement cutscores of one subject: ``cuts[grade]`` are ascending scale-score cuts.

    A score equal to or above a cut is in the higher level; ``labels`` name the
    ``len(cuts) + 1`` levels and ``proficient`` says which of them count as proficient.
    """

    cuts: Mapping[int, tuple[float, ...]]
    labels: tuple[str, ...]
    proficient: tuple[bool, ...]

    @property
    def proficient_level(self) -> int:
        """Index of the lowest proficient level (its lower cut is the proficiency cut)."""
        for i, flag in enumerate(self.proficient):
            if flag:
                return i
        raise ConfigError("no achievement level is marked proficient")

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (for fingerprints and provenance)."""
        return {
            "cuts": {str(g): list(c) for g, c in sorted(self.cuts.items())},
            "labels": list(self.labels),
            "proficient": list(self.proficient),
        }


@dataclass(frozen=True, slots=True)
class GrowthConfig:
    """Settings of an SGP run (SGP package defaults unless stated).

    ``knots``: per-grade spline settings for the subject, or ``None`` to derive them from the
    data. ``cutscores``: enables growth-to-standard targets. ``max_order``: highest number of
    prior scores used (``None``: all available). ``workers``: processes used to fit models
    (``None``: up to 2, by CPU count; 1: in-process). ``projection_years``: the catch-up horizon.
    ``knots_rule``: how knots are derived when ``knots`` is ``None`` (:data:`KNOTS_RULES`);
    ``knots_derived_by`` records the rule on a result's config whose knots were derived.
    ``trajectory_percentiles``: the percentile trajectories written with ``projections``
    (``lagged_trajectory_percentiles`` for the lagged ones); ``projections``: also return the
    trajectories and the per-year targets.
    """

    knots: Mapping[int, GradeKnots] | None = None
    cutscores: Cutscores | None = None
    max_order: int | None = None
    growth_cuts: tuple[int, ...] = DEFAULT_GROWTH_CUTS
    growth_labels: tuple[str, ...] = DEFAULT_GROWTH_LABELS
    projection_years: int = 3
    workers: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    knots_rule: str = KNOTS_RULES[0]
    knots_derived_by: str | None = None
    projections: bool = False
    trajectory_percentiles: tuple[int, ...] = (1, 20, 40, 50, 61, 81, 99)
    lagged_trajectory_percentiles: tuple[int, ...] = (1, 20, 40, 50, 61, 81, 99)

    def __post_init__(self) -> None:
        if self.max_order is not None and self.max_order < 1:
            raise ConfigError("max_order must be at least 1")
        if len(self.growth_labels) != len(self.growth_cuts) + 1:
            raise ConfigError("growth_labels needs one label more than growth_cuts")
        if list(self.growth_cuts) != sorted(self.growth_cuts):
            raise ConfigError("growth_cuts must ascend")
        if self.projection_years < 1:
            raise ConfigError("projection_years must be at least 1")
        if self.knots_rule not in KNOTS_RULES:
            raise ConfigError(
                f"knots_rule must be one of {', '.join(KNOTS_RULES)} (not {self.knots_rule!r})"
            )
        for name in ("trajectory_percentiles", "lagged_trajectory_percentiles"):
            if any(not 1 <= int(v) <= N_TAUS for v in getattr(self, name)):
                raise ConfigError(f"{name} must be whole numbers from 1 to {N_TAUS}")

    def with_knots(
        self, knots: Mapping[int, GradeKnots], *, derived_by: str | None = None
    ) -> GrowthConfig:
        """The same settings with the given knots (used to record derived knots and the rule
        that derived them)."""
        return replace(self, knots=dict(knots), knots_derived_by=derived_by)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form of everything that affects results (``workers`` does not)."""
        return {
            "engine": ENGINE_VERSION,
            "taus": N_TAUS,
            "prediction_digits": PREDICTION_DIGITS,
            "knots": None
            if self.knots is None
            else {str(g): k.to_json() for g, k in sorted(self.knots.items())},
            "cutscores": None if self.cutscores is None else self.cutscores.to_json(),
            "max_order": self.max_order,
            "growth_cuts": list(self.growth_cuts),
            "growth_labels": list(self.growth_labels),
            "projection_years": self.projection_years,
            "extra": dict(self.extra),
            # only when knots were derived, so the fingerprints of runs with given knots stay
            **({"knots_derived_by": self.knots_derived_by} if self.knots_derived_by else {}),
            **(
                {
                    "trajectory_percentiles": list(self.trajectory_percentiles),
                    "lagged_trajectory_percentiles": list(self.lagged_trajectory_percentiles),
                }
                if self.projections
                else {}
            ),
        }

    def fingerprint(self) -> str:
        """A short stable hash of :meth:`to_json` (with the engine version), for provenance."""
        blob = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _subject_block(data: Mapping[str, Any], subject: str, what: str, path: str) -> Any:
    if subject in data:
        return data[subject]
    folded = {str(k).casefold(): v for k, v in data.items()}
    if subject.casefold() in folded:
        return folded[subject.casefold()]
    raise ConfigError(f"{path}: no {what} for subject {subject!r} (has {', '.join(data)})")


def _read_json(path: str | Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


def load_knots(*, path: str | Path, subject: str) -> dict[int, GradeKnots]:
    """Read per-grade knots for ``subject`` from a file in the DEMO knots format.

    The file maps ``Knots_Boundaries`` (optional wrapper) -> subject -> ``knots_<g>``,
    ``boundaries_<g>``, ``loss.hoss_<g>``. Grades without ``loss.hoss`` use the boundaries.
    """
    data = _read_json(path)
    if isinstance(data, dict) and "Knots_Boundaries" in data:
        data = data["Knots_Boundaries"]
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected an object of subjects")
    block = _subject_block(data, subject, "knots", str(path))
    out: dict[int, GradeKnots] = {}
    for key, value in block.items():
        if not key.startswith("knots_"):
            continue
        grade_s = key.removeprefix("knots_")
        try:
            grade = int(grade_s)
        except ValueError:
            continue  # end-of-course entries such as knots_EOCT are not grade progressions
        bnd = block.get(f"boundaries_{grade_s}")
        if bnd is None or len(bnd) != 2:
            raise ConfigError(f"{path}: {subject} grade {grade}: boundaries_{grade_s} missing")
        lh = block.get(f"loss.hoss_{grade_s}", bnd)
        knots = tuple(float(v) for v in value)
        if list(knots) != sorted(knots) or not knots:
            raise ConfigError(f"{path}: {subject} grade {grade}: knots must ascend")
        out[grade] = GradeKnots(
            knots=knots,
            boundaries=(float(bnd[0]), float(bnd[1])),
            loss_hoss=(float(lh[0]), float(lh[1])),
        )
    if not out:
        raise ConfigError(f"{path}: no knots_<grade> entries for subject {subject!r}")
    return out


def load_cutscores(
    *, path: str | Path, subject: str
) -> tuple[Cutscores, tuple[int, ...] | None, tuple[str, ...] | None]:
    """Read cutscores for ``subject`` (DEMO cutscores format) and optional growth levels.

    Returns ``(cutscores, growth_cuts, growth_labels)``; the growth parts are ``None`` when the
    file has no ``Growth_Levels``.
    """
    data = _read_json(path)
    if not isinstance(data, dict) or "Cutscores" not in data:
        raise ConfigError(f"{path}: expected a 'Cutscores' object")
    block = _subject_block(data["Cutscores"], subject, "cutscores", str(path))
    cuts: dict[int, tuple[float, ...]] = {}
    for key, value in block.items():
        try:
            grade = int(str(key).removeprefix("GRADE_"))
        except ValueError:
            continue
        cut = tuple(float(v) for v in value)
        if list(cut) != sorted(cut):
            raise ConfigError(f"{path}: {subject} {key}: cuts must ascend")
        cuts[grade] = cut
    if not cuts:
        raise ConfigError(f"{path}: no GRADE_<g> cutscores for subject {subject!r}")
    n_levels = len(next(iter(cuts.values()))) + 1
    if any(len(c) + 1 != n_levels for c in cuts.values()):
        raise ConfigError(f"{path}: {subject}: grades have different numbers of cuts")
    levels = data.get("Achievement_Levels", {})
    labels = tuple(str(v) for v in levels.get("Labels", []))[:n_levels]
    if len(labels) < n_levels:
        labels = tuple(f"Level {i + 1}" for i in range(n_levels))
    prof_raw = list(levels.get("Proficient", []))[:n_levels]
    if len(prof_raw) < n_levels:
        # without flags: the upper half of the levels is proficient
        proficient = tuple(i >= n_levels // 2 for i in range(n_levels))
    else:
        proficient = tuple(v == "Proficient" for v in prof_raw)
    result = Cutscores(cuts=cuts, labels=labels, proficient=proficient)
    result.proficient_level  # noqa: B018 - validates that a proficient level exists
    growth = data.get("Growth_Levels")
    if isinstance(growth, dict) and "Cuts" in growth:
        g_cuts = tuple(int(v) for v in growth["Cuts"])
        g_labels = tuple(str(v) for v in growth.get("Levels", []))
        if len(g_labels) != len(g_cuts) + 1:
            g_labels = tuple(f"Level {i + 1}" for i in range(len(g_cuts) + 1))
        return result, g_cuts, g_labels
    return result, None, None


def load_trajectory_percentiles(
    *, path: str | Path, growth_cuts: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The percentile trajectories R writes in a growth-to-standard run, from a cutscores file
    (``analyzeSGP``, ``R/analyzeSGP.R`` lines 130-146 and 346-349, with the
    ``unique(c(1, ..., 99))`` of line 1560): the growth-level cuts, 50, the file's
    ``SGP_Configuration.percentile.trajectory.values``, 1 and 99 for the current projections;
    ``SGP_Configuration.lagged.percentile.trajectory.values`` (none without it) for the lagged
    ones."""
    data = _read_json(path)
    conf = data.get("SGP_Configuration", {}) if isinstance(data, dict) else {}
    if not isinstance(conf, dict):
        conf = {}

    def values(key: str) -> list[int]:
        raw = conf.get(key) or []
        if not isinstance(raw, list) or not all(
            isinstance(v, (int, float)) and 1 <= v <= N_TAUS for v in raw
        ):
            raise ConfigError(f"{path}: SGP_Configuration.{key} must list percentiles 1 to 99")
        return [int(v) for v in raw]

    current = sorted({1, 50, 99, *growth_cuts, *values("percentile.trajectory.values")})
    lagged = sorted(set(values("lagged.percentile.trajectory.values")))
    return tuple(current), tuple(lagged)
