"""``{% input_with_errors form.field %}``: every form field rendered the same accessible way.

Label, hint, error message and ``aria-describedby`` wiring, in USWDS markup (after
manage.get.gov's ``templatetags/field_helpers.py``).
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
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


@register.simple_tag(takes_context=True)
def form_errors(context: template.Context) -> list[dict[str, str]]:
    """Every error of every bound form and formset on the page, for the error summary that
    ``base.html`` puts at the top of the page (GOV.UK's and USWDS's pattern): each with the
    ``#id`` of the field it is about (``""`` for a form's own errors) and the message.

    ``{% form_errors as errors %}``: the page need not pass anything; any form in the context
    with errors is found, so no form can leave out its summary."""
    seen: set[int] = set()
    out: list[dict[str, str]] = []

    def add_form(form: forms.BaseForm, prefix: str = "") -> None:
        if id(form) in seen or not form.is_bound:
            return
        seen.add(id(form))
        for message in form.non_field_errors():
            out.append({"href": "", "text": prefix + str(message)})
        own = getattr(form, "error_summary", None)
        if isinstance(own, list):  # a form that words its own entries (the rules editor)
            out.extend({"href": f"#{e['id']}" if e.get("id") else "", "text": prefix + e["text"]}
                       for e in own)
            return
        for name in form.errors:
            if name == NON_FIELD_ERRORS or name not in form.fields:
                continue
            bound = form[name]
            target = bound.auto_id or ""
            widget = bound.field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple) and target:
                target = f"{target}_0"
            label = str(bound.label or name)
            for message in bound.errors:
                out.append({"href": f"#{target}" if target else "",
                            "text": f"{prefix}{label}: {message}"})

    for value in context.flatten().values():
        if isinstance(value, forms.BaseForm):
            add_form(value)
        elif isinstance(value, forms.BaseFormSet) and value.is_bound \
                and id(value) not in seen:
            seen.add(id(value))
            for message in value.non_form_errors():
                out.append({"href": "", "text": str(message)})
            for i, form in enumerate(value.forms):
                add_form(form, prefix=f"Row {i + 1}, ")
    return out


@register.filter(name="plain")
def plain_filter(value: Any) -> str:
    """``{{ value|plain }}``: the words for a stored code (``core.labels``)."""
    from playbook.core.labels import plain

    return plain(value)


@register.filter(name="plain_text")
def plain_text_filter(value: Any) -> str:
    """``{{ sentence|plain_text }}``: a stored sentence with its codes read as words."""
    from playbook.core.labels import plain_text

    return plain_text(value)
