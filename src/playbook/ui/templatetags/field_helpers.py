"""``{% input_with_errors form.field %}``: every form field rendered the same accessible way.

Label, hint, error message and ``aria-describedby`` wiring, in USWDS markup (after
manage.get.gov's ``templatetags/field_helpers.py``).
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def input_with_errors(field: forms.BoundField, **options: Any) -> SafeString:
    widget = field.field.widget
    hint_id = f"{field.auto_id}-hint"
    error_id = f"{field.auto_id}-error"
    described_by = []
    if field.help_text:
        described_by.append(hint_id)
    if field.errors:
        described_by.append(error_id)
    if isinstance(widget, forms.CheckboxInput):
        kind, css = "checkbox", "usa-checkbox__input"
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        kind, css = "choices", ""
    elif isinstance(widget, forms.Select):
        kind, css = "select", "usa-select"
    elif isinstance(widget, forms.Textarea):
        kind, css = "textarea", "usa-textarea"
    else:
        kind, css = "input", "usa-input"
    attrs: dict[str, Any] = {}
    if css:
        attrs["class"] = css + (" usa-input--error" if field.errors and kind == "input" else "")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required and kind != "choices":
        attrs["required"] = True
    widget_html = field.as_widget(attrs=attrs)
    return render_to_string(
        "ui/input_with_errors.html",
        {
            "field": field,
            "kind": kind,
            "widget": widget_html,
            "hint_id": hint_id,
            "error_id": error_id,
            "label": options.get("label", field.label),
        },
    )
