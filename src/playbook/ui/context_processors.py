from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"state_name": settings.PLAYBOOK_STATE_NAME,
            "office": {"email": settings.PLAYBOOK_OFFICE_EMAIL,
                       "phone": settings.PLAYBOOK_OFFICE_PHONE,
                       "address": settings.PLAYBOOK_OFFICE_ADDRESS},
            "min_n": settings.PLAYBOOK_MIN_N}
