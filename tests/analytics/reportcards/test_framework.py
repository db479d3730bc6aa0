"""Frameworks are data: loading, validation errors with file and field path, copy, compare."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from playbook.analytics.reportcards import (
    FrameworkError,
    framework_copy,
    framework_diff,
    framework_dump,
    framework_from_dict,
    framework_to_dict,
    load_framework,
    load_shipped,
    shipped_frameworks,
)


def test_both_shipped_frameworks_load() -> None:
    assert set(shipped_frameworks()) == {"school-district-performance",
                                         "approved-model-report-card"}
    sd = load_shipped(name="school-district-performance")
    assert [c.id for c in sd.components if c.weight] == [
        "achievement", "growth", "growth_gaps", "postsecondary_readiness"]
    assert sd.rating.kind == "plan"
    assert set(sd.entity_types) == {"school", "district", "consortium"}
    am = load_shipped(name="approved-model-report-card")
    assert am.rating.kind == "letter" and [b.label for b in am.rating.bands] == list("ABCDF")
    assert set(am.entity_types) == {"model", "provider"}
    assert {c.id for c in am.components} >= {"achievement", "growth", "far_below_growth",
                                             "climate", "postsecondary_readiness"}
    climate = next(c for c in am.components if c.id == "climate")
    assert climate.implementation_years == (None, 2)


def _doc() -> dict[str, Any]:
    path = shipped_frameworks()["approved-model-report-card"]
    return yaml.safe_load(path.read_text())


def _write(tmp_path: Path, doc: Any, name: str = "my-framework.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _set(doc: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(("path", "value", "field", "message"), [
    (["components", 1, "metrics", 0, "cuts", "exemplary"], "high",
     "components[1].metrics[0].cuts.exemplary", "must be a number"),
    (["components", 1, "metrics", 0, "cuts", "exemplary"], 10,
     "components[1].metrics[0].cuts.exemplary", "must increase"),
    (["components", 0, "metrics", 1, "cuts", "exemplary"], 20,
     "components[0].metrics[1].cuts.exemplary", "must decrease"),
    (["components", 2, "metrics", 0, "measure"], "mean_sgp",
     "components[2].metrics[0].measure", "must be one of"),
    (["components", 2, "metrics", 0, "subject"], _DELETE,
     "components[2].metrics[0].subject", "is required"),
    (["components", 0, "metrics", 0, "subject"], "ela",
     "components[0].metrics[0].subject", "does not apply"),
    (["components", 1, "metrics", 0, "cuts"], _DELETE,
     "components[1].metrics[0].cuts", "is required for a rated metric"),
    (["components", 1, "metrics", 0, "rated_subgroups"], ["martians"],
     "components[1].metrics[0].rated_subgroups[0]", "must be one of"),
    (["components", 1, "metrics", 0, "colour"], "red",
     "components[1].metrics[0].colour", "unknown field"),
    (["components", 1, "weight"], -1, "components[1].weight", "at least 0"),
    (["components", 1, "implementation_years"], {"min": 3, "max": 2},
     "components[1].implementation_years.max", "must not be below min"),
    (["rating", "bands", 1, "min"], 90, "rating.bands[1].min", "must decrease"),
    (["rating", "bands", 4, "min"], 5, "rating.bands[4].min", "must start at 0"),
    (["rating", "type"], "stars", "rating.type", "must be one of"),
    (["entity_types", 0], "galaxy", "entity_types[0]", "must be one of"),
    (["subgroups"], ["HI"], "subgroups", "must include 'all'"),
    (["levels", 1, "points"], 0, "levels[1].points", "must increase"),
    (["title"], _DELETE, "title", "is required"),
])
def test_validation_error_names_file_and_field(tmp_path: Path, path: list[Any], value: Any,
                                               field: str, message: str) -> None:
    doc = _set(_doc(), path, value)
    with pytest.raises(FrameworkError) as info:
        load_framework(path=_write(tmp_path, doc))
    err = info.value
    assert err.source == "my-framework.yaml"
    assert err.path == field
    assert message in err.message
    assert str(err).startswith(f"my-framework.yaml: {field}: ")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    doc = _set(_doc(), ["components", 1, "metrics", 0, "cuts", "exemplary"], "high")
    doc = _set(doc, ["rating", "type"], "stars")
    doc = _set(doc, ["components", 0, "metrics", 2, "colour"], "red")
    with pytest.raises(FrameworkError) as info:
        load_framework(path=_write(tmp_path, doc))
    err = info.value
    paths = [path for path, _ in err.errors]
    assert sorted(paths) == ["components[0].metrics[2].colour",
                             "components[1].metrics[0].cuts.exemplary", "rating.type"]
    messages = dict(err.errors)
    assert messages["components[1].metrics[0].cuts.exemplary"] == "must be a number"
    assert messages["rating.type"] == "must be one of letter, plan (got 'stars')"
    assert messages["components[0].metrics[2].colour"].startswith("unknown field (allowed: ")
    # the first problem is the error's path and message, and str() lists every one, a line each
    assert (err.path, err.message) == err.errors[0]
    assert str(err).splitlines() == [f"my-framework.yaml: {p}: {m}" for p, m in err.errors]
    assert str(err).startswith(f"my-framework.yaml: {err.path}: {err.message}\n")


def test_cross_field_problems_in_several_places_are_reported_together(tmp_path: Path) -> None:
    doc = _set(_doc(), ["rating", "bands", 1, "min"], 90)
    doc = _set(doc, ["levels", 1, "points"], 0)
    doc = _set(doc, ["components", 1, "id"], "climate")
    with pytest.raises(FrameworkError) as info:
        load_framework(path=_write(tmp_path, doc))
    assert {path for path, _ in info.value.errors} == {
        "rating.bands[1].min", "levels[1].points", "components[1].id"}


_M = ["components", 1, "metrics", 0]  # achievement: ELA percent proficient


@pytest.mark.parametrize(("changes", "field", "message"), [
    ([(["levels", 2, "id"], "sufficient")], "levels[2].id", "duplicate level id 'sufficient'"),
    ([(["levels"], [{"id": "only", "points": 0}])], "levels",
     "needs at least two levels (lowest first)"),
    ([(["components", 1, "id"], "climate")], "components[1].id",
     "duplicate component id 'climate'"),
    ([(["components", 2, "metrics", 0, "id"], "ela_proficiency")], "components",
     "metric id 'ela_proficiency' is used in two components"),
    ([(["components", i, "weight"], 0) for i in range(5)], "components",
     "at least one component with weight > 0 must have a rated metric"),
    ([([*_M, "cuts", "sufficient"], _DELETE)], "components[1].metrics[0].cuts.sufficient",
     "is required"),
    ([([*_M, "cuts", "great"], 70)], "components[1].metrics[0].cuts.great",
     "unknown field (allowed: exemplary, sufficient)"),
    ([(["subgroups"], ["all", "BL"]), ([*_M, "rated_subgroups"], ["HI"])],
     "components[1].metrics[0].rated_subgroups[0]", "must be one of all, BL (got 'HI')"),
    ([(["components", 2, "metrics", 0, "measure"], "growth_gap")],
     "components[2].metrics[0].rated_subgroups", "a growth gap has no value for 'all'"),
    ([(["components", 0, "metrics", 0, "grades"], [3])], "components[0].metrics[0].grades",
     "does not apply to measure attendance_rate"),
    ([([*_M, "prior_level_max"], 1)], "components[1].metrics[0].prior_level_max",
     "applies only to growth measures"),
    ([([*_M, "scale"], {"zero_at": 5, "full_at": 5})], "components[1].metrics[0].scale.full_at",
     "must differ from zero_at"),
    ([([*_M, "implementation_years"], {"min": 4, "max": 3})],
     "components[1].metrics[0].implementation_years.max", "must not be below min"),
    ([(["subgroups"], ["all", "HI", "HI"])], "subgroups", "lists a subgroup twice"),
    ([(["entity_types"], ["model", "model"])], "entity_types", "lists an entity type twice"),
    ([(["rating", "bands", 1, "label"], "A")], "rating.bands", "a label is used twice"),
    ([(["rating", "min_components"], 6)], "rating.min_components", "must be at most 5"),
    ([(["rating", "min_components"], True)], "rating.min_components", "must be an integer"),
    ([(["version"], True)], "version", "must be a string or number"),
    ([(["id"], "my framework")], "id", "may contain only letters, digits, '-' and '_'"),
])
def test_each_cross_field_rule_names_its_field(changes: list[tuple[list[Any], Any]], field: str,
                                               message: str) -> None:
    doc = _doc()
    for path, value in changes:
        doc = _set(doc, path, value)
    with pytest.raises(FrameworkError) as info:
        framework_from_dict(data=doc, source="my-framework.yaml")
    assert len(info.value.errors) == 1, str(info.value)
    assert info.value.path == field
    assert message in info.value.message


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(FrameworkError) as info:
        framework_from_dict(data=["id"], source="list.yaml")
    assert str(info.value) == "list.yaml: must be a mapping"
    assert info.value.errors == [("", "must be a mapping")]


def test_missing_fields_are_all_named() -> None:
    with pytest.raises(FrameworkError) as info:
        framework_from_dict(data={"id": "x"}, source="bare.yaml")
    assert info.value.errors == [
        (f, "is required") for f in ("version", "title", "entity_types", "levels", "components",
                                     "rating")]


def test_duplicate_metric_ids_are_refused(tmp_path: Path) -> None:
    doc = _doc()
    doc["components"][1]["metrics"][1]["id"] = doc["components"][1]["metrics"][0]["id"]
    with pytest.raises(FrameworkError, match=r"components\[1\]\.metrics\[1\]\.id: duplicate"):
        load_framework(path=_write(tmp_path, doc))


def test_syntax_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(FrameworkError, match=r"^broken\.yaml: is not valid YAML"):
        load_framework(path=path)
    with pytest.raises(FrameworkError, match=r"^missing\.json: cannot be read"):
        load_framework(path=tmp_path / "missing.json")


def test_json_frameworks_load_too(tmp_path: Path) -> None:
    fw = load_shipped(name="school-district-performance")
    path = framework_dump(framework=fw, path=tmp_path / "copy.json")
    again = load_framework(path=path)
    assert again.components == fw.components and again.rating == fw.rating


def test_copy_change_cut_points_and_compare(tmp_path: Path) -> None:
    old = load_shipped(name="approved-model-report-card")
    new = framework_copy(framework=old, version="2026.1", changes={
        "components[growth].metrics[ela_median_sgp].cuts.exemplary": 65,
        "components[climate].weight": 20,
    })
    assert new.version == "2026.1" and new.id == old.id
    changes = {c.path: c for c in framework_diff(old=old, new=new)}
    assert set(changes) == {
        "version", "components[growth].metrics[ela_median_sgp].cuts.exemplary",
        "components[climate].weight"}
    c = changes["components[growth].metrics[ela_median_sgp].cuts.exemplary"]
    assert (c.kind, c.old, c.new) == ("changed", 60, 65)
    assert str(c) == "~ components[growth].metrics[ela_median_sgp].cuts.exemplary: 60 -> 65"
    # the copy written to disk and read back is the same framework
    path = framework_dump(framework=new, path=tmp_path / "approved-model-2026.yaml")
    assert framework_diff(old=new, new=load_framework(path=path)) == []


def test_copy_is_validated() -> None:
    old = load_shipped(name="approved-model-report-card")
    with pytest.raises(FrameworkError, match=r"cuts\.exemplary: cut points must increase"):
        framework_copy(framework=old, version="x", changes={
            "components[growth].metrics[ela_median_sgp].cuts.exemplary": 1})
    with pytest.raises(FrameworkError, match="no item with id 'nope'"):
        framework_copy(framework=old, version="x", changes={"components[nope].weight": 1})


def test_diff_reports_added_and_removed_metrics() -> None:
    old = load_shipped(name="approved-model-report-card")
    doc = framework_to_dict(framework=old)
    growth = next(c for c in doc["components"] if c["id"] == "growth")
    removed = growth["metrics"].pop()
    growth["metrics"].append({**removed, "id": "math_adequate_growth_v2"})
    new = framework_from_dict(data=doc, source="edited.yaml")
    kinds = {(c.path, c.kind) for c in framework_diff(old=old, new=new)}
    assert kinds == {("components[growth].metrics[math_adequate_growth]", "removed"),
                     ("components[growth].metrics[math_adequate_growth_v2]", "added")}
