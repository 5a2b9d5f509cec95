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
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

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

    moment = datetime.datetime.combine(
        datetime.date.fromisoformat(day), _SWEEP_TIME, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config._portal_traveller = traveller


# What reads the clock: a module that calls one of these is date-sensitive and joins the sweep by itself.
_CLOCK = re.compile(
    r"\b(?:timezone\.now|timezone\.localdate|timezone\.localtime|date\.today|datetime\.now|"
    r"datetime\.today|time\.time)\b\s*\("
)
# Modules that read no clock themselves but call services whose `today` defaults to the real date (found by
# running the whole suite on the sweep's dates).
_INDIRECT: set[str] = set()
# A module that takes its day from the session's demo (`session_demo.today`, the date it was loaded on).
_DEMO_DAY = re.compile(r"\bsession_demo\.today\b")


_HELPER_IMPORT = re.compile(r"^from tests\.(\w+) import", re.MULTILINE)


def _reads_the_clock(path: pathlib.Path, seen: dict[pathlib.Path, bool]) -> bool:
    """The module, or a tests helper it imports (tests/ratings_helpers.py, ...), reads the clock."""
    if path not in seen:
        seen[path] = False  # an import cycle ends here
        source = path.read_text(encoding="utf-8")
        helpers = [path.parent / f"{name}.py" for name in _HELPER_IMPORT.findall(source)]
        seen[path] = (
            path.name in _INDIRECT
            or bool(_CLOCK.search(source))
            or bool(_DEMO_DAY.search(source))
            or any(h.exists() and _reads_the_clock(h, seen) for h in helpers)
        )
    return seen[path]


def _backend_vendor() -> str:
    from django.db import connection

    return connection.vendor


@pytest.hookimpl(tryfirst=True)  # before xdist's (a worker's), which reads the xdist_group marks added here
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
    _group_the_demo_tests(items)


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
    alice_member = MemberFactory(
        branch=branch_a, user=alice, name="艾丽", id_number="420102199005170012", phone="13800001111"
    )
    bob_member = MemberFactory(
        branch=branch_a, user=bob, name="鲍勃", id_number="420102199105170013", phone="13800002222"
    )
    charlie_member = MemberFactory(
        branch=branch_b,
        user=charlie,
        name="查理",
        category="student",
        id_number="420102200005170014",
        phone="13800003333",
    )
    return Cast(
        university,
        c1,
        c2,
        branch_a,
        branch_b,
        alice,
        bob,
        charlie,
        officer,
        bob_member,
        alice_member,
        charlie_member,
    )


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


# The demo, loaded once per test session (issue 17.4): `load_demo --seed 7` costs about a minute on this machine,
# and test_demo, test_posts_demo and test_meeting_demo each loaded it again (test_demo once per test). Now the
# first test that asks for `session_demo` loads it inside a transaction on the session's test database; every
# test then runs in a savepoint inside it (pytest-django's `db`), so whatever a test changes is undone before
# the next one sees the demo, and a module that changes it for all its tests does so in a savepoint of its own
# (test_meeting_demo). The tests that use it are run one after another (_group_the_demo_tests), and the
# transaction is rolled back after the last of them, so every other test finds the empty database it expects,
# including the transactional ones (a live server or a worker cannot see an uncommitted demo: the browser
# journey that needs one loads its own). The same on SQLite and PostgreSQL: nothing is copied or dumped.
DEMO_SEED = 7


class SessionDemo:
    """The demo loaded in an open transaction; `today` is the local date it was loaded on."""

    def __init__(self, blocker) -> None:
        self._blocker = blocker
        self._atomic = None
        self.seed = DEMO_SEED
        self.today: datetime.date | None = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self) -> None:
        if self._atomic is not None:
            return
        with self._blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.today = timezone.localdate()
            call_command("load_demo", seed=self.seed, verbosity=0)
            # PostgreSQL checks deferred foreign keys when a test ends (Django's TestCase runs SET CONSTRAINTS ALL
            # IMMEDIATE before its rollback), and a rolled-back savepoint puts the demo's pending checks back in
            # the queue: checked here once, the demo's half a million rows no longer cost every test 2.7 s.
            connection.check_constraints()

    def close(self) -> None:
        if self._atomic is None:
            return
        atomic, self._atomic = self._atomic, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


_session_demo: SessionDemo | None = None


def _uses_the_demo(item) -> bool:
    return "session_demo" in getattr(item, "fixturenames", ())


def _group_the_demo_tests(items) -> None:
    """Run the tests that use the session's demo one after another, where the first of them was, so the
    demo is loaded once and the transaction holding it is closed before any other test runs."""
    demo = [item for item in items if _uses_the_demo(item)]
    if not demo:
        return
    for item in demo:
        # One xdist group (`--dist loadgroup`): all of them on one worker, so the demo is loaded once in the run,
        # not once on each worker that was given some of them (55–85 s a load).
        item.add_marker(pytest.mark.xdist_group("session_demo"))
    first = items.index(demo[0])
    rest = [item for item in items if not _uses_the_demo(item)]
    items[:] = rest[:first] + demo + rest[first:]


@pytest.fixture(scope="session")
def session_demo(django_db_setup, django_db_blocker) -> SessionDemo:
    """The demo (seed 7), for reading; request it together with `db` (never `transactional_db`)."""
    global _session_demo
    _session_demo = SessionDemo(django_db_blocker)
    _session_demo.open()
    yield _session_demo
    _session_demo.close()
    _session_demo = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if not _uses_the_demo(item):
        return
    if "transactional_db" in item.fixturenames or "live_server" in item.fixturenames:
        pytest.fail(
            f"{item.nodeid}: the session's demo is uncommitted; a transactional test (live server, "
            "worker) must load its own",
            pytrace=False,
        )
    if _session_demo is not None:
        _session_demo.open()  # after a run of other tests (a --last-failed or -k selection keeps them grouped)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if (
        _session_demo is not None
        and _session_demo.is_open
        and (nextitem is None or not _uses_the_demo(nextitem))
    ):
        _session_demo.close()
