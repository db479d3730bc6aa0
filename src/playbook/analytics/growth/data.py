"""Score files: reading and checking the long format, and converters from the SGP samples.

The engine's input is a long table with one row per student, year and subject::

    student_id, year, subject, grade, scale_score

(other columns are ignored). ``student_id``, ``year`` and ``subject`` are text, ``grade`` an
integer and ``scale_score`` a number of at least 0; only an empty score means "not tested" (the
row is dropped): ``NA``, ``null`` and other words are refused. Years are ordered numerically
when they all look like numbers, else as text (``2024_2025``).

A file is checked whole before anything is computed: every problem is located (file, row with
the header as row 1, column), the first :data:`ERROR_LIMIT` are listed and all are counted.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pyarrow as pa

REQUIRED_COLUMNS = ("student_id", "year", "subject", "grade", "scale_score")
ERROR_LIMIT = 100
_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
# words that spreadsheets, R and pandas write for a missing value; only an empty cell is one here
_MISSING_WORDS = frozenset(
    {"na", "n/a", "#n/a", "nan", "-nan", "null", "none", "<na>", "nil", "missing", ".", "-"}
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem: ``row`` is the line in the file where the row starts, the header
    being row 1 (``None``: the whole file); ``column`` is the header's name (``None``: the
    whole row)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class ScoreFileError(ValueError):
    """Bad input: ``problems`` (the first :data:`ERROR_LIMIT`, in file order) and ``count``
    (all of them). ``file``, ``row``, ``column`` and ``message`` are the first problem's."""

    def __init__(self, problems: Sequence[Problem], *, count: int | None = None) -> None:
        if not problems:
            raise ValueError("a ScoreFileError needs at least one problem")
        self.problems = list(problems[:ERROR_LIMIT])
        self.count = max(count if count is not None else len(problems), len(self.problems))
        first = self.problems[0]
        self.file = first.file
        self.row = first.row
        self.column = first.column
        self.message = first.message
        super().__init__(self.report())

    @classmethod
    def at(cls, *, file: str, row: int | None, column: str | None, message: str) -> ScoreFileError:
        """A single problem."""
        return cls([Problem(file, row, column, message)])

    def lines(self) -> list[str]:
        """One line per listed problem, then ``... and N more`` when some were left off."""
        out = [str(p) for p in self.problems]
        if self.count > len(self.problems):
            out.append(f"... and {self.count - len(self.problems)} more")
        return out

    def report(self) -> str:
        if self.count == 1:
            return str(self.problems[0])
        return "\n".join([f"{self.file}: {self.count} problems", *self.lines()])


class _Found:
    """Problems of one file gathered per check (arrays of rows), listed in file order."""

    def __init__(
        self, file: str, columns: Sequence[str], alias: Mapping[str, str] | None = None
    ) -> None:
        self.file = file
        self._alias = dict(alias or {})  # internal column name -> the file's (R's long layout)
        self._pos = {c: i for i, c in enumerate(columns)}
        self._parts: list[tuple[IntArray, IntArray, str | None, Callable[[int], str]]] = []
        self.count = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.add_rows(
            np.array([-1 if row is None else row]), np.zeros(1, np.int64), column, lambda _: message
        )

    def add_rows(
        self, rows: IntArray, index: IntArray, column: str | None, message: Callable[[int], str]
    ) -> None:
        """Problems at file ``rows``; ``message(i)`` words the one at table index ``index[k]``."""
        if column is not None:
            column = self._alias.get(column, column)
        if rows.size:
            self._parts.append((rows, index, column, message))
            self.count += int(rows.size)

    def add_mask(
        self, mask: BoolArray, rows: IntArray, column: str | None, message: Callable[[int], str]
    ) -> None:
        index = np.flatnonzero(mask)
        self.add_rows(rows[index], index, column, message)

    def error(self) -> ScoreFileError | None:
        if not self.count:
            return None
        rows = np.concatenate([p[0] for p in self._parts])
        pos = np.concatenate(
            [np.full(p[0].size, self._pos.get(p[2] or "", -1)) for p in self._parts]
        )
        part = np.concatenate([np.full(p[0].size, k) for k, p in enumerate(self._parts)])
        k_in = np.concatenate([np.arange(p[0].size) for p in self._parts])
        first = np.lexsort((k_in, part, pos, rows))[:ERROR_LIMIT]
        listed = []
        for i in first.tolist():
            p_rows, p_index, column, message = self._parts[int(part[i])]
            row = int(p_rows[k_in[i]])
            listed.append(
                Problem(self.file, None if row < 0 else row, column, message(int(p_index[k_in[i]])))
            )
        return ScoreFileError(listed, count=self.count)

    def raise_if_any(self) -> None:
        err = self.error()
        if err is not None:
            raise err


