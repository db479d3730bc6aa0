"""The application lifecycle: every status change goes through one of these functions.

Each checks who may take the step, applies the declared django-fsm-2 transition under a row lock,
records who, when, from, to and why (``LifecycleTransition``) and emails the people the step
concerns. Errors: ``PermissionDenied`` (the user may not), ``TransitionRefused`` (the step is not
possible now, with the reason).

    draft -> submitted -> screened -> in_review -> recommended -> approved | conditional | denied
                |   ^         |                                   conditional -> approved | denied
                v   |         v                                   approved -> active -> monitored
          info_requested   ineligible                             active | monitored -> closed
    draft .. recommended -> withdrawn
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..models import Application, ApplicationStatus
from ..notifications import notify_transition
from ..permissions import (
    Decision,
    application_can_decide,
    application_can_manage,
    application_can_screen,
    application_can_submit,
    application_can_withdraw,
)
from ..selectors import application_problems
from ..transitions import TransitionRefused, transition_apply

__all__ = [
    "TransitionRefused",
    "application_activate",
    "application_close",
    "application_conditions_resolve",
    "application_decide",
    "application_monitor",
    "application_provide_info",
    "application_recommend",
    "application_request_info",
    "application_screen",
    "application_start_review",
    "application_submit",
    "application_withdraw",
]

OUTCOMES = {
    "approved": "approve",
    "conditional": "approve_with_conditions",
    "denied": "deny",
}


def _require(decision: Decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def _need_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise TransitionRefused(f"Give a reason when you {what}.")


def _step(
    *, application: Application, name: str, by: Any, reason: str,
    before: Callable[[Application], None] | None = None,
    allow: Callable[[Application], Decision] | None = None,
) -> Application:
    """Apply ``name``; ``allow`` (the applicant-side permission) and ``before`` run on the row
    as locked and re-read, never on a stale copy the caller holds."""

    def checks(locked: Application) -> None:
        if allow is not None:
            _require(allow(locked))
        if before is not None:
            before(locked)

    with transaction.atomic():
        updated = transition_apply(obj=application, name=name, by=by, reason=reason,
                                   before=checks)
        notify_transition(application=updated, name=name, by=by, reason=reason)
    return updated


def _complete(app: Application) -> None:
    problems = application_problems(application=app)
    if problems:
        raise TransitionRefused("The application is not complete: " + " ".join(problems))


def application_submit(*, application: Application, by: Any) -> Application:
    """The applicant submits a complete draft before the deadline (checked on the server)."""
    def before(app: Application) -> None:
        if timezone.now() >= app.cycle.closes_at:
            raise TransitionRefused(
                f"The deadline for {app.cycle.name} passed at "
                f"{timezone.localtime(app.cycle.closes_at):%B %-d, %Y %-I:%M %p}."
            )
        _complete(app)

    return _step(application=application, name="submit", by=by, reason="", before=before,
                 allow=lambda app: application_can_submit(user=by, application=app))


def application_request_info(*, application: Application, by: Any, reason: str) -> Application:
    """Staff ask the applicant for more information (the application reopens for editing)."""
    _require(application_can_screen(user=by))
    _need_reason(reason, "ask for more information")
    return _step(application=application, name="request_info", by=by, reason=reason)


def application_provide_info(*, application: Application, by: Any,
                             reason: str = "") -> Application:
    """The applicant sends the application back after adding what was asked for."""
    return _step(application=application, name="provide_info", by=by, reason=reason,
                 before=_complete,
                 allow=lambda app: application_can_submit(user=by, application=app))


def application_screen(*, application: Application, by: Any, eligible: bool,
                       reason: str = "") -> Application:
    _require(application_can_screen(user=by))
    if not eligible:
        _need_reason(reason, "screen an application out")
    name = "screen_eligible" if eligible else "screen_ineligible"
    return _step(application=application, name=name, by=by, reason=reason)


def _manager_or_system(by: Any) -> None:
    if by is not None:
        _require(application_can_manage(user=by))


def application_start_review(*, application: Application, by: Any,
                             reason: str = "") -> Application:
    """Screened -> in review. ``by`` is a staff member, or None when the reviews app's
    automation moves it (recorded as the system)."""
    _manager_or_system(by)
    return _step(application=application, name="start_review", by=by, reason=reason)


def application_recommend(*, application: Application, by: Any,
                          reason: str = "") -> Application:
    """In review -> recommended to the decision body (review complete)."""
    _manager_or_system(by)
    return _step(application=application, name="recommend", by=by, reason=reason)


def application_decide(*, application: Application, by: Any, outcome: str, reason: str = "",
                       conditions: str = "") -> Application:
    """The decision body decides: ``approved``, ``conditional`` (with conditions) or ``denied``.

    For grant programs call ``funding.services.decision_record`` instead: it also commits the
    award against the appropriation in the same transaction.
    """
    _require(application_can_decide(user=by))
    name = OUTCOMES.get(outcome)
    if name is None:
        raise TransitionRefused(f"Unknown outcome {outcome!r}.")
    if outcome == "conditional" and not conditions.strip():
        raise TransitionRefused("State the conditions of a conditional approval.")
    if outcome == "denied":
        _need_reason(reason, "deny an application")

    def before(app: Application) -> None:
        if outcome == "conditional":
            app.conditions = conditions.strip()

    return _step(application=application, name=name, by=by, reason=reason or conditions,
                 before=before)


def application_conditions_resolve(*, application: Application, by: Any, met: bool,
                                   reason: str) -> Application:
    _require(application_can_manage(user=by))
    _need_reason(reason, "resolve conditions")
    return _step(application=application, name="conditions_met" if met else "conditions_unmet",
                 by=by, reason=reason)


def application_activate(*, application: Application, by: Any, reason: str = "") -> Application:
    """Approved -> active: the award agreement is executed (called by ``funding``)."""
    _manager_or_system(by)
    return _step(application=application, name="activate", by=by, reason=reason)


def application_monitor(*, application: Application, by: Any, reason: str = "") -> Application:
    _manager_or_system(by)
    return _step(application=application, name="monitor", by=by, reason=reason)


def application_close(*, application: Application, by: Any, reason: str) -> Application:
    _require(application_can_manage(user=by))
    _need_reason(reason, "close an application")
    return _step(application=application, name="close", by=by, reason=reason)


def application_withdraw(*, application: Application, by: Any, reason: str = "") -> Application:
    return _step(application=application, name="withdraw", by=by, reason=reason,
                 allow=lambda app: application_can_withdraw(user=by, application=app))


def status_label(status: str) -> str:
    return ApplicationStatus(status).label
