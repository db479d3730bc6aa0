"""``core.money``: exact dollar amounts, refused with the field and what it is named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from playbook.core.money import CENT, MONEY, cents, money_clean, round_cents


def refusal(amount: object, **kwargs: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        money_clean(amount, "The cash match", field="match_cash", **kwargs)  # type: ignore[arg-type]
    return refused.value.message_dict


@pytest.mark.parametrize("amount", ["-0.01", "-5", "0", "0.00", -1, 0])
def test_money_clean_refuses_zero_and_negative_amounts(amount):
    assert refusal(amount) == {
        "match_cash": ["The cash match must be a positive amount in dollars and cents."]}


def test_money_clean_allows_zero_when_told_but_never_a_negative_amount():
    assert money_clean("0", "The cash match", allow_zero=True) == Decimal("0.00")
    assert refusal("-0.01", allow_zero=True) == {
        "match_cash": ["The cash match must be an amount in dollars and cents."]}


@pytest.mark.parametrize("amount", ["1.005", "0.001", "12.345", Decimal("0.125")])
def test_money_clean_refuses_fractions_of_a_cent(amount):
    assert "match_cash" in refusal(amount)


@pytest.mark.parametrize("amount", ["NaN", "-NaN", "sNaN", "Infinity", "-inf",
                                    float("nan"), float("inf")])
def test_money_clean_refuses_nan_and_infinity(amount):
    assert refusal(amount) == {
        "match_cash": ["The cash match must be a positive amount in dollars and cents."]}


@pytest.mark.parametrize("amount", ["", "abc", "12,50", "$5", None, True, [5], {"a": 1}])
def test_money_clean_refuses_what_is_not_a_number(amount):
    assert refusal(amount) == {
        "match_cash": ["The cash match must be an amount in dollars and cents."]}


def test_money_clean_refuses_more_than_a_money_column_holds():
    assert refusal("1000000000000") == {
        "match_cash": ["The cash match must be at most $999,999,999,999.99."]}
    assert money_clean("999999999999.99", "x") == Decimal("999999999999.99")


def test_money_clean_names_the_default_field_amount():
    with pytest.raises(ValidationError) as refused:
        money_clean("-1", "The award")
    assert refused.value.message_dict == {
        "amount": ["The award must be a positive amount in dollars and cents."]}


@pytest.mark.parametrize(("amount", "expected"), [
    ("12.5", "12.50"), ("7", "7.00"), (3, "3.00"), ("1e3", "1000.00"), ("1.000", "1.00"),
    (Decimal("0.01"), "0.01"), (12.25, "12.25"),
])
def test_money_clean_returns_the_amount_with_two_places(amount, expected):
    value = money_clean(amount, "The award")
    assert str(value) == expected and value.as_tuple().exponent == -2


def test_cents_and_round_cents_round_half_up_to_two_places():
    assert str(cents(None)) == "0.00" and str(cents("3")) == "3.00"
    assert cents(Decimal("2.675")) == Decimal("2.68")
    assert round_cents(Decimal("0.005")) == CENT
    assert round_cents(Decimal("-0.005")) == Decimal("-0.01")
    assert MONEY == {"max_digits": 14, "decimal_places": 2}
