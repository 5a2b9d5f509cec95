"""The zh_Hans catalogue is complete: every translatable string in the code has a Chinese translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SKIP = shutil.ignore_patterns(
    ".venv", "var", ".git", "vendor", "__pycache__", "*.mo", ".pytest_cache", "bench"
)


def _entries(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


def test_every_string_is_translated():
    po = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_catalogue_covers_the_code(tmp_path):
    """Extract the strings afresh from a copy of the sources and compare with the committed catalogue."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
            "--ignore=tests/*",
            "--ignore=.venv/*",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(CATALOGUE))
    missing = _entries(fresh) - _entries(committed)
    assert not missing, f"strings not in the committed catalogue: {sorted(m[1] for m in missing)}"
    # Obsolete: translated in the catalogue but no longer in the code (a string renamed or deleted). Kept, they
    # would be a second, stale source of truth; scripts/makemessages.sh drops them.
    obsolete = _entries(committed) - _entries(fresh)
    assert not obsolete, f"catalogue entries the code no longer has: {sorted(m[1] for m in obsolete)}"
    assert not [e.msgid for e in committed if e.obsolete], "#~ obsolete entries in the catalogue"


def test_translations_keep_their_placeholders():
    """A translation guessed from a similar string (gettext's fuzzy matching) would swap %(unit)s for
    %(name)s and crash the page at run time."""
    import re

    placeholder = re.compile(
        r"%\((\w+)\)([sd])"
    )  # the name and its conversion: msgfmt -c refuses %(n)d → %(n)s
    po = polib.pofile(str(CATALOGUE))
    wrong = []
    for entry in po:
        expected = set(placeholder.findall(entry.msgid))
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        wrong += [entry.msgid for text in translations if set(placeholder.findall(text)) != expected]
    assert not wrong, wrong
