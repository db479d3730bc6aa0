"""``playbook growth``: student growth percentiles from a long score CSV.

Start-up stays light: numpy, pyarrow and the engine are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable


def configure(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """Add the ``growth`` arguments to ``parser`` and return the runner (exit code 0 or 2)."""
    parser.add_argument(
        "--scores",
        required=True,
        metavar="FILE.csv",
        help="long CSV: student_id, year, subject, grade, scale_score",
    )
    parser.add_argument("--subject", required=True, help="subject to analyse, e.g. READING")
    parser.add_argument("--year", required=True, help="current year, e.g. 2025")
    parser.add_argument("--out", required=True, metavar="OUT.csv", help="per-student results")
    parser.add_argument(
        "--knots",
        metavar="KNOTS.json",
        help="knots and boundaries (DEMO format); default: derived from the data",
    )
    parser.add_argument(
        "--cutscores",
        metavar="CUTS.json",
        help="cutscores (DEMO format): adds growth-to-standard targets",
    )
    parser.add_argument(
        "--max-order",
        type=int,
        default=None,
        metavar="N",
        help="use at most N prior years (default: all)",
    )
    parser.add_argument(
        "--wide",
        action="store_true",
        help="--scores is the SGP wide layout (ID, GRADE_<y>..., SS_<y>...)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="processes for model fitting (default: up to 2)"
    )
    parser.add_argument(
        "--provenance",
        metavar="FILE.json",
        help="also write the config, fingerprint and models used",
    )
    return run


def run(args: argparse.Namespace) -> int:
    """Compute growth for one subject and year and write the CSV (and provenance)."""
    # one BLAS thread per process: the solver works on many small matrices and parallelises
    # over models with processes instead
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from playbook.analytics.growth.config import (
        ConfigError,
        GrowthConfig,
        load_cutscores,
        load_knots,
    )
    from playbook.analytics.growth.data import ScoreFileError, write_csv_atomic

    try:
        knots = load_knots(path=args.knots, subject=args.subject) if args.knots else None
        cutscores = None
        extra: dict[str, object] = {}
        if args.cutscores:
            cutscores, g_cuts, g_labels = load_cutscores(path=args.cutscores, subject=args.subject)
            if g_cuts is not None and g_labels is not None:
                extra = {"growth_cuts": g_cuts, "growth_labels": g_labels}
        config = GrowthConfig(
            knots=knots,
            cutscores=cutscores,
            max_order=args.max_order,
            workers=args.workers,
            **extra,  # type: ignore[arg-type]
        )
        from playbook.analytics.growth.engine import compute_growth

        if args.wide:
            from playbook.analytics.growth.data import read_wide_csv

            scores: object = read_wide_csv(args.scores, subject=args.subject)
        else:
            scores = args.scores
        result = compute_growth(
            scores=scores,
            subject=args.subject,
            year=args.year,
            config=config,
        )
        write_csv_atomic(result.table, args.out)
        if args.provenance:
            import json
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(args.provenance)))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(result.provenance, fh, indent=1)
            os.replace(tmp, args.provenance)
    except ScoreFileError as exc:
        for line in exc.lines():
            print(f"playbook growth: {line}", file=sys.stderr)
        plural = "s" if exc.count != 1 else ""
        print(
            f"playbook growth: {exc.file}: {exc.count} problem{plural}; nothing was written",
            file=sys.stderr,
        )
        return 2
    except ConfigError as exc:
        print(f"playbook growth: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"playbook growth: {args.scores}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"playbook growth: {exc}", file=sys.stderr)
        return 2
    n = result.table.num_rows
    n_sgp = n - result.table.column("sgp").null_count
    print(
        f"{args.subject} {args.year}: {n} students, {n_sgp} with an SGP, "
        f"{len(result.models)} models; fingerprint {result.fingerprint} -> {args.out}",
        file=sys.stderr,
    )
    return 0
