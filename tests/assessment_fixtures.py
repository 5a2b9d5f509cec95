"""Fixtures of the July-1 cycle's tests (issue 5): the fixed cast plus 组织部 (zzb, an officer on the
university), this year's four standard indicator tables and a cycle with the default dates."""

from __future__ import annotations

import datetime

import pytest

from assessments.models import Programme
from assessments.services.assessment import cycle_create
from assessments.services.targets import indicator_table_create
from branches.models import Role
from branches.services import role_assign
from tests.factories import UserFactory

YEAR = 2026


@pytest.fixture
def cycle_cast(cast):
    """The cast with zzb (组织部) and the 2026 tables and cycle (self-assessment 10 June – 1 July)."""
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    cast.zzb = zzb
    cast.tables = {p: indicator_table_create(year=YEAR, programme=p, by=None) for p in Programme.values}
    cast.cycle = cycle_create(root=cast.university, year=YEAR)
    return cast


def day(month: int, dom: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, dom)
