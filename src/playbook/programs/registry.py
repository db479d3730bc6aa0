"""The registry of instruments, and of the hooks other apps give the spine.

An *instrument* is one kind of program on the shared lifecycle: a competitive grant, an
approved-model designation, a waiver, a loan, a data-sharing agreement, ... Each registers
itself from its own app (``AppConfig.ready``) with ``instrument_register``; ``programs`` never
imports an instrument app. Where the spine needs an instrument's answer (what an application must
hold before it is submitted, what a decision opens, what its pages show) it asks the registry.

Apps that are not instruments but take part in the lifecycle register hooks too: the reviews app
registers the gate that keeps an application from being recommended before its required reviews
are complete, the applications a reviewer may read, the scores a ranking shows and the panel it
adds to the application page.

``docs/programs.md`` ("How to add an instrument") has a worked example.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from playbook.core.access import ALLOWED, Decision

from .workflow import AGREEMENT_WORKFLOW, APPLICATION_WORKFLOW, Workflow

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from pydantic import BaseModel

    from playbook.accounts.models import User

    from .models import Agreement, Application, Ballot, Cycle
    from .rules import Criterion


@dataclass(frozen=True)
class Panel:
    """A section an app adds to a page: a template and the context it needs.

    ``context(obj, user)`` returns the template's context, or None to show nothing (the user may
    not see it, or there is nothing to show)."""

    key: str
    title: str
    template: str
    context: Callable[[Any, User | AnonymousUser], dict[str, Any] | None]
    order: int = 50


@dataclass(frozen=True)
class PublicDataset:
    """A table an instrument publishes with a round's open data (a grant: each award's
    commitments and progress). ``rows(cycle)`` returns the columns, in order, and one mapping
    per row; the round page links it as CSV and the round's JSON carries it under ``key``."""

    key: str
    title: str
    rows: Callable[[Cycle], tuple[list[str], list[dict[str, Any]]]]


@dataclass(frozen=True)
class Instrument:
    """What one kind of program adds to the spine. Only ``key`` and ``label`` are required."""

    key: str
    label: str
    #: The rule sections this instrument adds to a cycle's rules, by name, as pydantic models.
    rules_sections: Mapping[str, type[BaseModel]] = field(default_factory=dict)
    #: A complete starting rules document for a new cycle (spine sections included).
    rules_default: Callable[[], dict[str, Any]] | None = None
    #: What keeps an application from being submitted, beyond the spine's own checks.
    application_problems: Callable[[Application], list[str]] | None = None
    #: Terms a decision-body vote is taken on (e.g. the amount of a grant): a form class whose
    #: cleaned data is stored on the ballot, and a function proposing the initial values.
    decision_terms_form: type | None = None
    decision_terms_initial: Callable[[Application], dict[str, Any]] | None = None
    #: Why the terms the vote is opened on came out as they did (a grant: its place on the
    #: funding line): application -> (kind, result, steps) or None; traced when the vote opens.
    decision_trace: Callable[[Application], tuple[str, str, list[dict[str, Any]]] | None] | None \
        = None
    #: What an approval opens: called inside the decision's transaction, after the outcome is
    #: known and before it is recorded; it may refuse (raise) and so refuse the whole decision.
    on_approved: Callable[..., Any] | None = None
    #: Called inside every agreement transition's database transaction (e.g. to release money).
    on_agreement_transition: Callable[..., None] | None = None
    #: What must hold before the agreement is executed (signed), beyond the core's checks.
    agreement_problems: Callable[[Agreement], list[str]] | None = None
    #: The agreement's own name in plain words ("award agreement", "designation").
    agreement_label: str = "agreement"
    #: Evidence sources that monitor its agreements' commitments (see ``EVIDENCE_SOURCES``).
    evidence_sources: tuple[str, ...] = ("self_reported",)
    #: The instrument's own pages of the application form, after the spine's sections:
    #: (label, URL name taking the application's pk), e.g. a grant's budget.
    application_pages: tuple[tuple[str, str], ...] = ()
    #: Its own page for a monitoring report (URL name taking the agreement's pk), when it asks
    #: for more than the core's report (a grant: spending to date); None: the core's page.
    report_url_name: str | None = None
    #: Links on the staff's home pages: (label, URL name without arguments).
    staff_links: tuple[tuple[str, str], ...] = ()
    #: Links on a cycle's page (and the decision body's home): (label, URL name taking the
    #: cycle's pk).
    cycle_links: tuple[tuple[str, str], ...] = ()
    #: Panels on the application page (staff and applicant) and the public round page.
    application_panels: tuple[Panel, ...] = ()
    agreement_panels: tuple[Panel, ...] = ()
    #: The section an organization's page shows for this instrument.
    organization_panel: Panel | None = None
    #: Columns the public round page and its open data add: (key, heading, value function).
    public_columns: tuple[tuple[str, str, Callable[[Application], Any]], ...] = ()
    #: Columns the staff export adds: (key, value function).
    export_columns: tuple[tuple[str, Callable[[Application], Any]], ...] = ()
    #: Totals the public round page adds: cycle -> [(key, label, value)].
    public_totals: Callable[[Cycle], list[tuple[str, str, Any]]] | None = None
    #: Sections the public round page adds after its table (``context(cycle, user)``), and the
    #: tables its open data adds (each also a CSV of its own).
    public_panels: tuple[Panel, ...] = ()
    public_datasets: tuple[PublicDataset, ...] = ()
    #: The rubric one application is scored on, when it is not the cycle's own (a grant type's
    #: rubric); None from the function: the cycle's.
    application_criteria: Callable[[Application], tuple[Criterion, ...] | None] | None = None
    #: The agreement's default length, in days, from the decision.
    agreement_term_days: int = 365
    #: Its own workflows (labels, steps), if the spine's do not fit; None: the spine's.
    application_workflow: Workflow | None = None
    agreement_workflow: Workflow | None = None


