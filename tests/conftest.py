"""The fixed cast of STYLE.md, used by every permission test.

    university 江城大学党委
    ├── committee C1 (计算机学院党委)   ← officer: organizer of C1
    │   └── branch A (教工第一党支部)   ← alice: secretary; bob: a member with a login
    └── committee C2 (文学院党委)
        └── branch B (学生第一党支部)   ← charlie: secretary
"""

from __future__ import annotations

import datetime
import os
import pathlib
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from branches.models import Organization, Role
from branches.services import role_assign
from members.models import Member
from tests.factories import MemberFactory, UserFactory, make_org

# The calendar sweep (scripts/calendar_sweep.sh, run by .ci/run): PORTAL_TEST_TODAY=YYYY-MM-DD moves the whole
# test process to that day, 07:30 in Beijing (23:30 UTC the day before, so code that takes the UTC date for
# the local one is caught), with the clock ticking on. It is started at configure time, before test modules
# are imported, because some read the date at import. The sweep runs only the tests marked `calendar`
# (everything that reads the clock, directly or through a service's default `today`); the browser and
# worker tests are excluded since their other processes keep the real clock.
_SWEEP_TIME = datetime.time(7, 30)


def pytest_configure(config):
    day = os.environ.get("PORTAL_TEST_TODAY")
    if not day:
        return
    import time_machine

    moment = datetime.datetime.combine(datetime.date.fromisoformat(day), _SWEEP_TIME,
                                       tzinfo=ZoneInfo("Asia/Shanghai"))
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config._portal_traveller = traveller


# What reads the clock: a module that calls one of these is date-sensitive and joins the sweep by itself.
_CLOCK = re.compile(r"\b(?:timezone\.now|timezone\.localdate|timezone\.localtime|date\.today|datetime\.now|"
                    r"datetime\.today|time\.time)\b\s*\(")
# Modules that read no clock themselves but call services whose `today` defaults to the real date (found by
# running the whole suite on the sweep's dates).
_INDIRECT: set[str] = set()


_HELPER_IMPORT = re.compile(r"^from tests\.(\w+) import", re.MULTILINE)


def _reads_the_clock(path: pathlib.Path, seen: dict[pathlib.Path, bool]) -> bool:
    """The module, or a tests helper it imports (tests/ratings_helpers.py, ...), reads the clock."""
    if path not in seen:
        seen[path] = False  # an import cycle ends here
        source = path.read_text(encoding="utf-8")
        helpers = [path.parent / f"{name}.py" for name in _HELPER_IMPORT.findall(source)]
        seen[path] = (path.name in _INDIRECT or bool(_CLOCK.search(source))
                      or any(h.exists() and _reads_the_clock(h, seen) for h in helpers))
    return seen[path]


def _backend_vendor() -> str:
    from django.db import connection

    return connection.vendor


def pytest_collection_modifyitems(config, items):
    # Tests of one backend's own machinery (pg_dump, SQLite's backup API) run in that backend's leg of CI.
    vendor, kept, other = _backend_vendor(), [], []
    for item in items:
        marker = item.get_closest_marker("backend")
        (kept if marker is None or vendor in marker.args else other).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept
    seen: dict[pathlib.Path, bool] = {}
    for item in items:
        path = pathlib.Path(str(item.path))
        if path.suffix == ".py" and _reads_the_clock(path, seen):
            item.add_marker(pytest.mark.calendar)


def pytest_report_header(config):
    day = os.environ.get("PORTAL_TEST_TODAY")
    return f"calendar sweep: the clock starts at {day} {_SWEEP_TIME} Asia/Shanghai" if day else None


@dataclass
class Cast:
    university: Organization
    c1: Organization
    c2: Organization
    branch_a: Organization
    branch_b: Organization
    alice: object
    bob: object
    charlie: object
    officer: object
    bob_member: Member
    alice_member: Member
    charlie_member: Member


@pytest.fixture
def cast(db) -> Cast:
    K = Organization.Kind
    university = make_org(None, K.UNIVERSITY, "中共江城大学委员会", code="U1")
    c1 = make_org(university, K.COMMITTEE, "计算机学院党委", code="C1", unit_type="teaching")
    c2 = make_org(university, K.COMMITTEE, "文学院党委", code="C2", unit_type="teaching")
    branch_a = make_org(c1, K.BRANCH, "计算机学院教工第一党支部", code="A", category="teacher")
    branch_b = make_org(c2, K.BRANCH, "文学院学生第一党支部", code="B", category="student")
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    charlie = UserFactory(username="charlie")
    officer = UserFactory(username="officer")
    role_assign(user=alice, organization=branch_a, kind=Role.Kind.SECRETARY)
    role_assign(user=charlie, organization=branch_b, kind=Role.Kind.SECRETARY)
    role_assign(user=officer, organization=c1, kind=Role.Kind.ORGANIZER)
    alice_member = MemberFactory(branch=branch_a, user=alice, name="艾丽", id_number="420102199005170012",
                                 phone="13800001111")
    bob_member = MemberFactory(branch=branch_a, user=bob, name="鲍勃", id_number="420102199105170013",
                               phone="13800002222")
    charlie_member = MemberFactory(branch=branch_b, user=charlie, name="查理", category="student",
                                   id_number="420102200005170014", phone="13800003333")
    return Cast(university, c1, c2, branch_a, branch_b, alice, bob, charlie, officer, bob_member, alice_member,
                charlie_member)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_alice(cast) -> Client:
    return login(cast.alice)


@pytest.fixture
def as_bob(cast) -> Client:
    return login(cast.bob)


@pytest.fixture
def as_charlie(cast) -> Client:
    return login(cast.charlie)


@pytest.fixture
def as_officer(cast) -> Client:
    return login(cast.officer)


@pytest.fixture
def anonymous(cast) -> Client:
    return Client()
