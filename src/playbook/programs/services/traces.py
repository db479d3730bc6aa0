"""Why: a trace of every automated determination, written when it is made.

Each trace names what was determined (``kind``: eligibility, funding_line, and as they come
renewal proposals and waiver grants), its result, and its steps: each rule with the rules
version it came from, the values it read and what it found; ``applicant`` marks the steps the
applicant sees. Traces are append-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..eligibility import eligibility_checks
from ..models import Application, DeterminationTrace


def trace_record(*, subject: models.Model, kind: str, result: str,
                 steps: list[dict[str, Any]]) -> DeterminationTrace:
    return DeterminationTrace.objects.create(
        content_type=ContentType.objects.get_for_model(type(subject)), object_id=subject.pk,
        kind=kind, result=result[:300], steps=steps)


def eligibility_trace_record(*, application: Application) -> DeterminationTrace:
    """The eligibility screen as the registry and this version's rules saw it."""
    version = application.configuration.version
    checks = eligibility_checks(rules=application.rules.eligibility,
                                applicant=application.applicant,
                                partner=application.partner_district)
    failed = [c for c in checks if not c.passed]
    result = "Meets every eligibility rule." if not failed else (
        f"Fails {len(failed)} eligibility rule{'s' if len(failed) > 1 else ''}.")
    return trace_record(subject=application, kind="eligibility", result=result, steps=[
        {"rule": c.rule, "version": version, "values": c.values,
         "result": "passed" if c.passed else c.message, "passed": c.passed, "applicant": True}
        for c in checks])
