"""The application lifecycle: every status change goes through ``application_step``.

It looks the step up in the application's workflow (``programs.workflow``, the instrument's own
if it has one), checks that ``by`` is the step's audience, checks the step's preconditions
(deadline, completeness, and the gates other apps register: the reviews app's "required reviews
complete" before a recommendation), applies the declared django-fsm-2 transition under a row
lock, records who, when, from, to and why (``LifecycleTransition``) and emails the people the
step concerns. ``application_actions`` answers the same questions without acting, for the
lifecycle page. Errors: ``PermissionDenied`` (the user may not), ``TransitionRefused`` (the step
is not possible now, with the reason).

Decisions (approve, approve with conditions, deny) are steps of the system: they are recorded
only when a decision body's vote closes (``programs.services.decisions``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from playbook.accounts.models import User
from playbook.core.access import ALLOWED, Decision, require

from .. import workflow as wf
from ..models import Application, ApplicationStatus
from ..notifications import notify_transition
from ..permissions import application_can_edit, application_can_withdraw, may_act_as
from ..registry import application_workflow, gates_check
from ..selectors import application_problems
from ..transitions import TransitionRefused, transition_apply

__all__ = [
    "Action",
    "TransitionRefused",
    "application_actions",
    "application_appeal",
    "application_conditions_resolve",
    "application_provide_info",
    "application_recommend",
    "application_request_info",
    "application_screen",
    "application_start_review",
    "application_step",
    "application_submit",
    "application_withdraw",
]

S = ApplicationStatus


def _deadline(app: Application) -> Decision:
    if timezone.now() >= app.cycle.closes_at:
        return False, (f"The deadline for {app.cycle.name} passed at "
                       f"{timezone.localtime(app.cycle.closes_at):%B %-d, %Y %-I:%M %p}.")
    return ALLOWED


def _complete(app: Application) -> Decision:
    problems = application_problems(application=app)
    if problems:
        return False, "The application is not complete: " + " ".join(problems)
    return ALLOWED


def _editable(app: Application, user: User | AnonymousUser | None) -> Decision:
    if user is None:  # the system never edits an applicant's application
        return False, "Only the applicant edits an application."
    return application_can_edit(user=user, application=app)


def _review_route(app: Application) -> Decision:
    """Straight from screening to the decision body only where no review is required."""
    if app.status == S.SCREENED and app.rules.review.required:
        return False, "This cycle requires independent review first: start the review."
    return ALLOWED


def _withdrawable(app: Application, user: User | AnonymousUser | None) -> Decision:
    if user is None:  # the system never withdraws an applicant's application
        return False, "Only the applicant withdraws an application."
    return application_can_withdraw(user=user, application=app)


#: step -> checks on the locked row: each (application, user) -> (allowed, reason).
PRECONDITIONS: dict[str, tuple[Callable[[Application, User | AnonymousUser | None], Decision],
                               ...]] = {
    "submit": (_editable, lambda a, u: _deadline(a), lambda a, u: _complete(a)),
    "provide_info": (_editable, lambda a, u: _complete(a)),
    "recommend": (lambda a, u: _review_route(a),),
    "withdraw": (_withdrawable,),
}


def _checks(app: Application, name: str, user: User | AnonymousUser | None) -> Decision:
    for check in PRECONDITIONS.get(name, ()):
        decision = check(app, user)
        if not decision[0]:
            return decision
    return gates_check(transition=name, application=app)


Action = wf.Action


def application_actions(*, application: Application,
                        user: User | AnonymousUser) -> list[Action]:
    """Every step possible from the application's state now, and whether ``user`` may take it
    (with the reason when not). Steps of the system are listed with who records them."""
    flow = application_workflow(application)
    out = []
    for step in wf.available_steps(flow, application):
        if step.who == wf.SYSTEM:
            out.append(Action(step, False, step.description or "The system records this step."))
            continue
        allowed, reason = may_act_as(user=user, who=step.who, application=application)
        if allowed:
            allowed, reason = _checks(application, step.name, user)
        out.append(Action(step, allowed, reason))
    return out


def application_step(*, application: Application, name: str,
                     by: User | AnonymousUser | None,
                     reason: str = "", system: bool = False,
                     before: Callable[[Application], None] | None = None,
                     certified: bool = False) -> Application:
    """Take step ``name``. ``system`` marks the spine's own steps (a vote closing, the reviews
    app's automation); ``by`` is then whoever set it off, or None. A step with a certification
    (submitting) needs ``certified``: the person confirmed the statement, which is kept on
    the step's transition with who and when."""
    flow = application_workflow(application)
    step = flow.step(name)
    if step is None:
        raise TransitionRefused(f"{flow.key} has no step {name!r}.")
    if not system:
        require(may_act_as(user=by, who=step.who, application=application))
    if step.needs_reason and not reason.strip():
        raise TransitionRefused(f"Give a reason to {step.label[0].lower()}{step.label[1:]}.")
    must_certify = bool(step.certify) and not system
    if must_certify and certified:
        statement = "Certified: " + certification_text(step, application)
        reason = f"{reason.strip()}\n{statement}" if reason.strip() else statement

    def checks(locked: Application) -> None:
        # Who may take the step was checked above (the audience); what is left are the step's
        # conditions on the row as it is now, so a refusal here is never a permission matter.
        allowed, why = _checks(locked, name, by)
        if not allowed:
            raise TransitionRefused(why)
        if must_certify and not certified:
            raise TransitionRefused("Confirm the certification to "
                                    f"{step.label[0].lower()}{step.label[1:]}.")
        if before is not None:
            before(locked)

    with transaction.atomic():
        updated = transition_apply(obj=application, name=name, by=by, reason=reason,
                                   before=checks)
        notify_transition(application=updated, name=name, by=by, reason=reason,
                          verb=step.done or step.label)
    return updated


