"""The SGP package's rules, each on a case computed by hand (R SGP 2.2-0.0; the file and line
each rule follows are in docs/growth.md).

No Django. Models are built by hand where a rule is about what happens after the fit: a model
whose spline coefficients are 0 predicts its intercepts whatever the prior, so trajectory ``j``
of grade ``g`` is the ``j``-th smallest intercept and every target is a count.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from playbook.analytics.growth.bspline import GradeKnots, derive_grade_knots
from playbook.analytics.growth.config import ConfigError, Cutscores, GrowthConfig
from playbook.analytics.growth.data import ScoreFileError, read_scores_csv
from playbook.analytics.growth.engine import FittedModel, Panel, build_panel, resolve_knots
from playbook.analytics.growth.projections import growth_targets
from playbook.analytics.growth.qr import SolveStats
from playbook.cli import main as cli_main

# ------------------------------------------------------------------------------------------
# knots derived from the data


def long_table(rows: list[tuple[str, str, int, float]]) -> pa.Table:
    return pa.table(
        {
            "student_id": [r[0] for r in rows],
            "year": [r[1] for r in rows],
            "subject": ["READING"] * len(rows),
            "grade": pa.array([r[2] for r in rows], pa.int64()),
            "scale_score": pa.array([r[3] for r in rows], pa.float64()),
        }
    )


def knots_case() -> Panel:
    """Grade 3 in 2024: 1, 2, 4, 8, 16 (then grade 4 in 2025: 500..504). Grade 4 in 2024:
    0, 1.2345, 2, 3, 4 (grade 3 in 2023: 1000..1004; grade 5 in 2025: 700..704). Grade 2 only
    in 2023: 50 and 60."""
    rows: list[tuple[str, str, int, float]] = []
    for i, v in enumerate([1.0, 2.0, 4.0, 8.0, 16.0]):
        rows += [(f"s{i}", "2024", 3, v), (f"s{i}", "2025", 4, 500.0 + i)]
    for i, v in enumerate([0.0, 1.2345, 2.0, 3.0, 4.0]):
        rows += [(f"t{i}", "2023", 3, 1000.0 + i), (f"t{i}", "2024", 4, v)]
        rows += [(f"t{i}", "2025", 5, 700.0 + i)]
    rows += [("u0", "2023", 2, 50.0), ("u1", "2023", 2, 60.0)]
    return build_panel(long_table(rows), subject="READING", year="2025")


def test_derived_knots_use_the_prior_years_only_and_keep_the_first_calls_knots() -> None:
    got = resolve_knots(knots_case(), GrowthConfig())
    # the first call (grade 4, one prior) pools the 2024 column by grade recorded:
    # grade 3: type-7 quantiles of 1, 2, 4, 8, 16 (h = 4p): 1.8, 3.2, 5.6, 9.6; range 15 +- 1.5
    assert got[3] == GradeKnots((1.8, 3.2, 5.6, 9.6), (-0.5, 17.5), (1.0, 16.0))
    # grade 4: 0 + .8 * 1.2345 = 0.9876 -> 0.988; 1.2345 + .6 * .7655 = 1.6938 -> 1.694; 2.4;
    # 3.2; range 4 +- 0.4. The 2025 grade-4 scores (500..504) never enter.
    assert got[4] == GradeKnots((0.988, 1.694, 2.4, 3.2), (-0.4, 4.4), (0.0, 4.0))
    # the second call (grade 5, two priors) pools 2023 and 2024: grade 3 keeps the first
    # call's knots (its 2023 scores 1000..1004 do not enter), grade 2 is new: 52, 54, 56, 58
    assert got[2] == GradeKnots((52.0, 54.0, 56.0, 58.0), (49.0, 61.0), (50.0, 60.0))
    assert set(got) == {2, 3, 4}  # grade 5 is only a current grade: never a prior


def test_prepare_sgp_rule_pools_every_year_of_a_grade() -> None:
    got = resolve_knots(knots_case(), GrowthConfig(knots_rule="prepareSGP"))
    # grade 4: 0, 1.2345, 2, 3, 4 (2024) and 500..504 (2025); n = 10, h = 9p:
    # 1.2345 + .8 * .7655 = 1.8469 -> 1.847; 3 + .6 = 3.6; 500 + .4; 502 + .2; range 504 +- 50.4
    assert got[4] == GradeKnots((1.847, 3.6, 500.4, 502.2), (-50.4, 554.4), (0.0, 504.0))
    assert set(got) == {2, 3, 4, 5}
    with pytest.raises(ConfigError, match="knots_rule"):
        GrowthConfig(knots_rule="all years")


def test_knots_are_rounded_as_r_rounds() -> None:
    from playbook.analytics.growth.bspline import r_round

    # the values R 4.2 prints for round(0.15, 1), round(2.675, 2) and round(x, 3): the
    # neighbour nearer to the stored double (0.15 is stored just below .15, 2.675 just below
    # 2.675), a tie to the even digit (0.0005 -> 0); numpy's round gives 0.2 and 2.68
    assert r_round(np.array([0.15]), 1).tolist() == [0.1]
    assert r_round(np.array([2.675]), 2).tolist() == [2.67]
    x = np.array([-1.2345, 1.2355, 0.0005, 0.0015, 0.0025, 1234.5675])
    assert r_round(x, 3).tolist() == [-1.234, 1.236, 0.0, 0.002, 0.002, 1234.568]
    # derived knots are rounded: type-7 quantiles of 0, 1/3, 2/3, 1, 4 (h = 4p) are
    # .8/3 = .26667, 1/3 + .6/3 = .53333, 2/3 + .4/3 = .8, 1 + .2 * 3 = 1.6; range 4 +- .4
    kn = derive_grade_knots(np.array([0.0, 1 / 3, 2 / 3, 1.0, 4.0]))
    assert kn.knots == (0.267, 0.533, 0.8, 1.6)
    assert kn.boundaries == (-0.4, 4.4)


# ------------------------------------------------------------------------------------------
# lagged targets, years to target, statuses


def intercept_models(grades: range) -> list[FittedModel]:
    """One-prior models for ``grades`` whose quantile ``j`` predicts 400 + j whatever the
    prior: every trajectory row is 400, 401, ..., 499, and the SGP needed to reach a cut ``c``
    (400 < c <= 500) is 1 + (c - 400)."""
    out = []
    for g in grades:
        coef = np.zeros((100, 8))
        coef[:, 0] = 400.0 + np.arange(100)
        out.append(FittedModel(g, 1, coef, (g - 1,), 1, SolveStats()))
    return out


KNOTS = {g: GradeKnots((450, 500, 550, 600), (200, 900), (0, 1000)) for g in range(3, 9)}
# proficiency cut (cut 2): grade 4: 460, 5: 450, 6: 440, 7: 430; cut 1 is 30 below, cut 3
# (the advanced cut) 30 above; 4 levels, the upper two proficient
PROF_CUT = {3: 450, 4: 460, 5: 450, 6: 440, 7: 430, 8: 420}
CUTS = Cutscores(
    cuts={g: (c - 30.0, float(c), c + 30.0) for g, c in PROF_CUT.items()},
    labels=("Unsatisfactory", "Partially Proficient", "Proficient", "Advanced"),
    proficient=(False, False, True, True),
)
# student: (grade, score) in 2024, (grade, score) in 2025, this year's SGP
STUDENTS = {
    "a": ((3, 300.0), (4, 400.0), 35),  # catching up
    "b": ((6, 445.0), (7, 435.0), 20),  # keeping up (proficient, not advanced), terminal grade
    "c": ((5, 455.0), (6, 445.0), 20),  # keeping up, not in the terminal grade
    "d": ((6, 475.0), (7, 465.0), 25),  # advanced: keeping up and staying up, terminal grade
    "e": ((6, 300.0), (7, 420.0), 50),  # catching up, terminal grade, not proficient now
    "f": ((5, 455.0), (5, 445.0), 0),  # repeats grade 5: no lagged projection, no SGP
}


def run_targets(**options: object) -> dict[str, dict[str, object]]:
    ids = list(STUDENTS)
    panel = Panel(
        student_ids=ids,
        years=["2024", "2025"],
        grade=np.array([[p[0], n[0]] for p, n, _ in STUDENTS.values()], dtype=np.int64),
        score=np.array([[p[1], n[1]] for p, n, _ in STUDENTS.values()]),
        current=1,
    )
    cols = growth_targets(
        panel=panel,
        rows=np.arange(len(ids)),
        sgp=np.array([s for _, _, s in STUDENTS.values()], dtype=np.int64),
        models=intercept_models(range(4, 8)),  # no grade-8 model: grade 7 is the last
        knots=KNOTS,
        cutscores=CUTS,
        years=3,
        **options,  # type: ignore[arg-type]
    )
    return {sid: {k: v[i].as_py() for k, v in cols.items()} for i, sid in enumerate(ids)}


def test_lagged_targets_use_this_year_and_three_more() -> None:
    a = run_targets()["a"]
    # from grade 3 in 2024: YEAR_0 .. YEAR_3 are grades 4, 5, 6, 7 with targets 61, 51, 41, 31;
    # catching up takes the minimum, 31, in YEAR_3 (which.min = 4, minus one)
    assert a["sgp_target_3_year"] == 31
    assert a["sgp_target_3_year_num_years_to_target"] == 3
    assert a["catch_up_keep_up_status"] == "Catch Up: Yes"  # SGP 35 >= 31
    # from grade 4 now: YEAR_1 .. YEAR_3 are grades 5, 6, 7: 51, 41, 31; which.min = 3
    assert a["sgp_target_3_year_current"] == 31
    assert a["sgp_target_3_year_current_num_years_to_target"] == 3
    assert a["achievement_level_prior"] == "Unsatisfactory"
    f = run_targets()["f"]  # a repeated grade is not a progression: no prior level either
    assert f["achievement_level_prior"] is None and f["sgp_target_3_year"] is None
    assert f["sgp_target_3_year_current"] == 31  # below 450 in grade 5: min(41, 31)
    c = run_targets()["c"]
    # keeping up from grade 5: grades 6, 7: 41, 31; the maximum, 41, in YEAR_0
    assert (c["sgp_target_3_year"], c["sgp_target_3_year_num_years_to_target"]) == (41, 0)


def test_keep_up_and_stay_up_are_yes_for_proficient_students_in_the_terminal_grade() -> None:
    got = run_targets()
    # b: target 31 (grade 7 only), SGP 20 -> "Keep Up: No"; proficient now in grade 7, the
    # highest grade with a target -> "Keep Up: Yes" (combineSGP's fourth adjustment)
    assert got["b"]["sgp_target_3_year"] == 31
    assert got["b"]["catch_up_keep_up_status"] == "Keep Up: Yes"
    assert got["b"]["adequate_growth"] is True
    # b moves up: the advanced cut 460 needs 61; SGP 20 and not advanced now: "Move Up: No"
    assert got["b"]["sgp_target_move_up_stay_up_3_year"] == 61
    assert got["b"]["move_up_stay_up_status"] == "Move Up: No"
    # c: the same below the terminal grade stays "Keep Up: No"
    assert got["c"]["catch_up_keep_up_status"] == "Keep Up: No"
    # d: advanced before and now, SGP 25 below both targets (31, 61): both become Yes
    assert got["d"]["catch_up_keep_up_status"] == "Keep Up: Yes"
    assert got["d"]["move_up_stay_up_status_initial"] == "Staying Up"
    assert got["d"]["move_up_stay_up_status"] == "Stay Up: Yes"
    # e: catching up, SGP 50 >= 31, but not proficient in the terminal grade: "Catch Up: No"
    assert got["e"]["catch_up_keep_up_status"] == "Catch Up: No"
    assert got["e"]["adequate_growth"] is False


def test_projections_give_trajectories_and_per_year_targets() -> None:
    a = run_targets(
        projections=True, trajectory_percentiles=(1, 50, 99), lagged_trajectory_percentiles=(50,)
    )["a"]
    # trajectory v is the v-th of 400..499
    assert (a["p1_proj_year_1_current"], a["p50_proj_year_3_current"]) == (400.0, 449.0)
    assert a["p99_proj_year_2_current"] == 498.0
    assert a["p50_proj_year_0"] == 449.0 and "p1_proj_year_0" not in a
    # the SGP for each cut and year: 1 + (cut - 400)
    assert [a[f"level_2_sgp_target_year_{h}"] for h in range(4)] == [61, 51, 41, 31]
    assert [a[f"level_3_sgp_target_year_{h}"] for h in range(4)] == [91, 81, 71, 61]
    assert [a[f"level_1_sgp_target_year_{h}_current"] for h in (1, 2, 3)] == [21, 11, 1]
    b = run_targets(projections=True, trajectory_percentiles=(50,))["b"]
    assert b["level_2_sgp_target_year_0"] == 31 and b["level_2_sgp_target_year_1"] is None
    assert b["p50_proj_year_1_current"] is None  # no grade-8 model


# ------------------------------------------------------------------------------------------
# the command line: R's long layout, what is written

R_HEADER = ["VALID_CASE", "CONTENT_AREA", "YEAR", "ID", "LAST_NAME", "GRADE", "SCALE_SCORE"]
YEARS = ["2022_2023", "2023_2024", "2024_2025"]


def r_long_rows(seed: int = 7) -> list[list[str]]:
    """Three cohorts of 60 students over three years, grades 3-5 (R's long layout)."""
    rng = np.random.default_rng(seed)
    rows = []
    for cohort in range(3):  # grade 3 in 2022_2023, 2023_2024 or 2024_2025
        for i in range(60):
            ability = rng.normal()
            for y, year in enumerate(YEARS):
                grade = 3 + y - cohort
                if grade < 3:
                    continue
                score = round(400 + 30 * grade + 40 * ability + rng.normal(0, 20))
                rows.append(["VALID_CASE", "READING", year, f"{cohort}{i:03d}", "Doe",
                             str(grade), str(score)])  # fmt: skip
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def cutscores_file(path: Path) -> Path:
    import json

    cuts = {f"GRADE_{g}": [470 + 30 * g, 500 + 30 * g, 530 + 30 * g] for g in (3, 4, 5)}
    path.write_text(
        json.dumps(
            {
                "Cutscores": {"READING": cuts},
                "Achievement_Levels": {
                    "Labels": ["U", "PP", "P", "A"],
                    "Proficient": ["Not Proficient", "Not Proficient", "Proficient", "Proficient"],
                },
                "SGP_Configuration": {"lagged.percentile.trajectory.values": [50]},
            }
        )
    )
    return path


def run_cli(tmp_path: Path, scores: Path, *extra: str, name: str = "out.csv") -> pa.Table:
    out = tmp_path / name
    args = ["growth", "--scores", str(scores), "--subject", "READING", "--year", "2024_2025"]
    assert cli_main([*args, "--out", str(out), "--workers", "1", *extra]) == 0
    return pacsv.read_csv(
        out,
        convert_options=pacsv.ConvertOptions(
            column_types={"student_id": pa.string(), "year": pa.string()},
            strings_can_be_null=True,
        ),
    )


def test_r_long_layout_is_read_directly_and_gives_the_same_results(tmp_path: Path) -> None:
    rows = r_long_rows()
    # R leaves out INVALID_CASE rows: here a second record for a student and year, and a
    # score that is not a number, which would both be refused in a valid row
    invalid = [["INVALID_CASE", "READING", "2024_2025", "0000", "Doe", "5", "NA"]]
    r_file = write_csv(tmp_path / "long.csv", R_HEADER, rows[:10] + invalid + rows[10:])
    ours = write_csv(
        tmp_path / "ours.csv",
        ["student_id", "year", "subject", "grade", "scale_score"],
        [[r[3], r[2], r[1], r[5], r[6]] for r in rows],
    )
    cuts = str(cutscores_file(tmp_path / "cuts.json"))
    got = run_cli(tmp_path, r_file, "--cutscores", cuts, name="a.csv")
    want = run_cli(tmp_path, ours, "--cutscores", cuts, name="b.csv")
    assert got.equals(want)
    assert got.num_rows > 0 and got.column("sgp").null_count < got.num_rows


def test_r_long_layout_problems_name_r_columns(tmp_path: Path) -> None:
    rows = r_long_rows()
    rows[4][6] = "abc"
    rows[7][0] = "VALID"
    src = write_csv(tmp_path / "long.csv", R_HEADER, rows)
    with pytest.raises(ScoreFileError) as err:
        read_scores_csv(src)
    listed = [(p.row, p.column) for p in err.value.problems]
    assert listed == [(6, "SCALE_SCORE"), (9, "VALID_CASE")]
    assert "'VALID' is not VALID_CASE or INVALID_CASE" in str(err.value)


def test_command_writes_no_row_without_an_sgp_or_a_target_and_writes_rs_outputs(
    tmp_path: Path,
) -> None:
    rows = r_long_rows()
    src = write_csv(tmp_path / "long.csv", R_HEADER, rows)
    cuts = str(cutscores_file(tmp_path / "cuts.json"))
    t = run_cli(tmp_path, src, "--cutscores", cuts, "--projections").to_pylist()
    by_id = {r["student_id"]: r for r in t}
    # tested in 2024_2025: cohort 0 in grade 5 (SGPs), cohort 1 in grade 4 (SGPs), cohort 2
    # in grade 3 (no prior, but a current target: grade 4 and 5 models exist). A grade-5
    # student without a prior would have neither: none here, so all 180 are written ...
    assert len(t) == 180
    # ... while without cutscores only the 120 with an SGP are
    assert run_cli(tmp_path, src, name="plain.csv").num_rows == 120
    s = by_id["0001"]  # grade 5 now: priors grade 4 (2023_2024) and grade 3 (2022_2023)
    assert s["sgp_norm_group"] == "2022_2023/READING_3; 2023_2024/READING_4; 2024_2025/READING_5"
    history = {(r[3], r[2]): r for r in rows}
    assert s["scale_score_prior"] == float(history[("0001", "2023_2024")][6])
    prior = float(history[("0001", "2023_2024")][6])
    level = sum(prior >= c for c in (590, 620, 650))  # grade 4 cuts
    assert s["achievement_level_prior"] == ["U", "PP", "P", "A"][level]
    assert s["sgp_target_3_year_num_years_to_target"] in (0, 1)  # YEAR_0 or YEAR_1 (grade 5)
    g3 = by_id["2001"]
    assert g3["sgp"] is None and g3["sgp_target_3_year_current"] is not None
    assert g3["p50_proj_year_1_current"] is not None and "p50_proj_year_0" in g3
    assert {f"level_{j}_sgp_target_year_{h}_current" for j in (1, 2, 3) for h in (1, 2)} <= set(g3)


def test_projections_without_cutscores_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_csv(tmp_path / "long.csv", R_HEADER, r_long_rows())
    out = tmp_path / "out.csv"
    args = ["growth", "--scores", str(src), "--subject", "READING", "--year", "2024_2025"]
    assert cli_main([*args, "--out", str(out), "--projections"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "playbook growth: --projections needs --cutscores (targets are cut scores' targets); "
        "nothing was written"
    ]
    assert not out.exists()
