"""Rules of ``studentdata/validation.py`` that mutation testing found unpinned (issue 10): the
refusal report an operator reads, line by line."""

from __future__ import annotations

from playbook.studentdata.validation import ImportRefused, Problem, ValidationResult


def test_the_refusal_report_lists_each_refused_file_and_its_problems_line_by_line():
    bad = ValidationResult(file="scores.csv", kind="scores", sha256="x", problem_count=3,
                           problems=[Problem("scores.csv", 4, "score", "not a number"),
                                     Problem("scores.csv", None, None, "duplicate header")])
    good = ValidationResult(file="schools.csv", kind="schools", sha256="y")
    refused = ImportRefused([bad, good])
    assert refused.results == [bad]
    assert refused.report().split("\n") == [
        "scores.csv: 3 problem(s); nothing was imported.",
        "  scores.csv, row 4, column score: not a number",
        "  scores.csv: duplicate header",
        "  ... and 1 more",
    ]
    assert str(refused) == refused.report()
