import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments.services import cycles_advance


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "The daily cycle step (DESIGN §7): meeting reminders and review to-dos now, assessment phases later. "
        "Idempotent: a second run the same day does nothing new; a missed day is caught up by the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the date to act on, YYYY-MM-DD (default: today in Beijing time)")

    def handle(self, *args, today: str | None = None, **options):
        day = _date(today) if today is not None else timezone.localdate()
        results = cycles_advance(today=day)
        self.stdout.write(f"advance_cycles for {day.isoformat()}:")
        for part, counts in results.items():
            figures = ", ".join(f"{counts[name]} {name}" for name in counts) or "nothing to do"
            self.stdout.write(f"  {part}: {figures}")
