#!/usr/bin/env bash
# Refresh the zh_Hans catalogue from the sources and fill it from translation tables.
# Usage: scripts/update_translations.sh [TABLE.py ...]   (default: every table under scripts/translations/)
# Each table defines T (msgid → msgstr) and P (plural msgid → msgstr). Serialised with flock because
# makemessages rewrites the whole catalogue.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
tables=("$@")
if [ ${#tables[@]} -eq 0 ]; then shopt -s nullglob; tables=(scripts/translations/*.py); fi
exec 9>var/.translations.lock 2>/dev/null || { mkdir -p var; exec 9>var/.translations.lock; }
flock 9
$PY manage.py makemessages -l zh_Hans --no-obsolete --no-location \
  --ignore="tests/*" --ignore=".venv/*" --ignore="var/*" --ignore="bench/*" --ignore="scripts/*" -v0
for table in "${tables[@]}"; do $PY scripts/apply_translations.py "$table" | sed "s|^|$table: |"; done
$PY scripts/compile_messages.py