_INSTRUMENTS: dict[str, Instrument] = {}
_GATES: dict[str, list[tuple[str, Callable[[Application], Decision]]]] = {}
_SCOPES: dict[str, Callable[[User], Q]] = {}
_SCORES: list[Callable[[Cycle], dict[int, tuple[Any, Any]]]] = []
_APPLICATION_PANELS: list[Panel] = []
_BALLOT_PANELS: list[Panel] = []


class UnknownInstrument(LookupError):
    pass


def instrument_register(instrument: Instrument) -> Instrument:
    """Register ``instrument`` (call from the instrument app's ``AppConfig.ready``). Registering
    the same key again replaces it (tests register throwaway instruments)."""
    _INSTRUMENTS[instrument.key] = instrument
    return instrument


def instrument_unregister(key: str) -> None:
    _INSTRUMENTS.pop(key, None)


def instrument_get(key: str) -> Instrument:
    try:
        return _INSTRUMENTS[key]
    except KeyError:
        known = ", ".join(sorted(_INSTRUMENTS)) or "none"
        raise UnknownInstrument(f"No instrument {key!r} is registered (registered: {known}).")\
            from None


def instruments() -> list[Instrument]:
    return sorted(_INSTRUMENTS.values(), key=lambda i: i.label)


def instrument_choices() -> list[tuple[str, str]]:
    return [(i.key, i.label) for i in instruments()]


def instrument_for(application: Application) -> Instrument:
    return instrument_get(application.cycle.program.instrument)


def application_criteria(application: Application) -> tuple[Criterion, ...]:
    """The criteria ``application`` is scored on: its instrument's answer (e.g. the rubric of
    the grant type it applies for), else the rubric of the rules version it was written under."""
    found = _INSTRUMENTS.get(application.cycle.program.instrument)
    if found is not None and found.application_criteria is not None:
        own = found.application_criteria(application)
        if own is not None:
            return tuple(own)
    return application.rules.criteria


def public_datasets(cycle: Cycle) -> tuple[PublicDataset, ...]:
    found = _INSTRUMENTS.get(cycle.program.instrument)
    return found.public_datasets if found else ()


def public_dataset(cycle: Cycle, key: str) -> PublicDataset | None:
    return next((d for d in public_datasets(cycle) if d.key == key), None)


