"""Rubric scores: checking them against a rubric version and computing the weighted total.

Pure: the rubric is any sequence of criteria with ``key``, ``title``, ``weight``, ``scale_min``
and ``scale_max`` (``programs.rules.Criterion``).

The weighted total is on a 0-100 scale, whatever each criterion's scale::

    total = 100 * sum(weight_c * (score_c - min_c) / (max_c - min_c)) / sum(weight_c)

so a rubric of weights 30/25/20/25 scored 0-5 gives points out of 100, and rubrics with mixed
scales still add up. Normalization works on this total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

TOTAL_MIN = Decimal("0")
TOTAL_MAX = Decimal("100")
#: Totals are points kept to two places (not money: ``core.money`` is for dollars).
TOTAL_PLACES = Decimal("0.01")


class CriterionLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def weight(self) -> Decimal: ...
    @property
    def scale_min(self) -> int: ...
    @property
    def scale_max(self) -> int: ...


def score_errors(
    criteria: Sequence[CriterionLike], scores: Mapping[str, Any], *, complete: bool
) -> dict[str, str]:
    """Problems with ``scores``, by criterion key ("" for the whole); {} when they are fine.

    ``complete`` asks for every criterion to be scored (a submission); a draft may leave some
    empty."""
    errors: dict[str, str] = {}
    known = {c.key for c in criteria}
    unknown = sorted(set(scores) - known)
    if unknown:
        errors[""] = f"Not criteria of this rubric: {', '.join(unknown)}."
    for c in criteria:
        value = scores.get(c.key)
        if value is None or value == "":
            if complete:
                errors[c.key] = f"Score {c.title} before submitting."
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[c.key] = f"{c.title}: the score must be a whole number."
        elif not c.scale_min <= value <= c.scale_max:
            errors[c.key] = f"{c.title}: the score must be between {c.scale_min} and {c.scale_max}."
    return errors


def weighted_total(criteria: Sequence[CriterionLike], scores: Mapping[str, int]) -> Decimal:
    """The weighted total on 0-100, to the cent. Every criterion must be scored."""
    total_weight = sum((Decimal(c.weight) for c in criteria), Decimal("0"))
    if total_weight <= 0:
        raise ValueError("the rubric's weights add up to zero")
    points = sum(
        (
            Decimal(c.weight) * Decimal(scores[c.key] - c.scale_min)
            / Decimal(c.scale_max - c.scale_min)
            for c in criteria
        ),
        Decimal("0"),
    )
    return (TOTAL_MAX * points / total_weight).quantize(TOTAL_PLACES, rounding=ROUND_HALF_UP)
