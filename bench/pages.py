"""Every GET page the crawl knows (tests/crawl/), per persona, through gunicorn on PostgreSQL (issue 17.2).

    .venv/bin/python bench/pages.py                       # scale 1, 4 clients, 24 requests a page
    .venv/bin/python bench/pages.py --scales 1 100        # also the province (100 universities)
    .venv/bin/python bench/pages.py --requests 8 --only members:unit   # a quick look at some patterns

For each scale, the demo database (``portal_pages<scale>``: ``load_demo --scale N``) is created and loaded
once (bench/loadlib.py) and its snapshots refreshed. A child process (Django on that database) maps the
crawl's world onto the demo — its units U, C1, C2, A, B become the first university, its committee 01 and
02 and a branch of each; its personas the demo logins (``zzb``, ``dw01``, ``zz01``, ``zb…``, ``dy…``,
``pw01``); each object it names the demo's own of that kind on the right side — then asks every crawl entry
(tests/crawl/registry.py) for its targets and keeps each (persona, URL) whose rule answers 200 to a GET of an
HTML page: the pages people actually open. Sessions are made in-process (the cookie goes to the clients).

gunicorn (2 sync workers) then serves the database; for each page, 4 client threads send ``--requests``
requests between them on keep-alive connections, after one warm-up request; ``/healthz`` is measured the same
way at the start and the end of the run. Printed per page: status, p50, p95 and p95's ratio to ``/healthz``'s.

Goals (issue 17): every page's p95 ≤ 300 ms at scale 1 and ≤ 500 ms at scale 100; the university's overview
(``members:unit`` of U as ``zzb``) within 2× a branch's (A as ``zb…``). Exit status 1 when one is missed.
The load runs on the same 2 cores as the server: compare a page with ``/healthz`` of the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadlib import PYTHON, _manage, bench_environment, demo_database, served  # noqa: E402

CLIENTS = 4
GOAL_MS = {1: 300.0, 100: 500.0}
GOAL_OVERVIEW_RATIO = 2.0
# The crawl's personas as demo logins (README: demo logins). Committee 01's first branch is A, committee 02's
# first branch is B.
PERSONA_LOGINS = {
    "anonymous": None,
    "member": "dy001",
    "secretary_a": None,
    "secretary_b": None,
    "committee_secretary": "dw01",
    "commissioner": "zz01",
    "reviewer": "pw01",
    "zzb": "zzb",
}


# --- the child process: map the crawl's world onto the demo, list the pages, make the sessions -----------------


def _plan(only: list[str]) -> dict:
    import datetime

    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from branches.models import Organization, Role
    from members.models import Member
    from tests.crawl import assessments, disclosure, members, projects, site  # noqa: F401  (they register)
    from tests.crawl.registry import REGISTRY

    users = get_user_model().objects
    university = Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("path").first()
    committees = list(
        Organization.objects.filter(
            path__startswith=university.path, depth=university.depth + 1, kind=Organization.Kind.COMMITTEE
        ).order_by("path")[:2]
    )
    branches = [
        Organization.objects.filter(path__startswith=c.path, kind=Organization.Kind.BRANCH, is_active=True)
        .order_by("path")
        .first()
        for c in committees
    ]
    secretaries = [
        Role.objects.filter(organization=b, kind=Role.Kind.SECRETARY).select_related("user").first()
        for b in branches
    ]
    logins = dict(
        PERSONA_LOGINS, secretary_a=secretaries[0].user.username, secretary_b=secretaries[1].user.username
    )
    member = (
        users.filter(member__branch=branches[0]).exclude(pk=secretaries[0].user_id).order_by("pk").first()
    )
    if member is not None:
        logins["member"] = member.username

    class Cast:
        pass

    cast = Cast()
    cast.university, (cast.c1, cast.c2), (cast.branch_a, cast.branch_b) = university, committees, branches
    people = {persona: users.get(username=login) if login else None for persona, login in logins.items()}
    cast.alice, cast.bob, cast.charlie = people["secretary_a"], people["member"], people["secretary_b"]
    cast.officer = people["commissioner"]
    records = {m.user_id: m for m in Member.objects.filter(user__in=[cast.alice, cast.bob, cast.charlie])}
    cast.alice_member, cast.bob_member, cast.charlie_member = (
        records.get(cast.alice.pk),
        records.get(cast.bob.pk),
        records.get(cast.charlie.pk),
    )
    world = _DemoWorld(cast, people)
    today = datetime.date.today()
    pages, skipped = [], []
    for name, entry in REGISTRY.items():
        if entry.is_action or not entry.html or (only and not any(name.startswith(o) for o in only)):
            continue
        try:
            with transaction.atomic():  # a target that builds its row and fails leaves nothing half-written
                targets = entry.targets(world)
        except _Missing as exc:
            skipped.append(f"{name}: no {exc} in the demo")
            continue
        except (AttributeError, AssertionError) as exc:  # no counterpart here, or not on A's or B's side
            skipped.append(f"{name}: {exc}")
            continue
        except (
            ValidationError,
            IntegrityError,
        ) as exc:  # the crawl's row already in the demo (e.g. an evaluation)
            skipped.append(f"{name}: the crawl's set-up refused on the demo ({exc})")
            continue
        for target in targets:
            if target.query or target.headers or target.rule is not None:
                continue  # hostile queries and fragments: the crawl's business, not the load's
            kwargs = dict(target.kwargs)
            if "year" in kwargs and kwargs["year"] in (1, 9999):
                continue
            if "year" in kwargs and kwargs["year"] == world.crawl_year:
                kwargs["year"] = today.year
            try:
                url = reverse(name, kwargs=kwargs)
            except Exception as exc:  # noqa: BLE001
                skipped.append(f"{name}: {exc}")
                continue
            for persona in logins:
                if entry.get(persona, target) == 200:
                    pages.append({"name": name, "target": target.label, "persona": persona, "url": url})
    # One of each (name, target, persona) is enough; the same URL for two personas stays two rows.
    sessions = {}
    for persona, login in logins.items():
        if login is None:
            continue
        client = Client()
        client.force_login(users.get(username=login), backend="config.cas.LocalPasswordBackend")
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "pages": pages,
        "skipped": skipped,
        "sessions": sessions,
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "logins": logins,
        "units": {"U": university.pk, "A": branches[0].pk},
    }


class _Missing(Exception):
    pass


class _DemoWorld:
    """What tests/crawl/registry.py asks of a world (``cast``, ``users``, ``objects``), answered from the
    demo: each named object is the demo's first of its kind on A's side ("in") or B's ("out")."""

    crawl_year = None

    def __init__(self, cast, users):
        from tests.crawl.world import YEAR

        self.cast, self.users = cast, users
        self.crawl_year = YEAR
        self.objects = _Objects(cast)

    def __getattr__(self, name):
        return self.__dict__["objects"][name]


