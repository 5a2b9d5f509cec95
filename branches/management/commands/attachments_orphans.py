"""``manage.py attachments_orphans [--delete]``: stored attachment files that no row names (a crash between a
commit and the file's write or delete, files from before the layer, a database restored from an older copy), and
rows whose file is missing.

A dry run by default: it lists and counts. ``--delete`` removes the orphaned files; a row whose file is missing
is only reported (it still says who uploaded what and when: a person decides whether to delete it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from branches.attachments import attachment_orphans


class Command(BaseCommand):
    help = (
        "List stored attachment files without a row and rows without their file; --delete removes the files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="delete the orphaned files (default: list only)"
        )

    def handle(self, *args, delete: bool = False, **options):
        found = attachment_orphans()
        for _storage, name in found.files:
            self.stdout.write(f"orphan file: {name}")
        for label, pk, name in found.missing:
            self.stdout.write(f"missing file: {label} #{pk}: {name}")
        if delete:
            for storage, name in found.files:
                storage.delete(name)
            self.stdout.write(
                f"{len(found.files)} orphaned file(s) deleted; {len(found.missing)} row(s) without "
                f"their file left for a person to decide."
            )
        else:
            self.stdout.write(
                f"{len(found.files)} orphaned file(s), {len(found.missing)} row(s) without their "
                f"file. Dry run: nothing deleted (use --delete)."
            )
