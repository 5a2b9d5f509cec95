#!/usr/bin/env bash
# Debian and Ubuntu ship Python's venv/ensurepip in a separate package; install it if we can.
set -euo pipefail
PYTHON="${1:-python3}"
"$PYTHON" -c "import ensurepip, venv" 2>/dev/null && exit 0
echo "$PYTHON cannot create virtual environments (python3-venv is missing); installing it…"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Run: apt-get install python3-venv  (then make again)" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq python3-venv >/dev/null