# --- the named steps, for callers that read better with them ---------------------------------

def certification_text(step: Any, application: Application) -> str:
    """The statement ``step`` asks the applicant to confirm, with the applicant's name."""
    return str(step.certify).replace("{applicant}", application.applicant.name)


def application_submit(*, application: Application, by: User | AnonymousUser,
                       certified: bool = True) -> Application:
    """The applicant submits a complete draft before the deadline (checked on the server),
    confirming the certification (the page asks for it; callers in code confirm it by
    default)."""
    return application_step(application=application, name="submit", by=by,
                            certified=certified)


def application_request_info(*, application: Application, by: User | AnonymousUser,
                             reason: str) -> Application:
    """Staff ask the applicant for more information (the application reopens for editing)."""
    return application_step(application=application, name="request_info", by=by, reason=reason)


def application_provide_info(*, application: Application, by: User | AnonymousUser,
                             reason: str = "", certified: bool = True) -> Application:
    return application_step(application=application, name="provide_info", by=by, reason=reason,
                            certified=certified)


def application_screen(*, application: Application, by: User | AnonymousUser, eligible: bool,
                       reason: str = "") -> Application:
    """Staff record the screening; the automated eligibility check behind it is traced."""
    from .traces import eligibility_trace_record

    name = "screen_eligible" if eligible else "screen_ineligible"
    with transaction.atomic():
        updated = application_step(application=application, name=name, by=by, reason=reason)
        eligibility_trace_record(application=updated)
    return updated


def application_start_review(*, application: Application, by: User | None,
                             reason: str = "") -> Application:
    """Screened -> in review: a staff member, or the reviews app's automation (``by`` None)."""
    return application_step(application=application, name="start_review", by=by, reason=reason,
                            system=by is None)


def application_recommend(*, application: Application, by: User | None,
                          reason: str = "") -> Application:
    """To the decision body: refused until the required reviews are complete."""
    return application_step(application=application, name="recommend", by=by, reason=reason,
                            system=by is None)


def application_conditions_resolve(*, application: Application, by: User | AnonymousUser,
                                   met: bool, reason: str) -> Application:
    """Staff record whether the conditions of a conditional approval were met. Not met: the
    application is denied and the agreement the approval opened is cancelled (its instrument
    releases what it held, e.g. a grant's committed money)."""
    from .agreements import agreement_step

    with transaction.atomic():
        updated = application_step(application=application,
                                   name="conditions_met" if met else "conditions_unmet", by=by,
                                   reason=reason)
        agreement = updated.agreement
        if not met and agreement is not None:
            agreement_step(agreement=agreement, name="cancel", by=by, system=True,
                           reason=f"Conditions of approval not met: {reason}")
    return updated


def application_withdraw(*, application: Application, by: User | AnonymousUser,
                         reason: str = "") -> Application:
    return application_step(application=application, name="withdraw", by=by, reason=reason)


def application_appeal(*, application: Application, by: User | AnonymousUser,
                       reason: str) -> Application:
    """The applicant appeals a denial or an ineligibility finding, saying why."""
    return application_step(application=application, name="appeal", by=by, reason=reason)


def status_label(status: str) -> str:
    return ApplicationStatus(status).label
