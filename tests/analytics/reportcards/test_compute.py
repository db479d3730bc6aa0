"""Hand-computed report cards on a lake small enough to check by hand."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from playbook.analytics.reportcards import (
    EntitiesError,
    compare_results,
    compute_report_cards,
    framework_copy,
    framework_from_dict,
    load_shipped,
    write_results,
)

A = "590000100001"
B = "590000100002"
D = "5900001"
Y = 2024

# student: school, race, econ, ELA level 2024, prior level 2023, SGP, adequate,
#          days enrolled, days present, OSS incident
STUDENTS: dict[str, tuple[Any, ...]] = {
    "s00001": (A, "WH", True, 1, 1, 10, False, 180, 171, False),
    "s00002": (A, "WH", True, 2, 1, 20, True, 180, 160, True),
    "s00003": (A, "WH", True, 3, 2, 30, True, 180, 180, False),
    "s00004": (A, "WH", False, 4, 1, 40, True, 180, 180, False),
    "s00005": (A, "HI", False, 3, 3, 50, False, 180, 180, False),
    "s00006": (A, "HI", False, 2, 2, 60, True, 180, 180, False),
    "t00001": (B, "WH", False, 3, 3, 70, True, 180, 180, False),
    "t00002": (B, "WH", False, 3, 3, 80, True, 180, 180, False),
    "t00003": (B, "WH", False, 3, 3, 90, True, 180, 180, False),
    "t00004": (B, "WH", False, 3, 3, 95, True, 180, 180, False),
}


def _write(root: Path, kind: str, rows: list[dict[str, Any]], types: dict[str, Any]) -> Path:
    cols = {k: pa.array([r[k] for r in rows], types.get(k)) for k in rows[0]}
    path = root / f"{kind}.parquet"
    pq.write_table(pa.table(cols), path)
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("tiny")
    i32 = pa.int32()
    enr, dem, asm, att, dis, mp, gro = [], [], [], [], [], [], []
    for key, (school, race, econ, lvl, prior, sgp, adequate, days, present, oss) in (
            STUDENTS.items()):
        enr.append({"student_key": key, "school_year": Y, "school_id": school, "grade": 4,
                    "entry_date": dt.date(Y - 1, 8, 20), "exit_date": None})
        for year in (Y - 1, Y):
            dem.append({"student_key": key, "school_year": year, "race_ethnicity": race,
                        "gender": "F", "econ_disadvantaged": econ, "disability": False,
                        "english_learner": False})
        for year, level in ((Y - 1, prior), (Y, lvl)):
            asm.append({"student_key": key, "school_year": year, "school_id": school,
                        "subject": "ela", "grade": 4 - (Y - year), "assessment": "summative",
                        "window": "spring", "scale_score": 400.0 + level,
                        "achievement_level": level})
        att.append({"student_key": key, "school_year": Y, "school_id": school,
                    "days_enrolled": days, "days_present": present})
        dis.append({"incident_id": f"i-{key}", "student_key": key, "school_year": Y,
                    "school_id": school, "incident_date": dt.date(Y, 1, 5),
                    "incident_type": "other",
                    "action": "out_of_school_suspension" if oss else "none",
                    "days_removed": 1.0})
        if school == A:
            mp.append({"student_key": key, "school_year": Y, "school_id": A, "model_id": "m-x",
                       "subject": None})
        gro.append({"student_key": key, "school_year": Y, "subject": "ela", "sgp": float(sgp),
                    "adequate_growth": adequate})
    # a student enrolled the year before only: no page effect in Y
    enr.append({"student_key": "u00001", "school_year": Y - 1, "school_id": A, "grade": 3,
                "entry_date": dt.date(Y - 2, 8, 20), "exit_date": None})
    paths = {
        "enrollment": _write(root, "enrollment", enr, {"school_year": i32, "grade": i32}),
        "demographics": _write(root, "demographics", dem, {"school_year": i32}),
        "assessments": _write(root, "assessments", asm, {"school_year": i32, "grade": i32,
                                                         "achievement_level": i32}),
        "attendance": _write(root, "attendance", att, {"school_year": i32, "days_enrolled": i32,
                                                       "days_present": i32}),
        "discipline": _write(root, "discipline", dis, {"school_year": i32}),
        "model_participation": _write(root, "model_participation", mp,
                                      {"school_year": i32, "subject": pa.string()}),
    }
    rows: list[dict[str, Any]] = []
    for sid in (A, B):
        rows.append({"entity_type": "school", "entity_id": sid, "school_id": sid,
                     "school_year": None, "model_id": None, "locale": "41"})
        rows.append({"entity_type": "district", "entity_id": D, "school_id": sid,
                     "school_year": None, "model_id": None, "locale": "41"})
    rows.append({"entity_type": "model", "entity_id": "m-x", "school_id": A,
                 "school_year": Y - 1, "model_id": "m-x", "locale": None})
    entities = pa.Table.from_pylist(rows)
    return {"paths": paths, "entities": entities, "growth": pa.Table.from_pylist(gro)}


def _fw(**over: Any) -> Any:
    doc: dict[str, Any] = {
        "id": "hand", "version": 1, "title": "Hand-computed",
        "entity_types": ["school", "district", "model"],
        "levels": [{"id": "insufficient", "points": 0}, {"id": "sufficient", "points": 1},
                   {"id": "exemplary", "points": 2}],
        "components": [
            {"id": "achievement", "title": "Achievement", "weight": 1, "metrics": [
                {"id": "ela_prof", "title": "ELA proficient", "measure": "percent_proficient",
                 "subject": "ela", "cuts": {"sufficient": 40, "exemplary": 60}},
            ]},
            {"id": "growth", "title": "Growth", "weight": 2, "metrics": [
                {"id": "ela_sgp", "title": "ELA median SGP", "measure": "median_sgp",
                 "subject": "ela", "min_n": 5, "cuts": {"sufficient": 40, "exemplary": 60}},
                {"id": "ela_adequate", "title": "ELA adequate", "measure":
                 "percent_adequate_growth", "subject": "ela", "weight": 0},
                {"id": "ela_far_below", "title": "ELA far below", "measure": "median_sgp",
                 "subject": "ela", "prior_level_max": 1, "weight": 0},
                {"id": "ela_gap", "title": "ELA gap", "measure": "growth_gap",
                 "subject": "ela", "weight": 0, "rated_subgroups": ["econ_disadvantaged"]},
            ]},
            {"id": "climate", "title": "Climate", "weight": 0, "metrics": [
                {"id": "attendance", "title": "Attendance", "measure": "attendance_rate",
                 "weight": 0},
                {"id": "chronic", "title": "Chronic", "measure": "chronic_absence_rate",
                 "weight": 0},
                {"id": "oss", "title": "OSS", "measure": "suspension_rate", "weight": 0},
            ]},
        ],
        "rating": {"type": "letter", "bands": [
            {"label": "A", "min": 75}, {"label": "B", "min": 50}, {"label": "C", "min": 25},
            {"label": "F", "min": 0}]},
    }
    doc.update(over)
    return framework_from_dict(data=doc, source="hand.yaml")


@pytest.fixture(scope="module")
def result(tiny: dict[str, Any]) -> Any:
    return compute_report_cards(framework=_fw(), lake_paths=tiny["paths"],
                                entities=tiny["entities"], growth=tiny["growth"], min_n=3)


def _cell(result: Any, entity_id: str, metric: str, subgroup: str = "all",
          year: int = Y, component: str | None = None) -> dict[str, Any]:
    rows = [r for r in result.results.to_pylist()
            if r["entity_id"] == entity_id and r["metric"] == metric
            and r["subgroup"] == subgroup and r["year"] == year
            and component in (None, r["component"])]
    assert len(rows) == 1, rows
    return rows[0]


def test_percent_proficient_counts_spring_summative_level_3_and_up(result: Any) -> None:
    c = _cell(result, A, "ela_prof")
    assert (c["n"], c["value"], c["level"], c["suppressed"]) == (6, 50.0, "sufficient", False)
    assert _cell(result, A, "ela_prof", "econ_disadvantaged")["value"] == 33.3
    assert _cell(result, A, "ela_prof", "not_econ_disadvantaged")["value"] == 66.7
    assert _cell(result, B, "ela_prof")["value"] == 100.0
    assert _cell(result, D, "ela_prof")["value"] == 70.0


def test_median_sgp_is_the_lower_median(result: Any) -> None:
    assert _cell(result, A, "ela_sgp")["value"] == 30.0  # 10 20 [30] 40 50 60
    assert _cell(result, B, "ela_sgp")["value"] == 80.0  # 70 [80] 90 95
    assert _cell(result, D, "ela_sgp")["value"] == 50.0  # ten values: the 5th
    assert _cell(result, A, "ela_sgp", "econ_disadvantaged")["value"] == 20.0


def test_growth_metrics_read_the_growth_results(result: Any) -> None:
    assert _cell(result, A, "ela_adequate")["value"] == 66.7  # 4 of 6
    far = _cell(result, A, "ela_far_below")  # prior level 1: SGPs 10, 20, 40
    assert (far["n"], far["value"]) == (3, 20.0)
    gap = _cell(result, A, "ela_gap", "econ_disadvantaged")  # median 20 vs 50
    assert gap["value"] == -30.0
    assert _cell(result, A, "ela_gap", "not_econ_disadvantaged")["value"] == 30.0
    assert _cell(result, A, "ela_gap")["value"] is None


def test_climate_metrics(result: Any, tiny: dict[str, Any]) -> None:
    assert _cell(result, A, "attendance")["value"] == 97.3  # 1051 / 1080
    chronic = _cell(result, A, "chronic")
    # 1 of 6 students is chronically absent (160 / 180 < 90%), and so is 1 of the 4 white
    # students (25.0%): shown, those percents would leave none to the 2 hidden Hispanic
    # students, so the percent is hidden (decision 0009); its count stays
    assert chronic["value_suppressed"] and chronic["value"] is None and chronic["n"] == 6
    assert _cell(result, A, "chronic", "HI")["suppressed"]
    uncovered = compute_report_cards(framework=_fw(), lake_paths=tiny["paths"],
                                     entities=tiny["entities"], growth=tiny["growth"], min_n=3,
                                     numerator_cover=False)
    assert _cell(uncovered, A, "chronic")["value"] == 16.7
    assert _cell(uncovered, A, "chronic", "WH")["value"] == 25.0
    # the one suspended student is the same white student: the same cover
    assert _cell(result, A, "oss")["value_suppressed"] and _cell(result, A, "oss")["n"] == 6
    assert _cell(uncovered, A, "oss")["value"] == 16.7


def test_small_cells_and_their_complements_are_suppressed(result: Any) -> None:
    hi = _cell(result, A, "ela_prof", "HI")  # 2 students < min_n 3
    assert hi["suppressed"] and hi["n"] is None and hi["value"] is None and hi["level"] is None
    # the empty race groups beside it are hidden too (decision 0008): HI and they share its 2
    # students, so the other race group stays published
    assert not _cell(result, A, "ela_prof", "WH")["suppressed"]
    for race in ("AM", "AS", "BL", "PI", "MU"):
        empty_race = _cell(result, A, "ela_prof", race)
        assert empty_race["suppressed"] and empty_race["n"] is None, race
    assert _cell(result, D, "ela_prof", "HI")["suppressed"]
    wh_b = _cell(result, B, "ela_prof", "WH")
    assert (wh_b["n"], wh_b["suppressed"]) == (4, False)
    empty = _cell(result, A, "ela_prof", "disability")
    assert (empty["n"], empty["value"], empty["suppressed"]) == (0, None, False)


def test_rollup_renormalizes_weights_over_rated_components(result: Any) -> None:
    ratings = {(r["entity_id"], r["year"]): r for r in result.ratings.to_pylist()}
    # A: achievement sufficient (50%), growth insufficient (0%): (1*50 + 2*0) / 3
    a = ratings[(A, Y)]
    assert (a["score"], a["rating"], a["components_rated"]) == (16.7, "F", 2)
    # B: growth has 4 students < its min_n 5, so only achievement (exemplary) counts
    b = ratings[(B, Y)]
    assert (b["score"], b["rating"], b["components_rated"]) == (100.0, "A", 1)
    assert _cell(result, B, "ela_sgp")["level"] is None
    assert _cell(result, B, "ela_sgp")["value"] == 80.0
    # component scores are published as rows too
    assert _cell(result, A, "score", component="achievement")["value"] == 50.0
    assert _cell(result, A, "score", component="growth")["value"] == 0.0
    assert a["enrollment"] == 6 and a["locale"] == "41" and a["pct_econ_disadvantaged"] == 50.0


def test_model_counts_its_participating_students(result: Any) -> None:
    c = _cell(result, "m-x", "ela_prof")
    assert (c["n"], c["value"]) == (6, 50.0)
    assert {r["entity_type"] for r in result.ratings.to_pylist()} == {
        "school", "district", "model"}
    model = next(r for r in result.ratings.to_pylist() if r["entity_id"] == "m-x")
    assert model["implementation_year"] == 2


def test_implementation_years_switch_components(tiny: dict[str, Any]) -> None:
    fw = framework_copy(framework=_fw(), version="2", changes={
        "components[growth].implementation_years": {"min": 3}})
    res = compute_report_cards(framework=fw, lake_paths=tiny["paths"],
                               entities=tiny["entities"], growth=tiny["growth"], min_n=3)
    model = next(r for r in res.ratings.to_pylist() if r["entity_id"] == "m-x")
    # year 2 of the model: growth is not rated yet, achievement alone (sufficient)
    assert (model["score"], model["components_rated"]) == (50.0, 1)


def test_write_results_csv_format(result: Any, tmp_path: Path) -> None:
    paths = write_results(result, tmp_path)
    with paths["results"].open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["framework", "entity_type", "entity_id", "year", "subgroup", "component",
                       "metric", "n", "value", "level", "suppressed", "value_suppressed"]
    by = {(r[2], r[4], r[6]): r for r in rows[1:] if r[3] == str(Y)}
    assert by[(A, "HI", "ela_prof")][7:] == ["", "", "", "true", "false"]
    assert by[(A, "all", "ela_prof")][7:] == ["6", "50", "sufficient", "false", "false"]
    # a percent hidden for a small group beside it: its count stays, flagged
    assert by[(A, "all", "chronic")][7:] == ["6", "", "", "false", "true"]
    assert by[(A, "econ_disadvantaged", "ela_prof")][8] == "33.3"
    assert by[(A, "all", "ela_prof")][0] == "hand@1"
    with paths["ratings"].open() as fh:
        ratings = list(csv.DictReader(fh))
    assert {r["rating"] for r in ratings if r["entity_id"] == A} == {"F"}


def test_compare_shows_rating_changes_from_new_cut_points(result: Any,
                                                         tiny: dict[str, Any]) -> None:
    fw2 = framework_copy(framework=result.framework, version="2", changes={
        "components[growth].metrics[ela_sgp].cuts.sufficient": 25})
    new = compute_report_cards(framework=fw2, lake_paths=tiny["paths"],
                               entities=tiny["entities"], growth=tiny["growth"], min_n=3)
    diff = {(r["entity_id"], r["year"]): r for r in compare_results(
        old=result, new=new).to_pylist()}
    # A's growth becomes sufficient: (50 + 2*50) / 3 = 50 -> B
    assert diff[(A, Y)]["old_rating"] == "F" and diff[(A, Y)]["new_rating"] == "B"
    assert diff[(A, Y)]["rating_changed"] and diff[(A, Y)]["levels_changed"] >= 1
    assert (B, Y) not in diff  # not rated on growth: nothing changes


def test_entities_need_model_id_for_providers(tiny: dict[str, Any]) -> None:
    bad = pa.Table.from_pylist([{"entity_type": "provider", "entity_id": "p", "school_id": A,
                                 "school_year": None}])
    fw = _fw(entity_types=["provider"])
    with pytest.raises(EntitiesError, match="model_id"):
        compute_report_cards(framework=fw, lake_paths=tiny["paths"], entities=bad,
                             growth=None)


def test_shipped_frameworks_run_without_growth(tiny: dict[str, Any]) -> None:
    for name in ("school-district-performance", "approved-model-report-card"):
        res = compute_report_cards(framework=load_shipped(name=name), lake_paths=tiny["paths"],
                                   entities=tiny["entities"], growth=None)
        assert res.results.num_rows > 0
        growth_rows = [r for r in res.results.to_pylist() if r["metric"] == "ela_median_sgp"]
        assert growth_rows and all(r["value"] is None for r in growth_rows)


def test_growth_without_adequate_growth_flags_names_the_metrics_not_available(
        tiny: dict[str, Any]) -> None:
    """Growth results computed without an achievement standard have SGPs but no flags: the
    median SGP is computed, percent adequate growth is published without a value and named."""
    from playbook.analytics.reportcards.compute import NO_ADEQUATE_GROWTH

    no_flags = tiny["growth"].drop(["adequate_growth"])
    res = compute_report_cards(framework=_fw(), lake_paths=tiny["paths"],
                               entities=tiny["entities"], growth=no_flags, min_n=3)
    assert res.unavailable == {"growth.ela_adequate": NO_ADEQUATE_GROWTH}
    assert "achievement standard" in NO_ADEQUATE_GROWTH
    c = _cell(res, A, "ela_adequate")
    assert (c["n"], c["value"], c["level"]) == (6, None, None)
    assert _cell(res, A, "ela_sgp")["value"] == 30.0
    # the caller's reason wins; an unknown metric is refused
    why = "not available: no achievement standard for ela"
    res = compute_report_cards(framework=_fw(), lake_paths=tiny["paths"],
                               entities=tiny["entities"], growth=tiny["growth"], min_n=3,
                               unavailable={"growth.ela_adequate": why})
    assert res.unavailable == {"growth.ela_adequate": why}
    assert _cell(res, A, "ela_adequate")["value"] is None
    with pytest.raises(ValueError, match=r"growth\.nope"):
        compute_report_cards(framework=_fw(), lake_paths=tiny["paths"],
                             entities=tiny["entities"], growth=None,
                             unavailable={"growth.nope": why})


def test_an_entity_without_a_rating_says_why(tiny: dict[str, Any]) -> None:
    """The reason names each weighted component that could not be rated, in what results.csv
    shows: too few (published) students, no students tested in its grades, not in its
    implementation years."""
    base = _fw()
    fw = framework_copy(framework=base, version="2", changes={"rating.min_components": 2})
    res = compute_report_cards(framework=fw, lake_paths=tiny["paths"],
                               entities=tiny["entities"], growth=tiny["growth"], min_n=3)
    ratings = {(r["entity_id"], r["year"]): r for r in res.ratings.to_pylist()}
    assert ratings[(A, Y)]["rating"] == "F" and ratings[(A, Y)]["not_rated_reason"] is None
    assert ratings[(B, Y)]["rating"] == "Insufficient data"
    assert ratings[(B, Y)]["not_rated_reason"] == (
        "1 of the 2 components needed could be rated. Growth: fewer than 5 students.")
    # grade 5 only: nobody tested; growth outside its implementation years (a model's year 2)
    fw = framework_copy(framework=base, version="3", changes={
        "components[achievement].metrics[ela_prof].grades": [5],
        "components[growth].implementation_years": {"min": 3}})
    res = compute_report_cards(framework=fw, lake_paths=tiny["paths"],
                               entities=tiny["entities"], growth=tiny["growth"], min_n=3)
    model = next(r for r in res.ratings.to_pylist() if r["entity_id"] == "m-x")
    assert model["not_rated_reason"] == (
        "No component could be rated. Achievement: no students tested in grade 5; "
        "Growth: not rated in year 2 of implementation.")
