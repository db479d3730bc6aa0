"""Putting a service's error where the person will see it: on the form, or on the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest

from .money import MONEY


def error_messages(exc: Exception) -> list[str]:
    """The plain messages of ``exc`` (a ``ValidationError``'s, or its ``str()``)."""
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]


def errors_to_form(form: BaseForm, exc: Exception, *,
                   field_for: Callable[[str], str] | None = None) -> None:
    """Add ``exc`` to ``form``: a ``ValidationError`` naming fields lands on those fields (the
    rest, and any other exception, on the form as a whole), so the error summary lists them.

    ``field_for`` maps a name the service uses to the form's field (``"q1"`` ->
    ``"score_q1"``); by default they are the same."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            field = field_for(key) if field_for else key
            target = field if field in form.fields else None
            for error in errors:
                for message in error.messages:
                    form.add_error(target, message)
        return
    for message in error_messages(exc):
        form.add_error(None, message)


def errors_to_page(request: HttpRequest, exc: Exception) -> None:
    """Show ``exc`` on the next page as error messages."""
    for message in error_messages(exc):
        messages.error(request, message)


def invalid_form_to_page(request: HttpRequest, form: Any, what: str) -> None:
    """A form posted from a page that shows no form (a button, a small inline form): its
    problems go on the next page, each naming its field, under ``what``."""
    problems = "; ".join(f"{form.fields[k].label or k if k in form.fields else k}: "
                         f"{' '.join(str(e) for e in v)}" for k, v in form.errors.items())
    messages.error(request, f"{what}: {problems}")


class ModelIdsField(forms.ModelMultipleChoiceField):
    """``ModelMultipleChoiceField`` for records with integer ids that refuses a value that is
    not an id (unicode digits, a number past 2**63 - 1) with its "not one of the choices"
    error, before the database's ``IN`` query would overflow (a server error)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else [value]:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and int(text) < 2**63):
                raise forms.ValidationError(self.error_messages["invalid_pk_value"],
                                            code="invalid_pk_value", params={"pk": text[:40]})
        return super()._check_values(value)  # type: ignore[misc]


#: "120,000", "$1,250,000.50", "120000": a dollar amount as people type it (commas only in
#: groups of three, an optional dollar sign in front).
_GROUPED = re.compile(r"\$?[ ]*(?P<number>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"
                      r"|[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class MoneyField(forms.DecimalField):
    """A dollar amount: two places, up to ``MONEY_MAX``; accepts thousands separators and a
    leading "$" ("120,000" is 120000.00), refuses anything else with the usual number error
    (commas out of place, "1e5", "NaN"). A text input with the decimal keypad, since a browser's
    number input refuses the commas people type."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", MONEY["max_digits"])
        kwargs.setdefault("decimal_places", MONEY["decimal_places"])
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            found = _GROUPED.fullmatch(text)
            if found:
                value = found["number"].replace(",", "")
            elif text:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs
