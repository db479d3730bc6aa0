"""A test-only instrument with no money, registered by the test suite alone: a "recognition"
program (an office recognizes a district's model school for three years).

It is walked from draft through independent review, a quorum vote with one recusal, an
agreement with a commitment monitored by a published report card, a monitoring report, renewal,
probation and revocation, without any code in ``programs`` knowing it exists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from playbook.accounts.roles import Role
from playbook.funding.models import Award, GrantRequest
from playbook.programs.models import Agreement, AgreementAmendment, Application
from playbook.programs.registry import (
    Instrument,
    Panel,
    instrument_register,
    instrument_unregister,
    organization_panels,
)
from playbook.programs.rules import spine_default
from playbook.programs.services import agreements, decisions, lifecycle
from playbook.programs.services.applications import application_start, application_update_draft
from playbook.programs.services.setup import (
    cycle_configuration_save,
    cycle_create,
    decision_body_ensure,
    program_create,
)
from playbook.programs.transitions import TransitionRefused, transitions_for

from ..factories import UserFactory
from .helpers import complete_reviews

pytestmark = pytest.mark.django_db


class RecognitionRules(BaseModel):
    """The instrument's own rule section: how long a recognition lasts."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    years: int = Field(3, ge=1, le=5, title="Years a recognition lasts")


SEEN: list[tuple[str, str]] = []


def _hook(*, agreement: Agreement, name: str, by: Any, reason: str) -> None:
    SEEN.append((agreement.instrument, name))


def _problems(application: Application) -> list[str]:
    return [] if application.answers.get("summary") else ["Summary: say what is recognized."]


@pytest.fixture
def recognition() -> Iterator[Instrument]:
    SEEN.clear()
    instrument = instrument_register(Instrument(
        key="recognition", label="Recognition of a model school",
        rules_sections={"recognition": RecognitionRules},
        application_problems=_problems, on_agreement_transition=_hook,
        agreement_label="recognition", agreement_term_days=3 * 365,
        evidence_sources=("self_reported", "report_card"),
        organization_panel=Panel("recognitions", "Recognitions",
                                 "programs/_panels.html",
                                 lambda org, user: {"panels": []}),
    ))
    yield instrument
    instrument_unregister("recognition")


def _rules() -> dict[str, Any]:
    data = spine_default()
    data["review"]["reviewers_per_application"] = 2
    data["decision"]["tiers"] = [{"body": "recognition-panel", "label": "Panel decides",
                                  "quorum": 3, "majority": "simple", "acts": "decides"}]
    data["recognition"] = {"years": 3}
    return data


