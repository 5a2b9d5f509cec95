"""``manage.py restore PATH [--noinput]``: put a backup made by ``manage.py backup`` back (README "Backups").
Stop the web server, the workers and beat first; on SQLite the current database is backed up beside the
others before it is overwritten."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from branches.backups import BackupError, pg_restore, sqlite_backup, sqlite_restore


class Command(BaseCommand):
    help = "Restore the database from a backup made by `manage.py backup` (stop the portal's services first)."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup file")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )
        parser.add_argument(
            "--save-current-to",
            dest="save_to",
            help="SQLite: where to save the database being replaced "
            "(default: var/backups/pre-restore-<date-time>.sqlite3)",
        )

    def handle(self, *args, backup: str, interactive: bool = True, save_to: str | None = None, **options):
        path = Path(backup)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        db = connection.settings_dict
        if interactive:
            answer = input(
                f"This replaces everything in the database {db['NAME']} with {path}. "
                "Are the web server and the workers stopped? Type 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        connection.close()  # no transaction of ours in the way
        try:
            if connection.vendor == "sqlite":
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
                save = (
                    Path(save_to)
                    if save_to
                    else Path(settings.VAR_DIR) / "backups" / f"pre-restore-{stamp}.sqlite3"
                )
                try:
                    sqlite_backup(source=Path(db["NAME"]), target=save)
                    self.stdout.write(f"The current database was saved to {save}.")
                except BackupError as exc:  # a damaged database is a reason to restore, not to stop
                    self.stderr.write(f"The current database could not be saved ({exc}); restoring anyway.")
                sqlite_restore(backup=path, target=Path(db["NAME"]))
            elif connection.vendor == "postgresql":
                pg_restore(db=db, backup=path)
            else:
                raise CommandError(f"No restore for the {connection.vendor} backend.")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {db['NAME']} from {path}. Run `manage.py migrate` if the backup is older "
            "than the code."
        )