class _Objects(dict):
    def __init__(self, cast):
        super().__init__()
        self.cast = cast

    def __missing__(self, name):
        pair = {
            side: self._find(name, branch, committee)
            for side, branch, committee in (
                ("in", self.cast.branch_a, self.cast.c1),
                ("out", self.cast.branch_b, self.cast.c2),
            )
        }
        self[name] = pair
        return pair

    def _find(self, name, branch, committee):
        from assessments import models as am
        from disclosure import models as dm
        from members import models as mm
        from projects import models as pm

        lookups = {
            "meeting": lambda: dm.Meeting.objects.filter(organization=branch).exclude(status="draft"),
            "draft_meeting": lambda: dm.Meeting.objects.filter(organization=branch, status="draft"),
            "attachment": lambda: dm.MeetingAttachment.objects.filter(meeting__organization=branch),
            "post": lambda: dm.Post.objects.filter(organization=branch, status="published"),
            "pending_post": lambda: dm.Post.objects.filter(
                organization__path__startswith=committee.path, status="pending"
            ),
            "post_attachment": lambda: dm.PostAttachment.objects.filter(post__organization=branch),
            "case": lambda: mm.DevelopmentCase.objects.filter(member__branch=branch),
            "applicant": lambda: mm.Member.objects.filter(branch=branch, stage="applicant"),
            "document": lambda: mm.DevelopmentDocument.objects.filter(step__case__member__branch=branch),
            "transfer": lambda: mm.Transfer.objects.filter(from_branch=branch),
            "campaign": lambda: am.RatingCampaign.objects.filter(status="published"),
            "closed_campaign": lambda: am.RatingCampaign.objects.filter(status="closed"),
            "target": lambda: am.RatingTarget.objects.filter(organization=branch),
            "code": lambda: am.RatingCode.objects.filter(unit=branch),
            "assessment": lambda: am.Assessment.objects.filter(organization=branch).order_by("-cycle__year"),
            "item": lambda: am.AssessmentItem.objects.filter(assessment__organization=branch),
            "table": lambda: am.IndicatorTable.objects.all(),
            "indicator": lambda: am.Indicator.objects.all(),
            "call": lambda: pm.GrantCall.objects.all(),
            "grant": lambda: pm.Grant.objects.filter(organization__path__startswith=committee.path),
            "draft_grant": lambda: pm.Grant.objects.filter(organization=branch, status="draft"),
            "grant_file": lambda: pm.GrantFile.objects.filter(grant__organization=branch),
        }
        if name not in lookups:
            raise _Missing(name)
        try:
            found = lookups[name]()
            found = (found if found.query.order_by else found.order_by("pk")).first()
        except Exception as exc:  # noqa: BLE001  (a model or a status that this demo does not have)
            raise _Missing(f"{name} ({exc.__class__.__name__})") from None
        if found is None:
            raise _Missing(name)
        return found


def child_main(only: list[str]) -> None:
    import django

    django.setup()
    print("PLAN_JSON " + json.dumps(_plan(only)))


# --- the load -------------------------------------------------------------------------------------------------


