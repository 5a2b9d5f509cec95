"""``manage.py backup [--output PATH]``: a consistent copy of the database (README "Backups")."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from branches.backups import BackupError, pg_backup, pg_dump_command, pg_environment, sqlite_backup


class Command(BaseCommand):
    help = (
        "Back up the database: on SQLite a consistent copy by the online backup API (safe while the portal "
        "runs; checked with pragma integrity_check), on PostgreSQL a pg_dump in its custom format."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the file to write (default: var/backups/portal-<date-time>.…)")

    def handle(self, *args, output: str | None = None, **options):
        db = connection.settings_dict
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
        target = Path(output) if output else Path(settings.VAR_DIR) / "backups" / f"portal-{stamp}.{suffix}"
        try:
            if connection.vendor == "sqlite":
                sqlite_backup(source=Path(db["NAME"]), target=target)
            elif connection.vendor == "postgresql":
                pg_backup(db=db, target=target)
            else:
                raise CommandError(f"No backup for the {connection.vendor} backend.")
        except BackupError as exc:
            if connection.vendor == "postgresql":
                variables = " ".join(
                    f"{k}=…" if k == "PGPASSWORD" else f"{k}={v}" for k, v in pg_environment(db).items()
                )
                raise CommandError(
                    f"{exc}\nRun it yourself: {variables} {' '.join(pg_dump_command(target))}"
                ) from exc
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up to {target} ({target.stat().st_size:,} bytes).")
