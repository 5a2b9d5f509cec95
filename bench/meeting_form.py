"""How fast is the new-meeting form of a big unit, and does its attendance save? (issue 14 item 5)

    .venv/bin/python bench/meeting_form.py [--people 2000] [--repeat 5] [--profile]

Builds a throwaway SQLite database in a temporary directory (never touches var/ or DATABASE_URL): one branch
with ``--people`` party members and its secretary. Then, in-process through the whole middleware stack
(Django's test client), best and median of ``--repeat`` runs of:

* healthz   ``GET /healthz`` — the floor every figure is compared with;
* form      ``GET`` the branch's new-meeting form (every member a row: a status and a reason);
* save      ``POST`` it as the page's script sends it: only the rows that differ from "present" (here 3);
* save-all  ``POST`` every row, as a browser without JavaScript sends it (two fields a person).

Goal: the form ≤ 1 s for 2,000 people, and both saves store one record with every person's attendance.
The exit status is 0 when they hold, 1 otherwise. ``--profile`` prints the top of a cProfile of one GET.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORM_GOAL_SECONDS = 1.0


def timed(repeat: int, run) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000, help="party members of the branch (default 2000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each step")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one GET of the form")
    args = parser.parse_args()
    if not 1 <= args.people <= 20_000:
        parser.error("--people must be between 1 and 20000")
    var_dir = Path(tempfile.mkdtemp(prefix="bench-meeting-"))
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DEBUG"] = "0"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.chdir(ROOT)
    try:
        return run(args)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from branches.models import Organization, Role
    from branches.services import organization_create, role_assign
    from disclosure.models import Attendance, Meeting
    from members.models import Member

    settings.ALLOWED_HOSTS = ["*"]
    # No collectstatic in a throwaway directory: static URLs unhashed (what they cost is not the point here).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    K = Organization.Kind
    university = organization_create(parent=None, kind=K.UNIVERSITY, name="基准测试大学党委", code="BENCH-U")
    committee = organization_create(
        parent=university, kind=K.COMMITTEE, name="基准测试学院党委", code="BENCH-C"
    )
    branch = organization_create(
        parent=committee, kind=K.BRANCH, name="学生党支部", code="BENCH-B", category="student"
    )
    secretary = get_user_model().objects.create_user("bench-secretary", password="x")
    role_assign(user=secretary, organization=branch, kind=Role.Kind.SECRETARY)
    joined = datetime.date(2020, 6, 1)
    Member.objects.bulk_create(
        Member(
            name=f"学生{i:05d}",
            gender="F" if i % 2 else "M",
            birth_date=datetime.date(2000, 1, 1),
            category="student",
            stage=Member.Stage.FULL,
            branch=branch,
            joined_on=joined,
            full_on=joined,
        )
        for i in range(args.people)
    )
    people = list(Member.objects.filter(branch=branch).values_list("pk", flat=True))

    client = Client()
    client.force_login(secretary)
    url = reverse("disclosure:create", args=[branch.pk])
    health = Client()

    def get_form():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def form_data(*, everyone: bool, n: int) -> dict:
        held = timezone.localtime() - datetime.timedelta(days=1, minutes=n)
        data = {
            "kind": "general_assembly",
            "held_at": held.strftime("%Y-%m-%dT%H:%M"),
            "topics": "学习党章",
            "visibility": "internal",
            "action": "save",
        }
        away = {people[0]: "leave", people[1]: "absent", people[2]: "leave"}
        for pk in people if everyone else away:
            status = away.get(pk, "present")
            data[f"att-status_{pk}"] = status
            data[f"att-reason_{pk}"] = "出差" if status != "present" else ""
        return data

    saved: list[int] = []

    def post(everyone: bool):
        def go():
            before = Meeting.objects.count()
            response = client.post(url, form_data(everyone=everyone, n=len(saved)))
            assert response.status_code == 302, (response.status_code, response.content[:300])
            assert Meeting.objects.count() == before + 1
            saved.append(1)

        return go

    get_form()  # warm caches (templates, translations)
    rows = [
        ("healthz", *timed(args.repeat, lambda: health.get("/healthz"))),
        ("form", *timed(args.repeat, get_form)),
        ("save", *timed(args.repeat, post(everyone=False))),
        ("save-all", *timed(args.repeat, post(everyone=True))),
    ]
    size = len(client.get(url).content)
    last = Meeting.objects.order_by("-pk").first()
    stored = Attendance.objects.filter(meeting=last).count()
    print(
        f"branch of {args.people} party members; form {size / 1024:.0f} kB; "
        f"last record: {stored} attendance rows, {last.present_count} present, {last.leave_count} on leave"
    )
    floor = rows[0][1]
    print(f"{'step':10} {'best ms':>9} {'median ms':>10} {'× healthz':>10}")
    for name, best, median in rows:
        print(f"{name:10} {best * 1000:9.1f} {median * 1000:10.1f} {best / floor:10.1f}")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(get_form)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    ok = rows[1][1] <= FORM_GOAL_SECONDS and stored == args.people
    print(f"form ≤ {FORM_GOAL_SECONDS:.0f} s and every person's attendance stored: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
