"""Student growth percentiles: exactness against HiGHS, the method's rules, the CLI.

No Django: these are pure-function tests. The SGP sample data is read from /work/shared/data
(the tests that need it skip when that folder is absent).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playbook.analytics.growth.aggregate import aggregate_growth
from playbook.analytics.growth.bspline import GradeKnots, bs_basis, derive_grade_knots
from playbook.analytics.growth.config import GrowthConfig, load_cutscores, load_knots
from playbook.analytics.growth.data import (
    ScoreFileError,
    read_scores_csv,
    read_sgp_long_sample,
    wide_to_long,
)
from playbook.analytics.growth.engine import (
    TAUS,
    FittedModel,
    compute_growth,
    design_matrix,
    percentiles_from_predictions,
)
from playbook.analytics.growth.projections import project, sgp_targets
from playbook.analytics.growth.qr import (
    SolveStats,
    fit_quantiles,
    fit_quantiles_many,
    highs_quantile_fit,
)
from playbook.cli import main as cli_main

SGP_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sgp"
needs_data = pytest.mark.skipif(
    not SGP_DIR.is_dir(), reason=f"SGP sample data not found at {SGP_DIR}"
)


def check_loss(x: np.ndarray, y: np.ndarray, coef: np.ndarray, tau: float, w=None) -> float:
    r = y - x @ coef
    w = np.ones_like(y) if w is None else w
    return float(np.sum(w * np.where(r > 0, tau * r, (tau - 1.0) * r)))


def spline_problem(n: int, order: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer scores on a plausible scale with B-spline designs, as the SGP models have."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, n)
    priors = np.column_stack(
        [np.round(500 + 40 * (ability + rng.normal(0, 0.5, n)) - 15 * j) for j in range(order)]
    )
    y = np.round(520 + 40 * ability + rng.normal(0, 25, n) * (1 + 0.3 * np.tanh(ability)))
    knots = {
        400 + j: derive_grade_knots(priors[:, j]) for j in range(order)
    }  # fake grades 400.. for the spline settings
    x = design_matrix(priors, prior_grades=tuple(400 + j for j in range(order)), knots=knots)
    return x, y


# ------------------------------------------------------------------------------------------
# splines and knots


def test_bs_basis_matches_scipy_bspline_inside_and_extends_polynomially_outside() -> None:
    from scipy.interpolate import BSpline

    knots, bounds = (542.0, 580.0, 606.0, 635.0), (180.0, 940.0)
    t = np.r_[[bounds[0]] * 4, knots, [bounds[1]] * 4]
    x = np.array([100.0, 179.0, 180.0, 300.0, 542.0, 590.5, 635.0, 939.0, 940.0, 1000.0])
    ours = bs_basis(x, knots=knots, boundaries=bounds)
    assert ours.shape == (10, 7)
    inside = (x >= bounds[0]) & (x <= bounds[1])
    ref = BSpline.design_matrix(x[inside], t, 3).toarray()[:, 1:]  # R drops the first column
    np.testing.assert_allclose(ours[inside], ref, atol=1e-14)
    # outside: the end polynomials continued (scipy's extrapolate=True does the same)
    coef = np.linspace(-2.0, 3.0, 8)
    spline = BSpline(t, coef, 3, extrapolate=True)
    full = np.column_stack([1.0 - ours.sum(axis=1), ours])  # restore the dropped column
    np.testing.assert_allclose(full @ coef, spline(x), atol=1e-9)


def test_knots_derived_from_hand_made_scores() -> None:
    got = derive_grade_knots(np.array([16.0, 1.0, 8.0, 2.0, 4.0, np.nan]))
    # type-7 quantiles of 1, 2, 4, 8, 16: h = 4p; 20%: 1 + .8 * 1; 40%: 2 + .6 * 2; ...
    assert got.knots == pytest.approx((1.8, 3.2, 5.6, 9.6))
    assert got.boundaries == pytest.approx((1 - 1.5, 16 + 1.5))  # range 15 widened by 10%
    assert got.loss_hoss == (1.0, 16.0)


# ------------------------------------------------------------------------------------------
# the quantile regression is exact


def test_intercept_only_fit_is_the_sample_quantile() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(100, 900, 101).astype(float)
    coef, stats = fit_quantiles(x=np.ones((101, 1)), y=y, taus=TAUS)
    # 101 * tau is never an integer, so the tau-quantile is the unique ceil(101 tau)-th value
    expected = np.sort(y)[np.ceil(101 * TAUS).astype(int) - 1]
    np.testing.assert_array_equal(coef[:, 0], expected)
    assert stats.highs_fallbacks == 0


@pytest.mark.parametrize(("order", "seed"), [(1, 11), (2, 12), (3, 13)])
def test_fits_are_optimal_and_give_highs_sgps(order: int, seed: int) -> None:
    x, y = spline_problem(600, order, seed)
    coef, _ = fit_quantiles(x=x, y=y, taus=TAUS)
    pred_ours = x @ coef.T
    pred_highs = np.empty_like(pred_ours)
    for t, tau in enumerate(TAUS):
        ref = highs_quantile_fit(x=x, y=y, tau=float(tau))
        pred_highs[:, t] = x @ ref
        # every fit attains HiGHS's optimum (HiGHS is itself only 1e-7 exact)
        assert check_loss(x, y, coef[t], tau) <= check_loss(x, y, ref, tau) * (1 + 1e-9) + 1e-9
    sgp_ours = percentiles_from_predictions(pred_ours, y)
    sgp_highs = percentiles_from_predictions(pred_highs, y)
    # Both are optimal vertices; where an optimum is not unique the two solvers may pick
    # different vertices, which can move a student's count by one. Such ties are rare.
    same = np.mean(sgp_ours == sgp_highs)
    assert same >= 0.99
    assert np.max(np.abs(sgp_ours - sgp_highs)) <= 2


def test_highs_last_resort_is_exact_too() -> None:
    # no refits allowed: every quantile whose first band fit fails goes to the last resort
    x, y = spline_problem(800, 3, 21)
    ((coef, stats),) = fit_quantiles_many(
        problems=[(x, y, np.ones(y.size))], taus=TAUS, max_refits=0
    )
    assert stats.highs_fallbacks > 0
    for t, tau in enumerate(TAUS):
        ref = highs_quantile_fit(x=x, y=y, tau=float(tau))
        assert check_loss(x, y, coef[t], tau) <= check_loss(x, y, ref, tau) * (1 + 1e-9) + 1e-9


def test_weighted_duplicates_give_the_same_fit_as_repeated_rows() -> None:
    x, y = spline_problem(300, 1, 5)
    w = np.random.default_rng(5).integers(1, 4, y.size).astype(float)
    coef_w, _ = fit_quantiles(x=x, y=y, taus=TAUS[::9], weights=w)
    reps = np.repeat(np.arange(y.size), w.astype(int))
    coef_r, _ = fit_quantiles(x=x[reps], y=y[reps], taus=TAUS[::9])
    for t, tau in enumerate(TAUS[::9]):
        assert check_loss(x, y, coef_w[t], tau, w) == pytest.approx(
            check_loss(x[reps], y[reps], coef_r[t], tau), rel=1e-12
        )


# ------------------------------------------------------------------------------------------
# the SGP rules


def test_sgp_counts_rounded_predictions_strictly_below_and_clamps() -> None:
    base = np.arange(100, dtype=float)[::-1]  # unsorted on purpose: it is sorted first
    pred = np.vstack([base, base, base, base + 1000.0, base - 1000.0])
    pred[2] += 0.000004  # rounds to whole numbers at 5 decimals
    observed = np.array([50.5, 50.0, 50.0, 0.0, 5000.0])
    got = percentiles_from_predictions(pred, observed)
    # 51 values (0..50) below 50.5; exactly 50 below 50.0; 50.000004 rounds to 50: not below;
    # none below -> 1; all below -> 99
    assert got.tolist() == [51, 50, 50, 1, 99]


@given(
    prior=st.integers(300, 800),
    scores=st.lists(st.integers(200, 900), min_size=2, max_size=30),
)
@settings(max_examples=40, deadline=None)
def test_higher_score_never_gets_lower_sgp(
    fitted_model: tuple[np.ndarray, dict[int, GradeKnots]], prior: int, scores: list[int]
) -> None:
    coef, knots = fitted_model
    cur = np.sort(np.asarray(scores, dtype=float))
    x = design_matrix(np.full((cur.size, 1), float(prior)), prior_grades=(400,), knots=knots)
    sgp = percentiles_from_predictions(x @ coef.T, cur)
    assert np.all(np.diff(sgp) >= 0)


@pytest.fixture(scope="module")
def fitted_model() -> tuple[np.ndarray, dict[int, GradeKnots]]:
    rng = np.random.default_rng(8)
    prior = np.round(rng.normal(550, 50, 2000))
    y = np.round(prior * 0.9 + 80 + rng.normal(0, 30, 2000))
    knots = {400: derive_grade_knots(prior)}
    x = design_matrix(prior[:, None], prior_grades=(400,), knots=knots)
    coef, _ = fit_quantiles(x=x, y=y, taus=TAUS)
    return coef, knots


# ------------------------------------------------------------------------------------------
# projections


def test_trajectories_and_targets_follow_the_definition() -> None:
    # a next-grade model that ignores the prior: trajectory j is the j-th coefficient, sorted
    rng = np.random.default_rng(4)
    coef = np.zeros((100, 8))
    coef[:, 0] = rng.uniform(400, 700, 100)
    knots = {
        g: GradeKnots(knots=(450, 500, 550, 600), boundaries=(200, 900), loss_hoss=(420, 680))
        for g in (3, 4)
    }
    model = FittedModel(
        grade=4, order=1, coef=coef, prior_grades=(3,), n_students=1, stats=SolveStats()
    )
    traj = project(
        base_grade=3,
        history=np.array([[500.0], [650.0]]),
        steps=3,
        models={4: {1: model}},
        knots=knots,
    )
    assert len(traj) == 1  # no grade-5 model: the horizon ends
    expected = np.sort(np.clip(coef[:, 0], 420, 680))
    np.testing.assert_allclose(traj[0][0], expected)
    np.testing.assert_allclose(traj[0][1], expected)
    cut = np.array([550.0, 300.0])
    got = sgp_targets(traj[0], cut)
    assert got[0] == min(99, 1 + int(np.sum(expected < 550)))
    assert got[1] == 1  # every trajectory reaches it


# ------------------------------------------------------------------------------------------
# the sample data, end to end


@pytest.fixture(scope="module")
def long_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SGP_DIR.is_dir():
        pytest.skip(f"SGP sample data not found at {SGP_DIR}")
    wide = pacsv.read_csv(SGP_DIR / "sgpData.csv")
    path = tmp_path_factory.mktemp("sgp") / "sgpData_long.csv"
    pacsv.write_csv(wide_to_long(wide, subject="READING"), path)
    return path


@pytest.fixture(scope="module")
def cli_result(long_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    out = tmp_path_factory.mktemp("out") / "growth.csv"
    code = cli_main(
        [
            "growth",
            "--scores",
            str(long_csv),
            "--subject",
            "READING",
            "--year",
            "2025",
            "--out",
            str(out),
            "--knots",
            str(SGP_DIR / "DEMO_knots_boundaries.json"),
            "--cutscores",
            str(SGP_DIR / "DEMO_cutscores.json"),
        ]
    )
    assert code == 0
    return pacsv.read_csv(
        out,
        convert_options=pacsv.ConvertOptions(
            column_types={"student_id": pa.string(), "year": pa.string()},
            strings_can_be_null=True,
        ),
    )


@needs_data
def test_sgpdata_reading_2025_end_to_end(cli_result: pa.Table) -> None:
    t = cli_result
    assert t.column_names[:12] == [
        "student_id", "subject", "year", "grade", "scale_score", "sgp", "sgp_order",
        "sgp_order_1", "sgp_order_2", "sgp_order_3", "sgp_order_4", "sgp_level",
    ]  # fmt: skip
    # every 2025 reading score, except students with neither an SGP nor a target: those in
    # grade 8 (no grade-9 model to project to) without a grade-7 score in 2024
    wide = pacsv.read_csv(SGP_DIR / "sgpData.csv")

    def col(name: str) -> np.ndarray:
        return wide.column(name).to_numpy(zero_copy_only=False)

    tested = ~np.isnan(col("SS_2025"))
    prior = (col("GRADE_2024") == 7) & ~np.isnan(col("SS_2024"))
    neither = tested & (col("GRADE_2025") == 8) & ~prior
    assert tested.sum() == 44219 and neither.sum() > 0
    assert t.num_rows == 44219 - neither.sum()
    targets = [c for c in t.column_names if c.startswith("sgp_target_") and "num_years" not in c]
    has_any = pc.is_valid(t.column("sgp"))
    for c in targets:
        has_any = pc.or_(has_any, pc.is_valid(t.column(c)))
    assert pc.all(has_any).as_py()
    sgp = t.column("sgp").to_numpy(zero_copy_only=False)
    has = ~np.isnan(sgp)
    assert has.sum() == 34225  # the README's count of students with an SGP
    assert set(np.unique(t.column("grade").to_numpy()[has])) == {4, 5, 6, 7, 8}
    assert sgp[has].min() >= 1 and sgp[has].max() <= 99
    # the reported SGP is the highest order's
    order = t.column("sgp_order").to_numpy(zero_copy_only=False)
    for k in (1, 2, 3, 4):
        col = t.column(f"sgp_order_{k}").to_numpy(zero_copy_only=False)
        pick = order == k
        np.testing.assert_array_equal(col[pick], sgp[pick])
    # on the fitting cohorts SGPs are close to uniform: about 10% in each decile
    for k in (1, 2):
        col = t.column(f"sgp_order_{k}").to_numpy(zero_copy_only=False)
        col = col[~np.isnan(col)]
        shares = np.histogram(col, bins=[1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 100])[0]
        assert np.all(np.abs(shares / col.size - 0.1) < 0.015)
    levels = set(t.column("sgp_level").drop_null().to_pylist())
    assert levels == {"Very Low", "Low", "Typical", "High", "Very High"}


@needs_data
def test_growth_targets_are_consistent(cli_result: pa.Table) -> None:
    rows = cli_result.to_pylist()
    cuts = json.loads((SGP_DIR / "DEMO_cutscores.json").read_text())["Cutscores"]["READING"]
    seen = set()
    for r in rows:
        if r["sgp"] is None:
            assert r["catch_up_keep_up_status"] is None
            continue
        status, target = r["catch_up_keep_up_status"], r["sgp_target_3_year"]
        assert status is not None and 1 <= target <= 99
        seen.add(status)
        proficient_now = r["scale_score"] >= cuts[f"GRADE_{r['grade']}"][1]
        level_ok = r["achievement_level"] in ("Proficient", "Advanced")
        assert proficient_now == level_ok
        if status.startswith("Catch Up") and r["sgp"] >= target:
            assert status == "Catch Up: Yes" or (r["grade"] == 8 and not proficient_now)
        if status == "Keep Up: Yes":
            # below the target only in grade 8, the terminal grade (combineSGP's 4th rule)
            assert proficient_now and (r["sgp"] >= target or r["grade"] == 8)
        assert r["adequate_growth"] == status.endswith("Yes")
        if r["achievement_level"] in ("Unsatisfactory", "Partially Proficient"):
            assert r["catch_up_keep_up_status_initial_current"] in ("Catching Up", None)
    assert seen == {"Catch Up: Yes", "Catch Up: No", "Keep Up: Yes", "Keep Up: No"}


@needs_data
def test_runs_are_deterministic_and_record_provenance(long_csv: Path) -> None:
    knots = load_knots(path=SGP_DIR / "DEMO_knots_boundaries.json", subject="READING")
    scores = read_scores_csv(long_csv)
    small = scores.filter(pc.is_in(scores.column("grade"), pa.array([3, 4, 5])))
    cfg = GrowthConfig(knots=knots, max_order=2)
    first = compute_growth(scores=small, subject="READING", year=2025, config=cfg)
    second = compute_growth(scores=small, subject="READING", year="2025", config=cfg)
    assert first.table.equals(second.table)
    assert first.fingerprint == second.fingerprint
    assert [(m.grade, m.order) for m in first.models] == [(4, 1), (5, 1), (5, 2)]
    derived = compute_growth(scores=small, subject="READING", year="2025")
    assert derived.fingerprint != first.fingerprint  # derived knots are recorded and hashed
    assert derived.provenance["config"]["knots_derived_by"] == "studentGrowthPercentiles"
    # the default rule: the prior years' scores only (every grade tested in 2024)
    assert derived.config.knots is not None and set(derived.config.knots) == {3, 4, 5}
    last_year = scores.filter(pc.equal(scores.column("year"), "2024"))
    assert derived.provenance["config"]["knots"]["3"]["knots"] == list(
        derive_grade_knots(
            last_year.filter(pc.equal(last_year.column("grade"), 3))
            .column("scale_score")
            .to_numpy()
        ).knots
    )
    # the prepareSGP rule: every score of the grade, every year
    whole = compute_growth(
        scores=small, subject="READING", year="2025",
        config=GrowthConfig(knots_rule="prepareSGP"),
    )  # fmt: skip
    assert whole.config.knots is not None and set(whole.config.knots) == {3, 4, 5}
    assert whole.provenance["config"]["knots_derived_by"] == "prepareSGP"
    assert whole.provenance["config"]["knots"]["3"]["knots"] == list(
        derive_grade_knots(
            scores.filter(pc.equal(scores.column("grade"), 3)).column("scale_score").to_numpy()
        ).knots
    )


@needs_data
def test_long_sample_loader_and_subjects() -> None:
    table = read_sgp_long_sample(SGP_DIR / "sgpData_LONG.csv.gz", extra_columns=["SCHOOL_NUMBER"])
    assert table.column_names == [
        "student_id", "year", "subject", "grade", "scale_score", "SCHOOL_NUMBER",
    ]  # fmt: skip
    assert set(table.column("subject").unique().to_pylist()) == {"READING", "MATHEMATICS"}
    math = table.filter(
        pc.and_(
            pc.equal(table.column("subject"), "MATHEMATICS"),
            pc.is_in(table.column("grade"), pa.array([3, 4, 5])),
        )
    )
    cuts, g_cuts, _ = load_cutscores(path=SGP_DIR / "DEMO_cutscores.json", subject="MATHEMATICS")
    knots = load_knots(path=SGP_DIR / "DEMO_knots_boundaries.json", subject="MATHEMATICS")
    res = compute_growth(
        scores=math.drop_columns(["SCHOOL_NUMBER"]),
        subject="MATHEMATICS",
        year="2024_2025",
        config=GrowthConfig(knots=knots, cutscores=cuts, max_order=2, workers=1),
    )
    assert g_cuts == (20, 40, 61, 81)
    sgp = res.table.column("sgp").drop_null().to_numpy()
    assert sgp.size > 5000 and 45 <= np.median(sgp) <= 55


# ------------------------------------------------------------------------------------------
# bad input


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


HEADER = ["student_id", "year", "subject", "grade", "scale_score", "school"]
GOOD = [["1", "2024", "READING", "4", "500", "x"], ["1", "2025", "READING", "5", "520", "x"]]


@pytest.mark.parametrize(
    ("header", "rows", "row", "column", "words"),
    [
        (HEADER[:3] + HEADER[4:], GOOD, 1, "grade", "missing column"),
        (HEADER, [*GOOD, ["2", "2025", "READING", "5", "5OO", "x"]], 4, "scale_score", "5OO"),
        (HEADER, [*GOOD, ["2", "2025", "READING", "five", "500", "x"]], 4, "grade", "five"),
        (HEADER, [*GOOD, ["2", "2025", "READING", "5.5", "500", "x"]], 4, "grade", "whole"),
        (HEADER, [*GOOD, ["1", "2025", "READING", "5", "530", "y"]], 4, "student_id", "row 3"),
        (HEADER, [*GOOD, ["", "2025", "READING", "5", "530", "y"]], 4, "student_id", "empty"),
    ],
)
def test_bad_input_is_located_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header: list[str],
    rows: list[list[str]],
    row: int,
    column: str,
    words: str,
) -> None:
    src = write_rows(tmp_path / "scores.csv", header, rows)
    with pytest.raises(ScoreFileError) as err:
        read_scores_csv(src)
    assert (err.value.row, err.value.column) == (row, column)
    out = tmp_path / "out.csv"
    args = ["growth", "--scores", str(src), "--subject", "READING", "--year", "2025"]
    code = cli_main([*args, "--out", str(out)])
    message = capsys.readouterr().err
    assert code == 2
    assert str(src) in message and f"row {row}, column {column}:" in message
    assert words in message
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


def test_empty_scores_mean_not_tested(tmp_path: Path) -> None:
    rows = [*GOOD, ["2", "2025", "READING", "5", "", "x"]]
    table = read_scores_csv(write_rows(tmp_path / "s.csv", HEADER, rows))
    assert table.num_rows == 2 and table.column("grade").type == pa.int64()


# ------------------------------------------------------------------------------------------
# aggregates


def test_aggregates_by_hand() -> None:
    results = pa.table(
        {
            "student_id": ["a", "b", "c", "d", "e"],
            "subject": ["READING"] * 5,
            "year": ["2025"] * 5,
            "sgp": pa.array([10, 40, 70, 90, None], pa.int64()),
            "adequate_growth": pa.array([False, True, True, None, None], pa.bool_()),
        }
    )
    groups = pa.table(
        {
            "student_id": ["a", "b", "c", "d", "e", "a", "c", "c"],
            "group_type": ["school"] * 5 + ["subgroup"] * 3,
            "group_id": ["s1", "s1", "s1", "s2", "s2", "ELL", "ELL", "ELL"],  # c listed twice
        }
    )
    got = {
        (r["group_type"], r["group_id"]): r
        for r in aggregate_growth(results=results, groups=groups).to_pylist()
    }
    s1, s2, ell = got[("school", "s1")], got[("school", "s2")], got[("subgroup", "ELL")]
    assert (s1["n_students"], s1["n_sgp"], s1["median_sgp"]) == (3, 3, 40.0)
    assert (s1["n_adequate_eligible"], s1["n_adequate"]) == (3, 2)
    assert s1["percent_adequate"] == pytest.approx(200 / 3)
    assert (s2["n_students"], s2["n_sgp"], s2["median_sgp"], s2["percent_adequate"]) == (
        2, 1, 90.0, None,
    )  # fmt: skip
    assert (ell["n_students"], ell["median_sgp"], ell["percent_adequate"]) == (2, 40.0, 50.0)
