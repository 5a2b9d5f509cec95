#!/usr/bin/env bash
# Debian packages the tests need: chromium for the browser journeys (Playwright cannot download its own
# browser here) and a CJK font for it, gettext, whose xgettext the catalogue-completeness test runs, and the sqlite3 shell, which
# tests/test_backup.py has run `pragma integrity_check` on a backup (as an operator would, without Django).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xgettext >/dev/null || missing+=(gettext)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
# Chinese glyphs in the browser journeys' screenshots (var/e2e-screens/): without a CJK font every character
# is an empty box.
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
# On PostgreSQL the backup test runs pg_dump and pg_restore.
case "${DATABASE_URL:-}" in postgres*) command -v pg_dump >/dev/null || missing+=(postgresql-client) ;; esac
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages for the tests: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Missing ${missing[*]} and no root to install them: apt-get install ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
