"""Student growth percentiles (the Colorado Growth Model, as the R package SGP computes them).

Public API::

    compute_growth(scores=..., subject=..., year=..., config=GrowthConfig(...)) -> GrowthResult
    aggregate_growth(results=..., groups=...) -> pyarrow.Table

Heavy modules load on first use so that ``import playbook.analytics.growth`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playbook.analytics.growth.aggregate import aggregate_growth
    from playbook.analytics.growth.config import Cutscores, GrowthConfig, load_cutscores, load_knots
    from playbook.analytics.growth.data import (
        Problem,
        ScoreFileError,
        read_scores_csv,
        read_sgp_long_sample,
        read_wide_csv,
        wide_to_long,
    )
    from playbook.analytics.growth.engine import GrowthResult, SmallCohort, compute_growth

__all__ = [
    "Cutscores",
    "GrowthConfig",
    "GrowthResult",
    "Problem",
    "ScoreFileError",
    "SmallCohort",
    "aggregate_growth",
    "compute_growth",
    "load_cutscores",
    "load_knots",
    "read_scores_csv",
    "read_sgp_long_sample",
    "read_wide_csv",
    "wide_to_long",
]

_WHERE = {
    "aggregate_growth": "aggregate",
    "Cutscores": "config",
    "GrowthConfig": "config",
    "load_cutscores": "config",
    "load_knots": "config",
    "Problem": "data",
    "ScoreFileError": "data",
    "read_scores_csv": "data",
    "read_sgp_long_sample": "data",
    "read_wide_csv": "data",
    "wide_to_long": "data",
    "GrowthResult": "engine",
    "SmallCohort": "engine",
    "compute_growth": "engine",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        module = importlib.import_module(f"playbook.analytics.growth.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(name)
