"""Rules documents of the first shape become the current one (a frozen copy of
``programs.rules.migrate_document``, so later changes to the code never change this step), and
every decision body a document names becomes a ``DecisionBody`` whose members are the accounts
with the decision-body role (they decided alone before votes existed). Votes, amendments and determination traces are
append-only in the database too."""

import copy
import re

from django.db import migrations
from django.utils.text import slugify

from playbook.core.append_only import append_only_trigger


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "-", slugify(name)).strip("-") or "decision-body"


def migrate_document(old):
    doc = copy.deepcopy(dict(old))
    body = doc.pop("decision_body", None)
    if isinstance(body, dict) and "decision" not in doc:
        name = str(body.get("name") or "").strip()
        doc["decision"] = {"tiers": [{
            "body": _slug(name), "label": f"{name} decides" if name else "Decision body decides",
            "quorum": body.get("quorum", 1), "majority": "simple", "acts": "decides"}],
            "vote_record_public": True}
    review = doc.get("review")
    if isinstance(review, dict):
        review.setdefault("required", True)
        review.setdefault("release_comments_to_applicant", False)
    form = doc.get("form")
    categories = None
    if isinstance(form, dict) and "budget_categories" in form:
        categories = form.pop("budget_categories")
    if "funding" in doc and doc["funding"] is None:
        doc["funding"] = {}
    if isinstance(doc.get("funding"), dict) and categories is not None:
        doc["funding"].setdefault("budget_categories", categories)
    return doc, body


def forward(apps, schema_editor):
    CycleConfiguration = apps.get_model("programs", "CycleConfiguration")
    DecisionBody = apps.get_model("programs", "DecisionBody")
    DecisionBodyMember = apps.get_model("programs", "DecisionBodyMember")
    User = apps.get_model("accounts", "User")
    deciders = list(User.objects.filter(role="decision_body", is_active=True))
    for config in CycleConfiguration.objects.all():
        new, body = migrate_document(config.data)
        if new != config.data:
            CycleConfiguration.objects.filter(pk=config.pk).update(data=new)
        for tier in new.get("decision", {}).get("tiers", []):
            name = (body or {}).get("name") or tier["body"].replace("-", " ").title()
            decision_body, created = DecisionBody.objects.get_or_create(
                slug=tier["body"], defaults={"name": name})
            if created:
                for user in deciders:
                    DecisionBodyMember.objects.get_or_create(body=decision_body, user=user)


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0004_spine"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        append_only_trigger("programs_vote", "a vote"),
        append_only_trigger("programs_agreementamendment", "an amendment"),
        append_only_trigger("programs_determinationtrace", "a determination trace"),
    ]
