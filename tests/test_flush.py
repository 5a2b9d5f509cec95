"""The flush between transactional tests empties every table (on PostgreSQL the tests' backend deletes instead of
truncating, tests/postgresql/base.py; on SQLite it is Django's own) and its deferred foreign keys hold at the
commit, with rows of every layer in the tables: units, roles, members, their history, a meeting and its to-do."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from disclosure.models import Todo
from disclosure.services import meeting_save
from members.models import Member

pytestmark = pytest.mark.django_db(transaction=True)


def _rows() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def test_flush_empties_every_table(cast):
    if connection.vendor == "postgresql":
        assert type(connection.ops).__module__ == "tests.postgresql.base"
    meeting = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        attendance=[],
        attachments=(),
        data={
            "kind": "general_assembly",
            "held_at": timezone.localtime() - datetime.timedelta(days=1),
            "place": "会议室",
            "topics": "学习党章",
            "minutes": "<p>讨论</p>",
            "takes_vote": False,
        },
    )
    Todo.objects.create(
        user=cast.alice, organization=cast.branch_a, meeting=meeting, kind=Todo.Kind.RETURNED, key="flush:1"
    )
    before = _rows()
    assert before["members_member"] == Member.objects.count() == 3 and before["members_historicalmember"] >= 3
    assert sum(1 for n in before.values() if n) >= 10
    # As a transactional test ends (django.test.TransactionTestCase._fixture_teardown); it commits: FKs checked.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)
    assert {table: n for table, n in _rows().items() if n} == {}
