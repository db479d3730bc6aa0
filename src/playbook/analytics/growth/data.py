"""Score files: reading and checking the long format, and converters from the SGP samples.

The engine's input is a long table with one row per student, year and subject::

    student_id, year, subject, grade, scale_score

(other columns are ignored). ``student_id``, ``year`` and ``subject`` are text, ``grade`` an
integer and ``scale_score`` a number; an empty score means "not tested" and the row is dropped.
Years are ordered numerically when they all look like numbers, else as text (``2024_2025``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

REQUIRED_COLUMNS = ("student_id", "year", "subject", "grade", "scale_score")
_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


class ScoreFileError(ValueError):
    """Bad input, located: ``file``, 1-based ``row`` (the header is row 1), ``column``."""

    def __init__(self, *, file: str, row: int | None, column: str | None, message: str) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.message = message
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


def _first_bad(values: pa.ChunkedArray | pa.Array, *, allow_empty: bool) -> int | None:
    """Index of the first value that is not a number (empties allowed or not)."""
    import pyarrow.compute as pc

    ok = pc.match_substring_regex(values, _NUMBER)
    if allow_empty:
        ok = pc.or_(ok, pc.equal(pc.utf8_trim_whitespace(values), ""))
    ok = pc.fill_null(ok, allow_empty)
    bad = np.flatnonzero(~np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool))
    return int(bad[0]) if bad.size else None


def validate_scores(table: pa.Table, *, source: str = "<table>", header_rows: int = 1) -> pa.Table:
    """Check a long score table and return it typed: ids/year/subject text, grade int64,
    scale_score float64, rows without a score removed.

    Raises :class:`ScoreFileError` naming the row (``index + header_rows + 1``) and column for a
    missing column, an empty id/year/subject/grade, a grade that is not an integer, a score that
    is not a finite number, or a second row for the same student, year and subject.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise ScoreFileError(
            file=source,
            row=1 if header_rows else None,
            column=missing[0],
            message=f"missing column(s) {', '.join(missing)}; the header has "
            f"{', '.join(table.column_names) or 'no columns'}",
        )

    def row_of(i: int) -> int:
        return i + header_rows + 1

    if pa.types.is_integer(table.column("grade").type) and (
        pa.types.is_floating(table.column("scale_score").type)
        or pa.types.is_integer(table.column("scale_score").type)
    ):
        return _validate_typed(table, source=source, row_of=row_of)

    cols: dict[str, pa.ChunkedArray] = {}
    for name in REQUIRED_COLUMNS:
        col = table.column(name)
        if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
            col = pc.cast(col, pa.string())
        cols[name] = col
    for name in ("student_id", "year", "subject", "grade"):
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(cols[name]), ""), True)
        idx = np.flatnonzero(np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool))
        if idx.size:
            raise ScoreFileError(
                file=source, row=row_of(int(idx[0])), column=name, message="empty value"
            )
    bad = _first_bad(cols["grade"], allow_empty=False)
    if bad is not None:
        raise ScoreFileError(
            file=source,
            row=row_of(bad),
            column="grade",
            message=f"grade {cols['grade'][bad].as_py()!r} is not a number",
        )
    grade_f = pc.cast(pc.utf8_trim_whitespace(cols["grade"]), pa.float64()).to_numpy()
    frac = np.flatnonzero(grade_f != np.round(grade_f))
    if frac.size:
        i = int(frac[0])
        raise ScoreFileError(
            file=source,
            row=row_of(i),
            column="grade",
            message=f"grade {cols['grade'][i].as_py()!r} is not a whole number",
        )
    bad = _first_bad(cols["scale_score"], allow_empty=True)
    if bad is not None:
        raise ScoreFileError(
            file=source,
            row=row_of(bad),
            column="scale_score",
            message=f"score {cols['scale_score'][bad].as_py()!r} is not a number",
        )
    trimmed = pc.utf8_trim_whitespace(cols["scale_score"])
    trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    score = pc.cast(trimmed, pa.float64()).to_numpy(zero_copy_only=False)
    nonfinite = np.flatnonzero(np.isinf(score))
    if nonfinite.size:
        raise ScoreFileError(
            file=source,
            row=row_of(int(nonfinite[0])),
            column="scale_score",
            message="score is not finite",
        )
    sid = pc.utf8_trim_whitespace(cols["student_id"])
    year = pc.utf8_trim_whitespace(cols["year"])
    subject = pc.utf8_trim_whitespace(cols["subject"])
    _check_duplicates(sid, year, subject, source=source, row_of=row_of)
    out = pa.table(
        {
            "student_id": sid,
            "year": year,
            "subject": subject,
            "grade": pa.array(grade_f.astype(np.int64)),
            "scale_score": pa.array(score, mask=np.isnan(score)),
        }
    )
    return out.filter(pc.is_valid(out.column("scale_score")))


