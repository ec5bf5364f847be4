#!/usr/bin/env bash
# Installs Python packages (PyPI, pinned) into a virtualenv at DIR, once per machine:
# reinstalled only when the package list changes. Prints the virtualenv's bin directory.
# Usage: scripts/pip-venv.sh DIR PACKAGE==VERSION...
set -euo pipefail

dir="$1"
shift
stamp="$dir/installed-$(printf '%s ' "$@" | tr -c 'A-Za-z0-9.=_-' '_')"
if [ ! -f "$stamp" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 -m venv "$dir/venv" >&2
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
  touch "$stamp"
fi
echo "$dir/venv/bin"
