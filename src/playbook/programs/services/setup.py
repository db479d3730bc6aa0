"""Staff set up programs, cycles and each cycle's versioned rules."""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from playbook.accounts.models import User
from playbook.core.access import require, signed_in_or_none

from ..models import Cycle, CycleConfiguration, DecisionBody, DecisionBodyMember, Program
from ..permissions import program_can_configure
from ..registry import UnknownInstrument, instrument_get
from ..rules import rules_errors, spine_default


def program_create(*, by: User | AnonymousUser, name: str, slug: str, instrument: str,
                   description: str = "") -> Program:
    require(program_can_configure(user=by))
    try:
        instrument_get(instrument)
    except UnknownInstrument as exc:
        raise ValidationError({"instrument": str(exc)}) from None
    if Program.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A program with the short name {slug!r} exists."})
    return Program.objects.create(name=name, slug=slug, instrument=instrument,
                                  description=description, created_by=signed_in_or_none(by))


def cycle_create(
    *, by: User | AnonymousUser, program: Program, name: str, slug: str, opens_at: datetime,
    closes_at: datetime, fiscal_year: int, budget: Decimal = Decimal("0"),
    data: dict[str, Any] | None = None,
) -> Cycle:
    """A new cycle with configuration version 1 (the instrument's default rules unless given)."""
    require(program_can_configure(user=by))
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": "The cycle must close after it opens."})
    if budget < 0:
        raise ValidationError({"budget": "The budget cannot be negative."})
    if Cycle.objects.filter(program=program, slug=slug).exists():
        raise ValidationError({"slug": f"{program.name} already has a cycle {slug!r}."})
    instrument = instrument_get(program.instrument)
    if data is None:
        data = instrument.rules_default() if instrument.rules_default else spine_default()
    data = copy.deepcopy(data)
    _validate(data, program)
    with transaction.atomic():
        cycle = Cycle.objects.create(program=program, name=name, slug=slug, opens_at=opens_at,
                                     closes_at=closes_at, fiscal_year=fiscal_year, budget=budget)
        CycleConfiguration.objects.create(cycle=cycle, version=1, data=data,
                                          created_by=signed_in_or_none(by),
                                          note="Initial rules")
    return cycle


def cycle_update(*, cycle: Cycle, by: User | AnonymousUser, name: str, opens_at: datetime,
                 closes_at: datetime, budget: Decimal, results_public: bool) -> Cycle:
    """Dates and budget. Once the cycle has opened its opening date is history: it stays."""
    require(program_can_configure(user=by))
    if cycle.has_opened() and opens_at != cycle.opens_at:
        raise ValidationError({"opens_at": "The cycle has opened; its opening date is fixed."})
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": "The cycle must close after it opens."})
    if budget < 0:
        raise ValidationError({"budget": "The budget cannot be negative."})
    cycle.name, cycle.opens_at, cycle.closes_at = name, opens_at, closes_at
    cycle.budget, cycle.results_public = budget, results_public
    cycle.save()
    return cycle


def _validate(data: Any, program: Program) -> None:
    sections = instrument_get(program.instrument).rules_sections
    errors = rules_errors(data, sections=sections)
    if errors:
        raise ValidationError({"data": errors})


def configuration_is_locked(*, configuration: CycleConfiguration) -> bool:
    """A version is frozen once its cycle opens or any application was written under it."""
    return configuration.cycle.has_opened() or configuration.applications.exists()


def cycle_configuration_save(*, cycle: Cycle, by: User | AnonymousUser,
                             data: dict[str, Any], note: str = "") -> CycleConfiguration:
    """Save the cycle's rules: in place while the current version is unlocked, otherwise as a new
    version (earlier applications keep reading theirs)."""
    require(program_can_configure(user=by))
    _validate(data, cycle.program)
    with transaction.atomic():
        current = (CycleConfiguration.objects.select_for_update()
                   .filter(cycle=cycle).order_by("-version").first())
        if current is not None and current.data == data:
            return current
        if current is not None and not configuration_is_locked(configuration=current):
            current.data, current.note = data, note
            current.created_by = signed_in_or_none(by)
            current.save(update_fields=["data", "note", "created_by"])
            return current
        version = (current.version + 1) if current else 1
        try:
            return CycleConfiguration.objects.create(cycle=cycle, version=version, data=data,
                                                     note=note, created_by=signed_in_or_none(by))
        except IntegrityError as exc:  # pragma: no cover - two editors at once
            raise ValidationError("Someone saved a new version at the same time; reload.") from exc


def decision_body_ensure(*, by: User | AnonymousUser, slug: str, name: str,
                         members: list[User] | None = None,
                         chair: User | None = None) -> DecisionBody:
    """The decision body ``slug`` (created if new), with ``members`` added (none removed)."""
    require(program_can_configure(user=by))
    body, _ = DecisionBody.objects.get_or_create(slug=slug, defaults={"name": name})
    for user in members or []:
        DecisionBodyMember.objects.update_or_create(
            body=body, user=user, defaults={"active": True, "chair": user == chair})
    return body