def _validate_typed(table: pa.Table, *, source: str, row_of: Callable[[int], int]) -> pa.Table:
    """:func:`validate_scores` for a table whose grade and score are already numbers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = {}
    for name in ("student_id", "year", "subject"):
        col = table.column(name)
        if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
            col = pc.cast(col, pa.string())
        col = pc.utf8_trim_whitespace(col)
        empty = pc.fill_null(pc.equal(col, ""), True)
        if pc.any(empty).as_py():
            i = int(np.flatnonzero(empty.to_numpy(zero_copy_only=False))[0])
            raise ScoreFileError(file=source, row=row_of(i), column=name, message="empty value")
        cols[name] = col
    grade = table.column("grade")
    if grade.null_count:
        i = int(np.flatnonzero(pc.is_null(grade).to_numpy(zero_copy_only=False))[0])
        raise ScoreFileError(file=source, row=row_of(i), column="grade", message="empty value")
    score = pc.cast(table.column("scale_score"), pa.float64())
    values = score.to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(np.isinf(values))
    if bad.size:
        raise ScoreFileError(
            file=source,
            row=row_of(int(bad[0])),
            column="scale_score",
            message="score is not finite",
        )
    _check_duplicates(
        cols["student_id"], cols["year"], cols["subject"], source=source, row_of=row_of
    )
    out = pa.table({**cols, "grade": pc.cast(grade, pa.int64()), "scale_score": score})
    return out.filter(pc.is_valid(out.column("scale_score")))


def _codes(values: pa.ChunkedArray) -> tuple[np.ndarray, int]:
    import pyarrow as pa

    enc = values.combine_chunks().dictionary_encode() if values.num_chunks else None
    if enc is None:
        return np.zeros(0, dtype=np.int64), 0
    assert isinstance(enc, pa.DictionaryArray)
    return enc.indices.to_numpy().astype(np.int64), len(enc.dictionary)


def _check_duplicates(
    sid: pa.ChunkedArray,
    year: pa.ChunkedArray,
    subject: pa.ChunkedArray,
    *,
    source: str,
    row_of: object,
) -> None:
    s_codes, _ = _codes(sid)
    y_codes, n_y = _codes(year)
    j_codes, n_j = _codes(subject)
    if s_codes.size < 2:
        return
    key = (s_codes * max(n_y, 1) + y_codes) * max(n_j, 1) + j_codes
    order = np.argsort(key, kind="stable")
    same = np.flatnonzero(key[order][1:] == key[order][:-1])
    if not same.size:
        return
    # the duplicate that appears earliest in the file (as its second occurrence)
    later = order[same + 1]
    first = order[same]
    k = int(np.argmin(later))
    i, j = int(later[k]), int(first[k])
    assert callable(row_of)
    raise ScoreFileError(
        file=source,
        row=row_of(i),
        column="student_id",
        message=f"duplicate row for student {sid[i].as_py()!r}, year {year[i].as_py()!r}, "
        f"subject {subject[i].as_py()!r} (first at row {row_of(j)})",
    )


def read_scores_csv(path: str | Path) -> pa.Table:
    """Read and check a long score CSV (see :func:`validate_scores`)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    source = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), [])
    except OSError as exc:
        raise ScoreFileError(
            file=source, row=None, column=None, message=exc.strerror or ""
        ) from exc
    except UnicodeDecodeError as exc:
        raise ScoreFileError(file=source, row=1, column=None, message="not UTF-8 text") from exc
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ScoreFileError(
            file=source,
            row=1,
            column=missing[0],
            message=f"missing column(s) {', '.join(missing)}; the header has "
            f"{', '.join(header) or 'no columns'}",
        )
    read_options = pacsv.ReadOptions(column_names=header, skip_rows=1)
    text = {c: pa.string() for c in ("student_id", "year", "subject")}
    try:
        # fast path: numbers parsed while reading; any parse error falls back to reading text,
        # where the checks below locate it
        typed = pacsv.read_csv(
            path,
            read_options=read_options,
            convert_options=pacsv.ConvertOptions(
                include_columns=list(REQUIRED_COLUMNS),
                column_types={**text, "grade": pa.int64(), "scale_score": pa.float64()},
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        typed = None
    if typed is not None and typed.column("grade").null_count == 0:
        return validate_scores(typed, source=source)
    try:
        table = pacsv.read_csv(
            path,
            read_options=read_options,
            convert_options=pacsv.ConvertOptions(
                include_columns=list(REQUIRED_COLUMNS),
                column_types={c: pa.string() for c in REQUIRED_COLUMNS},
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        m = re.search(r"[Rr]ow #?(\d+)", msg)
        row = int(m.group(1)) if m else None
        raise ScoreFileError(file=source, row=row, column=None, message=msg) from exc
    return validate_scores(table, source=source)


def wide_to_long(
    table: pa.Table,
    *,
    subject: str,
    id_column: str = "ID",
    grade_prefix: str = "GRADE_",
    score_prefix: str = "SS_",
) -> pa.Table:
    """Convert the SGP package's wide layout (``ID, GRADE_<y>..., SS_<y>...``) to long rows.

    Years are the suffixes shared by grade and score columns; cells without a score are dropped.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    years = [
        c.removeprefix(grade_prefix)
        for c in table.column_names
        if c.startswith(grade_prefix)
        and f"{score_prefix}{c.removeprefix(grade_prefix)}" in table.column_names
    ]
    if not years:
        raise ValueError("no GRADE_<year>/SS_<year> column pairs")
    ids = pc.cast(table.column(id_column), pa.string())
    parts = []
    for y in years:
        score = pc.cast(table.column(f"{score_prefix}{y}"), pa.float64())
        grade = pc.cast(table.column(f"{grade_prefix}{y}"), pa.int64())
        keep = pc.and_(pc.is_valid(score), pc.is_valid(grade))
        n = int(pc.sum(pc.cast(keep, pa.int64())).as_py() or 0)
        parts.append(
            pa.table(
                {
                    "student_id": ids.filter(keep),
                    "year": pa.array([y] * n, pa.string()),
                    "subject": pa.array([subject] * n, pa.string()),
                    "grade": grade.filter(keep),
                    "scale_score": score.filter(keep),
                }
            )
        )
    return pa.concat_tables(parts)


LONG_SAMPLE_COLUMNS = {
    "ID": "student_id",
    "YEAR": "year",
    "CONTENT_AREA": "subject",
    "GRADE": "grade",
    "SCALE_SCORE": "scale_score",
}


def read_sgp_long_sample(path: str | Path, *, extra_columns: Sequence[str] = ()) -> pa.Table:
    """Read ``sgpData_LONG.csv(.gz)``: valid cases only, columns renamed to the long format.

    ``extra_columns`` (e.g. ``SCHOOL_NUMBER``) are kept under their own names.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    wanted = ["VALID_CASE", *LONG_SAMPLE_COLUMNS, *extra_columns]
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            include_columns=wanted,
            column_types={"ID": pa.string(), "YEAR": pa.string()},
        ),
    )
    table = table.filter(pc.equal(table.column("VALID_CASE"), "VALID_CASE"))
    cols = {new: table.column(old) for old, new in LONG_SAMPLE_COLUMNS.items()}
    cols["grade"] = pc.cast(cols["grade"], pa.int64())
    cols["scale_score"] = pc.cast(cols["scale_score"], pa.float64())
    for extra in extra_columns:
        cols[extra] = table.column(extra)
    out = pa.table(cols)
    return out.filter(pc.is_valid(out.column("scale_score")))


def write_csv_atomic(table: pa.Table, path: str | Path) -> None:
    """Write ``table`` as CSV to a temporary file beside ``path`` and rename it into place."""
    import os
    import tempfile

    import pyarrow.csv as pacsv

    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    os.close(fd)
    try:
        pacsv.write_csv(table, tmp, write_options=pacsv.WriteOptions(quoting_style="needed"))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
