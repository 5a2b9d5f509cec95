from django.core.management.base import BaseCommand, CommandError

from branches.figures import figures_refresh
from branches.models import Organization


class Command(BaseCommand):
    help = "Recompute the dashboard's snapshot figures (every tree, or the university of one unit)."

    def add_arguments(self, parser):
        parser.add_argument("--code", help="a unit's code: refresh its university only (default: everything)")

    def handle(self, *args, code: str | None = None, **options):
        unit = None
        if code:
            unit = Organization.objects.filter(code=code).first()
            if unit is None:
                raise CommandError(f"No organization with code {code!r}.")
        result = figures_refresh(unit=unit)
        self.stdout.write(
            f"Dashboard figures of {', '.join(result.roots) or 'nothing'}: "
            f"{result.units} units in {result.seconds:.2f} s"
        )
