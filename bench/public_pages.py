"""The public pages (晾晒) against the minimal view, through gunicorn on PostgreSQL with the demo data.

    .venv/bin/python bench/public_pages.py                 # 2 workers, 16 connections, 10 s per URL
    .venv/bin/python bench/public_pages.py --uncached      # also the same pages with PUBLIC_PAGE_CACHE off
    .venv/bin/python bench/public_pages.py --seconds 20 --connections 32
    .venv/bin/python bench/public_pages.py --fresh         # rebuild the demo database (after migrations changed)

Prints requests per second and p50/p95/p99 for /healthz, a busy unit's page, the index, a post page and a
unit's feed, each with its share of /healthz's throughput (the goal: a unit page at >= 70 %). Then proves
that a publish invalidates the in-memory copies of *both* gunicorn workers: it warms the unit page, publishes
a post in this process (the service, then the on-commit bump of the shared generation in Redis), and asks
for the page 20 times: every answer must show the new post.
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadlib import demo_database, django_setup, row, served, wrk  # noqa: E402

REDIS = "redis://127.0.0.1:6379/14"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def pick_urls(base: str) -> dict[str, str]:
    index = fetch(base + "/open/")
    codes = re.findall(r'data-unit="([^"]+)"', index)
    # The unit page of the branch with the most posts on the index (a busy page, not an empty one).
    counts = re.findall(r'data-unit="([^"]+)">[^<]*</a>\s*<span class="open-meta">(\d+)', index)
    busy = max(counts, key=lambda c: int(c[1]))[0] if counts else codes[0]
    unit = fetch(f"{base}/open/{busy}/")
    post = re.search(rf'href="(/open/{re.escape(busy)}/posts/\d+/)"', unit)
    return {
        "unit page": f"/open/{busy}/",
        "index": "/open/",
        "post page": post.group(1) if post else "/open/",
        "feed": f"/open/{busy}/feed.atom",
        "_code": busy,
    }


def measure(base: str, urls: dict[str, str], args) -> None:
    minimal = wrk(base + "/healthz", connections=args.connections, seconds=args.seconds)
    print(row("/healthz (minimal view)", minimal))
    for label, path in urls.items():
        if label.startswith("_"):
            continue
        print(
            row(
                f"{label} {path}"[:28],
                wrk(base + path, connections=args.connections, seconds=args.seconds),
                minimal,
            )
        )


def invalidation(base: str, url: str, code: str, database_url: str) -> None:
    django_setup(database_url=database_url, redis_url=REDIS)
    from django.db import transaction

    from branches.models import Organization, Role
    from disclosure.models import PostCategory
    from disclosure.services import post_save

    for _ in range(20):
        fetch(base + url)  # both workers hold the page now
    unit = Organization.objects.get(code=code)
    role = Role.objects.current().filter(organization=unit).select_related("user").first()
    title = f"基准测试发布 {Organization.objects.count()}-{PostCategory.objects.count()}"
    with transaction.atomic():
        post = post_save(
            by=role.user,
            organization=unit,
            publish=True,
            data={
                "section": "news",
                "category": PostCategory.objects.get(code="work"),
                "title": title,
                "body": "跨进程失效测试",
                "visibility": "public",
            },
        )
    seen = sum(title in fetch(base + url) for _ in range(20))
    print(f"invalidation across workers: the new post was on {seen} of 20 answers after the publish")
    post.history.all().delete()
    post.delete()
    from disclosure.public_cache import public_pages_invalidate

    public_pages_invalidate(organization=unit)
    if seen != 20:
        raise SystemExit("stale page served after a publish")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="portal_bench4")
    parser.add_argument("--uncached", action="store_true", help="also measure with PUBLIC_PAGE_CACHE=false")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the demo database first")
    args = parser.parse_args()
    url = demo_database(args.database, scale=1, fresh=args.fresh)
    print(
        f"gunicorn, {args.workers} sync workers, PostgreSQL ({args.database}), Redis; wrk "
        f"{args.connections} connections, {args.seconds} s per URL, on the same cores"
    )
    with served(database_url=url, redis_url=REDIS, workers=args.workers) as base:
        urls = pick_urls(base)
        print("-- with the public page cache (disclosure.middleware)")
        measure(base, urls, args)
        invalidation(base, urls["unit page"], urls["_code"], url)
    if args.uncached:
        with served(
            database_url=url, redis_url=REDIS, workers=args.workers, env={"PUBLIC_PAGE_CACHE": "false"}
        ) as base:
            print("-- without it (every request renders)")
            measure(base, urls, args)


if __name__ == "__main__":
    main()
