"""Report cards in plain words: the one place the public pages take their sentences from.

What a rating means (by the framework's band labels), why a value has no level, and the
framework's scale as a list a parent can read. Numbers always come from the framework (its cut
points, its minimum number of students to rate), never from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: What each rating means, by band label. A framework whose labels are not here gets a
#: sentence built from its score range only.
BAND_MEANINGS: dict[str, str] = {
    # school-district-performance (plan types, after Colorado's)
    "Performance": "meets the state's expectations. It keeps a performance plan: it sets its "
                   "own goals and reports on them.",
    "Improvement": "meets some of the state's expectations but not all. It must write an "
                   "improvement plan saying what it will change, and the state reads it.",
    "Priority improvement": "falls short of the state's expectations on several measures. Its "
                            "plan is reviewed by the state, which watches its progress closely.",
    "Turnaround": "is far below the state's expectations. It must write a turnaround plan "
                  "with major changes, and the state can step in if it does not improve.",
    # approved-model-report-card (letters)
    "A": "the model does an excellent job for the students who use it.",
    "B": "the model does a good job for the students who use it.",
    "C": "the model does a fair job: some results are good, others need to improve.",
    "D": "the model does a poor job on most measures; the office reviews its approval.",
    "F": "the model fails most measures; low ratings for several years can end its approval.",
}


@dataclass
class ScaleStep:
    label: str
    low: float
    high: float | None  # None: up to the top of the scale
    meaning: str
    current: bool

    @property
    def range_text(self) -> str:
        low = f"{self.low:g}"
        return f"{low} to 100" if self.high is None else f"{low} up to {self.high:g}"


def band_meaning(label: str) -> str:
    return BAND_MEANINGS.get(label, "")


def rating_scale(*, framework: Any, current: str) -> list[ScaleStep]:
    """Every level of the overall rating, best first, with its score range and meaning."""
    bands = list(framework.rating.bands)
    steps = []
    for i, band in enumerate(bands):
        high = bands[i - 1].min if i > 0 else None
        steps.append(ScaleStep(label=band.label, low=band.min, high=high,
                               meaning=band_meaning(band.label), current=band.label == current))
    return steps


def rating_sentence(*, entity_label: str, rating: str, framework: Any) -> str:
    """E.g. "Improvement means this school meets some of the state's expectations ..."."""
    meaning = band_meaning(rating)
    if rating == framework.rating.not_rated_label:
        return (f"This {entity_label.lower()} is not rated this year: too few of its "
                f"components had enough students to rate (the framework needs "
                f"{framework.rating.min_components}).")
    if not meaning:
        return ""
    if meaning.startswith("the model"):
        return f"{rating} means {meaning}"
    return f"{rating} means this {entity_label.lower()} {meaning}"


def no_level_reason(*, metric: Any, subgroup: str, n: int | None, run_min_n: int) -> str:
    """Why a shown value has no level, in the framework's own numbers."""
    if not metric.rated:
        return "reported for information; not rated"
    if subgroup not in metric.rated_subgroups:
        return ("shown for information; the rating counts " +
                ("all students" if metric.rated_subgroups == ("all",) else
                 "only the groups named in the framework"))
    need = max(metric.min_n, run_min_n)
    if n is not None and n < need:
        return (f"not rated: fewer than {need} students, this framework's minimum for "
                "rating")
    return "not rated this year"
