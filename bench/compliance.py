"""How long does meeting compliance take for a whole university (or a province of them)?

    .venv/bin/python bench/compliance.py [--scale N] [--seed S] [--repeat 5] [--profile] [--keep]

Builds a throwaway SQLite database in a temporary directory (never touches var/ or DATABASE_URL), loads the
demo with ``load_demo --scale N`` (one university at scale 1, a province of N universities above that,
each with its year of meetings), then times ``disclosure.selectors.compliance`` for the root — the
university, or the province — for the current year: best of ``--repeat`` runs, with the number of SQL
queries one run makes (it must stay 4 whatever the size).

Goal: the whole demo university (scale 1) in under 1 s. The exit status is 0 when that holds (or when
``--scale`` > 1, which is reported for information), 1 otherwise.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 1.0
GOAL_QUERIES = 4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="universities (1: one university, no province)")
    parser.add_argument("--seed", type=int, default=2026, help="load_demo's seed (default 2026)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best counts (default 5)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (path printed)")
    args = parser.parse_args()
    if args.scale < 1 or args.repeat < 1:
        parser.error("--scale and --repeat must be at least 1")

    var_dir = Path(tempfile.mkdtemp(prefix="bench-compliance-"))
    # Before Django reads its settings: a private var/ (SQLite file, secret key) and no external database.
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DEBUG"] = "0"  # DEBUG would log every query; CaptureQueriesContext counts them anyway
    os.environ.pop("DATABASE_URL", None)
    # Celery's Django fix-up puts the working directory first on sys.path: make that this checkout.
    os.chdir(ROOT)
    try:
        return run(args)
    finally:
        if args.keep:
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from branches.models import Organization
    from disclosure.models import Meeting
    from disclosure.selectors import compliance

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("load_demo", scale=args.scale, seed=args.seed, stdout=io.StringIO())
    load_s = time.perf_counter() - started

    root = Organization.objects.get(depth=1)
    today = timezone.localdate()
    branches = (
        Organization.objects.subtree_of(root).filter(kind=Organization.Kind.BRANCH, is_active=True).count()
    )
    meetings = Meeting.objects.filter(organization__path__startswith=root.path).count()
    this_year = Meeting.objects.filter(
        organization__path__startswith=root.path, held_at__year=today.year
    ).count()

    def once():
        return compliance(root=root, year=today.year, today=today)

    once()  # warm the page cache and Django's caches; not timed
    times = []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            report = once()
            times.append(time.perf_counter() - start)
    best = min(times)
    behind = sum(1 for entry in report if entry.behind)
    cells = sum(len(row.cells) for entry in report for row in entry.rows)

    goal_ok = best < GOAL_SECONDS and len(queries) == GOAL_QUERIES
    print(
        f"compliance benchmark — Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"best of {args.repeat}"
    )
    print(f"  root                      {root.name} (scale {args.scale})")
    print(f"  load_demo                 {load_s:>10.1f} s   (untimed setup)")
    print(f"  branches                  {branches:>10,}")
    print(f"  meetings                  {meetings:>10,}   ({this_year:,} in {today.year})")
    print(
        f"  compliance({today.year})          {best:>10.3f} s   (median {sorted(times)[len(times) // 2]:.3f} s; "
        f"{cells:,} cells, {behind} branches behind)"
    )
    print(f"  queries                   {len(queries):>10}")
    if args.scale == 1:
        print(f"  goal: < {GOAL_SECONDS:g} s in {GOAL_QUERIES} queries    {'yes' if goal_ok else 'NO'}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(once)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(15)
        print(out.getvalue())

    return 0 if goal_ok or args.scale > 1 else 1


if __name__ == "__main__":
    sys.exit(main())
