"""Validate a whole student-data CSV before anything is written.

The file is read as text, every cell is checked against its column's declaration in
``schemas.py`` with vectorized SQL in DuckDB, and every problem is reported with the file, the
row (as a spreadsheet shows it: the header is row 1), the column and what is wrong. Only a file
with no problem at all becomes a typed Arrow table, ready to be written as a snapshot.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from .schemas import IDENTIFYING_COLUMNS, KINDS, Column, Kind

ERROR_LIMIT = 100

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class ValidationResult:
    file: str
    kind: str
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    table: pa.Table | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


class ImportRefused(Exception):
    """A file (or batch) was refused; nothing was written."""

    def __init__(self, results: list[ValidationResult]) -> None:
        self.results = [r for r in results if not r.ok]
        super().__init__(self.report())

    def report(self) -> str:
        lines: list[str] = []
        for r in self.results:
            lines.append(f"{r.file}: {r.problem_count} problem(s); nothing was imported.")
            lines.extend(f"  {p}" for p in r.problems)
            if r.problem_count > len(r.problems):
                lines.append(f"  ... and {r.problem_count - len(r.problems)} more")
        return "\n".join(lines)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cell_checks(col: Column) -> list[tuple[str, str]]:
    """(condition that marks a bad cell, SQL expression for the message) for one column."""
    c = _ident(col.name)
    shown = f"'''' || {c} || ''''"
    checks: list[tuple[str, str]] = []
    if col.required:
        checks.append((f"{c} IS NULL", "'is empty; a value is required'"))
    present = f"{c} IS NOT NULL"
    if col.type == "int":
        checks.append((f"{present} AND TRY_CAST({c} AS BIGINT) IS NULL",
                       f"{shown} || ' is not a whole number'"))
        num = f"TRY_CAST({c} AS BIGINT)"
    elif col.type == "decimal":
        checks.append((f"{present} AND TRY_CAST({c} AS DOUBLE) IS NULL",
                       f"{shown} || ' is not a number'"))
        checks.append((f"{present} AND NOT isfinite(TRY_CAST({c} AS DOUBLE))",
                       f"{shown} || ' is not a finite number'"))
        num = f"TRY_CAST({c} AS DOUBLE)"
    else:
        num = ""
    # nan and inf are reported once, as not finite, not also as out of range.
    finite = f"isfinite({num}) AND " if col.type == "decimal" else ""
    if num and col.minimum is not None:
        checks.append((f"{finite}{num} < {col.minimum}",
                       f"{shown} || ' is below the minimum {col.minimum:g}'"))
    if num and col.maximum is not None:
        checks.append((f"{finite}{num} > {col.maximum}",
                       f"{shown} || ' is above the maximum {col.maximum:g}'"))
    if col.type == "bool":
        words = ", ".join(_sql_str(w) for w in TRUE_WORDS + FALSE_WORDS)
        checks.append((f"{present} AND lower({c}) NOT IN ({words})",
                       f"{shown} || ' is not true/false (use true, false, Y, N, 1 or 0)'"))
    if col.type == "date":
        checks.append((f"{present} AND TRY_STRPTIME({c}, '%Y-%m-%d') IS NULL",
                       f"{shown} || ' is not a date in the form YYYY-MM-DD'"))
    if col.type == "enum":
        allowed = ", ".join(_sql_str(v) for v in col.choices)
        checks.append((f"{present} AND {c} NOT IN ({allowed})",
                       f"{shown} || ' is not one of: {', '.join(col.choices)}'"))
    if col.pattern:
        checks.append((f"{present} AND NOT regexp_full_match({c}, {_sql_str(col.pattern)})",
                       f"{shown} || ' is not a valid {col.name} (expected the pattern "
                       f"{col.pattern.replace(chr(39), chr(39) * 2)})'"))
    if col.references:
        what = "school in the registry" if col.references == "school" else "model in the registry"
        checks.append((f"{present} AND {c} NOT IN (SELECT id FROM ref_{col.references})",
                       f"{shown} || ' is not a {what}'"))
    return checks


def _typed_expr(col: Column) -> str:
    c = _ident(col.name)
    if col.type == "int":
        return f"CAST({c} AS INTEGER) AS {c}"
    if col.type == "decimal":
        return f"CAST({c} AS DOUBLE) AS {c}"
    if col.type == "bool":
        words = ", ".join(_sql_str(w) for w in TRUE_WORDS)
        return f"CASE WHEN {c} IS NULL THEN NULL ELSE lower({c}) IN ({words}) END AS {c}"
    if col.type == "date":
        return f"CAST(strptime({c}, '%Y-%m-%d') AS DATE) AS {c}"
    return f"{c}"


def validate_file(
    path: Path,
    kind_name: str,
    *,
    school_ids: Iterable[str],
    model_ids: Iterable[str],
    error_limit: int = ERROR_LIMIT,
) -> ValidationResult:
    """Check every row of ``path`` against ``kind_name``'s declaration.

    Returns a result with all problems (up to ``error_limit`` listed, all counted) and, when there
    are none, the typed table sorted by its unique key.
    """
    path = Path(path)
    shown_name = path.name
    if kind_name not in KINDS:
        raise ValueError(f"unknown kind {kind_name!r}; expected one of {', '.join(KINDS)}")
    kind = KINDS[kind_name]
    result = ValidationResult(file=shown_name, kind=kind_name, sha256="")

    def add(row: int | None, column: str | None, message: str) -> None:
        result.problem_count += 1
        if len(result.problems) < error_limit:
            result.problems.append(Problem(shown_name, row, column, message))

    if not path.is_file():
        add(None, None, "file not found")
        return result
    result.sha256 = file_sha256(path)
    try:
        header = _read_header(path)
    except UnicodeDecodeError:
        add(None, None, "is not UTF-8 text; save it as CSV (UTF-8)")
        return result
    if header is None:
        add(None, None, "the file is empty; expected a header row")
        return result
    _check_header(kind, header, add)
    if result.problem_count:
        return result

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        add(None, None, f"cannot be read as CSV: {exc}")
        return result
    table = table.rename_columns([c.strip() for c in table.column_names])
    present = [c for c in kind.column_names if c in header]
    table = table.select(present)
    for missing in (c for c in kind.column_names if c not in header):
        table = table.append_column(missing, pa.nulls(table.num_rows, pa.string()))
    table = table.append_column("__row", pa.array(range(2, table.num_rows + 2), pa.int64()))
    if table.num_rows == 0:
        add(None, None, "has a header but no data rows")
        return result

    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        con.register("src", table)
        con.register("ref_school", pa.table({"id": pa.array(sorted(set(school_ids)), pa.string())}))
        con.register("ref_model", pa.table({"id": pa.array(sorted(set(model_ids)), pa.string())}))
        parts = []
        for col in kind.columns:
            for condition, message in _cell_checks(col):
                parts.append(
                    f"SELECT __row, {_sql_str(col.name)} AS col, {message} AS msg "
                    f"FROM src WHERE {condition}"
                )
        for left, op, right in kind.row_rules:
            lcol = kind.column(left)
            cast = "DATE" if lcol.type == "date" else "DOUBLE"
            lx = f"TRY_CAST({_ident(left)} AS {cast})"
            rx = f"TRY_CAST({_ident(right)} AS {cast})"
            parts.append(
                f"SELECT __row, {_sql_str(left)} AS col, "
                f"'''' || {_ident(left)} || ''' must be {op} {right} (''' || "
                f"{_ident(right)} || ''')' AS msg FROM src "
                f"WHERE {lx} IS NOT NULL AND {rx} IS NOT NULL AND NOT ({lx} {op} {rx})"
            )
        key = ", ".join(_ident(k) for k in kind.unique)
        parts.append(
            f"SELECT __row, {_sql_str(kind.unique[0])} AS col, "
            f"'repeats row ' || first_row || ' (same {', '.join(kind.unique)})' AS msg FROM ("
            f"SELECT __row, min(__row) OVER (PARTITION BY {key}) AS first_row FROM src) "
            f"WHERE __row <> first_row"
        )
        union = " UNION ALL ".join(parts)
        total = int(con.execute(f"SELECT count(*) FROM ({union})").fetchall()[0][0])
        if total:
            rows = con.execute(
                f"SELECT __row, col, msg FROM ({union}) "
                f"ORDER BY __row, list_position({_column_list(kind)}, col) LIMIT {error_limit}"
            ).fetchall()
            for row, col_name, message in rows:
                add(int(row), str(col_name), str(message))
            result.problem_count = total
            return result
        select = ", ".join(_typed_expr(c) for c in kind.columns)
        order_by = ", ".join(_ident(k) for k in ("school_year", *kind.unique) if k in
                             kind.column_names)
        # school_year twice in the ORDER BY is harmless and keeps the year first.
        result.table = con.sql(f"SELECT {select} FROM src ORDER BY {order_by}").to_arrow_table()
        return result
    finally:
        con.close()


def _column_list(kind: Kind) -> str:
    return "[" + ", ".join(_sql_str(c) for c in kind.column_names) + "]"


def _read_header(path: Path) -> list[str] | None:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        try:
            row = next(csv.reader(fh))
        except StopIteration:
            return None
    return [c.strip() for c in row]


def _check_header(kind: Kind, header: list[str], add) -> None:
    seen: set[str] = set()
    for name in header:
        # grade and Grade are the same column to a person: which one would be imported?
        if name.lower() in seen:
            add(1, name, "this column appears twice in the header")
        seen.add(name.lower())
        if name.lower() in IDENTIFYING_COLUMNS:
            add(1, name, "looks like personal identifying information; the student-data lake "
                         "stores only pseudonymous keys, so remove this column")
    for col in kind.columns:
        if col.required and col.name not in header:
            add(1, col.name, f"required column is missing (the {kind.name} format needs: "
                             f"{', '.join(c.name for c in kind.columns if c.required)})")
