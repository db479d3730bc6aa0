"""An email subject is one line: a title with a newline in it must not stop the mail (Django
refuses such a header with ``BadHeaderError``) or add a header of its own."""

from __future__ import annotations

MAX_SUBJECT = 200


def mail_subject(text: str) -> str:
    """``text`` as a one-line subject: every run of whitespace (newlines, carriage returns,
    tabs, Unicode line separators) becomes one space, other control characters go, and it is
    cut to ``MAX_SUBJECT`` characters."""
    plain = "".join(ch for ch in " ".join(str(text).split()) if ch.isprintable())
    return plain[:MAX_SUBJECT]
