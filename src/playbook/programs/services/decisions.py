"""Decisions by vote: a decision body votes on a recommended application, and the outcome is
recorded only when the vote closes, with the cycle's quorum and majority enforced.

A cycle's rules (``decision.tiers``) name one tier or two: with two (Ohio's Straight A Fund), the
first body *recommends* and the second *decides*; a recommendation opens the second tier's vote
on the same terms. Members vote approve, approve with conditions, deny, abstain, or recuse when
conflicted. Every vote is kept as cast.

Closing a vote:
- quorum: at least ``quorum`` members took part (recusals do not count; abstentions do);
- majority: of the votes cast for or against (abstentions aside), the approvals (with or without
  conditions) must be more than half (``simple``) or at least two thirds (``two_thirds``); a tie
  fails;
- a passing final vote approves with conditions when conditional approvals are at least as many
  as plain ones (the conditions are those the members stated), otherwise approves; a failing one
  denies. The instrument's ``on_approved`` opens what the decision gives (a grant's award is
  committed against its appropriation) in the same transaction, so a decision the instrument
  cannot honour is refused whole and the vote stays open.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from playbook.accounts.models import User
from playbook.core.access import require

from ..models import (
    Application,
    ApplicationStatus,
    Ballot,
    BallotOutcome,
    BallotStatus,
    DecisionBody,
    Vote,
    VoteChoice,
)
from ..permissions import ballot_can_close, ballot_can_open, ballot_can_vote, signed_in_user
from ..registry import instrument_for
from ..transitions import TransitionRefused
from . import agreements as agreement_services
from .lifecycle import application_step
from .traces import trace_record

V = VoteChoice
MAJORITY = {"simple": "simple", "two_thirds": "two-thirds"}


def _tier(application: Application, tier: int) -> Any:
    tiers = application.rules.decision.tiers
    if not 1 <= tier <= len(tiers):
        raise TransitionRefused(f"The rules of {application.cycle.name} have no decision tier "
                                f"{tier}.")
    return tiers[tier - 1]


def _body(slug: str) -> DecisionBody:
    body = DecisionBody.objects.filter(slug=slug).first()
    if body is None:
        raise TransitionRefused(f"The decision body {slug!r} named in the cycle's rules does not "
                                "exist: office staff add it under Decision bodies.")
    return body


def _terms_clean(application: Application, terms: dict[str, Any] | None) -> dict[str, Any]:
    instrument = instrument_for(application)
    if instrument.decision_terms_form is None:
        return {}
    initial = (instrument.decision_terms_initial(application)
               if instrument.decision_terms_initial else {})
    data = {**initial, **(terms or {})}
    form = instrument.decision_terms_form(data=data, application=application)
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return {k: str(v) for k, v in form.cleaned_data.items()}


def ballot_open(*, application: Application, by: User | AnonymousUser,
                terms: dict[str, Any] | None = None, tier: int = 1) -> Ballot:
    """Open the vote of decision tier ``tier`` on a recommended application, on ``terms``."""
    spec = _tier(application, tier)
    body = _body(spec.body)
    require(ballot_can_open(user=by, body_id=body.pk))
    by = signed_in_user(by)
    app = Application.objects.get(pk=application.pk)
    if app.status != ApplicationStatus.RECOMMENDED:
        raise TransitionRefused(f"A vote is opened on a recommended application; this one is "
                                f"{app.status_label.lower()}.")
    clean = _terms_clean(app, terms)
    instrument = instrument_for(app)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(application=app, tier=tier, body=body,
                                           acts=spec.acts, quorum=spec.quorum,
                                           majority=spec.majority, terms=clean, opened_by=by)
            found = instrument.decision_trace(app) if instrument.decision_trace else None
            if found is not None:
                kind, result, steps = found
                trace_record(subject=app, kind=kind, result=result, steps=steps)
            return ballot
    except IntegrityError as exc:
        raise TransitionRefused("A vote on this application is already open.") from exc


def vote_cast(*, ballot: Ballot, by: User | AnonymousUser, choice: str, conditions: str = "",
              reason: str = "") -> Vote:
    if choice not in V.values:
        raise ValidationError({"choice": "Choose approve, approve with conditions, deny, abstain "
                                         "or recuse."})
    if choice == V.CONDITIONAL and not conditions.strip():
        raise ValidationError({"conditions": "State the conditions of your approval."})
    if choice == V.RECUSE and not reason.strip():
        raise ValidationError({"reason": "Say what the conflict of interest is."})
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().select_related("body").get(pk=ballot.pk)
        if locked.votes.filter(member_id=by.pk).exists():
            raise TransitionRefused("You have voted; every vote is kept as cast.")
        require(ballot_can_vote(user=by, ballot=locked))
        by = signed_in_user(by)
        try:
            return Vote.objects.create(ballot=locked, member=by, choice=choice,
                                       conditions=conditions.strip(), reason=reason.strip())
        except IntegrityError as exc:
            raise TransitionRefused("You have voted; every vote is kept as cast.") from exc


def ballot_tally(*, ballot: Ballot) -> dict[str, Any]:
    """Counts, whether the quorum is met and whether the motion passes (nothing is written)."""
    counts = {c: 0 for c in V.values}
    for choice in ballot.votes.values_list("choice", flat=True):
        counts[choice] += 1
    present = sum(counts.values()) - counts[V.RECUSE]
    yes = counts[V.APPROVE] + counts[V.CONDITIONAL]
    cast = yes + counts[V.DENY]
    two_thirds = ballot.majority == "two_thirds"
    passes = (cast > 0 and yes * 3 >= cast * 2) if two_thirds else yes * 2 > cast
    return {"counts": counts, "present": present, "quorum": ballot.quorum,
            "quorum_met": present >= ballot.quorum, "yes": yes, "no": counts[V.DENY],
            "cast": cast, "passes": passes}


def _summary(ballot: Ballot, tally: dict[str, Any]) -> str:
    c = tally["counts"]
    return (f"{ballot.body.name} vote: {c[V.APPROVE]} approve, {c[V.CONDITIONAL]} approve with "
            f"conditions, {c[V.DENY]} deny, {c[V.ABSTAIN]} abstain, {c[V.RECUSE]} recused "
            f"(quorum {ballot.quorum}, {MAJORITY.get(ballot.majority, ballot.majority)} majority).")


def ballot_close(*, ballot: Ballot, by: User | AnonymousUser, reason: str = "") -> Ballot:
    """Close the vote and record its outcome (see the module's rules)."""
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().select_related(
            "body", "application", "application__cycle__program").get(pk=ballot.pk)
        require(ballot_can_close(user=by, ballot=locked))
        by = signed_in_user(by)
        tally = ballot_tally(ballot=locked)
        if not tally["quorum_met"]:
            raise TransitionRefused(
                f"The quorum is {locked.quorum} members taking part (recusals do not count); "
                f"{tally['present']} have. The vote stays open.")
        counts = tally["counts"]
        conditions = "\n".join(dict.fromkeys(  # each condition once, in the order stated
            v.conditions for v in locked.votes.filter(choice=V.CONDITIONAL).order_by("at", "pk")
            if v.conditions))
        if locked.acts == "recommends":
            outcome = BallotOutcome.RECOMMENDED if tally["passes"] else (
                BallotOutcome.NOT_RECOMMENDED)
        elif not tally["passes"]:
            outcome = BallotOutcome.DENIED
        elif counts[V.CONDITIONAL] >= counts[V.APPROVE]:
            outcome = BallotOutcome.CONDITIONAL
        else:
            outcome = BallotOutcome.APPROVED
        summary = _summary(locked, tally)
        locked.status, locked.outcome, locked.tally = BallotStatus.CLOSED, outcome, tally
        locked.conditions = conditions if outcome == BallotOutcome.CONDITIONAL else ""
        locked.closed_by, locked.closed_at = by, timezone.now()
        locked.save()
        app = locked.application
        why = " ".join(filter(None, [summary, reason.strip()]))
        if outcome == BallotOutcome.RECOMMENDED:
            nxt = _tier(app, locked.tier + 1)
            Ballot.objects.create(application=app, tier=locked.tier + 1, body=_body(nxt.body),
                                  acts=nxt.acts, quorum=nxt.quorum, majority=nxt.majority,
                                  terms=locked.terms, opened_by=by)
        elif outcome in (BallotOutcome.DENIED, BallotOutcome.NOT_RECOMMENDED):
            application_step(application=app, name="deny", by=by, reason=why, system=True)
        else:
            name = ("approve_with_conditions" if outcome == BallotOutcome.CONDITIONAL
                    else "approve")

            def stamp(a: Application) -> None:
                if outcome == BallotOutcome.CONDITIONAL:
                    a.conditions = conditions or "As stated in the vote."

            app = application_step(application=app, name=name, by=by, reason=why, system=True,
                                   before=stamp)
            agreement_services.agreement_open(application=app, ballot=locked, by=by)
    return locked
