"""Applicants start applications, save drafts, fill the budget table and attach files."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from playbook.accounts.models import User
from playbook.core.access import require
from playbook.organizations.models import Organization, OrgKind

from ..eligibility import partner_problem
from ..models import Application, ApplicationStatus, Attachment, Cycle
from ..permissions import (
    application_can_edit,
    application_can_start,
    organizations_user_may_apply_for,
    signed_in_user,
)
from ..selectors import cycle_configuration_current, word_count

CONTENT_TYPES = {
    "pdf": {"application/pdf"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "csv": {"text/csv", "application/vnd.ms-excel", "text/plain"},
    "txt": {"text/plain"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
}
MAGIC = {"pdf": b"%PDF", "docx": b"PK", "xlsx": b"PK", "png": b"\x89PNG", "jpg": b"\xff\xd8"}


def application_start(*, cycle: Cycle, applicant: Organization, by: User | AnonymousUser,
                      title: str, partner_district: Organization | None = None) -> Application:
    require(application_can_start(user=by, cycle=cycle))
    if applicant.pk not in {o.pk for o in organizations_user_may_apply_for(user=by)}:
        raise PermissionDenied(f"You cannot apply for {applicant.name}.")
    configuration = cycle_configuration_current(cycle=cycle)
    if partner_district is not None:
        problem = partner_problem(rules=configuration.rules.eligibility, partner=partner_district)
        if problem:
            raise ValidationError({"partner_district": problem})
    try:
        with transaction.atomic():
            return Application.objects.create(
                cycle=cycle, configuration=configuration, applicant=applicant,
                partner_district=partner_district, created_by=signed_in_user(by),
                title=title.strip(),
            )
    except IntegrityError as exc:
        raise ValidationError(
            f"{applicant.name} already has an application in {cycle.name}."
        ) from exc


#: The largest whole-number answer (students, schools, staff: a count no state exceeds).
MAX_COUNT = 10_000_000


def _count_or_amount_problem(value: Any, *, whole: bool) -> str:
    """Why a whole-number or money answer is refused, or ``""``: they count or cost something,
    so they are at least 0 (and a count is a whole number up to ``MAX_COUNT``)."""
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return "Enter a number."
    if not number.is_finite():
        return "Enter a number."
    if number < 0:
        return "Enter 0 or more; a negative number cannot be right here."
    if whole and (number != number.to_integral_value() or number > MAX_COUNT):
        return f"Enter a whole number from 0 to {MAX_COUNT:,}."
    return ""


def application_update_draft(
    *, application: Application, by: User | AnonymousUser, title: str, summary: str,
    answers: dict[str, Any], partner_district: Organization | None = None,
) -> Application:
    """Save a draft. Word limits and field types are checked now; required fields on submit."""
    require(application_can_edit(user=by, application=application))
    rules = application.rules
    consortium = application.applicant.kind == OrgKind.CONSORTIUM
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field in rules.form.all_fields(consortium=consortium):
        value = answers.get(field.key)
        if value in (None, ""):
            continue
        if field.word_limit and isinstance(value, str) and word_count(value) > field.word_limit:
            errors.setdefault(field.key, []).append(
                f"{word_count(value)} words; the limit is {field.word_limit}.")
        if field.type == "choice" and value not in field.choices:
            errors.setdefault(field.key, []).append("Choose one of the options.")
        if field.type in ("number", "money"):
            problem = _count_or_amount_problem(value, whole=field.type == "number")
            if problem:
                errors.setdefault(field.key, []).append(problem)
        clean[field.key] = str(value) if not isinstance(value, int | float | bool) else value
    if consortium and answers.get("collaboration_plan"):
        plan = str(answers["collaboration_plan"])
        limit = rules.form.collaboration_plan_word_limit
        if word_count(plan) > limit:
            errors.setdefault("collaboration_plan", []).append(
                f"{word_count(plan)} words; the limit is {limit}.")
        clean["collaboration_plan"] = plan
    if partner_district is not None:
        partner_refused = partner_problem(rules=rules.eligibility, partner=partner_district)
        if partner_refused:
            errors.setdefault("partner_district", []).append(partner_refused)
    if errors:
        raise ValidationError(errors)
    application.title = title.strip() or application.title
    application.summary = summary.strip()
    application.answers = clean
    application.partner_district = partner_district
    application.save(update_fields=["title", "summary", "answers", "partner_district",
                                    "updated_at"])
    return application


def application_attachment_add(*, application: Application, by: User | AnonymousUser,
                               slot: str, upload: UploadedFile) -> Attachment:
    """Attach a file to a slot of the form, checking its type (extension, declared type and
    first bytes) and size against the slot's rules."""
    require(application_can_edit(user=by, application=application))
    spec = next((a for a in application.rules.form.attachments if a.key == slot), None)
    if spec is None:
        raise ValidationError({"slot": "This form has no such attachment."})
    name = PurePath(upload.name or "upload").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext == "jpeg":
        ext = "jpg"
    if ext not in spec.types:
        raise ValidationError({"file": f"{spec.label} must be a {' or '.join(spec.types)} file."})
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > spec.max_mb * 1024 * 1024:
        raise ValidationError({"file": f"The file is {size / 1048576:.1f} MB; the limit is "
                                       f"{spec.max_mb} MB."})
    declared = (upload.content_type or "").split(";")[0].strip()
    if declared and declared not in CONTENT_TYPES[ext] | {"application/octet-stream"}:
        raise ValidationError({"file": f"The file says it is {declared}, not a {ext} file."})
    head = upload.read(8)
    upload.seek(0)
    if ext in MAGIC and not head.startswith(MAGIC[ext]):
        raise ValidationError({"file": f"The file's contents are not a {ext} file."})
    held = application.attachments.filter(slot=slot).first()
    if held is not None:
        raise ValidationError({"file": f"{spec.label} holds one file, and {held.original_name} "
                                       "is attached: remove it first to attach another."})
    return Attachment.objects.create(
        application=application, slot=slot, file=upload, original_name=name[:200],
        content_type=declared or "application/octet-stream", size=size,
        uploaded_by=signed_in_user(by),
    )


def application_attachment_remove(*, attachment: Attachment, by: User | AnonymousUser) -> None:
    require(application_can_edit(user=by, application=attachment.application))
    attachment.file.delete(save=False)
    attachment.delete()


__all__ = ["ApplicationStatus"]
