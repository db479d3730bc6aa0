"""The agreement page offers the steps possible now, from the workflow's data: a renewal asks
for the new end date, steps that end something look like it, and a party sees why not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ..conftest import signed_in_client
from ..funding.helpers import approved_award, board, funded_cycle, put_in_force

pytestmark = pytest.mark.django_db


def test_the_agreement_page_reads_its_steps_from_the_workflow(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    award = approved_award(personas, cycle)
    agreement = put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    url = reverse("programs:agreement_detail", args=[agreement.pk])
    page = signed_in_client(personas.officer).get(url).content.decode()
    assert 'name="end_date"' in page and 'id="end-renew"' in page
    assert 'usa-button--secondary margin-top-1" type="submit" data-step="revoke"' in page
    assert 'data-step="close"' in page and 'usa-button--secondary margin-top-1" type="submit" ' \
        'data-step="close"' not in page
    party = signed_in_client(personas.leader_a).get(url).content.decode()
    assert 'data-step="revoke"' not in party
    assert 'data-unavailable="revoke"' in party and "Only office staff take this step." in party
