"""Every CSV the site writes goes through here, so no cell runs as a spreadsheet formula.

OWASP's CSV injection advice: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is read by Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``,
``=cmd|' /C calc'!A0``). Such a text cell gets a leading apostrophe, which spreadsheets show as
text and do not display. The full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) are treated
the same, since some spreadsheets fold them. Numbers stay numbers: an ``int``, ``Decimal`` or
``float`` is written as is (pass numbers as numbers, not as text: a text ``-1`` is prefixed, as
OWASP advises).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def csv_cell(value: Any) -> str:
    """``value`` as CSV text that no spreadsheet runs: ``None`` is empty, booleans are
    ``true``/``false``, numbers are written as they are, and a text that starts like a formula
    gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _file_cell(text: str) -> str:
    """A cell read back from a CSV file: a plain number (``-3.5``) is a number there."""
    return text if _PLAIN_NUMBER.fullmatch(text) else csv_cell(text)


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``csv_cell``."""

    def __init__(self, out: _Writable, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable, **kwargs: Any) -> SafeWriter:
    """The site's CSV writer (``csv.writer``'s arguments): formulas neutralised."""
    return SafeWriter(out, **kwargs)


def csv_neutralise(text: str) -> str:
    """A CSV document with every cell through ``csv_cell`` (for files written elsewhere, such
    as the evidence engine's): the same text when no cell starts like a formula."""
    import io

    rows = list(csv.reader(io.StringIO(text, newline="")))
    safe = [[_file_cell(cell) for cell in row] for row in rows]
    if safe == rows:
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text else "\n").writerows(safe)
    return out.getvalue()
