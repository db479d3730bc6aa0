"""``playbook report-cards`` on a state without an achievement standard, and when it fails:
a clear message and exit status, never a traceback, never half the files."""

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


@pytest.fixture
def state(bare_state):  # type: ignore[no-untyped-def]
    """The same with the synthetic state's achievement standard loaded (as ``playbook demo``)."""
    standard_from_synthetic_state()


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


def test_a_failed_run_ends_with_its_message_and_writes_nothing(
        state, tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    import playbook.analytics.reportcards as rc

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the lake is unreadable")

    monkeypatch.setattr(rc, "compute_report_cards", broken)
    out = tmp_path / "out"
    assert cli_main(["report-cards", "--framework", SDP, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "playbook report-cards: the run failed: RuntimeError: the lake is unreadable" in err
    assert "Traceback" not in err
    assert not out.exists()
    run = ReportCardRun.objects.get(framework__slug=SDP)
    assert run.status == "failed" and "the lake is unreadable" in run.message


def test_the_files_are_written_all_or_none(
        state, tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    import playbook.evidence.commands as commands

    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    real = commands.shutil.copyfile
    calls = []

    def copy_once(src, dst):  # type: ignore[no-untyped-def]
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(commands.shutil, "copyfile", copy_once)
    assert cli_main(["report-cards", "--framework", SDP, "--out", str(out)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left
