"""``{% input_with_errors %}``: label, hint, error and their ``aria-describedby`` wiring."""

from __future__ import annotations

from html.parser import HTMLParser

from django import forms
from django.template import Context, Template


class ExampleForm(forms.Form):
    name = forms.CharField(label="School name", help_text="As it appears on the NCES record.")
    enrollment = forms.IntegerField(label="Enrollment")
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "Any kind"), ("school", "School")], required=False,
        help_text="Leave empty for all kinds.",
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    active = forms.BooleanField(label="Active", required=False, help_text="Still open.")
    scope = forms.ChoiceField(
        label="Scope", widget=forms.RadioSelect, choices=[("a", "A"), ("b", "B")],
        help_text="Pick one.",
    )


class Elements(HTMLParser):
    """Every start tag, as (tag, attributes, text that directly follows it)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[int, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if self.found:
            i = len(self.found) - 1
            self.text[i] = self.text.get(i, "") + data

    def by_id(self, id_: str) -> tuple[str, dict[str, str | None], str]:
        for i, (tag, attrs) in enumerate(self.found):
            if attrs.get("id") == id_:
                return tag, attrs, self.text.get(i, "").strip()
        raise AssertionError(f"no element with id={id_!r}")

    def all(self, tag: str, **match: str) -> list[dict[str, str | None]]:
        return [
            attrs for t, attrs in self.found
            if t == tag and all(attrs.get(k.rstrip("_")) == v for k, v in match.items())
        ]


def render(form: forms.Form, field: str) -> Elements:
    html = Template("{% load field_helpers %}{% input_with_errors form." + field + " %}").render(
        Context({"form": form})
    )
    return Elements(html)


def described_by(attrs: dict[str, str | None]) -> list[str]:
    return (attrs.get("aria-describedby") or "").split()


def test_label_is_for_the_input_and_hint_is_described() -> None:
    page = render(ExampleForm(), "name")
    (label,) = page.all("label")
    assert label["for"] == "id_name"
    tag, attrs, _ = page.by_id("id_name")
    assert tag == "input"
    assert "usa-input" in (attrs["class"] or "")
    assert "required" in attrs
    assert described_by(attrs) == ["id_name-hint"]
    assert "aria-invalid" not in attrs
    _, hint, hint_text = page.by_id("id_name-hint")
    assert "usa-hint" in (hint["class"] or "")
    assert hint_text == "As it appears on the NCES record."


def test_error_is_shown_described_and_marks_the_input_invalid() -> None:
    form = ExampleForm(data={"name": "", "enrollment": "many", "scope": "a"})
    assert not form.is_valid()

    page = render(form, "name")
    _, attrs, _ = page.by_id("id_name")
    assert attrs["aria-invalid"] == "true"
    assert described_by(attrs) == ["id_name-hint", "id_name-error"]
    assert "usa-input--error" in (attrs["class"] or "")
    _, error, error_text = page.by_id("id_name-error")
    assert "usa-error-message" in (error["class"] or "")
    assert error_text == "This field is required."
    (group,) = page.all("div", class_="usa-form-group usa-form-group--error")
    assert group is not None
    (label,) = page.all("label")
    assert label["for"] == "id_name"
    assert "usa-label--error" in (label["class"] or "")

    page = render(form, "enrollment")  # no hint: only the error describes it
    _, attrs, _ = page.by_id("id_enrollment")
    assert described_by(attrs) == ["id_enrollment-error"]
    assert attrs["aria-invalid"] == "true"
    assert page.by_id("id_enrollment-error")[2] == "Enter a whole number."


def test_valid_field_has_no_error_wiring() -> None:
    form = ExampleForm(data={"name": "Alder Elementary", "enrollment": "400", "scope": "a"})
    assert form.is_valid()
    page = render(form, "name")
    _, attrs, _ = page.by_id("id_name")
    assert "aria-invalid" not in attrs
    assert described_by(attrs) == ["id_name-hint"]
    assert not page.all("span", class_="usa-error-message")


def test_select_textarea_and_checkbox_get_their_uswds_classes() -> None:
    form = ExampleForm(data={"kind": "nope", "scope": "a"})
    form.is_valid()

    page = render(form, "kind")
    tag, attrs, _ = page.by_id("id_kind")
    assert tag == "select"
    assert attrs["class"] == "usa-select"
    assert attrs["aria-invalid"] == "true"
    assert described_by(attrs) == ["id_kind-hint", "id_kind-error"]
    assert "required" not in attrs
    assert page.all("label")[0]["for"] == "id_kind"

    tag, attrs, _ = render(form, "notes").by_id("id_notes")
    assert tag == "textarea"
    assert attrs["class"] == "usa-textarea"

    page = render(form, "active")
    _, attrs, _ = page.by_id("id_active")
    assert attrs["class"] == "usa-checkbox__input"
    assert described_by(attrs) == ["id_active-hint"]
    (label,) = page.all("label", class_="usa-checkbox__label")
    assert label["for"] == "id_active"


def test_choices_are_a_fieldset_with_legend_hint_and_error() -> None:
    form = ExampleForm(data={"name": "x", "enrollment": "1"})
    assert not form.is_valid()
    page = render(form, "scope")
    assert page.all("fieldset", class_="usa-fieldset")
    assert page.all("legend", class_="usa-legend")
    assert page.by_id("id_scope-hint")[2] == "Pick one."
    assert page.by_id("id_scope-error")[2] == "This field is required."


def test_label_can_be_overridden() -> None:
    html = Template(
        '{% load field_helpers %}{% input_with_errors form.name label="Name of the school" %}'
    ).render(Context({"form": ExampleForm()}))
    assert '<label class="usa-label" for="id_name">Name of the school' in html
