"""Growth on bad input and edge cases: small cohorts, refused cells, located errors.

No Django, no sample data: every file here is made by the test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from playbook.analytics.growth.config import GrowthConfig
from playbook.analytics.growth.data import (
    ScoreFileError,
    read_scores_csv,
    read_wide_csv,
    validate_scores,
)
from playbook.analytics.growth.engine import compute_growth
from playbook.cli import main as cli_main


def small_state(
    sizes: dict[int, int], *, seed: int, years: int = 3, spread: float = 20.0, step: int = 1
) -> pa.Table:
    """A long score table: ``sizes[g]`` students in grade g this year (2025), each tested in
    the grade below every year back, ``years`` years in all; scores rounded to ``step``."""
    rng = np.random.default_rng(seed)
    ids: list[str] = []
    yrs: list[str] = []
    grades: list[int] = []
    scores: list[float] = []
    n = 0
    for g, size in sorted(sizes.items()):
        for _ in range(size):
            n += 1
            ability = rng.normal()
            for back in range(years):
                raw = 500 + 20 * (g - back) + 40 * ability + rng.normal(0, spread)
                ids.append(f"s{n}")
                yrs.append(str(2025 - back))
                grades.append(g - back)
                scores.append(float(step * np.round(raw / step)))
    return pa.table(
        {
            "student_id": ids,
            "year": yrs,
            "subject": ["READING"] * len(ids),
            "grade": pa.array(grades, pa.int64()),
            "scale_score": pa.array(scores, pa.float64()),
        }
    )


def growth_cli(tmp_path: Path, scores: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out.csv"
    code = cli_main(
        [
            "growth",
            "--scores",
            str(scores),
            "--subject",
            "READING",
            "--year",
            "2025",
            "--out",
            str(out),
            *extra,
        ]
    )
    return code, out


# ------------------------------------------------------------------------------------------
# small cohorts


@pytest.mark.parametrize("size", [9, 12, 16])
def test_small_cohort_beside_a_large_one_runs_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], size: int
) -> None:
    # a 9-16 student grade fitted in the same solver batch as a larger grade: its band fits
    # can keep fewer observations than coefficients, and the certificate used to index the
    # padding (another problem's rows) -> IndexError
    src = tmp_path / "scores.csv"
    pacsv.write_csv(small_state({4: 300, 5: size}, seed=0), src)
    code, out = growth_cli(tmp_path, src, "--workers", "1")
    assert code == 0, capsys.readouterr().err
    table = pacsv.read_csv(out)
    sgp = table.column("sgp").drop_null().to_numpy()
    assert sgp.size == 300 + size
    assert sgp.min() >= 1 and sgp.max() <= 99


@given(
    size=st.integers(3, 40),
    partner=st.sampled_from([0, 60, 300]),
    seed=st.integers(0, 3),
    step=st.sampled_from([1, 10]),
)
@example(size=9, partner=300, seed=0, step=1)
@example(size=12, partner=300, seed=0, step=1)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_small_cohorts_finish_with_sgps_in_range(
    size: int, partner: int, seed: int, step: int
) -> None:
    sizes = {5: size} if not partner else {4: partner, 5: size}
    table = small_state(sizes, seed=seed, step=step)
    result = compute_growth(
        scores=table, subject="READING", year="2025", config=GrowthConfig(workers=1)
    )
    assert result.table.num_rows == sum(sizes.values())
    sgp = result.table.column("sgp").drop_null().to_numpy()
    assert sgp.size == 0 or (sgp.min() >= 1 and sgp.max() <= 99)
    grade = result.table.column("grade").to_numpy()
    has = pc.is_valid(result.table.column("sgp")).to_numpy(zero_copy_only=False)
    # a grade gets SGPs exactly when a model was fitted for it; the others are reported
    fitted = {m.grade for m in result.models}
    assert set(np.unique(grade[has]).tolist()) == fitted
    assert {c.grade: c.n_students for c in result.small_cohorts} == {
        g: n for g, n in sizes.items() if g not in fitted
    }
    if size <= 8:  # fewer students than the one-prior model's 8 coefficients + 1
        assert 5 not in fitted


@pytest.mark.parametrize("size", [1, 2, 8])
def test_a_grade_too_small_for_a_model_is_reported_not_silent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], size: int
) -> None:
    src = tmp_path / "scores.csv"
    pacsv.write_csv(small_state({4: 40, 5: size}, seed=2), src)
    code, out = growth_cli(tmp_path, src, "--workers", "1")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 0
    students = "student" if size == 1 else "students"
    assert err[0] == (
        f"playbook growth: warning: READING grade 5: {size} {students} with a prior score, "
        "too few for a growth model (it needs at least 9); no SGP for them"
    )
    assert f"{40 + size} students, 40 with an SGP, {size} in grades too small" in err[-1]
    assert f"{size} with neither an SGP nor a target (not written)" in err[-1]
    table = pacsv.read_csv(out)
    # as R's results, the file has no row for a student with neither an SGP nor a target;
    # the summary line above counts them
    assert table.num_rows == 40


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


HEADER = ["student_id", "year", "subject", "grade", "scale_score", "school"]
GOOD = [
    ["1", "2024", "READING", "4", "500", "x"],
    ["1", "2025", "READING", "5", "520", "x"],
    ["2", "2024", "READING", "4", "480", "x"],
    ["2", "2025", "READING", "5", "530", "x"],
]


def refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], src: Path, *extra: str
) -> list[str]:
    """Run the command on a bad file: exit 2, nothing written, no traceback; the lines."""
    code, out = growth_cli(tmp_path, src, *extra)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [src.name]  # no temporary left over
    lines = err.strip().splitlines()
    assert all(line.startswith("playbook growth: ") for line in lines)
    assert lines[-1].endswith("nothing was written")
    return [line.removeprefix("playbook growth: ") for line in lines]


# ------------------------------------------------------------------------------------------
# missing-value words are refused: only an empty cell means "not tested"


@pytest.mark.parametrize("word", ["NA", "N/A", "nan", "null", "#N/A"])
def test_missing_value_words_in_a_score_are_refused_at_their_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str
) -> None:
    rows = [
        *GOOD,
        ["3", "2024", "READING", "4", "470", "x"],
        ["3", "2025", "READING", "5", word, "x"],
    ]
    src = write_rows(tmp_path / "scores.csv", HEADER, rows)
    lines = refused(tmp_path, capsys, src)
    assert lines[0] == (
        f"{src}, row 7, column scale_score: {word!r} is not a score: "
        "only an empty cell means not tested"
    )
    assert lines[-1] == f"{src}: 1 problem; nothing was written"


def test_an_empty_score_still_means_not_tested(tmp_path: Path) -> None:
    rows = [*GOOD, ["3", "2025", "READING", "5", "", "x"], ["4", "2025", "READING", "5", "  ", "x"]]
    table = read_scores_csv(write_rows(tmp_path / "s.csv", HEADER, rows))
    assert table.num_rows == 4


def test_nan_in_a_score_table_is_refused_not_dropped() -> None:
    table = pa.table(
        {
            "student_id": ["1", "1", "2"],
            "year": ["2024", "2025", "2025"],
            "subject": ["READING"] * 3,
            "grade": pa.array([4, 5, 5], pa.int64()),
            "scale_score": pa.array([500.0, float("nan"), None]),
        }
    )
    with pytest.raises(ScoreFileError) as err:
        validate_scores(table)
    assert (err.value.row, err.value.column, err.value.count) == (3, "scale_score", 1)
    assert "NaN" in err.value.message


# ------------------------------------------------------------------------------------------
# malformed rows are located at the file's own line (header = row 1) and column


def test_a_row_with_too_many_fields_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "scores.csv"
    src.write_text(
        "student_id,year,subject,grade,scale_score,school\n"
        "1,2024,READING,4,500,x\n"
        "1,2025,READING,5,520,x\n"
        "2,2025,READING,5,5,30,x\n"
    )
    assert refused(tmp_path, capsys, src)[0] == (
        f"{src}, row 4: the row has 7 fields but the header has 6 columns "
        "(a value with a comma that is not in quotes?)"
    )


def test_a_row_with_too_few_fields_names_its_line_and_the_first_missing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "scores.csv"
    src.write_text(
        "student_id,year,subject,grade,scale_score,school\n"
        "1,2024,READING,4,500,x\n"
        "1,2025,READING,5,520,x\n"
        "2,2025,READING\n"
    )
    assert refused(tmp_path, capsys, src)[0] == (
        f"{src}, row 4, column grade: the row has 3 fields but the header has 6 columns; "
        "the values from column grade on are missing"
    )


def test_a_byte_that_is_not_utf8_names_its_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "scores.csv"
    src.write_bytes(
        b"student_id,year,subject,grade,scale_score,school\n"
        b"1,2024,READING,4,500,x\n"
        b"1,2025,READING,5,520,x\n"
        b"2,2025,READ\xe9ING,5,530,x\n"
        b"2,2024,READING,4,510,Caf\xe9\n"  # an ignored column: not checked
    )
    lines = refused(tmp_path, capsys, src)
    assert lines[0] == (
        f"{src}, row 4, column subject: is not UTF-8 text (save the file as CSV UTF-8)"
    )
    assert len(lines) == 2


def test_rows_are_the_file_lines_after_blank_lines_and_quoted_line_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "scores.csv"
    src.write_text(
        "student_id,year,subject,grade,scale_score,school\n"  # 1
        "1,2024,READING,4,500,x\n"  # 2
        "\n"  # 3: blank, skipped
        '1,2025,READING,5,520,"two\nlines"\n'  # 4-5
        ",,,,,\n"  # 6: empty cells only, skipped
        "2,2025,READING,5,-4,x\n"  # 7
        "3,2025,READING,5,5,1,x\n"  # 8
        "4,2025,READING,5,NA,x\n"  # 9
    )
    lines = refused(tmp_path, capsys, src)
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"{src}, row 7, column scale_score",
        f"{src}, row 8",
        f"{src}, row 9, column scale_score",
    ]
    assert "'-4' is negative" in lines[0]


def test_every_problem_of_a_file_is_counted_and_the_first_100_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(GOOD)
    for i in range(150):
        # two problems in each of 75 rows, in file order: grade first, then the score
        rows.append([f"b{i}", "2025", "READING", "five" if i % 2 == 0 else "5", "NA", "x"])
    src = write_rows(tmp_path / "scores.csv", HEADER, rows)
    with pytest.raises(ScoreFileError) as err:
        read_scores_csv(src)
    assert err.value.count == 225 and len(err.value.problems) == 100
    assert [(p.row, p.column) for p in err.value.problems[:3]] == [
        (6, "grade"),
        (6, "scale_score"),
        (7, "scale_score"),
    ]
    lines = refused(tmp_path, capsys, src)
    assert len(lines) == 102
    assert lines[100] == "... and 125 more"
    assert lines[101] == f"{src}: 225 problems; nothing was written"


# ------------------------------------------------------------------------------------------
# implausible scores


@pytest.mark.parametrize("score", ["-1", "-0.5", "-1e3"])
def test_a_negative_score_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], score: str
) -> None:
    rows = [*GOOD, ["3", "2025", "READING", "5", score, "x"]]
    src = write_rows(tmp_path / "scores.csv", HEADER, rows)
    assert refused(tmp_path, capsys, src)[0] == (
        f"{src}, row 6, column scale_score: score {score!r} is negative"
    )


# ------------------------------------------------------------------------------------------
# the wide layout (--wide) is checked at the file's rows too

WIDE = "ID,GRADE_2024,GRADE_2025,SS_2024,SS_2025\n1,4,5,500,520\n2,4,5,480,530\n"


@pytest.mark.parametrize(
    ("last_row", "expected"),
    [
        ("3,4,5,480,5OO", "row 4, column SS_2025: score '5OO' is not a number"),
        ("3,4,5,480,NA", "row 4, column SS_2025: 'NA' is not a score: only an empty cell"),
        ("3,4,5,-480,500", "row 4, column SS_2024: score '-480' is negative"),
        ("3,4,5.5,480,500", "row 4, column GRADE_2025: grade '5.5' is not a whole number"),
        ("2,4,5,490,500", "row 4, column ID: a second row for ID '2' (first at row 3)"),
        (",4,5,490,500", "row 4, column ID: is empty; a value is required"),
        ("3,4,,480,500", "row 4, column GRADE_2025: is empty but SS_2025 has a score"),
        ("3,4,5,480", "row 4, column SS_2025: the row has 4 fields but the header has 5"),
    ],
)
def test_wide_layout_problems_name_the_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], last_row: str, expected: str
) -> None:
    src = tmp_path / "wide.csv"
    src.write_text(WIDE + last_row + "\n")
    lines = refused(tmp_path, capsys, src, "--wide")
    assert lines[0].startswith(f"{src}, {expected}"), lines[0]


def test_wide_layout_header_needs_matching_grade_and_score_columns(tmp_path: Path) -> None:
    src = tmp_path / "wide.csv"
    src.write_text("ID,GRADE_2024,GRADE_2025,SS_2024\n1,4,5,500\n")
    with pytest.raises(ScoreFileError) as err:
        read_wide_csv(src, subject="READING")
    assert (err.value.row, err.value.column) == (1, "GRADE_2025")
    assert "no matching SS_2025" in err.value.message


def test_wide_layout_reads_as_the_long_rows(tmp_path: Path) -> None:
    src = tmp_path / "wide.csv"
    src.write_text(WIDE + "3,,5,,510\n4,4,5,490,\n")
    long = read_wide_csv(src, subject="READING")
    got = sorted(zip(*(long.column(c).to_pylist() for c in long.column_names), strict=True))
    assert got == [
        ("1", "2024", "READING", 4, 500.0), ("1", "2025", "READING", 5, 520.0),
        ("2", "2024", "READING", 4, 480.0), ("2", "2025", "READING", 5, 530.0),
        ("3", "2025", "READING", 5, 510.0), ("4", "2024", "READING", 4, 490.0),
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------
# the command line: one line per message, never a traceback, nothing written on failure


def test_an_internal_error_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import playbook.analytics.growth.engine as engine

    def broken(**_: object) -> None:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(engine, "compute_growth", broken)
    monkeypatch.delenv("PLAYBOOK_DEBUG", raising=False)
    src = write_rows(tmp_path / "scores.csv", HEADER, GOOD)
    code, out = growth_cli(tmp_path, src)
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == [
        "playbook growth: internal error (RuntimeError: solver exploded); nothing was written "
        "(set PLAYBOOK_DEBUG=1 for the traceback)"
    ]
    assert not out.exists()


def test_a_failing_provenance_write_leaves_no_results_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "scores.csv"
    pacsv.write_csv(small_state({5: 30}, seed=1), src)
    missing = tmp_path / "no-such-folder" / "prov.json"
    code, out = growth_cli(tmp_path, src, "--provenance", str(missing))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]
    assert f"the folder {missing.parent} does not exist" in err


def test_an_output_in_a_missing_folder_is_refused_before_computing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_rows(tmp_path / "scores.csv", HEADER, GOOD)
    args = ["growth", "--scores", str(src), "--subject", "READING", "--year", "2025"]
    code = cli_main([*args, "--out", str(tmp_path / "nowhere" / "out.csv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "does not exist" in err[0] and err[0].endswith("nothing was written")


def test_a_knots_file_of_the_wrong_shape_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_rows(tmp_path / "scores.csv", HEADER, GOOD)
    knots = tmp_path / "knots.json"
    knots.write_text('{"READING": {"knots_4": 5, "boundaries_4": [100, 900]}}')
    code, out = growth_cli(tmp_path, src, "--knots", str(knots))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and not out.exists()
    assert err[0].startswith(f"playbook growth: {knots}: not a knots file in the DEMO format")
