"""``core.forms``: a service's error lands on the fields it names, the rest on the form or page."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from playbook.core.forms import error_messages, errors_to_form, errors_to_page


class ExampleForm(forms.Form):
    name = forms.CharField()
    score_q1 = forms.IntegerField(required=False)


def bound() -> ExampleForm:
    form = ExampleForm(data={"name": "Birch", "score_q1": "3"})
    assert form.is_valid()
    return form


def test_field_errors_go_on_their_fields_and_the_rest_on_the_form():
    form = bound()
    errors_to_form(form, ValidationError({
        "name": ["Too short.", "Already taken."],
        "budget": "The budget is over the cap.",
        "__all__": "The cycle is closed.",
    }))
    assert form.errors["name"] == ["Too short.", "Already taken."]
    assert form.non_field_errors() == ["The budget is over the cap.", "The cycle is closed."]
    assert "budget" not in form.errors


def test_a_message_without_a_field_goes_on_the_form():
    form = bound()
    errors_to_form(form, ValidationError(["First problem.", "Second problem."]))
    assert form.non_field_errors() == ["First problem.", "Second problem."]
    assert "name" not in form.errors


def test_any_other_service_error_goes_on_the_form_as_its_text():
    form = bound()
    errors_to_form(form, ValueError("unknown engine 'spark2' (duckdb or spark)"))
    assert form.non_field_errors() == ["unknown engine 'spark2' (duckdb or spark)"]


def test_field_for_maps_the_service_names_to_the_form_fields():
    form = bound()
    errors_to_form(form, ValidationError({"q1": "Score 1 to 5.", "q9": "No such criterion."}),
                   field_for=lambda key: f"score_{key}")
    assert form.errors["score_q1"] == ["Score 1 to 5."]
    assert form.non_field_errors() == ["No such criterion."]


def test_errors_to_page_adds_one_error_message_a_problem():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    errors_to_page(request, ValidationError({"end_year": "The end year is before the start.",
                                             "__all__": "Already recorded."}))
    errors_to_page(request, PermissionError("Only office staff."))
    shown = [(m.level_tag, str(m)) for m in get_messages(request)]
    assert shown == [("error", "The end year is before the start."),
                     ("error", "Already recorded."), ("error", "Only office staff.")]


def test_error_messages_are_the_plain_texts():
    assert error_messages(ValidationError("One.")) == ["One."]
    assert error_messages(ValidationError({"a": ["Two.", "Three."]})) == ["Two.", "Three."]
    assert error_messages(KeyError("k")) == ["'k'"]
