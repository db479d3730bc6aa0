"""The pages' static files are committed and served locally: no CDN, no missing file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

import playbook

SRC = Path(playbook.__file__).parent
TEMPLATES = sorted(SRC.glob("**/templates/**/*.html"))
STATIC_REF = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]""")
CSS_URL = re.compile(r"""url\(\s*['"]?(?!data:)([^'")]+)['"]?\s*\)""")


def static_references() -> list[tuple[str, str]]:
    return [
        (str(t.relative_to(SRC)), ref)
        for t in TEMPLATES
        for ref in STATIC_REF.findall(t.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize(("template", "ref"), static_references())
def test_every_static_file_a_template_names_exists(template: str, ref: str) -> None:
    assert finders.find(ref), f"{template} refers to static {ref!r}, which is not committed"


@pytest.mark.parametrize("stylesheet", ["uswds/css/uswds.min.css", "playbook/playbook.css"])
def test_every_file_a_stylesheet_names_exists(stylesheet: str) -> None:
    path = Path(finders.find(stylesheet))
    missing = sorted(
        {ref for ref in CSS_URL.findall(path.read_text(encoding="utf-8"))
         if ref.strip() and not (path.parent / ref).resolve().is_file()}
    )
    assert not missing, f"{stylesheet} refers to files that are not committed: {missing}"


def test_templates_load_nothing_from_other_sites() -> None:
    external = re.compile(r"""<(?:script|link|img)\b[^>]*(?:src|href)=["'](?:https?:)?//""", re.I)
    offenders = [str(t.relative_to(SRC)) for t in TEMPLATES
                 if external.search(t.read_text(encoding="utf-8"))]
    assert not offenders, f"templates loading files from another site (use static): {offenders}"
