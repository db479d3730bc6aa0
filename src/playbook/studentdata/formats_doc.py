"""Writes docs/student-data-formats.md from the declarations in ``schemas.py``.

``python -m playbook.studentdata.formats_doc > docs/student-data-formats.md``; a test checks the
committed file is current.
"""

from __future__ import annotations

from .schemas import (
    DISCIPLINE_ACTIONS,
    IDENTIFYING_COLUMNS,
    INCIDENT_TYPES,
    KINDS,
    RACE_ETHNICITY,
    SUBJECTS,
    Column,
)
from .validation import ERROR_LIMIT, FALSE_WORDS, TRUE_WORDS


def _rule(col: Column) -> str:
    parts = [{"string": "text", "int": "whole number", "decimal": "number", "bool": "true/false",
              "date": "date YYYY-MM-DD", "enum": "code"}[col.type]]
    if col.minimum is not None or col.maximum is not None:
        parts.append(f"{col.minimum:g} to {col.maximum:g}")
    if col.choices:
        parts.append("one of " + ", ".join(f"`{c}`" for c in col.choices))
    if col.pattern:
        parts.append(f"pattern `{col.pattern}`")
    if col.references:
        parts.append(f"must exist in the registry ({col.references})")
    return "; ".join(parts)


def formats_markdown() -> str:
    out = [
        "# Student-data CSV formats",
        "",
        "<!-- Generated from src/playbook/studentdata/schemas.py by "
        "`python -m playbook.studentdata.formats_doc`; do not edit by hand. -->",
        "",
        "Import with `playbook import KIND FILE.csv`. Files are UTF-8 CSV with a header row; "
        "columns may come in any order, extra columns are ignored, and an empty cell is a "
        "missing value.",
        "",
        "**The whole file is checked before anything is written.** Types, ranges, codes, "
        "patterns, references to the registry, rules between columns and duplicate keys are "
        "all checked; a file with any problem is refused whole, and every problem is listed "
        f"(the first {ERROR_LIMIT}, all counted) as `file, row N, column C: what is wrong`, "
        "where row 1 is the header, as a spreadsheet numbers it.",
        "",
        "**A valid file becomes a new immutable snapshot.** The snapshot holds, for each kind, "
        "one Parquet file: the imported file's rows plus the previous snapshot's rows for the "
        "school years the file does not hold (`--replace-all` drops those too). Kinds not "
        "imported are shared unchanged from the previous snapshot. The snapshot record keeps "
        "who, when, the source file's name, SHA-256 and row count, and which snapshot it "
        "supersedes.",
        "",
        "**Students are pseudonymous.** Every file is keyed by `student_key`, the state's "
        "pseudonymous key; a file with a column that looks like a name or other direct "
        "identifier (" + ", ".join(f"`{c}`" for c in sorted(IDENTIFYING_COLUMNS)) + ") is "
        "refused.",
        "",
        "`school_year` is the calendar year in which the school year ends: 2025 means 2024-25. "
        "True/false cells accept " + ", ".join(TRUE_WORDS) + " and " + ", ".join(FALSE_WORDS)
        + " (any case).",
        "",
    ]
    for kind in KINDS.values():
        out += [f"## `{kind.name}`: {kind.title}", "", kind.description, "",
                "| column | required | rule | meaning |", "| --- | --- | --- | --- |"]
        for col in kind.columns:
            out.append(f"| `{col.name}` | {'yes' if col.required else 'no'} | {_rule(col)} | "
                       f"{col.description} |")
        out += ["", "Unique key: " + ", ".join(f"`{k}`" for k in kind.unique) + "."]
        for left, op, right in kind.row_rules:
            out.append(f"Rule: `{left}` {op} `{right}` when both are given.")
        out.append("")
    out += ["## Codes", ""]
    for title, codes in (("Race/ethnicity (federal categories)", RACE_ETHNICITY),
                         ("Subjects", SUBJECTS), ("Incident types", INCIDENT_TYPES),
                         ("Discipline actions", DISCIPLINE_ACTIONS)):
        out += [f"### {title}", "", "| code | meaning |", "| --- | --- |"]
        out += [f"| `{code}` | {meaning} |" for code, meaning in codes.items()]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(formats_markdown(), end="")
