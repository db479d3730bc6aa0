"""A keyboard-only walk of the application form (issue 11, "Checked"): from the top of the
page, Tab reaches the skip link first and then every field of the form in reading order, each
with a visible focus ring; the applicant types the answers and saves with Enter, and an error
sent back is reached from the error summary, all without a mouse."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from playbook.programs.models import Application
from playbook.programs.services.applications import application_start

from ..conftest import Personas
from ..programs.helpers import make_cycle
from .conftest import sign_in

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '',
          text: (el.innerText || '').trim().slice(0, 40),
          ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


def _tab_until(page: Any, element_id: str, limit: int = 80) -> list[dict[str, Any]]:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = page.evaluate(FOCUSED)
        seen.append(here)
        if here["id"] == element_id:
            return seen
    raise AssertionError(f"Tab never reached #{element_id}: {[s['id'] or s['tag'] for s in seen]}")


def test_the_application_form_is_usable_with_a_keyboard_alone(page: Any,
                                                               site: Personas) -> None:
    cycle = make_cycle(site.officer)
    app = application_start(cycle=cycle, applicant=site.district_a, by=site.leader_a,
                            title="Alder math lab")
    sign_in(page, "leader_a")
    page.goto(f"/programs/applications/{app.pk}/edit/")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["text"] == "Skip to main content", first

    fields = page.eval_on_selector_all(
        "main form.usa-form input:not([type=hidden]), main form.usa-form textarea, "
        "main form.usa-form select", "els => els.map(e => e.id)")
    assert len(fields) >= 5
    walk = _tab_until(page, fields[0])
    for f in fields[1:]:
        walk += _tab_until(page, f, limit=6)  # the next field is at most a few stops away
    reached = [s["id"] for s in walk]
    assert [f for f in fields if f in reached] == fields, "every field, in reading order"
    assert all(s["ring"] for s in walk if s["id"] in fields), "a visible focus ring on each"

    # from the top again: type the answers, Tab to "Save draft", press Enter
    page.reload()
    page.locator("body").focus()
    _tab_until(page, fields[0])
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")  # an empty title: sent back with the error summary
    _tab_to_button(page, "Save draft")
    page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")  # the summary's first link
    assert page.evaluate(FOCUSED)["tag"] == "a"
    page.keyboard.press("Enter")
    expect(page.locator(f"#{fields[0]}")).to_be_focused()
    page.keyboard.type("Alder math lab, grades 6 to 8")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("Blended math stations in the middle grades.")
    _tab_to_button(page, "Save draft")
    page.keyboard.press("Enter")
    expect(page.locator(".usa-alert--success").first).to_be_visible()
    saved = Application.objects.get(pk=app.pk)
    assert saved.title == "Alder math lab, grades 6 to 8"
    assert saved.summary == "Blended math stations in the middle grades."


def _tab_to_button(page: Any, label: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = page.evaluate(FOCUSED)
        if here["tag"] == "button" and here["text"] == label:
            assert here["ring"], f"{label} shows no focus ring"
            return
    raise AssertionError(f"Tab never reached the {label!r} button")
