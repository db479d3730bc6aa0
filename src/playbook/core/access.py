"""The ``(allowed, reason)`` answer of every permission function, ``require``, and whom a
record names as the person who did something."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

U = TypeVar("U", bound="AbstractBaseUser")

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


def signed_in_or_none(user: U | AnonymousUser | None) -> U | None:
    """``user`` when signed in, else ``None``: the person a record names as having done
    something (an anonymous visitor, a command or the system is recorded as nobody)."""
    if user is None or not user.is_authenticated:
        return None
    return user