def test_a_moneyless_instrument_walks_the_whole_lifecycle(personas, recognition):
    officer, leader = personas.officer, personas.leader_a
    program = program_create(by=officer, name="Model School Recognition", slug="recognition",
                             instrument="recognition")
    now = timezone.now()
    cycle = cycle_create(by=officer, program=program, name="2026", slug="r2026",
                         opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20),
                         fiscal_year=2026, data=_rules())
    assert cycle.configurations.get().rules.recognition.years == 3  # type: ignore[attr-defined]
    members = [personas.decider] + [UserFactory(username=f"panel-{i}", role=Role.DECISION_BODY)
                                    for i in range(3)]
    decision_body_ensure(by=officer, slug="recognition-panel", name="Recognition panel",
                         members=members, chair=personas.decider)

    app = application_start(cycle=cycle, applicant=personas.district_a, by=leader,
                            title="Alder Elementary as a model school")
    with pytest.raises(TransitionRefused, match="say what is recognized"):  # the instrument's
        lifecycle.application_submit(application=app, by=leader)
    app = application_update_draft(application=app, by=leader, title=app.title,
                                   summary="Station rotation in every grade.",
                                   answers={"summary": "Five years of rising growth."})
    app = lifecycle.application_submit(application=app, by=leader)
    app = lifecycle.application_screen(application=app, by=officer, eligible=True)
    app = lifecycle.application_start_review(application=app, by=officer)
    with pytest.raises(TransitionRefused, match="Independent review is required"):
        lifecycle.application_recommend(application=app, by=officer)
    complete_reviews(app)
    app = lifecycle.application_recommend(application=app, by=officer)

    ballot = decisions.ballot_open(application=app, by=officer)
    assert ballot.terms == {}  # no money, no terms
    decisions.vote_cast(ballot=ballot, by=members[0], choice="approve")
    decisions.vote_cast(ballot=ballot, by=members[1], choice="approve")
    decisions.vote_cast(ballot=ballot, by=members[2], choice="recuse",
                        reason="I coached at Alder last year.")
    with pytest.raises(TransitionRefused, match="quorum is 3"):
        decisions.ballot_close(ballot=ballot, by=officer)
    decisions.vote_cast(ballot=ballot, by=members[3], choice="approve")
    ballot = decisions.ballot_close(ballot=ballot, by=officer)
    assert ballot.outcome == "approved"
    assert ballot.tally["present"] == 3 and ballot.tally["counts"]["recuse"] == 1
    assert [v.choice for v in ballot.votes.order_by("pk")] == [
        "approve", "approve", "recuse", "approve"]

    agreement = Agreement.objects.get(application=app)
    assert agreement.instrument == "recognition" and agreement.status == "drafted"
    assert agreement.title.startswith("Recognition: ")
    assert (agreement.end_date - agreement.start_date).days == 3 * 365
    assert {p.role for p in agreement.parties.all()} >= {"party"}
    assert not Award.objects.exists() and not GrantRequest.objects.exists()

    with pytest.raises(TransitionRefused, match="commitment"):
        agreements.agreement_step(agreement=agreement, name="sign", by=officer)
    with pytest.raises(ValidationError, match="metric"):
        agreements.commitment_add(agreement=agreement, by=officer, measure="School rating",
                                  unit="points", baseline=Decimal("60"), target=Decimal("70"),
                                  due_date=agreement.end_date, evidence_source="report_card")
    with pytest.raises(ValidationError, match="monitored by"):
        agreements.commitment_add(agreement=agreement, by=officer, measure="Median growth",
                                  unit="SGP", baseline=Decimal("50"), target=Decimal("55"),
                                  due_date=agreement.end_date, evidence_source="growth_run",
                                  evidence_ref={"metric": "median_sgp"})
    agreements.commitment_add(agreement=agreement, by=officer, measure="School rating",
                              unit="points", baseline=Decimal("60"), target=Decimal("70"),
                              due_date=agreement.end_date, evidence_source="report_card",
                              evidence_ref={"framework": "school-district-performance",
                                            "metric": "overall"})
    visits = agreements.commitment_add(agreement=agreement, by=officer,
                                       measure="Visits hosted", unit="visits",
                                       baseline=Decimal("0"), target=Decimal("6"),
                                       due_date=agreement.end_date)
    agreement = agreements.agreement_step(agreement=agreement, name="sign", by=officer)
    with pytest.raises(PermissionDenied):  # the party countersigns, not another district
        agreements.agreement_step(agreement=agreement, name="countersign",
                                  by=personas.leader_b)
    agreement = agreements.agreement_step(agreement=agreement, name="countersign", by=leader)
    assert agreement.status == "active" and agreement.countersigned_by == leader

    report = agreements.report_submit(
        agreement=agreement, by=leader, period_end=timezone.localdate(),
        narrative="Two visits hosted this term.", values={visits.pk: (Decimal("2"), "")})
    agreements.report_review(report=report, by=officer, accept=True)
    agreement.refresh_from_db()
    assert agreement.status == "monitored"

    old_end = agreement.end_date
    with pytest.raises(TransitionRefused, match="reason"):
        agreements.agreement_step(agreement=agreement, name="renew", by=officer,
                                  end_date=old_end + timedelta(days=365))
    agreement = agreements.agreement_step(agreement=agreement, name="renew", by=officer,
                                          reason="Report card exemplary two years running.",
                                          end_date=old_end + timedelta(days=365))
    assert agreement.status == "renewed" and agreement.end_date == old_end + timedelta(days=365)
    amendment = AgreementAmendment.objects.get(agreement=agreement)
    assert amendment.changes["end_date"] == [str(old_end), str(old_end + timedelta(days=365))]

    agreement = agreements.agreement_step(agreement=agreement, name="probation", by=officer,
                                          reason="Rating fell below the target.")
    assert agreement.status == "probation"
    agreement = agreements.agreement_step(agreement=agreement, name="revoke", by=officer,
                                          reason="A second year below the target.")
    assert agreement.status == "revoked"

    steps = [(t.name, t.source, t.target) for t in transitions_for(agreement)]
    assert steps == [
        ("sign", "drafted", "signed"), ("countersign", "signed", "executed"),
        ("activate", "executed", "active"), ("monitor", "active", "monitored"),
        ("renew", "monitored", "renewed"), ("probation", "renewed", "probation"),
        ("revoke", "probation", "revoked")]
    assert all(t.by is not None and t.at for t in transitions_for(agreement))
    assert ("recognition", "revoke") in SEEN and ("recognition", "renew") in SEEN
    with pytest.raises(TransitionRefused):  # revoked is final
        agreements.agreement_step(agreement=agreement, name="renew", by=officer, reason="x",
                                  end_date=agreement.end_date + timedelta(days=1))


def test_the_instrument_rule_section_is_validated_with_its_path(personas, recognition):
    officer = personas.officer
    program = program_create(by=officer, name="Recognition", slug="recognition",
                             instrument="recognition")
    now = timezone.now()
    cycle = cycle_create(by=officer, program=program, name="2026", slug="r2026",
                         opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=20),
                         fiscal_year=2026, data=_rules())
    bad = _rules()
    bad["recognition"] = {"years": 9, "colour": "gold"}
    with pytest.raises(ValidationError) as info:
        cycle_configuration_save(cycle=cycle, by=officer, data=bad)
    messages = info.value.message_dict["data"]
    assert any(m.startswith("recognition.years:") for m in messages)
    assert any(m.startswith("recognition.colour:") for m in messages)


def test_an_unregistered_instrument_is_refused_by_name(personas):
    with pytest.raises(ValidationError, match="recognition"):
        program_create(by=personas.officer, name="X", slug="x", instrument="recognition")


def test_the_organization_page_grows_a_section_per_registered_instrument(personas,
                                                                         recognition):
    keys = [p["key"] for p in organization_panels(personas.district_a, personas.officer)]
    assert "recognitions" in keys and "grants" in keys
    instrument_unregister("recognition")
    keys = [p["key"] for p in organization_panels(personas.district_a, personas.officer)]
    assert "recognitions" not in keys
