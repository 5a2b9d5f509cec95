import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from branches.figures import figures_refresh
from branches.workdays import official_calendar_held
from branches.models import (
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUserObjectPermission,
    Role,
    UnitFigures,
)
from members.demo import DEMO_PASSWORD, DemoBuilder, demo_logins_summary, demo_steps, planner_statistics
from members.demo_copy import copies_in_parallel, province_copy
from members.models import Member, StatsSnapshot
from members.rules import add_months


class Command(BaseCommand):
    help = "Load the demo university (DESIGN §1 figures); --scale N builds a province of N universities."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="number of universities (1: no province above)"
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="random seed; the same seed gives the same data"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete all organizations, members, roles, meetings and non-superuser users first",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any organization exists")
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="leave the logins out of the report (make run prints them once, in its box)",
        )

    def handle(
        self, *args, scale: int, seed: int, replace: bool, if_empty: bool, no_logins: bool = False, **options
    ):
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds organizations; demo data not loaded.")
                return
            if not replace:
                raise CommandError("The database already holds organizations; use --replace to start over.")
            self._clear()
        started = time.perf_counter()
        self._show = options.get("verbosity", 1) >= 1
        builder = DemoBuilder(seed=seed, scale=scale, today=timezone.localdate())
        steps = demo_steps()
        copying = scale > builder.drawn  # a province's further universities are copies (members/demo_copy.py)
        # The organisations and people, each app's step, the copies, the dashboard's figures.
        total = len(steps) + 2 + copying
        parallel = copying and copies_in_parallel()
        # All or nothing: a failed step leaves no half-built demo behind. The official calendar is read once
        # for the thousands of working-day dates the steps compute (no step edits it).
        with transaction.atomic(), official_calendar_held():
            self._progress(0, total, "organizations and people", None, started)
            builder.build()
            self._progress(
                1, total, "organizations and people", f"{len(builder.users)} logins", started, done=True
            )
            # What the higher apps add (meetings, …), with random numbers derived from the same seed.
            reports = []
            for index, step in enumerate(steps, start=1):
                self._progress(index, total, step.name, None, started)
                step_started = time.perf_counter()
                if step.analyze_first:
                    planner_statistics()
                report = step.load(builder)
                reports.append((step.name, report))
                self._progress(index + 1, total, step.name, report, step_started, done=True)
            if copying and not parallel:
                reports.append(self._copy(builder, len(steps) + 1, total, started))
        if copying and parallel:
            # Two connections copy at once, so the drawn universities are committed first; a failed copy rolls
            # its own rows back (the workers commit together), and the rest is deleted: still all or nothing.
            try:
                reports.append(self._copy(builder, len(steps) + 1, total, started))
            except BaseException:
                self.stderr.write("The copies failed: the demo is deleted again.")
                self._clear()
                raise
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                "admin", "admin@example.edu.cn", DEMO_PASSWORD, first_name="系统管理员"
            )
        # The dashboard's snapshot, so it shows the demo at once (the beat refreshes it from then on).
        self._progress(total - 1, total, "dashboard figures", None, started)
        figures_started = time.perf_counter()
        planner_statistics()  # the figures read every table the steps and the copies wrote
        # Last month's figures first, then today's: the week's refresh keeps them as ``previous``, so the
        # 组织部's "figures that moved" (issue 22) compares the demo with a month ago from the first page on.
        figures_refresh(today=add_months(builder.today, -1))
        figures = figures_refresh(today=builder.today)
        self._progress(
            total, total, "dashboard figures", f"{figures.units} units", figures_started, done=True
        )
        reports.append(("dashboard figures", f"{figures.units} units in {figures.seconds:.1f} s"))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {elapsed:.1f} s: {Organization.objects.count()} organizations, "
                f"{Member.objects.count()} people ({Member.objects.party_members().count()} party members), "
                f"{get_user_model().objects.count()} logins."
            )
        )
        for name, report in reports:
            first, *more = str(report).split("\n")  # a report's further lines (codes, shares), one a line
            self.stdout.write(f"  {name}: {first}")
            for line in more:
                self.stdout.write(f"    {line}")
        if no_logins:
            return
        self.stdout.write(f"Demo password for every login: {DEMO_PASSWORD}")
        for username, what in demo_logins_summary(scale):
            self.stdout.write(f"  {username:<8} {what}")

    def _copy(self, builder: DemoBuilder, index: int, total: int, started: float) -> tuple[str, str]:
        name = f"universities {builder.drawn + 1}–{builder.scale}"
        self._progress(index, total, name, None, started)
        step_started = time.perf_counter()
        report = province_copy(builder, progress=self._copied(step_started))
        self._progress(index + 1, total, name, report, step_started, done=True)
        return name, report

    def _copied(self, since: float):
        """A line each tenth of the copies (a province's take minutes)."""

        def line(done: int, total: int) -> None:
            if getattr(self, "_show", True) and (done == total or done % max(1, total // 10) == 0):
                self.stderr.write(
                    f"    {done}/{total} copied ({time.perf_counter() - since:.1f} s)", style_func=lambda t: t
                )
                self.stderr.flush()

        return line

    def _progress(
        self, index: int, total: int, name: str, report, since: float, *, done: bool = False
    ) -> None:
        """One line per step as it starts and ends (to stderr, so the summary on stdout stays the same):
        a bar of the steps done, the step's name, and when it ends its count and seconds."""
        if not getattr(self, "_show", True):
            return
        width = 20
        filled = round(width * index / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        if done:
            count = str(report).split("\n")[0] if report is not None else ""
            line = f"[{bar}] {index:>2}/{total} {name}: {count} ({time.perf_counter() - since:.1f} s)"
        else:
            line = f"[{bar}] {index:>2}/{total} {name} …"
        self.stderr.write(line, style_func=lambda text: text)  # progress, not an error: no red
        self.stderr.flush()

    @transaction.atomic
    def _clear(self) -> None:
        for step in reversed(demo_steps()):  # higher apps' rows point at organizations and members
            step.clear()
        # Plain DELETEs, children first: the ORM's delete would write a "deleted" history row per object
        # (tens of thousands here) before deleting.
        tables = [
            StatsSnapshot,
            UnitFigures,
            OrganizationUserObjectPermission,
            OrganizationGroupObjectPermission,
            Role,
            Member,
            Organization,
            Member.history.model,
            Role.history.model,
            Organization.history.model,
        ]
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        get_user_model().objects.filter(is_superuser=False).delete()
