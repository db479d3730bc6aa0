"""The roles of DESIGN.md ("Who uses it") and what each may do in general.

Object scope (which district, which provider) is decided by each app's access-checking getters;
this module only says what kind of user a role is.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PROGRAM_OFFICER = "program_officer", "Program officer"
    OFFICE_ADMIN = "office_admin", "Office administrator"
    REVIEWER = "reviewer", "Reviewer"
    DECISION_BODY = "decision_body", "Decision-body member"
    DISTRICT_LEADER = "district_leader", "District leader"
    SCHOOL_LEADER = "school_leader", "School leader"
    PROVIDER = "provider", "Provider"
    EDUCATOR = "educator", "Educator"
    PARENT = "parent", "Parent"
    AUDITOR = "auditor", "Auditor"


#: The state office's own staff: configure programs, screen, run analytics, publish.
OFFICE_STAFF = frozenset({Role.PROGRAM_OFFICER, Role.OFFICE_ADMIN})
#: Roles that may read every record (staff edit; auditors only read).
READ_ALL = OFFICE_STAFF | {Role.AUDITOR}
#: Roles that must pass a TOTP second factor before anything else.
MFA_REQUIRED = OFFICE_STAFF | {Role.AUDITOR}
#: Roles whose account belongs to one organization and sees only that organization's records.
ORG_SCOPED = frozenset(
    {Role.DISTRICT_LEADER, Role.SCHOOL_LEADER, Role.PROVIDER, Role.EDUCATOR}
)
