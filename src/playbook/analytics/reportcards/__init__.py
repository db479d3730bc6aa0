"""Report cards: versioned frameworks, computation on DuckDB or Spark, privacy suppression.

Public API::

    load_framework(path=...) / load_shipped(name=...) / framework_from_dict(data=...)
        -> Framework, or FrameworkError listing every problem (.errors: [FrameworkIssue])
    framework_copy(framework=..., version=..., changes={...}) / framework_dump(...)
    framework_diff(old=..., new=...) -> list[FrameworkChange]
    compute_report_cards(framework=..., lake_paths=..., entities=..., growth=..., engine=...,
                         min_n=10) -> ReportCardResult
    write_results(result, out_dir) -> {"results": Path, "ratings": Path}
    compare_results(old=..., new=...) -> pyarrow.Table

Pure Python (no Django); see docs/report-cards.md.
"""

from .compute import (
    EntitiesError,
    ReportCardResult,
    compare_results,
    compute_report_cards,
    write_results,
)
from .framework import (
    Framework,
    FrameworkChange,
    FrameworkError,
    FrameworkIssue,
    framework_copy,
    framework_diff,
    framework_dump,
    framework_from_dict,
    framework_to_dict,
    load_framework,
    load_shipped,
    shipped_frameworks,
)

__all__ = [
    "EntitiesError",
    "Framework",
    "FrameworkChange",
    "FrameworkError",
    "FrameworkIssue",
    "ReportCardResult",
    "compare_results",
    "compute_report_cards",
    "framework_copy",
    "framework_diff",
    "framework_dump",
    "framework_from_dict",
    "framework_to_dict",
    "load_framework",
    "load_shipped",
    "shipped_frameworks",
    "write_results",
]
