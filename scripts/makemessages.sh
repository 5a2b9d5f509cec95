#!/usr/bin/env bash
# Refresh the zh_Hans catalogue from the sources (issue 15: the .po is the one source of translations).
# New strings arrive untranslated; a string whose English changed arrives marked fuzzy with its old
# translation as a hint. Translate them in locale/zh_Hans/LC_MESSAGES/django.po (any PO editor, or by hand),
# remove each fuzzy flag once the translation is right, then `make messages`. tests/test_i18n.py fails on an
# untranslated, fuzzy or obsolete entry, and on a string of the code missing from the catalogue.
# Where one English word has two meanings, give each use a context: pgettext("grant", "Reports") in Python,
# {% translate "Reports" context "grant" %} in a template.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
$PY manage.py makemessages -l zh_Hans --no-obsolete --no-location \
  --ignore="tests/*" --ignore=".venv/*" --ignore="var/*" --ignore="bench/*" --ignore="scripts/*" -v0
$PY - <<'PY'
import polib
po = polib.pofile("locale/zh_Hans/LC_MESSAGES/django.po")
todo = [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
for entry in todo:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    print(f"to translate: {context}{entry.msgid!r}" + (" (fuzzy)" if "fuzzy" in entry.flags else ""))
print(f"{len(todo)} entries to translate in locale/zh_Hans/LC_MESSAGES/django.po" if todo else "catalogue complete")
PY
$PY scripts/compile_messages.py
