"""factory_boy factories. Organizations go through the service so the tree's paths stay valid."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from faker import Faker

from branches.models import Organization
from branches.services import organization_create
from members.models import Member

fake = Faker("zh_CN")
Faker.seed(2026)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyFunction(fake.name)
    password = factory.django.Password("pass-1234")


def make_org(parent: Organization | None, kind: str, name: str, **extra) -> Organization:
    return organization_create(parent=parent, kind=kind, name=name, **extra)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.LazyFunction(fake.name)
    gender = factory.Iterator(["M", "F"])
    ethnicity = "汉族"
    birth_date = factory.LazyFunction(lambda: datetime.date(1990, 5, 17))
    id_number = factory.LazyFunction(lambda: fake.unique.ssn())
    phone = factory.LazyFunction(fake.phone_number)
    category = factory.LazyAttribute(lambda m: m.branch.category or Organization.Category.TEACHER)
    stage = Member.Stage.FULL
    joined_on = factory.LazyFunction(lambda: datetime.date(2015, 7, 1))
    full_on = factory.LazyFunction(lambda: datetime.date(2016, 7, 1))
