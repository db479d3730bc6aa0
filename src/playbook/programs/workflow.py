"""The lifecycle as data: phases with their labels, tag styles and who may act, and the steps
between them (in the manner of Hypha's ``funds/workflow.py``), kept on the django-fsm-2
protected transitions of ``Application`` and ``Agreement``.

The FSM says which steps exist and from which states; the workflow says what each phase is
called (for staff and for the public), how its tag looks, who may view, edit and withdraw in it,
and who may take each step and what must hold first. ``actions_for`` answers, for one record and
one user, every step possible from the current state, whether this user may take it now, and
why not. Templates read all of it through ``programs_tags``.

An instrument may give its own workflow (``Instrument.application_workflow`` /
``agreement_workflow``), usually ``APPLICATION_WORKFLOW.with_labels(...)`` or
``.without_steps(...)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Model
from django_fsm import get_all_FIELD_transitions

#: Who a phase or a step is for.
APPLICANT = "applicant"  # leaders of the applying organization (or the consortium it leads)
PARTY = "party"  # the agreement's countersigning party (the applicant)
STAFF = "staff"  # office staff
DECISION_BODY = "decision_body"  # members of the body whose ballot is open
REVIEWER = "reviewer"  # assigned reviewers without a conflict
PUBLIC = "public"
SYSTEM = "system"  # taken by the spine itself (a closed vote, a date passing)


@dataclass(frozen=True)
class Phase:
    key: str
    staff_label: str
    public_label: str
    tag: str = "base"  # USWDS tag style: base, info, success, warning, error
    view: frozenset[str] = frozenset({APPLICANT, STAFF})
    edit: frozenset[str] = frozenset()
    withdraw: bool = False
    public: bool = False  # listed on public pages
    #: what happens next, told to the applicant (the home's task list, the application page)
    next: str = ""


@dataclass(frozen=True)
class Step:
    name: str  # the FSM transition
    label: str  # the button
    who: str
    done: str = ""  # past tense, for messages and history
    needs_reason: bool = False
    description: str = ""
    danger: bool = False  # ends or refuses something: shown as a warning-coloured button
    asks_end_date: bool = False  # the step sets a new end date (a renewal)
    #: a statement the person must confirm before the step is taken ("{applicant}" is filled
    #: in); it is kept, with who confirmed it and when, on the step's transition
    certify: str = ""


@dataclass(frozen=True)
class Workflow:
    key: str
    phases: tuple[Phase, ...]
    steps: tuple[Step, ...]
    _by_key: dict[str, Phase] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {p.key: p for p in self.phases})

    def phase(self, status: str) -> Phase:
        found = self._by_key.get(status)
        if found is None:  # a state recorded in history that the workflow no longer has
            label = status.replace("_", " ").capitalize()
            return Phase(status, label, label)
        return found

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def with_labels(self, **labels: tuple[str, str]) -> Workflow:
        """The same workflow with other (staff, public) labels for some phases."""
        phases = tuple(replace(p, staff_label=labels[p.key][0], public_label=labels[p.key][1])
                       if p.key in labels else p for p in self.phases)
        return replace(self, phases=phases)

    def without_steps(self, *names: str) -> Workflow:
        return replace(self, steps=tuple(s for s in self.steps if s.name not in names))


@dataclass(frozen=True)
class Action:
    """A step possible from a record's state now, and whether one user may take it (and why
    not)."""

    step: Step
    allowed: bool
    reason: str


_SEEN = frozenset({APPLICANT, STAFF, DECISION_BODY})

#: What an applicant certifies on submitting (the usual state-grant assurance).
CERTIFICATION = ("I certify that the information in this application is true, complete and "
                 "accurate to the best of my knowledge, and that I am authorized to submit it "
                 "on behalf of {applicant}. I understand that false statements may lead to the "
                 "application being refused or an award being revoked.")

APPLICATION_WORKFLOW = Workflow(
    key="application",
    phases=(
        Phase("draft", "Draft", "Draft", "base", edit=frozenset({APPLICANT}), withdraw=True,
              next="Finish it and submit it before the round closes."),
        Phase("submitted", "Submitted: to screen", "Submitted", "info", withdraw=True,
              public=True,
              next="The office checks that it is eligible and complete."),
        Phase("info_requested", "More information requested", "More information requested",
              "warning", edit=frozenset({APPLICANT}), withdraw=True, public=True,
              next="Answer the office's request and submit it again."),
        Phase("screened", "Screened eligible: to review", "Eligible", "info", withdraw=True,
              public=True,
              next="Independent reviewers will score it."),
        Phase("ineligible", "Ineligible", "Ineligible", "error", public=True,
              next="You may appeal the screening from the application page."),
        Phase("in_review", "In independent review", "In review", "info",
              view=frozenset({APPLICANT, STAFF, REVIEWER}), withdraw=True, public=True,
              next="Reviewers are scoring it; then the decision body votes."),
        Phase("recommended", "Recommended: for the decision body", "Recommended", "info",
              view=_SEEN | {REVIEWER}, withdraw=True, public=True,
              next="The decision body votes on it."),
        Phase("approved", "Approved", "Approved", "success", view=_SEEN, public=True,
              next="The office drafts the agreement for you to countersign."),
        Phase("conditional", "Approved with conditions", "Approved with conditions", "warning",
              view=_SEEN, public=True,
              next="Meet the conditions; the office drafts the agreement for you to countersign."),
        Phase("denied", "Denied", "Not approved", "error", view=_SEEN, public=True,
              next="You may appeal the decision from the application page."),
        Phase("withdrawn", "Withdrawn", "Withdrawn", "base"),
        Phase("appealed", "Appealed: to reconsider", "Under appeal", "warning", view=_SEEN,
              public=True,
              next="The office reconsiders the decision."),
    ),
    steps=(
        Step("submit", "Submit the application", APPLICANT, "submitted", certify=CERTIFICATION),
        Step("request_info", "Ask for more information", STAFF, "needs more information",
             needs_reason=True),
        Step("provide_info", "Send back with the information", APPLICANT,
             "resubmitted with more information", certify=CERTIFICATION),
        Step("screen_eligible", "Screen as eligible", STAFF, "screened eligible"),
        Step("screen_ineligible", "Screen as ineligible", STAFF, "screened ineligible",
             needs_reason=True, danger=True),
        Step("start_review", "Start the independent review", STAFF, "is in independent review"),
        Step("recommend", "Recommend to the decision body", STAFF,
             "recommended to the decision body"),
        Step("approve", "Approve", SYSTEM, "approved",
             description="Recorded when the decision body's vote closes."),
        Step("approve_with_conditions", "Approve with conditions", SYSTEM,
             "approved with conditions",
             description="Recorded when the decision body's vote closes."),
        Step("deny", "Deny", SYSTEM, "denied",
             description="Recorded when the decision body's vote closes."),
        Step("conditions_met", "Record the conditions as met", STAFF,
             "conditions met: approved", needs_reason=True),
        Step("conditions_unmet", "Record the conditions as not met", STAFF,
             "conditions not met: denied", needs_reason=True),
        Step("withdraw", "Withdraw the application", APPLICANT, "withdrawn", danger=True),
        Step("appeal", "Appeal the decision", APPLICANT, "appealed", needs_reason=True),
        Step("appeal_grant", "Grant the appeal: screen again", STAFF,
             "appeal granted: screened again", needs_reason=True),
        Step("appeal_dismiss", "Dismiss the appeal", STAFF, "appeal dismissed",
             needs_reason=True),
    ),
)

AGREEMENT_WORKFLOW = Workflow(
    key="agreement",
    phases=(
        Phase("drafted", "Drafted: terms being written", "Being drawn up", "base"),
        Phase("signed", "Signed by the office: awaiting countersignature",
              "Awaiting countersignature", "info"),
        Phase("executed", "Executed (countersigned)", "Executed", "success", public=True),
        Phase("active", "Active", "Active", "success", public=True),
        Phase("monitored", "Active: monitored", "Active", "success", public=True),
        Phase("probation", "On probation", "On probation", "warning", public=True),
        Phase("renewed", "Renewed", "Renewed", "success", public=True),
        Phase("revoked", "Revoked", "Revoked", "error", public=True),
        Phase("expired", "Expired", "Expired", "base", public=True),
        Phase("closed", "Closed", "Closed", "base", public=True),
        Phase("cancelled", "Cancelled", "Cancelled", "base"),
    ),
    steps=(
        Step("sign", "Sign for the office", STAFF, "signed by the office"),
        Step("countersign", "Countersign the agreement", PARTY, "countersigned: executed"),
        Step("activate", "Start the agreement", STAFF, "active"),
        Step("monitor", "Move into monitoring", STAFF, "in monitoring"),
        Step("probation", "Place on probation", STAFF, "placed on probation",
             needs_reason=True, danger=True),
        Step("lift_probation", "Lift probation", STAFF, "probation lifted", needs_reason=True),
        Step("renew", "Renew", STAFF, "renewed", needs_reason=True, asks_end_date=True),
        Step("revoke", "Revoke", STAFF, "revoked", needs_reason=True, danger=True),
        Step("expire", "Record as expired", STAFF, "expired", needs_reason=True),
        Step("close", "Close", STAFF, "closed", needs_reason=True),
        Step("cancel", "Cancel the agreement", STAFF, "cancelled", needs_reason=True,
             danger=True),
    ),
)


def fsm_steps(model: type[Model], state_field: str = "status") -> dict[str, tuple[set[str], str]]:
    """The model's declared transitions: name -> (sources, target)."""
    out: dict[str, tuple[set[str], str]] = {}
    probe = model()
    field: Any = model._meta.get_field(state_field)
    for t in get_all_FIELD_transitions(probe, field=field):
        sources, _target = out.setdefault(t.name, (set(), str(t.target)))
        sources.add(str(t.source))
    return out


def available_steps(workflow: Workflow, obj: Any, state_field: str = "status") -> list[Step]:
    """Steps of ``workflow`` whose FSM transition may run from ``obj``'s current state."""
    declared = fsm_steps(type(obj), state_field)
    state = str(getattr(obj, state_field))
    return [s for s in workflow.steps
            if s.name in declared and (state in declared[s.name][0] or "*" in declared[s.name][0])]


def audiences_label(audiences: Iterable[str]) -> str:
    names = {APPLICANT: "the applicant", PARTY: "the other party", STAFF: "office staff",
             DECISION_BODY: "the decision body", REVIEWER: "assigned reviewers",
             SYSTEM: "the system", PUBLIC: "the public"}
    return ", ".join(names.get(a, a) for a in audiences)
