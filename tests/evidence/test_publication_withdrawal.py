"""Staff withdraw a publication: growth results and report cards alike. Only office staff may
publish or withdraw; both are audited with who did it; the public pages stop showing a
withdrawn publication (and nothing else takes its place)."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from playbook.core.jobs import JobStatus
from playbook.evidence.growth import (
    GrowthError,
    growth_publication_publish,
    growth_publication_withdraw,
)
from playbook.evidence.models import (
    GrowthPublication,
    ReportCardFramework,
    ReportCardPublication,
    ReportCardRating,
)
from playbook.evidence.reportcards import (
    ReportCardError,
    frameworks_load_shipped,
    publication_publish,
    publication_withdraw,
    report_card_run_start,
)
from playbook.studentdata.selectors import snapshot_current

from ..conftest import signed_in_client
from .test_growth_publication import math_run  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _actions(obj: Any) -> list[tuple[int, Any]]:
    return [(e.action, e.actor) for e in LogEntry.objects.get_for_object(obj).order_by("pk")]


def test_staff_withdraw_growth_results_and_the_public_page_stops_showing_them(
        math_run: Any, personas: Any) -> None:  # noqa: F811
    pub = growth_publication_publish(run=math_run, by=personas.officer)
    page = Client().get(reverse("evidence:public_growth"))
    assert b'data-testid="growth-cells"' in page.content
    url = reverse("evidence:growth_withdraw", args=[pub.pk])
    # the preview offers staff the withdrawal, not the auditor
    preview = reverse("evidence:growth_publish", args=[math_run.pk])
    assert b'data-testid="withdraw"' in signed_in_client(personas.officer).get(preview).content
    assert b'data-testid="withdraw"' not in signed_in_client(personas.auditor).get(
        preview).content
    # nobody but office staff may withdraw: not the auditor, a district leader, the public
    for user in (personas.auditor, personas.leader_a, personas.parent):
        assert signed_in_client(user).post(url).status_code == 403
        with pytest.raises(GrowthError):
            growth_publication_withdraw(publication=pub, by=user)
    assert Client().post(url).status_code == 302  # to sign in
    pub.refresh_from_db()
    assert pub.current
    # staff withdraw: audited with who did it, the page shows nothing
    done = signed_in_client(personas.officer).post(url)
    assert done.status_code == 302
    pub.refresh_from_db()
    assert not pub.current and pub.withdrawn_by == personas.officer and pub.withdrawn_at
    assert _actions(pub) == [(LogEntry.Action.CREATE, personas.officer),
                             (LogEntry.Action.UPDATE, personas.officer)]
    page = Client().get(reverse("evidence:public_growth"))
    assert page.status_code == 200 and b"No growth results are published yet" in page.content
    for name in ("evidence:public_growth_csv", "evidence:public_growth_json"):
        assert Client().get(reverse(name), {"subject": "math", "year": 2025}).status_code == 404
    # withdrawing again is refused with a reason, not an error page
    with pytest.raises(GrowthError, match="not current"):
        growth_publication_withdraw(publication=pub, by=personas.officer)
    again = signed_in_client(personas.officer).post(url, follow=True)
    assert again.status_code == 200 and b"nothing to withdraw" in again.content
    # publishing the run again makes it public again (a new publication)
    growth_publication_publish(run=math_run, by=personas.admin)
    assert GrowthPublication.objects.filter(current=True).get().published_by == personas.admin


def test_staff_withdraw_report_cards_and_the_public_card_stops_showing(
        personas: Any) -> None:
    from playbook.studentdata.synth import synth_build

    synth_build(students=1200, seed=5)
    frameworks_load_shipped()
    fw = ReportCardFramework.objects.get(slug="approved-model-report-card", version=1)
    run = report_card_run_start(framework=fw, snapshot=snapshot_current())
    assert run.status == JobStatus.SUCCEEDED, run.message
    rating = ReportCardRating.objects.filter(run=run).order_by("-year", "entity_id").first()
    assert rating is not None
    # only office staff publish, through the page or the service
    for user in (personas.auditor, personas.leader_a):
        with pytest.raises(ReportCardError):
            publication_publish(run=run, school_year=rating.year, by=user)
    assert not ReportCardPublication.objects.exists()
    pub = publication_publish(run=run, school_year=rating.year, by=personas.officer)
    card = reverse("evidence:rc_card", args=[fw.slug, rating.entity_type, rating.entity_id])
    assert Client().get(card).status_code == 200
    preview = signed_in_client(personas.officer).get(
        reverse("evidence:rc_publish", args=[run.pk]), {"school_year": rating.year})
    assert b'data-testid="withdraw"' in preview.content
    url = reverse("evidence:rc_withdraw", args=[pub.pk])
    for user in (personas.auditor, personas.leader_a, personas.parent):
        assert signed_in_client(user).post(url).status_code == 403
        with pytest.raises(ReportCardError):
            publication_withdraw(publication=pub, by=user)
    assert Client().post(url).status_code == 302  # to sign in
    pub.refresh_from_db()
    assert pub.current
    assert signed_in_client(personas.officer).post(url).status_code == 302
    pub.refresh_from_db()
    assert not pub.current and pub.withdrawn_by == personas.officer and pub.withdrawn_at
    assert _actions(pub) == [(LogEntry.Action.CREATE, personas.officer),
                             (LogEntry.Action.UPDATE, personas.officer)]
    assert Client().get(card).status_code == 404
    assert Client().get(reverse("evidence:rc_published_file",
                                args=[fw.slug, rating.year, "results"])).status_code == 404
    with pytest.raises(ReportCardError, match="not current"):
        publication_withdraw(publication=pub, by=personas.officer)