# ----------------------------------------------------------------------------------------------
# cell checks on text columns (each marks the cells it reports in ``bad`` so that a cell is
# reported once)


def _np_bool(values: pa.ChunkedArray | pa.Array) -> BoolArray:
    return np.array(values.to_numpy(zero_copy_only=False), dtype=bool)  # a writable copy


def _text(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    return pc.utf8_trim_whitespace(values)


def _shown(values: pa.ChunkedArray | pa.Array) -> Callable[[int], str]:
    return lambda i: repr(values[i].as_py())


def _empty(values: pa.ChunkedArray | pa.Array) -> BoolArray:
    import pyarrow.compute as pc

    return _np_bool(pc.fill_null(pc.equal(values, ""), True))


def _fixed(message: str) -> Callable[[int], str]:
    return lambda _: message


def _check_filled(
    found: _Found, name: str, values: pa.ChunkedArray, bad: BoolArray, rows: IntArray
) -> None:
    mask = _empty(values) & ~bad
    found.add_mask(mask, rows, name, lambda _: "is empty; a value is required")
    bad |= mask


def _parse_number(
    found: _Found,
    name: str,
    values: pa.ChunkedArray,
    bad: BoolArray,
    rows: IntArray,
    *,
    what: str,
    required: bool,
    whole: bool,
    minimum: float | None,
) -> FloatArray:
    """Parse trimmed text to float64, NaN where empty or refused.

    Refuses words for "missing" (only an empty cell is missing), other non-numbers, non-finite
    numbers, numbers below ``minimum``, and fractions when ``whole``; an empty cell too when
    ``required``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    shown = _shown(values)
    empty = _empty(values)

    def refuse(mask: BoolArray, message: Callable[[int], str]) -> None:
        mask &= ~bad
        found.add_mask(mask, rows, name, message)
        bad[mask] = True

    if required:
        refuse(empty.copy(), lambda _: "is empty; a value is required")
    lowered = pc.utf8_lower(values)
    word = _np_bool(pc.fill_null(pc.is_in(lowered, pa.array(sorted(_MISSING_WORDS))), False))
    note = "" if required else ": only an empty cell means not tested"
    refuse(word, lambda i: f"{shown(i)} is not a {what}{note}")
    number = _np_bool(pc.fill_null(pc.match_substring_regex(values, _NUMBER), False))
    refuse(~number & ~empty, lambda i: f"{what} {shown(i)} is not a number")
    usable = number & ~bad
    parsed = np.full(len(values), np.nan)
    if usable.any():
        kept = pc.if_else(pa.array(usable), values, pa.scalar(None, pa.string()))
        parsed = np.array(pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False), float)
    with np.errstate(invalid="ignore"):
        refuse(usable & ~np.isfinite(parsed), lambda i: f"{what} {shown(i)} is not a finite number")
        if whole:
            frac = usable & ~bad & (parsed != np.round(parsed))
            refuse(frac, lambda i: f"{what} {shown(i)} is not a whole number")
        if minimum is not None:
            low = usable & ~bad & (parsed < minimum)
            below = "is negative" if minimum == 0 else f"is below the minimum {minimum:g}"
            refuse(low, lambda i: f"{what} {shown(i)} {below}")
    parsed[bad | ~usable] = np.nan
    return parsed


def _check_unique(
    found: _Found,
    keys: Sequence[pa.ChunkedArray | pa.Array],
    eligible: BoolArray,
    rows: IntArray,
    column: str,
    message: Callable[[int, int], str],
) -> None:
    """Refuse every repeat of the same key (``message(i, first)``: table indices)."""
    idx = np.flatnonzero(eligible)
    if idx.size < 2:
        return
    import pyarrow as pa

    key = np.zeros(idx.size, dtype=np.int64)
    for values in keys:
        picked = values.take(pa.array(idx))
        if isinstance(picked, pa.ChunkedArray):
            picked = picked.combine_chunks()
        enc = picked.dictionary_encode()
        codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        # codes stay dense (at most the row count), so the combined key cannot overflow
        _, inverse = np.unique(key * (len(enc.dictionary) + 1) + codes, return_inverse=True)
        key = np.asarray(inverse, dtype=np.int64).ravel()
    order = np.argsort(key, kind="stable")
    ks = key[order]
    starts = np.r_[True, ks[1:] != ks[:-1]]
    if starts.all():
        return
    first = idx[order][np.maximum.accumulate(np.where(starts, np.arange(ks.size), 0))]
    repeat = idx[order][~starts]
    first_of = dict(zip(repeat.tolist(), first[~starts].tolist(), strict=True))
    order_in_file = np.sort(repeat)
    found.add_rows(rows[order_in_file], order_in_file, column, lambda i: message(i, first_of[i]))


def _long_duplicates(
    found: _Found,
    sid: pa.ChunkedArray,
    year: pa.ChunkedArray,
    subject: pa.ChunkedArray,
    eligible: BoolArray,
    rows: IntArray,
) -> None:
    def message(i: int, j: int) -> str:
        return (
            f"a second row for student {sid[i].as_py()!r}, year {year[i].as_py()!r}, subject "
            f"{subject[i].as_py()!r} (first at row {rows[j]})"
        )

    _check_unique(found, [sid, year, subject], eligible, rows, "student_id", message)


def _long_from_text(
    cols: dict[str, pa.ChunkedArray], bad: dict[str, BoolArray], rows: IntArray, found: _Found
) -> pa.Table:
    """Check trimmed text columns of the long format; the typed table (scored rows only)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in ("student_id", "year", "subject"):
        _check_filled(found, name, cols[name], bad[name], rows)
    grade = _parse_number(
        found, "grade", cols["grade"], bad["grade"], rows,
        what="grade", required=True, whole=True, minimum=None,
    )  # fmt: skip
    score = _parse_number(
        found, "scale_score", cols["scale_score"], bad["scale_score"], rows,
        what="score", required=False, whole=False, minimum=0.0,
    )  # fmt: skip
    eligible = ~(bad["student_id"] | bad["year"] | bad["subject"])
    _long_duplicates(found, cols["student_id"], cols["year"], cols["subject"], eligible, rows)
    out = pa.table(
        {
            "student_id": cols["student_id"],
            "year": cols["year"],
            "subject": cols["subject"],
            "grade": pa.array(np.nan_to_num(grade).astype(np.int64)),
            "scale_score": pa.array(score, mask=np.isnan(score)),
        }
    )
    return out.filter(pc.is_valid(out.column("scale_score")))


def _long_from_typed(table: pa.Table, rows: IntArray, found: _Found) -> pa.Table:
    """The checks of :func:`_long_from_text` for a table whose grade is an integer column and
    whose score is a number column (nulls are "not tested"; NaN is refused)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols: dict[str, pa.ChunkedArray] = {}
    bad: dict[str, BoolArray] = {}
    for name in ("student_id", "year", "subject"):
        cols[name] = _text(table.column(name))
        bad[name] = np.zeros(table.num_rows, dtype=bool)
        _check_filled(found, name, cols[name], bad[name], rows)
    grade = table.column("grade")
    found.add_mask(
        _np_bool(pc.is_null(grade)), rows, "grade", lambda _: "is empty; a value is required"
    )
    score = pc.cast(table.column("scale_score"), pa.float64())
    values = np.asarray(score.to_numpy(zero_copy_only=False), dtype=np.float64)
    missing = _np_bool(pc.is_null(score))
    with np.errstate(invalid="ignore"):
        nan = np.isnan(values) & ~missing
        found.add_mask(
            nan, rows, "scale_score", lambda _: "score is NaN; leave it empty for not tested"
        )
        found.add_mask(
            np.isinf(values), rows, "scale_score", lambda i: f"score {values[i]!r} is not finite"
        )
        found.add_mask(
            values < 0,
            rows,
            "scale_score",
            lambda i: f"score {values[i]:g} is negative",
        )
    eligible = ~(bad["student_id"] | bad["year"] | bad["subject"])
    _long_duplicates(found, cols["student_id"], cols["year"], cols["subject"], eligible, rows)
    out = pa.table({**cols, "grade": pc.cast(grade, pa.int64()), "scale_score": score})
    return out.filter(pc.is_valid(out.column("scale_score")))


def _is_typed(table: pa.Table) -> bool:
    import pyarrow as pa

    score = table.column("scale_score").type
    return pa.types.is_integer(table.column("grade").type) and (
        pa.types.is_floating(score) or pa.types.is_integer(score)
    )


def validate_scores(table: pa.Table, *, source: str = "<table>", header_rows: int = 1) -> pa.Table:
    """Check a long score table and return it typed: ids/year/subject text, grade int64,
    scale_score float64, rows without a score removed.

    Raises :class:`ScoreFileError` listing every problem (the first :data:`ERROR_LIMIT`), each
    at row ``index + header_rows + 1`` and its column: a missing column, an empty
    id/year/subject/grade, a grade that is not a whole number, a score that is not a finite
    number of at least 0 (``NA`` and other words included; null or an empty string is "not
    tested"), a second row for the same student, year and subject.
    """
    import pyarrow as pa

    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise _missing_columns(missing, table.column_names, source, 1 if header_rows else None)
    rows = np.arange(table.num_rows, dtype=np.int64) + header_rows + 1
    found = _Found(source, table.column_names)
    if _is_typed(table):
        out = _long_from_typed(table, rows, found)
    else:
        cols = {name: _text(table.column(name)) for name in REQUIRED_COLUMNS}
        bad = {name: np.zeros(table.num_rows, dtype=bool) for name in REQUIRED_COLUMNS}
        out = _long_from_text(cols, bad, rows, found)
    found.raise_if_any()
    assert isinstance(out, pa.Table)
    return out


def _missing_columns(
    missing: Sequence[str], header: Sequence[str], source: str, row: int | None
) -> ScoreFileError:
    has = ", ".join(header) or "no columns"
    return ScoreFileError(
        [Problem(source, row, name, f"missing column (the header has {has})") for name in missing]
    )


# ----------------------------------------------------------------------------------------------
# reading CSV files


def _open_binary(path: str | Path) -> BinaryIO:
    """The file's bytes; a ``.gz`` file decompressed (as pyarrow's reader does)."""
    if str(path).endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _read_header(path: str | Path, source: str) -> list[str]:
    """The header's names (trimmed); refuses an unreadable or empty file, a non-UTF-8 header."""
    try:
        with _open_binary(path) as fh:
            first = fh.readline()
    except OSError as exc:
        raise ScoreFileError.at(
            file=source, row=None, column=None, message=f"cannot read: {exc.strerror or exc}"
        ) from exc
    if not first:
        raise ScoreFileError.at(
            file=source, row=None, column=None, message="the file is empty; expected a header row"
        )
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScoreFileError.at(
            file=source, row=1, column=None, message="the header is not UTF-8 text " + _SAVE_AS
        ) from exc
    names = [h.strip() for h in next(csv.reader([text]), [])]
    if not any(names):
        raise ScoreFileError.at(file=source, row=1, column=None, message="the header row is empty")
    return names


_SAVE_AS = "(save the file as CSV UTF-8)"


def _check_header(header: Sequence[str], wanted: Sequence[str], source: str) -> None:
    missing = [c for c in wanted if c not in header]
    if missing:
        raise _missing_columns(missing, header, source, 1)
    twice = [c for c in wanted if header.count(c) > 1]
    if twice:
        raise ScoreFileError(
            [Problem(source, 1, c, "appears more than once in the header") for c in twice]
        )


def _arrow_names(header: Sequence[str]) -> list[str]:
    """Column names for the reader: the header's, repeats (of ignored columns) made unique."""
    seen: set[str] = set()
    out = []
    for i, name in enumerate(header):
        out.append(name if name not in seen else f"{name} ({i + 1})")
        seen.add(name)
    return out


@dataclass(slots=True)
class _Cells:
    columns: dict[str, pa.ChunkedArray]  # trimmed text
    bad: dict[str, BoolArray]  # cells already refused (not UTF-8)
    rows: IntArray  # each table row's line in the file (header = 1)


def _invalid_utf8(values: pa.ChunkedArray) -> BoolArray:
    """Which cells of a binary column are not valid UTF-8 (only cells with non-ASCII bytes are
    decoded one by one)."""
    out = np.zeros(len(values), dtype=bool)
    start = 0
    for chunk in values.chunks:
        n = len(chunk)
        data_buf = chunk.buffers()[2] if n else None
        if data_buf is not None and data_buf.size:
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[
                chunk.offset : chunk.offset + n + 1
            ]
            data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
            high = np.flatnonzero(data >= 0x80) + offsets[0]
            for c in np.unique(np.searchsorted(offsets, high, side="right") - 1).tolist():
                try:
                    chunk[c].as_py().decode("utf-8")
                except UnicodeDecodeError:
                    out[start + c] = True
        start += n
    return out


def _count_lines(path: str | Path) -> int:
    n, last = 0, b""
    with _open_binary(path) as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (1 if last not in (b"", b"\n") else 0)


def _read_cells(
    path: str | Path, *, header: Sequence[str], wanted: Sequence[str], found: _Found
) -> _Cells:
    """Read ``wanted`` columns as text, locating every row at its line in the file (header =
    line 1; a row whose quoted value spans lines is at the line where it starts). Rows with the
    wrong number of fields and cells that are not UTF-8 are refused (into ``found``); blank
    rows (every wanted cell empty) are skipped."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = _arrow_names(header)
    n_fields = len(header)
    invalid: list[tuple[int, int, str]] = []  # record number, fields, text

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append((row.number if row.number is not None else -1, row.actual_columns, row.text))
        return "skip"

    def read(columns: Sequence[str]) -> pa.Table:
        invalid.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
            parse_options=pacsv.ParseOptions(
                invalid_row_handler=on_invalid, ignore_empty_lines=False, newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(columns),
                column_types={c: pa.binary() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    table = read(wanted)
    # record number (header = 1) of table row i: i + 2 plus the skipped records before it
    skipped = np.sort(np.asarray([r for r, _, _ in invalid], dtype=np.int64))
    i2 = np.arange(table.num_rows, dtype=np.int64) + 2
    records = i2 + np.searchsorted(skipped - np.arange(skipped.size), i2, side="right")
    n_records = 1 + table.num_rows + len(invalid)
    line_of = np.arange(n_records + 1, dtype=np.int64)  # record -> line: the same, unless...
    if _count_lines(path) != n_records:
        # ... quoted values span lines: count the line breaks inside each record
        whole = read(names)
        inside = np.zeros(n_records + 1, dtype=np.int64)
        for name in names:
            inside[records] += np.asarray(
                pc.count_substring(whole.column(name), "\n").to_numpy(zero_copy_only=False),
                dtype=np.int64,
            )
        for r, _, text in invalid:
            if r > 0:
                inside[r] = text.count("\n")
        line_of[1:] = np.arange(1, n_records + 1) + np.cumsum(inside)[:-1]
    for r, got, text in invalid:
        row = int(line_of[r]) if 0 < r <= n_records else None
        if not text.strip():
            continue  # a line of spaces: blank
        if got < n_fields:
            fields = f"{got} field{'s' if got != 1 else ''}"
            found.add(
                row,
                header[got],
                f"the row has {fields} but the header has {n_fields} columns; "
                f"the values from column {header[got]} on are missing",
            )
        else:
            found.add(
                row,
                None,
                f"the row has {got} fields but the header has {n_fields} columns "
                "(a value with a comma that is not in quotes?)",
            )
    rows = line_of[records]
    blank = np.ones(table.num_rows, dtype=bool)
    for name in wanted:
        blank &= _np_bool(pc.equal(pc.binary_length(table.column(name)), 0))
    if blank.any():
        table = table.filter(pa.array(~blank))
        rows = rows[~blank]
    columns: dict[str, pa.ChunkedArray] = {}
    bad: dict[str, BoolArray] = {}
    for name in wanted:
        raw = table.column(name)
        bad[name] = _invalid_utf8(raw)
        found.add_mask(bad[name], rows, name, lambda _: "is not UTF-8 text " + _SAVE_AS)
        if bad[name].any():
            raw = pc.if_else(pa.array(bad[name]), pa.scalar(b"", pa.binary()), raw)
        columns[name] = pc.utf8_trim_whitespace(pc.cast(raw, pa.string()))
    return _Cells(columns=columns, bad=bad, rows=rows)


#: R's long layout (``sgpData_LONG``, what ``prepareSGP`` takes): its column for each of ours
R_LONG_COLUMNS = {
    "student_id": "ID",
    "year": "YEAR",
    "subject": "CONTENT_AREA",
    "grade": "GRADE",
    "scale_score": "SCALE_SCORE",
}
R_VALID_CASE = "VALID_CASE"
_VALID_CASE_VALUES = ("VALID_CASE", "INVALID_CASE")


def _layout(header: Sequence[str], source: str) -> tuple[dict[str, str], str | None]:
    """Which layout the header is: ours (``student_id, year, ...``) or R's long one (``ID,
    YEAR, CONTENT_AREA, GRADE, SCALE_SCORE``, with ``VALID_CASE`` when present). Returns our
    column -> the file's, and the ``VALID_CASE`` column or ``None``."""
    ours = {c: c for c in REQUIRED_COLUMNS}
    if all(c in header for c in REQUIRED_COLUMNS):
        return ours, None
    if all(c in header for c in R_LONG_COLUMNS.values()):
        return dict(R_LONG_COLUMNS), R_VALID_CASE if R_VALID_CASE in header else None
    if sum(c in header for c in R_LONG_COLUMNS.values()) > sum(c in header for c in ours):
        missing = [c for c in R_LONG_COLUMNS.values() if c not in header]
    else:
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
    raise _missing_columns(missing, header, source, 1)


