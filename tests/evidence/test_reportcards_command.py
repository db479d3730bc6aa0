"""``playbook report-cards`` on a state without an achievement standard."""

from __future__ import annotations

import csv

import pytest

from playbook.cli import main as cli_main
from playbook.evidence.growth import standard_from_synthetic_state
from playbook.evidence.models import ReportCardRun
from playbook.evidence.reportcards import frameworks_load_shipped
from playbook.studentdata.synth import synth_build

pytestmark = pytest.mark.django_db
SDP = "school-district-performance"


@pytest.fixture
def bare_state(personas):  # type: ignore[no-untyped-def]
    """What ``playbook synth`` leaves: a snapshot and the registry, no achievement standard."""
    synth_build(students=2500, seed=11)
    frameworks_load_shipped()


def _rows(path):  # type: ignore[no-untyped-def]
    with path.open() as fh:
        return list(csv.DictReader(fh))


def test_without_an_achievement_standard_what_needs_no_cut_scores_is_computed(
        bare_state, tmp_path, capsys):  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    assert cli_main(["report-cards", "--framework", SDP, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "growth.ela_adequate_growth: not available: no achievement standard for ela" in said
    assert "growth.math_adequate_growth: not available: no achievement standard for math" in said
    assert "load the achievement standard (the state's cut scores) for ela and math" in said
    assert sorted(p.name for p in out.iterdir()) == ["ratings.csv", "results.csv"]
    rows = _rows(out / "results.csv")
    adequate = [r for r in rows if r["metric"] in ("ela_adequate_growth",
                                                   "math_adequate_growth")]
    assert adequate and all(r["value"] == r["level"] == "" for r in adequate)
    assert any(r["n"] not in ("", "0") for r in adequate)  # the students are still counted
    sgp = [r for r in rows if r["metric"] == "ela_median_sgp" and r["value"]]
    assert sgp and any(r["level"] for r in sgp)
    assert any(r["score"] for r in _rows(out / "ratings.csv"))

    # loading the standard makes the next run a new one, with adequate growth
    standard_from_synthetic_state()
    again = tmp_path / "again"
    assert cli_main(["report-cards", "--framework", SDP, "--out", str(again)]) == 0
    assert "not available" not in capsys.readouterr().out
    assert ReportCardRun.objects.filter(framework__slug=SDP).count() == 2
    rows = _rows(again / "results.csv")
    assert any(r["value"] for r in rows if r["metric"] == "ela_adequate_growth")
