"""``manage.py ratings_reclaim``: reclaim the space of deleted ballots (issue 16) — the old per-ballot
score rows after the upgrade, opened boxes' ciphertexts — so no free page, dead row version or WAL frame
keeps them. VACUUM cannot run inside a transaction (nor a migration): run this after ``migrate``; the daily
step runs it after it closes campaigns."""

from django.core.management.base import BaseCommand

from assessments.services.ratings import ballot_space_reclaim


class Command(BaseCommand):
    help = "Reclaim the space of deleted ballots (VACUUM outside a transaction)."

    def handle(self, *args, **options):
        statements = ballot_space_reclaim()
        for statement in statements:
            self.stdout.write(statement)
        self.stdout.write(self.style.SUCCESS(f"{len(statements)} statements run."))
