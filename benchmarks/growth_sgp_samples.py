"""Run ``playbook growth`` on the SGP package's own sample data and print figures.

Cases (each a fresh ``playbook growth`` process, as ``benchmarks/growth.py`` runs them):

1. ``sgpData.csv`` (``--wide``), READING 2025, knots derived from the data: the default
   ``studentGrowthPercentiles`` rule, then the ``prepareSGP`` rule.
2. ``sgpData_LONG.csv.gz`` read directly (R's long layout), READING and MATHEMATICS
   2024_2025, a growth-to-standard run: DEMO knots and cutscores, ``--projections``.

Printed per case: wall seconds, CPU seconds, peak memory (process tree and largest process),
rows written. With ``--r-wide FILE`` (R's ``SGPercentiles`` of the canonical loop over
``3:4, 3:5, 3:6, 3:7, 4:8`` without knots, as CSV) and ``--r-long FILE`` (R's ``@Data`` for
2024_2025 after ``abcSGP(..., steps = c("prepareSGP", "analyzeSGP", "combineSGP"))``) the
results are compared with R's, column by column.

Run:  .venv/bin/python benchmarks/growth_sgp_samples.py [--r-wide F] [--r-long F]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
SGP_DIR = ROOT.parent / "shared" / "data" / "sgp"
sys.path.insert(0, str(ROOT / "benchmarks"))

from growth import run_command, show  # noqa: E402


def read_out(path: Path) -> pa.Table:
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={"student_id": pa.string(), "year": pa.string()},
            strings_can_be_null=True,
        ),
    )


def agreement(name: str, ours: pa.Array, theirs: pa.Array) -> None:
    """Print how often two aligned columns agree (both empty counts as agreeing)."""
    a, b = ours.to_pylist(), theirs.to_pylist()
    same = sum(x == y or (x is None and y is None) for x, y in zip(a, b, strict=True))
    line = f"  {name:<46} {same:>7,} of {len(a):>7,} equal ({100 * same / max(len(a), 1):6.2f}%)"
    numbers = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if numbers and all(isinstance(x, (int, float)) for x, _ in numbers):
        diff = np.abs(np.array([x - y for x, y in numbers], dtype=float))
        line += f"; |diff| <= 1: {100 * np.mean(diff <= 1):6.2f}%, max {diff.max():g}"
    print(line, flush=True)


def join_on(ours: pa.Table, theirs: pa.Table, key_r: str = "ID") -> tuple[pa.Table, pa.Table]:
    """Rows of both tables for the students in both, in the same order."""
    theirs = theirs.set_column(
        theirs.column_names.index(key_r), key_r, pc.cast(theirs.column(key_r), pa.string())
    )
    ids = pc.cast(ours.column("student_id"), pa.string())
    index_r = pc.index_in(ids, value_set=theirs.column(key_r))
    keep = pc.is_valid(index_r)
    return ours.filter(keep), theirs.take(pc.drop_null(index_r))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--r-wide", type=Path, help="R's SGPercentiles for sgpData (CSV)")
    parser.add_argument("--r-long", type=Path, help="R's @Data for sgpData_LONG 2024_2025")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        wide = ["--scores", str(SGP_DIR / "sgpData.csv"), "--wide", "--subject", "READING"]
        outs = {}
        for rule in ("studentGrowthPercentiles", "prepareSGP"):
            out = tmp / f"wide_{rule}.csv"
            r = run_command([*wide, "--year", "2025", "--knots-from", rule, "--out", str(out)])
            outs[rule] = read_out(out)
            show(f"sgpData READING 2025, knots: {rule}", r)
            print(f"  rows written: {outs[rule].num_rows:,}", flush=True)
        if args.r_wide:
            r_wide = pacsv.read_csv(args.r_wide)
            print(f"R's SGPs for sgpData (derived knots): {r_wide.num_rows:,} students")
            for rule, table in outs.items():
                ours, theirs = join_on(table, r_wide)
                agreement(f"SGP, knots {rule}", ours.column("sgp"), theirs.column("SGP"))
        long_file = SGP_DIR / "sgpData_LONG.csv.gz"
        cuts = ["--knots", str(SGP_DIR / "DEMO_knots_boundaries.json")]
        cuts += ["--cutscores", str(SGP_DIR / "DEMO_cutscores.json"), "--projections"]
        r_long = None
        if args.r_long:
            r_long = pacsv.read_csv(
                args.r_long,
                convert_options=pacsv.ConvertOptions(
                    column_types={"ID": pa.string(), "YEAR": pa.string()},
                    strings_can_be_null=True,
                ),
            )
        for subject in ("READING", "MATHEMATICS"):
            out = tmp / f"long_{subject}.csv"
            r = run_command(
                ["--scores", str(long_file), "--subject", subject, "--year", "2024_2025",
                 *cuts, "--out", str(out)]
            )  # fmt: skip
            table = read_out(out)
            show(f"sgpData_LONG {subject} 2024_2025, DEMO + projections", r)
            print(
                f"  rows written: {table.num_rows:,}; with an SGP: "
                f"{table.num_rows - table.column('sgp').null_count:,}; with a lagged "
                f"status: {table.num_rows - table.column('catch_up_keep_up_status').null_count:,}"
                f"; {table.num_columns} columns",
                flush=True,
            )
            if r_long is None:
                continue
            theirs_all = r_long.filter(
                pc.and_(
                    pc.equal(r_long.column("CONTENT_AREA"), subject),
                    pc.equal(r_long.column("VALID_CASE"), "VALID_CASE"),
                )
            )
            ours, theirs = join_on(table, theirs_all)
            print(f"  compared with R on {ours.num_rows:,} students")
            pairs = [
                ("sgp", "SGP"),
                ("scale_score_prior", "SCALE_SCORE_PRIOR"),
                ("sgp_norm_group", "SGP_NORM_GROUP"),
                ("achievement_level_prior", "ACHIEVEMENT_LEVEL_PRIOR"),
                ("sgp_target_3_year", "SGP_TARGET_3_YEAR"),
                ("sgp_target_3_year_num_years_to_target", "SGP_TARGET_3_YEAR_NUM_YEARS_TO_TARGET"),
                ("catch_up_keep_up_status", "CATCH_UP_KEEP_UP_STATUS_3_YEAR"),
                ("sgp_target_move_up_stay_up_3_year", "SGP_TARGET_MOVE_UP_STAY_UP_3_YEAR"),
                ("move_up_stay_up_status", "MOVE_UP_STAY_UP_STATUS_3_YEAR"),
                ("sgp_target_3_year_current", "SGP_TARGET_3_YEAR_CURRENT"),
                (
                    "sgp_target_3_year_current_num_years_to_target",
                    "SGP_TARGET_3_YEAR_CURRENT_NUM_YEARS_TO_TARGET",
                ),
                (
                    "sgp_target_move_up_stay_up_3_year_current",
                    "SGP_TARGET_MOVE_UP_STAY_UP_3_YEAR_CURRENT",
                ),
            ]  # fmt: skip
            for mine, rs in pairs:
                if rs in theirs.column_names:
                    agreement(f"{mine}", ours.column(mine), theirs.column(rs))
                else:
                    print(f"  {mine:<46} (R's {rs} not in its output)")


if __name__ == "__main__":
    main()
