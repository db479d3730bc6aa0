"""Access rules: every view declares who may open it; nothing is open by default.

A rule is attached to a view with a decorator (``@public``, ``@signed_in``, ``@roles(...)``).
``AccessRuleMiddleware`` refuses any view that declares none, and ``tests/test_access_rules.py``
walks every URL pattern to prove each has one. Rules answer ``(allowed, reason)`` so a page can
say why it refused (as Hypha's ``funds/permissions.py`` does).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.http import HttpRequest

from playbook.core.access import Decision

from .roles import OFFICE_STAFF, Role

if TYPE_CHECKING:
    from .models import User

V = TypeVar("V", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    """Who may open a view. ``allow`` runs only for signed-in, second-factor-verified users."""

    name: str
    allow: Callable[[User], Decision]
    anonymous_ok: bool = False
    #: True for the pages a staff member uses before their second factor is verified.
    before_mfa: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)

    def check(self, request: HttpRequest) -> Decision:
        user = request.user
        if self.anonymous_ok:
            return True, ""
        if not user.is_authenticated:
            return False, "Sign in to see this page."
        if not self.before_mfa and user.needs_mfa and not mfa_verified(request):
            return False, "Confirm your sign-in with your authenticator code first."
        return self.allow(user)


def mfa_verified(request: HttpRequest) -> bool:
    """Whether the signed-in user has confirmed their second factor this session
    (``django_otp``'s middleware gives ``request.user`` its ``is_verified``)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _attach(view: V, rule: Rule) -> V:
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def public(view: V) -> V:
    """Anyone, signed in or not."""
    return _attach(view, Rule("public", lambda user: (True, ""), anonymous_ok=True))


def signed_in(view: V) -> V:
    """Any signed-in account (objects are still scoped by the access-checking getters)."""
    return _attach(view, Rule("signed in", lambda user: (True, "")))


def mfa_step(view: V) -> V:
    """Signed in with a password, second factor not yet confirmed (enrolment, verification)."""
    return _attach(view, Rule("signed in (MFA step)", lambda user: (True, ""), before_mfa=True))


def roles(*allowed: Role | str) -> Callable[[V], V]:
    """Only the given roles."""
    allowed_set = frozenset(str(r.value if isinstance(r, Role) else r) for r in allowed)
    labels = ", ".join(sorted(Role(r).label for r in allowed_set))

    def allow(user: User) -> Decision:
        if user.role in allowed_set:
            return True, ""
        return False, f"This page is for: {labels}."

    def decorate(view: V) -> V:
        return _attach(view, Rule(f"roles: {labels}", allow, roles=allowed_set))

    return decorate


def office_staff(view: V) -> V:
    return roles(*OFFICE_STAFF)(view)


ADMIN_RULE = Rule(
    "office administrator (Django admin)",
    lambda user: (
        (True, "")
        if user.role == Role.OFFICE_ADMIN and user.is_staff
        else (False, "The data-repair admin is for office administrators.")
    ),
)


def with_rule(rule: Rule, patterns: Any) -> Any:
    """Attach ``rule`` to every view under ``patterns`` (an ``include()`` triple or a list)."""
    from django.urls import URLPattern, URLResolver

    def walk(items: Iterable[Any]) -> None:
        for item in items:
            if isinstance(item, URLResolver):
                walk(item.url_patterns)
            elif isinstance(item, URLPattern):
                callback = item.callback
                if inspect.ismethod(callback):  # bound methods take no attributes: wrap them
                    callback = functools.wraps(callback)(functools.partial(callback))
                    item.callback = callback
                callback.access_rule = rule  # type: ignore[attr-defined]

    walk(patterns[0] if isinstance(patterns, tuple) else patterns)
    return patterns


def rule_for_view(view_func: Callable[..., Any]) -> Rule | None:
    """The rule a resolved view declares, or None (refused)."""
    candidates = (view_func, getattr(view_func, "view_class", None))
    for candidate in candidates:
        rule = getattr(candidate, "access_rule", None)
        if isinstance(rule, Rule):
            return rule
    return None


def allowed_roles(rule: Rule, all_roles: Iterable[str]) -> list[str]:
    return [r for r in all_roles if not rule.roles or r in rule.roles]
