"""The report card's plain words take their numbers from the framework."""

from __future__ import annotations

from playbook.analytics.reportcards.framework import load_framework
from playbook.evidence.reportcard_words import no_level_reason, rating_scale, rating_sentence


def _fw(name: str):  # type: ignore[no-untyped-def]
    from playbook.analytics.reportcards.framework import FRAMEWORKS_DIR

    return load_framework(path=FRAMEWORKS_DIR / f"{name}.yaml")


def test_too_few_students_names_the_metrics_own_minimum() -> None:
    fw = _fw("school-district-performance")
    sgp = next(m for _, m in fw.metrics() if m.id == "ela_median_sgp")
    assert no_level_reason(metric=sgp, subgroup="all", n=19, run_min_n=10) == (
        "not rated: fewer than 20 students, this framework's minimum for rating")
    proficiency = next(m for _, m in fw.metrics() if m.id == "ela_proficiency")
    assert "fewer than 16 students" in no_level_reason(metric=proficiency, subgroup="all",
                                                       n=12, run_min_n=10)
    # the publication's own minimum wins where it is higher
    assert "fewer than 25 students" in no_level_reason(metric=sgp, subgroup="all", n=22,
                                                       run_min_n=25)


def test_reported_only_and_unrated_groups_say_so() -> None:
    fw = _fw("school-district-performance")
    attendance = next(m for _, m in fw.metrics() if m.id == "attendance_rate")
    assert no_level_reason(metric=attendance, subgroup="all", n=400, run_min_n=10) == (
        "reported for information; not rated")
    sgp = next(m for _, m in fw.metrics() if m.id == "ela_median_sgp")
    assert "all students" in no_level_reason(metric=sgp, subgroup="HI", n=40, run_min_n=10)


def test_the_scale_lists_every_level_best_first_and_marks_the_current_one() -> None:
    fw = _fw("school-district-performance")
    steps = rating_scale(framework=fw, current="Improvement")
    assert [s.label for s in steps] == ["Performance", "Improvement", "Priority improvement",
                                        "Turnaround"]
    assert [s.range_text for s in steps] == ["66 to 100", "55 up to 66", "45 up to 55",
                                             "0 up to 45"]
    assert [s.current for s in steps] == [False, True, False, False]
    assert all(s.meaning for s in steps)
    assert rating_sentence(entity_label="School", rating="Improvement", framework=fw
                           ).startswith("Improvement means this school meets some")
    assert "not rated this year" in rating_sentence(entity_label="School",
                                                    rating=fw.rating.not_rated_label,
                                                    framework=fw)
    letters = _fw("approved-model-report-card")
    assert rating_sentence(entity_label="Model", rating="B", framework=letters).startswith(
        "B means the model does a good job")
