import json as json_module

from django.core.management.base import BaseCommand, CommandError

from branches.models import Organization
from members.selectors import party_stats


class Command(BaseCommand):
    help = "The statistical summary reported upward: counts by level, category, stage, gender and age band."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--code", help="the unit's code (default: the first root)")

    def handle(self, *args, json: bool = False, code: str | None = None, **options):
        if code:
            unit = Organization.objects.filter(code=code).first()
            if unit is None:
                raise CommandError(f"No organization with code {code!r}.")
        else:
            unit = Organization.objects.get_first_root_node()
            if unit is None:
                raise CommandError("No organizations yet: run load_demo or create the tree first.")
        stats = party_stats(organization=unit)
        if json:
            self.stdout.write(json_module.dumps(stats, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{stats['organization']['name']}（{stats['as_of']}）")
        for section in (
            "organizations_by_kind",
            "secondary_committees_by_unit_type",
            "branches_by_category",
            "party_members_by_category",
            "people_by_stage",
            "party_members_by_gender",
            "party_members_by_age_band",
        ):
            self.stdout.write(f"{section}:")
            for key, value in stats[section].items():
                self.stdout.write(f"  {key:<16} {value:>8}")
        for total in ("secondary_committees", "staff_branches", "party_members", "staff_party_members"):
            self.stdout.write(f"{total:<24} {stats[total]:>8}")
