"""One label source (issue 11, item 5): the codes the system stores read as words."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from playbook.core.labels import label, labels_register, plain


def test_registered_codes_read_as_their_words() -> None:
    # registered by the apps at start-up (AppConfig.ready)
    assert label("program_officer") == "Program officer"
    assert label("screened") == "Screened eligible"
    assert label("high_poverty") == "High-poverty schools"  # a reviewer's expertise
    assert label("poverty_desc") == "higher poverty first"
    assert label("model_participation") == "Model participation"
    assert label("student_record") == "A student's record looked up"
    assert label("median_sgp") == "Growth: median growth percentile"


def test_an_unregistered_code_still_reads_as_words_and_text_is_left_alone() -> None:
    assert label("needs_another_read") == "needs another read"
    assert label("Alder County Schools") == "Alder County Schools"
    assert label(None) == "" and label(42) == "42"


def test_lists_and_comma_joined_codes_read_item_by_item() -> None:
    assert plain(["urban", "high_poverty"]) == "Urban districts, High-poverty schools"
    assert plain("poverty_desc, requested_asc") == "higher poverty first, " + label(
        "requested_asc")
    assert plain("Smith, Jones") == "Smith, Jones", "a list of names is not a list of codes"


def test_the_first_words_registered_are_kept() -> None:
    labels_register({"zz_test_code": "First"})
    labels_register({"zz_test_code": "Second"})
    assert label("zz_test_code") == "First"


@pytest.mark.parametrize(("value", "shown"), [
    (["rural", "high_poverty"], "Rural and small districts, High-poverty schools"),
    ("in_review", "In review")])
def test_the_plain_filter(value, shown) -> None:  # type: ignore[no-untyped-def]
    html = Template("{% load field_helpers %}{{ v|plain }}").render(Context({"v": value}))
    assert html == shown.replace("'", "&#x27;")


def test_a_stored_sentence_reads_its_codes_as_words() -> None:
    from playbook.core.labels import plain_text

    assert plain_text("funding.partial_funding / tie_breaks / set_asides") == (
        "funding: partial funding / Tie-breaks / Set-asides")
    assert plain_text("plan awards $300,000") == "plan awards $300,000"
