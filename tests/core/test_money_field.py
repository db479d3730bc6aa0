"""Amounts as people type them (issue 11, item 7): "120,000" is $120,000.00; a malformed
number is refused with the field's error, never guessed at."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms

from playbook.core.forms import MoneyField


class F(forms.Form):
    amount = MoneyField(min_value=Decimal("0.01"))
    optional = MoneyField(required=False)


@pytest.mark.parametrize(("typed", "value"), [
    ("120,000", Decimal("120000")), ("$1,250,000.50", Decimal("1250000.50")),
    (" 120000 ", Decimal("120000")), ("$ 75", Decimal("75")), ("0.99", Decimal("0.99")),
    (".5", Decimal("0.5")), ("999,999,999,999.99", Decimal("999999999999.99")),
])
def test_amounts_with_separators_and_a_dollar_sign(typed: str, value: Decimal) -> None:
    form = F(data={"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == value and form.cleaned_data["optional"] is None


@pytest.mark.parametrize("typed", ["1,20,000", "120,00", "12,0000", "1e5", "NaN", "Infinity",
                                   "$-5", "12.345", "1,000,000,000,000",
                                   "\uff11\uff12\uff10", "120 000",
                                   "-", ",", "$"])
def test_malformed_amounts_are_refused(typed: str) -> None:
    form = F(data={"amount": typed})
    assert not form.is_valid()
    assert form.errors["amount"], typed


def test_the_input_takes_commas_and_shows_the_decimal_keypad() -> None:
    html = str(F()["amount"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html and "step=" not in html
