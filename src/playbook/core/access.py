"""The ``(allowed, reason)`` answer of every permission function, and ``require``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

#: ``(True, "")`` when allowed; ``(False, "why not, in plain words")`` otherwise.
Decision = tuple[bool, str]

ALLOWED: Decision = (True, "")
READ_ONLY = "Auditors have read-only access."


def require(decision: Decision) -> None:
    """Raise ``PermissionDenied`` with the reason when ``decision`` refuses."""
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def first_refusal(*decisions: Decision) -> Decision:
    """The first refusal among ``decisions``, or allowed when none refuses."""
    for decision in decisions:
        if not decision[0]:
            return decision
    return ALLOWED
