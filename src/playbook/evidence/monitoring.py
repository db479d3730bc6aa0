"""Published evidence for the commitments of agreements (the spine's monitoring).

An agreement's commitment names where its evidence comes from: what the party reports, a
published report card (``{"framework": slug, "metric": "points" | "rating"}``, read through
``rating_for``) or published growth results (``{"subject": "math", "metric": "median_sgp" |
"pct_adequate"}``, the latest published run's aggregate for all students). Only published,
aggregate numbers are read (never student records, never a run staff have not published), and
a suppressed number reads as "suppressed", not as a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .reportcard_selectors import publications_current, rating_for
from .selectors import growth_aggregates, growth_publications_current


@dataclass(frozen=True)
class PublishedEvidence:
    value: Decimal | None
    shown: str  # in words: "71.5 points (A) in 2025, school-district-performance"
    school_year: int | None


def published_evidence(*, source: str, ref: dict[str, Any], entity_type: str,
                       entity_id: str) -> PublishedEvidence | None:
    """The latest published value the commitment ``ref`` points at for one entity, or None."""
    if source == "report_card":
        pubs = publications_current()
        if ref.get("framework"):
            pubs = pubs.filter(framework_slug=ref["framework"])
        for pub in pubs.order_by("-school_year"):
            rating = rating_for(entity_type=entity_type, entity_id=entity_id,
                                school_year=pub.school_year, framework_slug=pub.framework_slug)
            if rating is None:
                continue
            if ref.get("metric", "points") == "rating":
                return PublishedEvidence(None, f"rated {rating.rating} in {pub.school_year} "
                                               f"({pub.framework_slug})", pub.school_year)
            shown = (f"{rating.points} points ({rating.rating}) in {pub.school_year} "
                     f"({pub.framework_slug})" if rating.points is not None
                     else f"not rated in {pub.school_year} ({rating.rating})")
            return PublishedEvidence(rating.points, shown, pub.school_year)
        return None
    if source == "growth_run":
        metric = ref.get("metric", "median_sgp")
        growth_pubs = growth_publications_current()
        if ref.get("subject"):
            growth_pubs = growth_pubs.filter(subject=ref["subject"])
        growth_pub = growth_pubs.order_by("-school_year", "-published_at").first()
        if growth_pub is None:
            return None
        run = growth_pub.run
        cell = growth_aggregates(run=run, entity_type=entity_type, entity_id=entity_id).filter(
            subgroup="all").first()
        if cell is None:
            return None
        hidden = cell.adequate_suppressed if metric == "pct_adequate" else cell.sgp_suppressed
        if cell.suppressed or hidden:
            return PublishedEvidence(None, f"suppressed in {run.school_year} (fewer students "
                                           "than the minimum)", run.school_year)
        if metric == "pct_adequate" and cell.pct_adequate_suppressed:
            return PublishedEvidence(None, f"not shown in {run.school_year} (protects a small "
                                           "group)", run.school_year)
        value = cell.pct_adequate if metric == "pct_adequate" else cell.median_sgp
        label = "% on track (adequate growth)" if metric == "pct_adequate" else "median SGP"
        if value is None:
            return PublishedEvidence(None, f"no {label} in {run.school_year}", run.school_year)
        return PublishedEvidence(value, f"{value} {label}, {run.subject} {run.school_year}",
                                 run.school_year)
    return None
