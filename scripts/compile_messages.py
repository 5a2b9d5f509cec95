"""Compile every locale/**/django.po to .mo with polib, so no GNU gettext is needed to run the portal."""

from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent
for po_path in sorted((root / "locale").glob("*/LC_MESSAGES/*.po")):
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        print(f"compiled {po_path.relative_to(root)}")
