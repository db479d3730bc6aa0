"""Template tags that read the lifecycle from its declared workflow, never from status codes:
labels (for staff and for the public), tag styles, the actions a user may take now (and why not
the others), the instrument's pages and panels."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.html import format_html

from playbook.accounts.models import User

from ..models import Agreement, Application
from ..registry import (
    agreement_workflow,
    application_panels,
    application_workflow,
    ballot_panels,
    instrument_get,
    instruments,
    organization_panels,
)

register = template.Library()

TAG_CLASSES = {"base": "bg-base", "info": "bg-primary", "success": "bg-green",
               "warning": "bg-gold text-ink", "error": "bg-secondary-dark"}


def _phase(obj: Any) -> Any:
    if isinstance(obj, Agreement):
        return agreement_workflow(obj).phase(obj.status)
    return application_workflow(obj).phase(obj.status)


@register.simple_tag
def phase_label(obj: Any, audience: str = "staff") -> str:
    phase = _phase(obj)
    return phase.public_label if audience == "public" else phase.staff_label


@register.simple_tag
def phase_tag(obj: Any, audience: str = "staff") -> str:
    phase = _phase(obj)
    label = phase.public_label if audience == "public" else phase.staff_label
    testid = "agreement-status" if isinstance(obj, Agreement) else "status"
    return format_html('<span class="usa-tag {}" data-testid="{}" data-status="{}">{}</span>',
                       TAG_CLASSES.get(phase.tag, "bg-base"), testid, obj.status, label)


@register.simple_tag
def step_label(obj: Any, name: str) -> str:
    """The plain-words name of a recorded step (history rows)."""
    flow = agreement_workflow(obj) if isinstance(obj, Agreement) else application_workflow(obj)
    step = flow.step(name)
    return step.done.capitalize() if step and step.done else name.replace("_", " ").capitalize()


@register.simple_tag
def state_label(obj: Any, status: str) -> str:
    flow = agreement_workflow(obj) if isinstance(obj, Agreement) else application_workflow(obj)
    return flow.phase(status).staff_label


@register.simple_tag
def lifecycle_actions(obj: Any, user: User | AnonymousUser) -> list[Any]:
    if isinstance(obj, Agreement):
        from ..services.agreements import agreement_actions

        return agreement_actions(agreement=obj, user=user)
    from ..services.lifecycle import application_actions

    return application_actions(application=obj, user=user)


@register.simple_tag
def application_pages(app: Application) -> list[tuple[str, str]]:
    pages = instrument_get(app.cycle.program.instrument).application_pages
    return [(label, reverse(name, args=[app.pk])) for label, name in pages]


@register.simple_tag
def panels_for(obj: Any, user: User | AnonymousUser,
               kind: str = "application") -> list[dict[str, Any]]:
    if kind == "ballot":
        return ballot_panels(obj, user)
    if kind == "organization":
        return organization_panels(obj, user)
    return application_panels(obj, user)


@register.simple_tag(takes_context=True)
def render_panel(context: Any, panel: dict[str, Any]) -> str:
    from django.template.loader import render_to_string

    return render_to_string(panel["template"], panel["context"],
                            request=context.get("request"))


@register.filter
def shown(value: Any) -> str:
    """An instrument's column or total in words: amounts (Decimal dollars, the house rule) as
    "$1,234.00", nothing as a dash."""
    from decimal import Decimal

    if value is None or value == "":
        return "\u2013"
    if isinstance(value, Decimal):
        return f"${value:,.2f}"
    return str(value)


@register.simple_tag
def instrument_staff_links() -> list[tuple[str, str]]:
    """Every registered instrument's own staff pages: (label, URL)."""
    return [(label, reverse(name)) for i in instruments() for label, name in i.staff_links]


@register.simple_tag
def cycle_links(cycle: Any) -> list[tuple[str, str]]:
    """The cycle's instrument's own pages about the cycle: (label, URL)."""
    from ..registry import _INSTRUMENTS

    found = _INSTRUMENTS.get(cycle.program.instrument)
    return [(label, reverse(name, args=[cycle.pk])) for label, name in
            (found.cycle_links if found else ())]


@register.simple_tag
def certification(step: Any, obj: Any) -> str:
    """The statement ``step`` asks the person to confirm, for ``obj`` (an application)."""
    from ..services.lifecycle import certification_text

    return certification_text(step, obj) if step.certify and isinstance(obj, Application) \
        else ""
