"""The error summary (issue 11, item 7): every page with a form sent back with errors starts
with a summary that links to each field in error, found by the base layout itself (no page can
leave it out), with "Error: " in the page title."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from ..conftest import signed_in_client
from .test_field_helpers import ExampleForm


def _errors(**context: object) -> list[dict[str, str]]:
    ctx = Context(context)
    Template("{% load field_helpers %}{% form_errors as e %}").render(ctx)
    return ctx["e"]


def test_each_field_error_links_to_its_field_and_form_errors_stand_alone() -> None:
    form = ExampleForm(data={"enrollment": "many", "scope": "z"})
    form.add_error(None, "Nothing was saved.")
    errors = _errors(form=form, unbound=ExampleForm(), text="not a form")
    assert errors[0] == {"href": "", "text": "Nothing was saved."}
    links = {e["href"]: e["text"] for e in errors[1:]}
    assert links == {
        "#id_name": "School name: This field is required.",
        "#id_enrollment": "Enrollment: Enter a whole number.",
        "#id_scope_0": "Scope: Select a valid choice. z is not one of the available choices.",
    }


def test_a_formsets_rows_are_numbered_and_an_unbound_form_says_nothing() -> None:
    class Line(forms.Form):
        amount = forms.DecimalField(label="Amount")

    Lines = forms.formset_factory(Line, extra=0, max_num=2, validate_max=True)
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0",
            "form-0-amount": "1", "form-1-amount": "x", "form-2-amount": "2"}
    errors = _errors(lines=Lines(data=data))
    assert {"href": "", "text": "Please submit at most 2 forms."} in errors
    assert {"href": "#id_form-1-amount", "text": "Row 2, Amount: Enter a number."} in errors
    assert _errors(form=ExampleForm()) == []


@pytest.mark.django_db
def test_a_page_sent_back_with_errors_starts_with_the_summary(personas) -> None:
    client = signed_in_client(personas.auditor)
    r = client.get(reverse("privacy:access_log"), {"since": "2026-12-01", "until": "2026-01-01"})
    page = r.content.decode()
    assert re.search(r"<title>Error: ", page)
    summary = page.index("data-error-summary")
    assert summary < page.index("<h1"), "the summary comes before the page's heading"
    assert '<a class="usa-link" href="#id_until">' in page and 'id="id_until"' in page
    clean = client.get(reverse("privacy:access_log")).content.decode()
    assert "data-error-summary" not in clean and "<title>Error" not in clean
