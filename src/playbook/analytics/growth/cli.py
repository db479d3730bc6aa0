"""``playbook growth``: student growth percentiles from a long score CSV.

Start-up stays light: numpy, pyarrow and the engine are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

    from playbook.analytics.growth.config import GrowthConfig


def configure(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """Add the ``growth`` arguments to ``parser`` and return the runner (exit code 0 or 2)."""
    parser.add_argument(
        "--scores",
        required=True,
        metavar="FILE.csv",
        help="long CSV: student_id, year, subject, grade, scale_score, or R's long layout "
        "(VALID_CASE, CONTENT_AREA, YEAR, ID, GRADE, SCALE_SCORE, ...); .csv.gz is read too",
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
        "--knots-from",
        choices=("studentGrowthPercentiles", "prepareSGP"),
        default="studentGrowthPercentiles",
        help="without --knots: derive knots as R's studentGrowthPercentiles does (the prior "
        "years' scores; the default) or as prepareSGP does (every score of the subject)",
    )
    parser.add_argument(
        "--projections",
        action="store_true",
        help="with --cutscores: also write the percentile trajectories and the SGP targets "
        "of every cut for each projected year",
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
    """Compute growth for one subject and year and write the CSV (and provenance).

    Exit status 0 on success, 2 for bad input (every problem of a file listed, one line each),
    1 for an internal error (one line; ``PLAYBOOK_DEBUG=1`` adds the traceback). On failure
    nothing is written.
    """
    # one BLAS thread per process: the solver works on many small matrices and parallelises
    # over models with processes instead
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from playbook.analytics.growth.config import ConfigError
    from playbook.analytics.growth.data import ScoreFileError

    def say(line: str) -> None:
        print(f"playbook growth: {line}", file=sys.stderr)

    try:
        return _run(args, say)
    except ScoreFileError as exc:
        for line in exc.lines():
            say(line)
        plural = "s" if exc.count != 1 else ""
        say(f"{exc.file}: {exc.count} problem{plural}; nothing was written")
    except ConfigError as exc:
        say(f"{exc}; nothing was written")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"{where}{exc.strerror or exc}; nothing was written")
    except KeyboardInterrupt:
        say("interrupted; nothing was written")
        return 130
    except Exception as exc:  # a bug: one line on the command line, the traceback on request
        if os.environ.get("PLAYBOOK_DEBUG"):
            import traceback

            traceback.print_exc()
        say(
            f"internal error ({type(exc).__name__}: {exc}); nothing was written "
            "(set PLAYBOOK_DEBUG=1 for the traceback)"
        )
        return 1
    return 2


def _check_writable(path: str, what: str) -> None:
    from playbook.analytics.growth.config import ConfigError

    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ConfigError(f"{what} {path} is a folder")
    if not os.path.isdir(parent):
        raise ConfigError(f"{what} {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise ConfigError(f"{what} {path}: the folder {parent} is not writable")


_NOT_THE_FORMAT = (ValueError, TypeError, KeyError, AttributeError, IndexError)


def _load_config(args: argparse.Namespace) -> GrowthConfig:
    """The run's settings; a knots or cutscores file of the wrong shape is a ConfigError."""
    from playbook.analytics.growth.config import (
        ConfigError,
        GrowthConfig,
        load_cutscores,
        load_knots,
        load_trajectory_percentiles,
    )

    def wrong(kind: str, path: str, exc: Exception) -> ConfigError:
        return ConfigError(f"{path}: not a {kind} file in the DEMO format ({exc})")

    try:
        knots = load_knots(path=args.knots, subject=args.subject) if args.knots else None
    except ConfigError:
        raise
    except _NOT_THE_FORMAT as exc:
        raise wrong("knots", args.knots, exc) from exc
    config = GrowthConfig(
        knots=knots,
        max_order=args.max_order,
        workers=args.workers,
        knots_rule=getattr(args, "knots_from", "studentGrowthPercentiles"),
    )
    if getattr(args, "projections", False) and not args.cutscores:
        raise ConfigError("--projections needs --cutscores (targets are cut scores' targets)")
    if args.cutscores:
        try:
            cutscores, g_cuts, g_labels = load_cutscores(path=args.cutscores, subject=args.subject)
        except ConfigError:
            raise
        except _NOT_THE_FORMAT as exc:
            raise wrong("cutscores", args.cutscores, exc) from exc
        config = replace(config, cutscores=cutscores)
        if g_cuts is not None and g_labels is not None:
            config = replace(config, growth_cuts=g_cuts, growth_labels=g_labels)
        if getattr(args, "projections", False):
            current, lagged = load_trajectory_percentiles(
                path=args.cutscores, growth_cuts=config.growth_cuts
            )
            config = replace(
                config,
                projections=True,
                trajectory_percentiles=current,
                lagged_trajectory_percentiles=lagged,
            )
    return config


TARGET_COLUMNS = (
    "sgp_target_3_year",
    "sgp_target_move_up_stay_up_3_year",
    "sgp_target_3_year_current",
    "sgp_target_move_up_stay_up_3_year_current",
)


def written_rows(table: pa.Table) -> pa.Table:
    """The rows the command writes: students with an SGP or a growth-to-standard target (R's
    results hold no row for a student with neither)."""
    import pyarrow.compute as pc

    keep = pc.is_valid(table.column("sgp"))
    for name in table.column_names:
        if name.startswith("sgp_target_") and not name.endswith("_num_years_to_target"):
            keep = pc.or_(keep, pc.is_valid(table.column(name)))
    return table.filter(keep)


def _run(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    import json
    import tempfile

    from playbook.analytics.growth.config import ConfigError
    from playbook.analytics.growth.data import read_wide_csv, write_csv_atomic

    _check_writable(args.out, "--out")
    if args.provenance:
        _check_writable(args.provenance, "--provenance")
    outputs = [os.path.abspath(p) for p in (args.out, args.provenance) if p]
    if os.path.abspath(args.scores) in outputs or len(set(outputs)) < len(outputs):
        raise ConfigError("--scores, --out and --provenance must be different files")
    config = _load_config(args)
    from playbook.analytics.growth.engine import compute_growth

    scores = read_wide_csv(args.scores, subject=args.subject) if args.wide else args.scores
    result = compute_growth(
        scores=scores,
        subject=args.subject,
        year=args.year,
        config=config,
    )
    table = written_rows(result.table)
    # both files go to temporary names first and are renamed only when both are complete
    prov_tmp = None
    if args.provenance:
        fd, prov_tmp = tempfile.mkstemp(
            prefix=f".{os.path.basename(args.provenance)}.",
            suffix=".tmp",
            dir=os.path.dirname(os.path.abspath(args.provenance)),
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(result.provenance, fh, indent=1)
        except BaseException:
            os.unlink(prov_tmp)
            raise
    try:
        write_csv_atomic(table, args.out)
    except BaseException:
        if prov_tmp:
            os.unlink(prov_tmp)
        raise
    if prov_tmp:
        os.replace(prov_tmp, args.provenance)
    for cohort in result.small_cohorts:
        say(f"warning: {cohort.describe(args.subject)}")
    n = result.table.num_rows
    n_sgp = n - result.table.column("sgp").null_count
    n_small = sum(c.n_students for c in result.small_cohorts)
    print(
        f"{args.subject} {args.year}: {n} students, {n_sgp} with an SGP, {n_small} in grades "
        f"too small for a model, {len(result.models)} models; {table.num_rows - n_sgp} with "
        f"a target only, {n - table.num_rows} with neither an SGP nor a target (not "
        f"written); fingerprint {result.fingerprint} -> {args.out}",
        file=sys.stderr,
    )
    return 0
