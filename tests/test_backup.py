"""Issue 14, item 7: `manage.py backup` and `manage.py restore` (README "Backups").

A backup taken, the data changed, the backup restored: the old data is back (SQLite by the online backup
API, PostgreSQL by pg_dump / pg_restore). The sqlite3 shell — no Django, none of the functions Django's
SQLite backend registers — runs `pragma integrity_check` on a backup and finds it "ok": no CHECK
constraint or index of the schema names a function only Django knows.
"""

from __future__ import annotations

import datetime
import io
import re
import shutil
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from branches.backups import sqlite_integrity
from branches.models import Organization
from members.models import DuesPayment, Member

# Each backend's backup runs in that backend's CI leg (.ci/run runs the suite on both); conftest deselects
# the other's, so neither shows as skipped.
sqlite_only = pytest.mark.backend("sqlite")
postgresql_only = pytest.mark.backend("postgresql")


def _backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    return out.getvalue()


def _restore(path: Path, tmp_path: Path) -> None:
    call_command(
        "restore",
        str(path),
        interactive=False,
        save_to=str(tmp_path / "before-restore.sqlite3"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def _dues(member: Member) -> DuesPayment:
    return DuesPayment.objects.create(
        member=member,
        branch=member.branch,
        month=datetime.date(2026, 3, 1),
        status="paid",
        amount=Decimal("12.50"),
        paid_on=datetime.date(2026, 3, 5),
    )


def _change_everything(cast) -> None:
    Organization.objects.filter(pk=cast.branch_a.pk).update(name="改名后的支部")
    Member.objects.filter(pk=cast.bob_member.pk).delete()
    DuesPayment.objects.all().delete()


def _assert_old_data(cast) -> None:
    assert Organization.objects.get(pk=cast.branch_a.pk).name == "计算机学院教工第一党支部"
    assert Member.objects.filter(pk=cast.bob_member.pk, name="鲍勃").exists()
    assert DuesPayment.objects.get().amount == Decimal("12.50")


@sqlite_only
@pytest.mark.django_db(transaction=True)  # the backup reads the file from its own connection: rows committed
def test_backup_change_restore_brings_the_old_data_back_on_sqlite(cast, tmp_path):
    _dues(cast.bob_member)
    backup = tmp_path / "portal.sqlite3"
    assert "Backed up to" in _backup(backup)
    _change_everything(cast)

    _restore(backup, tmp_path)

    _assert_old_data(cast)
    replaced = sqlite3.connect(tmp_path / "before-restore.sqlite3")  # what the restore replaced is kept
    assert replaced.execute(
        "select name from branches_organization where id = ?", [cast.branch_a.pk]
    ).fetchone() == ("改名后的支部",)
    replaced.close()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_the_sqlite3_shell_finds_a_backup_sound(cast, tmp_path):
    """The operator's check, without Django: the Debian sqlite3 shell (scripts/ensure_test_packages.sh)."""
    assert shutil.which("sqlite3"), "the sqlite3 shell is missing: run scripts/ensure_test_packages.sh"
    _dues(cast.bob_member)
    backup = tmp_path / "portal.sqlite3"
    _backup(backup)
    result = subprocess.run(
        ["sqlite3", str(backup), "pragma integrity_check; pragma foreign_key_check;"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout.strip(), result.stderr.strip()) == (0, "ok", "")
    # A self-contained file: no -wal beside it to lose.
    assert sqlite3.connect(backup).execute("pragma journal_mode").fetchone() == ("delete",)


@sqlite_only
@pytest.mark.django_db
def test_no_check_constraint_or_index_names_a_function_only_django_registers():
    """Django registers django_date_extract, django_date_trunc, REGEXP … on its own connections only;
    month__day=1 once compiled to the first (members 0004 rewrote it with branches.expressions)."""
    schema = "\n".join(
        sql for (sql,) in connection.cursor().execute("select sql from sqlite_master where sql is not null")
    )
    assert not re.findall(r"\bdjango_\w+\s*\(|\bREGEXP\b", schema, flags=re.IGNORECASE)
    assert sqlite_integrity(Path(connection.settings_dict["NAME"])) == "ok"  # a plain connection


@pytest.mark.django_db
def test_the_first_of_month_check_still_holds(cast):
    _dues(cast.bob_member)
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesPayment.objects.create(
            member=cast.alice_member,
            branch=cast.branch_a,
            month=datetime.date(2026, 3, 2),
            status="paid",
            amount=Decimal("1"),
        )
    DuesPayment.objects.create(
        member=cast.alice_member,
        branch=cast.branch_a,
        month=datetime.date(2024, 2, 1),
        status="paid",
        amount=Decimal("1"),
    )
    assert DuesPayment.objects.count() == 2


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_the_database_left_alone(cast, tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    with pytest.raises(CommandError):
        _restore(damaged, tmp_path)
    with pytest.raises(CommandError, match="not a file"):
        _restore(tmp_path / "missing.sqlite3", tmp_path)
    assert Organization.objects.get(pk=cast.branch_a.pk).name == "计算机学院教工第一党支部"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_backup_change_restore_brings_the_old_data_back_on_postgresql(cast, tmp_path):
    _dues(cast.bob_member)
    backup = tmp_path / "portal.dump"
    _backup(backup)
    listing = subprocess.run(["pg_restore", "--list", str(backup)], capture_output=True, text=True)
    assert listing.returncode == 0 and "members_duespayment" in listing.stdout
    _change_everything(cast)

    _restore(backup, tmp_path)

    _assert_old_data(cast)
