"""Putting a service's error where the person will see it: on the form, or on the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def error_messages(exc: Exception) -> list[str]:
    """The plain messages of ``exc`` (a ``ValidationError``'s, or its ``str()``)."""
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]


def errors_to_form(form: Any, exc: Exception) -> None:
    """Add ``exc`` to ``form``: a ``ValidationError`` naming fields lands on those fields (the
    rest, and any other exception, on the form as a whole), so the error summary lists them."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
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
