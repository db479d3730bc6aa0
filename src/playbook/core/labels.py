"""One source of the plain words for the codes the system stores (issue 11: "no raw codes
anywhere"): roles, statuses, rule values, tags, data kinds, logged actions, measures.

Each app registers its codes' words in its ``AppConfig.ready`` (``labels_register``); pages
show a code through the ``plain`` template filter (``{{ value|plain }}``, which reads lists too),
code through ``label(code)``. A code nobody registered reads as words ("needs_review" reads
"needs review") rather than as a code, and the crawl test fails on any code left in a page's
visible text. ``core`` imports no app: the words come to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_LABELS: dict[str, str] = {}
_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def labels_register(words: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
    """Register ``code -> words`` (a mapping or Django ``choices``). The first words given for
    a code are kept: an app cannot quietly rename another's."""
    items = words.items() if isinstance(words, Mapping) else words
    for code, text in items:
        _LABELS.setdefault(str(code), str(text))


def label(code: Any) -> str:
    """The words for ``code``: as registered, else a code-shaped text with its underscores
    read as spaces, else the text as it is."""
    text = "" if code is None else str(code)
    found = _LABELS.get(text)
    if found is not None:
        return found
    if _CODE.match(text):
        return text.replace("_", " ")
    return text


def plain(value: Any) -> str:
    """``label`` of a value, or of each item of a list or tuple, joined with commas."""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(label(v) for v in value)
    if isinstance(value, str) and "," in value and all(
            _CODE.match(p.strip()) or p.strip() in _LABELS for p in value.split(",")):
        return ", ".join(label(p.strip()) for p in value.split(","))
    return label(value)


_PATH = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+\b")
_CODE_IN_TEXT = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.@/-])")


def plain_text(text: Any) -> str:
    """A sentence with the codes in it read as words: a dotted rule path
    ("funding.partial_funding") as its parts ("funding: Partial funding"), each code
    ("tie_breaks") as its label. For stored explanations written with codes in them."""
    out = _PATH.sub(lambda m: ": ".join(label(p) for p in m.group(0).split(".")),
                    "" if text is None else str(text))
    return _CODE_IN_TEXT.sub(lambda m: label(m.group(0)), out)