def _valid_cases(
    found: _Found,
    values: pa.ChunkedArray | pa.Array,
    rows: IntArray,
    column: str,
    skip: BoolArray | None = None,
) -> BoolArray:
    """R's ``VALID_CASE`` column: which rows are analysed (``VALID_CASE``); ``INVALID_CASE``
    rows are left out, as R leaves them out; any other value is refused."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _text(values)
    known = _np_bool(pc.fill_null(pc.is_in(text, pa.array(list(_VALID_CASE_VALUES))), False))
    shown = _shown(text)
    if skip is not None:
        known |= skip  # already refused (not UTF-8)
    found.add_mask(~known, rows, column, lambda i: f"{shown(i)} is not VALID_CASE or INVALID_CASE")
    return _np_bool(pc.fill_null(pc.equal(text, "VALID_CASE"), False))


def read_scores_csv(path: str | Path) -> pa.Table:
    """Read and check a long score CSV (see :func:`validate_scores`); problems are located at
    the file's own lines (the header is row 1).

    The file is in our layout (``student_id, year, subject, grade, scale_score``) or in R's
    long layout (``VALID_CASE, CONTENT_AREA, YEAR, ID, GRADE, SCALE_SCORE, ...``, as
    ``sgpData_LONG``; only ``VALID_CASE`` rows are read, and problems name R's columns). A
    ``.gz`` file is read decompressed.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    source = str(path)
    header = _read_header(path, source)
    names, valid_col = _layout(header, source)
    file_cols = [names[c] for c in REQUIRED_COLUMNS] + ([valid_col] if valid_col else [])
    _check_header(header, file_cols, source)
    alias = {c: names[c] for c in REQUIRED_COLUMNS}

    def ours(table: pa.Table) -> pa.Table:
        return pa.table({c: table.column(names[c]) for c in REQUIRED_COLUMNS})

    try:
        # fast path: numbers parsed while reading; any problem sends the file to the careful
        # reading below, which locates it
        typed = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=_arrow_names(header), skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                include_columns=file_cols,
                column_types={
                    **{names[c]: pa.string() for c in ("student_id", "year", "subject")},
                    names["grade"]: pa.int64(),
                    names["scale_score"]: pa.float64(),
                    **({valid_col: pa.string()} if valid_col else {}),
                },
                strings_can_be_null=False,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid:
        typed = None
    if typed is not None:
        scratch = _Found(source, header, alias)
        rows = np.arange(typed.num_rows, dtype=np.int64) + 2
        if valid_col:
            keep = _valid_cases(scratch, typed.column(valid_col), rows, valid_col)
            typed, rows = typed.filter(pa.array(keep)), rows[keep]
        out = _long_from_typed(ours(typed), rows, scratch)
        if not scratch.count:
            return out
    found = _Found(source, header, alias)
    cells = _read_cells(path, header=header, wanted=file_cols, found=found)
    columns = {c: cells.columns[names[c]] for c in REQUIRED_COLUMNS}
    bad = {c: cells.bad[names[c]] for c in REQUIRED_COLUMNS}
    rows = cells.rows
    if valid_col:
        keep = _valid_cases(
            found, cells.columns[valid_col], rows, valid_col, skip=cells.bad[valid_col]
        )
        keep &= ~cells.bad[valid_col]
        mask = pa.array(keep)
        columns = {c: pc.filter(v, mask) for c, v in columns.items()}
        bad = {c: v[keep] for c, v in bad.items()}
        rows = rows[keep]
    out = _long_from_text(columns, bad, rows, found)
    found.raise_if_any()
    return out


def _wide_fast(
    path: str | Path, header: Sequence[str], id_column: str, pairs: Sequence[tuple[str, str]]
) -> pa.Table | None:
    """The wide file read with numbers parsed, if it passes every check; else ``None`` (the
    careful reading then locates the problems)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    types = {id_column: pa.string()}
    for g_col, s_col in pairs:
        types[g_col], types[s_col] = pa.int64(), pa.float64()
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=_arrow_names(header), skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(types),
                column_types=types,
                strings_can_be_null=False,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid:
        return None
    ids = pc.utf8_trim_whitespace(table.column(id_column))
    if pc.any(pc.equal(ids, "")).as_py() or pc.count_distinct(ids).as_py() != table.num_rows:
        return None
    for g_col, s_col in pairs:
        score = table.column(s_col)
        if pc.any(pc.or_(pc.is_nan(score), pc.less(score, 0.0))).as_py():
            return None
        if pc.any(pc.is_inf(score)).as_py():
            return None
        if pc.any(pc.and_(pc.is_valid(score), pc.is_null(table.column(g_col)))).as_py():
            return None
    return table.set_column(table.column_names.index(id_column), id_column, ids)


def read_wide_csv(
    path: str | Path,
    *,
    subject: str,
    id_column: str = "ID",
    grade_prefix: str = "GRADE_",
    score_prefix: str = "SS_",
) -> pa.Table:
    """Read and check a CSV in the SGP package's wide layout (``ID, GRADE_<y>..., SS_<y>...``)
    and return it in the long format (cells without a score are "not tested").

    Refused, at the file's row and column: a header without the ID column or a
    ``GRADE_<y>``/``SS_<y>`` pair (or with one half of a pair), rows with the wrong number of
    fields, cells that are not UTF-8, an empty or repeated ID, a grade that is not a whole
    number, a score that is not a number of at least 0 (``NA`` and other words included), a
    score whose grade is empty.
    """
    import pyarrow as pa

    source = str(path)
    header = _read_header(path, source)
    _check_header(header, [id_column], source)
    grades = {c.removeprefix(grade_prefix): c for c in header if c.startswith(grade_prefix)}
    scores = {c.removeprefix(score_prefix): c for c in header if c.startswith(score_prefix)}
    problems = [
        Problem(source, 1, col, f"has no matching {other}{y} column")
        for cols, other in ((grades, score_prefix), (scores, grade_prefix))
        for y, col in cols.items()
        if y not in (scores if cols is grades else grades)
    ]
    years = [y for y in grades if y in scores]
    if not years and not problems:
        problems.append(
            Problem(source, 1, None, f"no {grade_prefix}<year> and {score_prefix}<year> columns")
        )
    if problems:
        raise ScoreFileError(problems)
    _check_header(header, [*grades.values(), *scores.values()], source)
    wanted = [id_column, *(grades[y] for y in years), *(scores[y] for y in years)]
    fast = _wide_fast(path, header, id_column, [(grades[y], scores[y]) for y in years])
    if fast is not None:
        return wide_to_long(
            fast, subject=subject, id_column=id_column, grade_prefix=grade_prefix,
            score_prefix=score_prefix,
        )  # fmt: skip
    found = _Found(source, header)
    cells = _read_cells(path, header=header, wanted=wanted, found=found)
    cols, bad, rows = cells.columns, cells.bad, cells.rows
    _check_filled(found, id_column, cols[id_column], bad[id_column], rows)
    ids = cols[id_column]
    _check_unique(
        found,
        [ids],
        ~bad[id_column],
        rows,
        id_column,
        lambda i, j: f"a second row for {id_column} {ids[i].as_py()!r} (first at row {rows[j]})",
    )
    parts = []
    for y in years:
        g_col, s_col = grades[y], scores[y]
        grade = _parse_number(
            found, g_col, cols[g_col], bad[g_col], rows,
            what="grade", required=False, whole=True, minimum=None,
        )  # fmt: skip
        score = _parse_number(
            found, s_col, cols[s_col], bad[s_col], rows,
            what="score", required=False, whole=False, minimum=0.0,
        )  # fmt: skip
        orphan = ~np.isnan(score) & _empty(cols[g_col]) & ~bad[g_col]
        found.add_mask(orphan, rows, g_col, _fixed(f"is empty but {s_col} has a score"))
        keep = ~np.isnan(score) & ~np.isnan(grade)
        n = int(keep.sum())
        mask = pa.array(keep)
        parts.append(
            pa.table(
                {
                    "student_id": ids.filter(mask),
                    "year": pa.array([y] * n, pa.string()),
                    "subject": pa.array([subject] * n, pa.string()),
                    "grade": pa.array(grade[keep].astype(np.int64)),
                    "scale_score": pa.array(score[keep]),
                }
            )
        )
    found.raise_if_any()
    return pa.concat_tables(parts)


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
