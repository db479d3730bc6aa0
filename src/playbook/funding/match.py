"""The match requirement: a pure function of the cycle's match rules and the poverty share."""

from __future__ import annotations

from decimal import Decimal

from playbook.core.money import round_cents

from .rules import MatchRules


def match_rate_for(*, rules: MatchRules, poverty_share: Decimal | None) -> Decimal:
    """The base rate, lowered by the highest poverty step the applicant reaches."""
    rate = rules.base_rate
    if poverty_share is None:
        return rate
    for step in rules.poverty_scale:  # sorted by min_poverty_share
        if poverty_share >= step.min_poverty_share:
            rate = step.rate
    return rate


def match_required(*, amount: Decimal, rate: Decimal) -> Decimal:
    return round_cents(amount * rate)


def match_counted(*, cash: Decimal, in_kind: Decimal, required: Decimal,
                  in_kind_max_share: Decimal) -> Decimal:
    """How much of a match counts: in-kind counts up to ``in_kind_max_share`` of the required."""
    in_kind_cap = round_cents(required * in_kind_max_share)
    return cash + min(in_kind, in_kind_cap)