def public_panels(cycle: Cycle, user: User | AnonymousUser) -> list[dict[str, Any]]:
    found = _INSTRUMENTS.get(cycle.program.instrument)
    return panels_render(list(found.public_panels), cycle, user) if found else []


def application_workflow(application: Application) -> Workflow:
    found = _INSTRUMENTS.get(application.cycle.program.instrument)
    return (found.application_workflow if found else None) or APPLICATION_WORKFLOW


def agreement_workflow(agreement: Agreement) -> Workflow:
    found = _INSTRUMENTS.get(agreement.instrument)
    return (found.agreement_workflow if found else None) or AGREEMENT_WORKFLOW


# --- hooks of apps that take part in the lifecycle ---------------------------------------------

def gate_register(*, transition: str, key: str,
                  check: Callable[[Application], Decision]) -> None:
    """``check(application)`` must allow before ``transition`` runs, for every instrument."""
    gates = [g for g in _GATES.setdefault(transition, []) if g[0] != key]
    gates.append((key, check))
    _GATES[transition] = gates


def gates_check(*, transition: str, application: Application) -> Decision:
    for _key, check in _GATES.get(transition, []):
        decision = check(application)
        if not decision[0]:
            return decision
    return ALLOWED


def scope_register(*, role: str, scope: Callable[[User], Q]) -> None:
    """The applications a user of ``role`` may read, as a filter (e.g. reviewers: assigned)."""
    _SCOPES[role] = scope


def scope_for(role: str) -> Callable[[User], Q] | None:
    return _SCOPES.get(role)


def scores_register(provider: Callable[[Cycle], dict[int, tuple[Any, Any]]]) -> None:
    """``provider(cycle)``: application id -> (normalized score, raw score)."""
    if provider not in _SCORES:
        _SCORES.append(provider)


def scores_for(cycle: Cycle) -> dict[int, tuple[Any, Any]]:
    out: dict[int, tuple[Any, Any]] = {}
    for provider in _SCORES:
        out.update(provider(cycle))
    return out


def application_panel_register(panel: Panel) -> None:
    """A panel on every application page, whatever the instrument (e.g. the review summary)."""
    _APPLICATION_PANELS[:] = [p for p in _APPLICATION_PANELS if p.key != panel.key] + [panel]


def ballot_panel_register(panel: Panel) -> None:
    """A panel deciders see on the ballot page before they vote (e.g. reviewers' scores)."""
    _BALLOT_PANELS[:] = [p for p in _BALLOT_PANELS if p.key != panel.key] + [panel]


def panels_render(panels: list[Panel], obj: Any,
                  user: User | AnonymousUser) -> list[dict[str, Any]]:
    """The panels that have something to show ``user``, in order, with their context."""
    out = []
    for panel in sorted(panels, key=lambda p: p.order):
        context = panel.context(obj, user)
        if context is not None:
            out.append({"key": panel.key, "title": panel.title, "template": panel.template,
                        "context": context})
    return out


def application_panels(application: Application,
                       user: User | AnonymousUser) -> list[dict[str, Any]]:
    instrument = _INSTRUMENTS.get(application.cycle.program.instrument)
    own = list(instrument.application_panels) if instrument else []
    return panels_render([*_APPLICATION_PANELS, *own], application, user)


def ballot_panels(ballot: Ballot, user: User | AnonymousUser) -> list[dict[str, Any]]:
    return decision_panels(ballot.application, user)


def decision_panels(application: Application,
                    user: User | AnonymousUser) -> list[dict[str, Any]]:
    """What those who decide read about ``application`` before they vote (the reviewers'
    scores and comments): on the ballot page and beside each line of an instrument's ranked
    decision page. Callers show it only to the decision body, office staff and auditors."""
    return panels_render(list(_BALLOT_PANELS), application, user)


def organization_panels(organization: Any, user: User | AnonymousUser) -> list[dict[str, Any]]:
    panels = [i.organization_panel for i in instruments() if i.organization_panel]
    return panels_render(panels, organization, user)
