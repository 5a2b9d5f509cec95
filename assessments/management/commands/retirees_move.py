"""Move a year's untouched draft assessments of retiree branches to their own light table (issue 18)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from assessments.services.retirees import retirees_move


class Command(BaseCommand):
    help = "Move the year's untouched draft assessments of retiree branches to the retiree table."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="the cycle's year (default: this year)")

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year
        result = retirees_move(year=year)
        self.stdout.write(
            f"{year}: {result['moved']} moved, {result['kept']} kept as scored, "
            f"{result['table_created']} retiree table created"
        )
