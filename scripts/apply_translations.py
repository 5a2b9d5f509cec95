"""Fill the zh_Hans catalogue from a Python dict file (msgid → msgstr), used when strings are added.

Usage: python scripts/apply_translations.py TRANSLATIONS.py   (defines T for singular, P for plural msgids)
Prints the msgids still untranslated.
"""

import runpy
import sys
from pathlib import Path

import polib

catalogue = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
table = runpy.run_path(sys.argv[1])
po = polib.pofile(str(catalogue))
po.metadata_is_fuzzy = False
po.metadata["Project-Id-Version"] = "party-portal"
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
po.metadata["Language"] = "zh_Hans"
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
for entry in po:
    if entry.msgctxt:
        # A msgid with a context (pgettext) has two meanings; the table, keyed by msgid alone, cannot tell
        # them apart: those entries are translated in the catalogue itself.
        continue
    if "fuzzy" in entry.flags:
        # makemessages' guess from a similar string: never trust it, translate afresh.
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = None
        entry.msgstr = ""
        entry.msgstr_plural = {0: ""} if entry.msgid_plural else {}
    if entry.msgid_plural:
        if entry.msgid in table.get("P", {}):
            entry.msgstr_plural = {0: table["P"][entry.msgid]}
    elif entry.msgid in table.get("T", {}):
        entry.msgstr = table["T"][entry.msgid]
po.save()
missing = [e.msgid for e in po.untranslated_entries()]
print("untranslated:", missing)
