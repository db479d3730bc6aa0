"""The award plan: who is funded, in rank order, within the budget. A pure function.

Input: the ranked candidates (application key, score, fundable request, tags such as
``consortium``/``rural``) and a policy (budget, set-asides, partial-funding policy, tie-breaks,
minimum score). Output: one line per candidate with the amount the plan would award and from
which pot, the funding line, and the totals. No database: staff run what-ifs by calling it with
another budget or other set-asides.

Rules:

1. Order: score, highest first; ties broken by the configured tie-breaks in turn
   (``poverty_desc``, ``requested_asc``, ``requested_desc``, ``submitted_asc``), then by key.
   Candidates without a score, or below the minimum score, are never funded.
2. Set-asides first, in the order given: each reserves up to its amount of the budget for
   candidates carrying all of its tags and funds them in rank order, in full only (a candidate
   that does not fit competes in the general pass). What a set-aside does not use returns to the
   general pool.
3. General pass over everyone not yet funded, in rank order, with the partial-funding policy:
   ``stop`` - the first candidate that does not fit ends funding (a strict funding line);
   ``skip`` - candidates that do not fit are passed over for smaller ones below them;
   ``partial`` - the first candidate that does not fit is offered what is left if that is at
   least ``partial_min_share`` of its request (then funding ends), otherwise it is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

ZERO = Decimal("0")


@dataclass(frozen=True)
class Candidate:
    key: Any
    score: Decimal | None
    requested: Decimal
    cap: Decimal | None = None
    tags: frozenset[str] = frozenset()
    poverty_share: Decimal | None = None
    submitted_at: datetime | None = None
    label: str = ""

    @property
    def fundable(self) -> Decimal:
        return min(self.requested, self.cap) if self.cap is not None else self.requested


@dataclass(frozen=True)
class SetAsidePolicy:
    key: str
    label: str
    amount: Decimal
    requires: frozenset[str]


@dataclass(frozen=True)
class PlanPolicy:
    budget: Decimal
    set_asides: tuple[SetAsidePolicy, ...] = ()
    partial_policy: str = "skip"
    partial_min_share: Decimal = Decimal("0.5")
    tie_breaks: tuple[str, ...] = ("poverty_desc", "submitted_asc")
    min_score: Decimal | None = None


FUNDED, PARTIAL, UNFUNDED, NOT_ELIGIBLE = "funded", "partial", "unfunded", "not_eligible"


@dataclass(frozen=True)
class PlanLine:
    rank: int
    candidate: Candidate
    award: Decimal
    status: str
    source: str = ""  # "set_aside:<key>" or "general"
    note: str = ""

    @property
    def funded(self) -> bool:
        return self.award > 0


@dataclass(frozen=True)
class AwardPlan:
    policy: PlanPolicy
    lines: tuple[PlanLine, ...]
    set_aside_used: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total_awarded(self) -> Decimal:
        return sum((line.award for line in self.lines), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.policy.budget - self.total_awarded

    @property
    def funding_line_rank(self) -> int | None:
        """The rank of the first candidate not fully funded (the line is drawn above it)."""
        for line in self.lines:
            if line.status != FUNDED:
                return line.rank
        return None

    def line_for(self, key: Any) -> PlanLine | None:
        return next((line for line in self.lines if line.candidate.key == key), None)


def _sort_key(c: Candidate, tie_breaks: Sequence[str]) -> tuple[Any, ...]:
    parts: list[Any] = [-(c.score if c.score is not None else Decimal("-Infinity"))]
    for tb in tie_breaks:
        if tb == "poverty_desc":
            parts.append(-(c.poverty_share if c.poverty_share is not None else ZERO))
        elif tb == "requested_asc":
            parts.append(c.fundable)
        elif tb == "requested_desc":
            parts.append(-c.fundable)
        elif tb == "submitted_asc":
            parts.append(c.submitted_at.timestamp() if c.submitted_at else float("inf"))
    parts.append(str(c.key))
    return tuple(parts)


def rank(candidates: Iterable[Candidate], *, tie_breaks: Sequence[str]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: _sort_key(c, tie_breaks))


def award_plan_build(*, candidates: Iterable[Candidate], policy: PlanPolicy) -> AwardPlan:
    if policy.budget < 0:
        raise ValueError("The budget cannot be negative.")
    if policy.partial_policy not in ("stop", "skip", "partial"):
        raise ValueError(f"Unknown partial-funding policy {policy.partial_policy!r}.")
    ranked = rank(candidates, tie_breaks=policy.tie_breaks)
    awards: dict[int, tuple[Decimal, str, str]] = {}  # index -> (amount, source, note)
    eligible: list[int] = []
    not_eligible: dict[int, str] = {}
    for i, c in enumerate(ranked):
        if c.score is None:
            not_eligible[i] = "No score."
        elif policy.min_score is not None and c.score < policy.min_score:
            not_eligible[i] = f"Below the minimum score of {policy.min_score}."
        elif c.fundable <= 0:
            not_eligible[i] = "Nothing requested."
        else:
            eligible.append(i)

    budget_left = policy.budget
    used: dict[str, Decimal] = {}
    for sa in policy.set_asides:
        pot = min(sa.amount, budget_left)
        spent = ZERO
        for i in eligible:
            c = ranked[i]
            if i in awards or not sa.requires <= c.tags:
                continue
            if c.fundable <= pot - spent:
                awards[i] = (c.fundable, f"set_aside:{sa.key}", f"From the {sa.label} set-aside.")
                spent += c.fundable
        used[sa.key] = spent
        budget_left -= spent

    stopped = False
    for i in eligible:
        if i in awards:
            continue
        c = ranked[i]
        if stopped:
            continue
        if c.fundable <= budget_left:
            awards[i] = (c.fundable, "general", "")
            budget_left -= c.fundable
            continue
        if policy.partial_policy == "stop":
            stopped = True
        elif policy.partial_policy == "partial" and budget_left > 0 and (
            budget_left >= c.fundable * policy.partial_min_share
        ):
            awards[i] = (budget_left, "general",
                         f"Partially funded: ${budget_left:,} of ${c.fundable:,}.")
            budget_left = ZERO
            stopped = True

    lines = []
    for i, c in enumerate(ranked):
        if i in awards:
            amount, source, note = awards[i]
            status = FUNDED if amount == c.fundable else PARTIAL
            if c.cap is not None and c.requested > c.cap:
                note = (note + " " if note else "") + f"Capped at ${c.cap:,}."
            lines.append(PlanLine(i + 1, c, amount, status, source, note))
        elif i in not_eligible:
            lines.append(PlanLine(i + 1, c, ZERO, NOT_ELIGIBLE, "", not_eligible[i]))
        else:
            lines.append(PlanLine(i + 1, c, ZERO, UNFUNDED, "", "Below the funding line."))
    return AwardPlan(policy=policy, lines=tuple(lines), set_aside_used=used)


def policy_with(policy: PlanPolicy, *, budget: Decimal | None = None,
                set_aside_amounts: dict[str, Decimal] | None = None) -> PlanPolicy:
    """A what-if: the same policy with another budget and/or other set-aside amounts."""
    out = policy
    if budget is not None:
        out = replace(out, budget=budget)
    if set_aside_amounts:
        out = replace(out, set_asides=tuple(
            replace(sa, amount=set_aside_amounts.get(sa.key, sa.amount)) for sa in out.set_asides
        ))
    return out


@dataclass(frozen=True)
class SetAsideReport:
    """What became of one set-aside in a plan, in words for the decision body."""

    policy: SetAsidePolicy
    used: Decimal
    ranks: tuple[int, ...]  # the lines it funded
    text: str


def set_aside_report(plan: AwardPlan, *, tag_labels: dict[str, str] | None = None
                     ) -> list[SetAsideReport]:
    """Each set-aside of ``plan``: how much it funded and for whom, or why it funded nothing
    (no eligible application qualifies; those that qualify ask for more than it holds), and
    what was left of it (which the general budget then uses)."""
    labels = tag_labels or {}
    out = []
    for sa in plan.policy.set_asides:
        source = f"set_aside:{sa.key}"
        funded = [line for line in plan.lines if line.source == source]
        used = sum((line.award for line in funded), ZERO)
        who = " and ".join(labels.get(t, t) for t in sorted(sa.requires)) \
            or "any eligible applicant"
        if funded:
            ranks = ", ".join(str(line.rank) for line in funded)
            text = (f"Used ${used:,} of ${sa.amount:,} for rank{'s' if len(funded) > 1 else ''} "
                    f"{ranks} ({who}).")
            if used < sa.amount:
                text += (f" The other ${sa.amount - used:,} goes back to the general budget.")
        else:
            qualifying = [line for line in plan.lines if line.status != NOT_ELIGIBLE
                          and sa.requires <= line.candidate.tags]
            if not qualifying:
                text = (f"Not used: no eligible application qualifies ({who}); its "
                        f"${sa.amount:,} goes to the general budget.")
            else:
                smallest = min(line.candidate.fundable for line in qualifying)
                text = (f"Not used: the {len(qualifying)} qualifying application"
                        f"{'s ask' if len(qualifying) > 1 else ' asks'} for at least "
                        f"${smallest:,}, more than the ${sa.amount:,} it holds; "
                        f"{'they compete' if len(qualifying) > 1 else 'it competes'} in the "
                        "general budget, and the set-aside's money with them.")
        out.append(SetAsideReport(sa, used, tuple(line.rank for line in funded), text))
    return out

