"""The crawl's pages in-process, one request at a time: time, query count and the slowest queries (issue 17).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_h17 \\
        .venv/bin/python bench/inprocess.py --only projects:home members:transfers --repeat 5 --slow 3

The pages and personas are those of ``bench/pages.py`` (its ``_plan``: the crawl's world mapped onto the demo in
the database ``DATABASE_URL`` names, which must be loaded and its snapshots refreshed). Each page is requested
through Django's test client (the whole middleware stack) ``--repeat`` times after one warm-up; printed per
page: the best time, the query count, the size, and with ``--slow N`` the N slowest queries of the last run.
Where the machine is shared, the query counts and the queries' own times say more than the wall clock.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="URL pattern names (or their prefixes)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slow", type=int, default=0, help="print the N slowest queries of each page")
    parser.add_argument("--persona", nargs="*", default=[], help="only these personas")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="PostgreSQL: run each SELECT of the last request again under EXPLAIN ANALYZE and print the "
        "sum of the server's execution times (steadier than the wall clock on a loaded machine)",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.pages import _plan

    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    # Hashed static names need collectstatic's manifest: the plain storage serves the same pages without it.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    plan = _plan(args.only)
    users = {
        login: get_user_model().objects.get(username=login) for login in plan["logins"].values() if login
    }
    print(
        f"{'page':<34} {'persona':<20} {'best ms':>8} {'queries':>7} {'kB':>6}"
        + (f" {'db ms':>7}" if args.explain else "")
        + "  url"
    )
    for page in plan["pages"]:
        if args.persona and page["persona"] not in args.persona:
            continue
        client = Client(HTTP_HOST="localhost")
        login = plan["logins"].get(page["persona"])
        if login:
            client.force_login(users[login], backend="config.cas.LocalPasswordBackend")
        client.get(page["url"], secure=True)  # warm-up
        best = None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(page["url"], secure=True)
                elapsed = (time.perf_counter() - started) * 1000
            best = elapsed if best is None else min(best, elapsed)
        size = len(response.content) / 1024
        server = f" {_server_ms(connection, queries.captured_queries):7.1f}" if args.explain else ""
        print(
            f"{page['name']:<34} {page['persona']:<20} {best:8.1f} {len(queries):7d} {size:6.1f}{server}  {page['url']}"
            + (
                ""
                if response.status_code == 200
                else f"  [{response.status_code} {response.get('Location', '')}]"
            )
        )
        if args.slow:
            for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[: args.slow]:
                print(f"      {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
    return 0


def _server_ms(connection, captured: list[dict]) -> float:
    """The sum of PostgreSQL's own execution times for the request's SELECTs (EXPLAIN ANALYZE, best of 3)."""
    total = 0.0
    with connection.cursor() as cursor:
        for query in captured:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            best = None
            for _ in range(3):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                ms = cursor.fetchone()[0][0]["Execution Time"]
                best = ms if best is None else min(best, ms)
            total += best
    return total


if __name__ == "__main__":
    sys.exit(main())
