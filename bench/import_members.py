"""How fast is the member spreadsheet import, against a plain bulk insert of the same rows?

    .venv/bin/python bench/import_members.py [--rows 10000] [--repeat 3] [--profile] [--keep]

Builds a throwaway SQLite database in a temporary directory (never touches var/ or DATABASE_URL), a
university with one committee and 20 branches, and an xlsx of ``--rows`` valid members. Then, best of
``--repeat`` runs with empty member tables before each:

* parse     ``branches.spreadsheets.read_xlsx`` alone (the guard, then calamine → tablib);
* import    ``members.services.member_import`` on the file's bytes: parse, validate, insert members and
            their history rows, in one transaction;
* re-import the same file again, so every row is an update (reported for information);
* plain     ``Member.objects.bulk_create`` of the same rows already built as ``Member`` objects (no
            parsing, no validation, no history).

Goals: import under 1.5 s and under 3× plain. The exit status is 0 when both hold, 1 otherwise.
``--profile`` prints the top of a cProfile of one import.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import os
import platform
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IMPORT_GOAL_SECONDS = 1.5
IMPORT_GOAL_RATIO = 3.0
BRANCHES = 20


def best_of(repeat: int, run: Callable[[], object], *, before: Callable[[], None] | None = None) -> float:
    """The fastest of ``repeat`` timed calls of ``run``; ``before`` (untimed) resets state before each."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="data rows in the file (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each step; the best counts")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one import")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (path printed)")
    args = parser.parse_args()

    if not 1 <= args.rows <= 365_000:  # tests.xlsx_helpers.member_row's distinct ID numbers
        parser.error("--rows must be between 1 and 365000")

    var_dir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    # Before Django reads its settings: a private var/ (SQLite file, secret key) and no external database.
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DEBUG"] = "0"  # DEBUG would log every query and slow the import down
    os.environ.pop("DATABASE_URL", None)
    # Let --rows go past the import's row limit (bytes: about 50 per row) rather than measure a refusal.
    os.environ["MEMBER_IMPORT_MAX_ROWS"] = str(max(50_000, args.rows))
    os.environ["MEMBER_IMPORT_MAX_BYTES"] = str(max(10 * 1024 * 1024, args.rows * 200))
    # Celery's Django fix-up puts the working directory first on sys.path: make that this checkout.
    os.chdir(ROOT)
    try:
        return run(args, var_dir)
    finally:
        if args.keep:
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace, var_dir: Path) -> int:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction

    from branches.models import Organization
    from branches.services import organization_create
    from members.models import Member
    from branches.spreadsheets import read_xlsx
    from members.services import member_import
    from tests.xlsx_helpers import build_xlsx, member_row

    call_command("migrate", verbosity=0)

    K = Organization.Kind
    university = organization_create(parent=None, kind=K.UNIVERSITY, name="基准测试大学党委", code="BENCH-U")
    committee = organization_create(
        parent=university, kind=K.COMMITTEE, name="基准测试学院党委", code="BENCH-C"
    )
    branches = [
        organization_create(
            parent=committee,
            kind=K.BRANCH,
            name=f"第{i + 1}党支部",
            code=f"BENCH-B{i + 1:02d}",
            category="teacher",
        )
        for i in range(BRANCHES)
    ]
    rows = [member_row(i, branch_code=branches[i % BRANCHES].code) for i in range(args.rows)]
    data = build_xlsx(rows)
    by_code = {b.code: b for b in branches}

    def as_members() -> list[Member]:
        """The file's rows as unsaved Member objects: what import would insert, minus parsing and checks."""
        date = datetime.date.fromisoformat
        return [
            Member(
                name=r["姓名"],
                gender="F" if r["性别"] == "女" else "M",
                ethnicity=r["民族"],
                birth_date=date(r["出生日期"]),
                id_number=r["身份证号"],
                phone=r["手机号"],
                category="teacher",
                stage="full",
                branch=by_code[r["所在支部编码"]],
                applied_on=date(r["申请入党日期"]),
                joined_on=date(r["入党日期"]),
                full_on=date(r["转正日期"]),
            )
            for r in rows
        ]

    history_table = Member.history.model._meta.db_table

    def empty_tables() -> None:
        # Raw DELETEs: the ORM's delete() would collect 10,000 objects and their relations first.
        with connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM "{history_table}"')
            cursor.execute(f'DELETE FROM "{Member._meta.db_table}"')

    def do_import() -> None:
        report = member_import(data=data, filename="bench.xlsx", scope=committee, by=None)
        if not report.ok or report.created + report.updated != args.rows:
            raise SystemExit(f"import failed: {report.errors[:5]}")

    pending: list[list[Member]] = []

    def prepare_plain() -> None:
        empty_tables()
        pending.append(as_members())  # built untimed; bulk_create sets their pks, so fresh ones each run

    def do_plain() -> None:
        with transaction.atomic():
            Member.objects.bulk_create(pending.pop())

    parse_s = best_of(args.repeat, lambda: read_xlsx(data))
    import_s = best_of(args.repeat, do_import, before=empty_tables)
    history_rows = Member.history.count()
    empty_tables()
    do_import()
    update_s = best_of(args.repeat, do_import)
    plain_s = best_of(args.repeat, do_plain, before=prepare_plain)
    ratio = import_s / plain_s

    import_ok = import_s < IMPORT_GOAL_SECONDS
    ratio_ok = ratio < IMPORT_GOAL_RATIO
    print(
        f"member import benchmark — Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"best of {args.repeat}"
    )
    size = f"{len(data) / 1024:,.0f} KiB xlsx, {BRANCHES} branches"
    print(f"  rows                      {args.rows:>10,}   ({size})")
    print(f"  parse only (read_xlsx)    {parse_s:>10.3f} s")
    print(
        f"  import (member_import)    {import_s:>10.3f} s   ({args.rows / import_s:,.0f} rows/s, "
        f"{history_rows:,} history rows)"
    )
    print(f"  re-import (all updates)   {update_s:>10.3f} s")
    print(f"  plain bulk_create         {plain_s:>10.3f} s")
    print(f"  import / plain            {ratio:>10.2f} ×")
    if args.rows != 10_000:
        print("  (the goals are set for 10,000 rows)")
    print(f"  goal: import < {IMPORT_GOAL_SECONDS} s          {'yes' if import_ok else 'NO'}")
    print(f"  goal: import < {IMPORT_GOAL_RATIO:g}× plain         {'yes' if ratio_ok else 'NO'}")

    if args.profile:
        empty_tables()
        profiler = cProfile.Profile()
        profiler.runcall(do_import)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue())

    return 0 if import_ok and ratio_ok else 1


if __name__ == "__main__":
    sys.exit(main())
