"""Reading numbers from a query string or a posted field that no form checks.

``str.isdigit()`` says yes to ``"²"`` and ``"٣"``, which ``int()`` then refuses or reads as
another number, and a 40-digit number overflows the database's integer: a page would answer
with a server error. ``ascii_int`` takes only ASCII digits, and only as many as a real value
has."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,9}")


def ascii_int(raw: str | None, *, default: int | None = None) -> int | None:
    """``raw`` as an int when it is 1-9 ASCII digits (surrounding spaces allowed); otherwise
    ``default``."""
    text = (raw or "").strip()
    return int(text) if _DIGITS.fullmatch(text) else default
