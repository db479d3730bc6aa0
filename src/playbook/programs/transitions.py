"""The generic half of every lifecycle service: apply one declared transition and record it.

``transition_apply`` locks the record's row, checks that the declared transition may run from the
current state, runs it, saves, and writes a ``LifecycleTransition`` (who, when, from, to, why),
all in one database transaction. Programs, awards, progress reports, and later designations,
loans and waivers use it, so every instrument's history reads the same way.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django_fsm import can_proceed

from playbook.accounts.models import User
from playbook.core.access import signed_in_or_none

from .models import LifecycleTransition

M = TypeVar("M", bound=models.Model)


class TransitionRefused(Exception):
    """A transition that may not run: wrong state, or a rule said no. ``str()`` says why."""


def transition_apply(
    *, obj: M, name: str, by: User | AnonymousUser | None, reason: str = "",
    state_field: str = "status", before: Any = None,
) -> M:
    """Run transition ``name`` on ``obj`` (re-read under a row lock) and log it.

    ``before(locked_obj)``, if given, runs after the lock and before the transition (for checks
    that must see the current row, such as a deadline). Returns the updated, saved object.
    """
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        method = getattr(locked, name, None)
        if method is None or not hasattr(method, "_django_fsm"):
            raise TransitionRefused(f"{model.__name__} has no transition {name!r}.")
        source = getattr(locked, state_field)
        if not can_proceed(method):
            raise TransitionRefused(
                f"Cannot {name.replace('_', ' ')} a record that is {_label(locked, state_field)}."
            )
        if before is not None:
            before(locked)
        method()
        locked.save()
        LifecycleTransition.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=locked.pk,
            name=name,
            source=source,
            target=getattr(locked, state_field),
            by=signed_in_or_none(by),
            reason=reason,
        )
    return locked


def transitions_for(obj: models.Model) -> models.QuerySet[LifecycleTransition]:
    return LifecycleTransition.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("by")


def _label(obj: models.Model, state_field: str) -> str:
    display = getattr(obj, f"get_{state_field}_display", None)
    return str(display()).lower() if display else str(getattr(obj, state_field))
