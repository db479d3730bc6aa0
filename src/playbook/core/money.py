"""Money is exact: ``Decimal`` dollars with two places, stored in ``DecimalField(**MONEY)``.

Rounding rule (documented in docs/programs.md): a computed amount (a match, a share of a budget)
is rounded half up to the cent, except where a rule says it is scaled down (budget lines of a
partial award round down, the remainder on the largest line).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypedDict

from django.core.exceptions import ValidationError

CENT = Decimal("0.01")
ZERO = Decimal("0")


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


#: ``models.DecimalField(**MONEY)``: up to $999,999,999,999.99.
MONEY: _Money = {"max_digits": 14, "decimal_places": 2}
#: The largest amount a ``MONEY`` column holds.
MONEY_MAX = Decimal("999999999999.99")


def cents(value: Decimal | int | str | None) -> Decimal:
    """``value`` with exactly two places (sums come back without their scale on SQLite)."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def round_cents(value: Decimal) -> Decimal:
    """A computed amount rounded half up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def is_dollars_and_cents(value: Decimal) -> bool:
    return value.is_finite() and value == value.quantize(CENT)


def money_clean(amount: Any, what: str, *, field: str = "amount",
                allow_zero: bool = False) -> Decimal:
    """``amount`` as an exact positive (or, with ``allow_zero``, non-negative) dollar amount with
    two places, or a ``ValidationError`` on ``field`` that names ``what``."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: f"{what} must be an amount in dollars and cents."}) from None
    # NaN first: comparing it raises InvalidOperation instead of answering.
    low_ok = value.is_finite() and (value >= 0 if allow_zero else value > 0)
    if not low_ok or not is_dollars_and_cents(value):
        kind = "an amount" if allow_zero else "a positive amount"
        raise ValidationError({field: f"{what} must be {kind} in dollars and cents."})
    if value > MONEY_MAX:
        raise ValidationError({field: f"{what} must be at most ${MONEY_MAX:,}."})
    return value.quantize(CENT)
