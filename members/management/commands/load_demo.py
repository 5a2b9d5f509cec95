import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from branches.models import Organization, Role
from members.demo import DEMO_PASSWORD, DemoBuilder, demo_logins_summary
from members.models import Member, StatsSnapshot


class Command(BaseCommand):
    help = "Load the demo university (DESIGN §1 figures); --scale N builds a province of N universities."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="number of universities (1: no province above)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed; the same seed gives the same data")
        parser.add_argument("--replace", action="store_true",
                            help="delete all organizations, members, roles and non-superuser users first")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any organization exists")

    def handle(self, *args, scale: int, seed: int, replace: bool, if_empty: bool, **options):
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
        builder = DemoBuilder(seed=seed, scale=scale, today=timezone.localdate())
        builder.build()
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.edu.cn", DEMO_PASSWORD, first_name="系统管理员")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded in {elapsed:.1f} s: {Organization.objects.count()} organizations, "
            f"{Member.objects.count()} people ({Member.objects.party_members().count()} party members), "
            f"{len(builder.users)} logins."
        ))
        self.stdout.write(f"Demo password for every login: {DEMO_PASSWORD}")
        for username, what in demo_logins_summary(scale):
            self.stdout.write(f"  {username:<8} {what}")

    @transaction.atomic
    def _clear(self) -> None:
        StatsSnapshot.objects.all().delete()
        Member.objects.all().delete()
        Role.objects.all().delete()
        Organization.objects.all().delete()
        Member.history.all().delete()
        Organization.history.all().delete()
        Role.history.all().delete()
        get_user_model().objects.filter(is_superuser=False).delete()
