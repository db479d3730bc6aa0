"""factory_boy factories for the registry and accounts."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from playbook.accounts.models import User
from playbook.accounts.roles import Role
from playbook.organizations.models import (
    ConsortiumMembership,
    LearningModel,
    ModelAdoption,
    Organization,
    OrgKind,
    ProviderType,
    SchoolType,
)

PASSWORD = "correct horse battery staple 42"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrgKind.DISTRICT
    name = factory.Sequence(lambda n: f"District {n}")
    nces_id = factory.Sequence(lambda n: f"99{n:05d}")
    locale = "42"
    enrollment = 1200
    econ_disadvantaged_share = Decimal("0.450")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrgKind.SCHOOL
    name = factory.Sequence(lambda n: f"School {n}")
    parent = factory.SubFactory(DistrictFactory)
    nces_id = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.nces_id}{n:05d}")
    school_type = SchoolType.DISTRICT_RUN
    grade_low = 0
    grade_high = 5
    enrollment = 400
    locale = "42"


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrgKind.PROVIDER
    name = factory.Sequence(lambda n: f"Provider {n}")
    code = factory.Sequence(lambda n: f"provider-{n}")
    provider_type = ProviderType.COMPANY


class ConsortiumFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrgKind.CONSORTIUM
    name = factory.Sequence(lambda n: f"Consortium {n}")
    code = factory.Sequence(lambda n: f"consortium-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = ConsortiumMembership

    consortium = factory.SubFactory(ConsortiumFactory)
    member = factory.SubFactory(DistrictFactory)


class LearningModelFactory(DjangoModelFactory):
    class Meta:
        model = LearningModel

    code = factory.Sequence(lambda n: f"model-{n}")
    name = factory.Sequence(lambda n: f"Model {n}")
    provider = factory.SubFactory(ProviderFactory)
    scope = LearningModel.Scope.WHOLE_SCHOOL
    grade_low = 0
    grade_high = 8


class AdoptionFactory(DjangoModelFactory):
    class Meta:
        model = ModelAdoption

    school = factory.SubFactory(SchoolFactory)
    model = factory.SubFactory(LearningModelFactory)
    school_year = 2025


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PARENT
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def finish(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        obj.is_staff = obj.role == Role.OFFICE_ADMIN
        if create:
            obj.save()