def load(base: str, path: str, *, cookie: str | None, requests: int, clients: int = CLIENTS) -> dict:
    """``requests`` GETs of ``path`` from ``clients`` threads on keep-alive connections, after one warm-up;
    returns the status seen, p50 and p95 in ms and the body's size."""
    parts = urlsplit(base)
    headers = {"Cookie": cookie} if cookie else {}
    latencies: list[float] = []
    statuses: set[int] = set()
    size = [0]
    lock = threading.Lock()
    remaining = [requests]

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.request("GET", path, headers=headers)
        connection.getresponse().read()
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses.add(response.status)
                size[0] = len(body)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, max(0, round(0.95 * len(latencies)) - 1))]
    return {
        "statuses": sorted(statuses),
        "p50_ms": statistics.median(latencies),
        "p95_ms": p95,
        "bytes": size[0],
    }


def run_scale(
    scale: int, *, requests: int, only: list[str], fresh: bool, prefix: str = "portal_pages"
) -> tuple[list[dict], list[str]]:
    url = demo_database(f"{prefix}{scale}", scale=scale, fresh=fresh)
    environment = bench_environment(database_url=url)
    _manage("figures_refresh", environment=environment)
    child = subprocess.run(
        [PYTHON, __file__, "--child", *(["--only", *only] if only else [])],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    if child.returncode:  # the plan failed: show why instead of a bare CalledProcessError
        sys.stderr.write(child.stderr[-4000:])
        raise SystemExit(f"the plan (bench/pages.py --child) failed with status {child.returncode}")
    line = next(line for line in child.stdout.splitlines() if line.startswith("PLAN_JSON "))
    plan = json.loads(line.removeprefix("PLAN_JSON "))
    for note in plan["skipped"]:
        print(f"  skipped {note}", file=sys.stderr)
    print(
        f"scale {scale}: {len(plan['pages'])} pages as {len(plan['logins'])} personas "
        f"({', '.join(f'{p}={u}' for p, u in plan['logins'].items())})",
        file=sys.stderr,
    )
    results, misses = [], []
    goal = GOAL_MS.get(scale, GOAL_MS[100])
    with served(database_url=url, workers=2) as base:
        health = [load(base, "/healthz", cookie=None, requests=requests * 4)]
        for page in plan["pages"]:
            session = plan["sessions"].get(page["persona"])
            cookie = f"{plan['cookie_name']}={session}" if session else None
            result = load(base, page["url"], cookie=cookie, requests=requests) | page
            results.append(result)
            print(
                f"  {len(results)}/{len(plan['pages'])} {page['name']} {page['target']} as {page['persona']}: "
                f"p95 {result['p95_ms']:.0f} ms",
                file=sys.stderr,
            )
        health.append(load(base, "/healthz", cookie=None, requests=requests * 4))
    healthz_p95 = statistics.mean(h["p95_ms"] for h in health)
    print(
        f"\nscale {scale} — /healthz p50 {health[0]['p50_ms']:.1f} / {health[1]['p50_ms']:.1f} ms, "
        f"p95 {health[0]['p95_ms']:.1f} / {health[1]['p95_ms']:.1f} ms (start / end); goal p95 ≤ {goal:.0f} ms"
    )
    print(
        f"{'page':<44} {'target':<8} {'persona':<20} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'×healthz':>9} {'kB':>6}"
    )
    for r in sorted(results, key=lambda r: -r["p95_ms"]):
        ok = r["statuses"] == [200] and r["p95_ms"] <= goal
        print(
            f"{r['name']:<44} {r['target']:<8} {r['persona']:<20} {','.join(map(str, r['statuses'])):>6} "
            f"{r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p95_ms'] / healthz_p95:9.1f} {r['bytes'] / 1024:6.0f}"
            f"{'' if ok else '  ✘'}"
        )
        if not ok:
            misses.append(
                f"scale {scale}: {r['name']} {r['target']} as {r['persona']}: "
                f"status {r['statuses']}, p95 {r['p95_ms']:.0f} ms"
            )
    overview = {
        r["target"]: r
        for r in results
        if r["name"] == "members:unit" and (r["target"], r["persona"]) in {("U", "zzb"), ("A", "secretary_a")}
    }
    if {"U", "A"} <= overview.keys():
        ratio = overview["U"]["p95_ms"] / overview["A"]["p95_ms"]
        print(f"university overview p95 / branch overview p95: {ratio:.2f} (goal ≤ {GOAL_OVERVIEW_RATIO})")
        if ratio > GOAL_OVERVIEW_RATIO:
            misses.append(f"scale {scale}: the university's overview is {ratio:.2f}× a branch's")
    return results, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    parser.add_argument("--requests", type=int, default=24, help="requests per page, shared by the 4 clients")
    parser.add_argument("--only", nargs="*", default=[], help="URL pattern names (or their prefixes) to load")
    parser.add_argument("--fresh", action="store_true", help="drop and reload the demo databases first")
    parser.add_argument(
        "--database-prefix",
        default="portal_pages",
        help="the demo databases' names: PREFIX1, PREFIX100 (default portal_pages)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.only)
        return 0
    misses = []
    for scale in args.scales:
        misses += run_scale(
            scale, requests=args.requests, only=args.only, fresh=args.fresh, prefix=args.database_prefix
        )[1]
    if misses:
        print("\ngoals missed:\n  " + "\n  ".join(misses))
        return 1
    print("\nevery goal holds")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
