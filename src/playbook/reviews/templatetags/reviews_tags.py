"""Template tags of the review pages."""

from __future__ import annotations

from django import template

from ..permissions import scoring_state as _scoring_state

register = template.Library()


@register.simple_tag
def scoring_state(status: str) -> str:
    """Whether an application in ``status`` may be scored, in the words every page uses."""
    return _scoring_state(status)[1]
