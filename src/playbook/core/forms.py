"""Putting a service's error where the person will see it: on the form, or on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest


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
