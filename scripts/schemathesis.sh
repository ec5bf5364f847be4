#!/usr/bin/env bash
# Installs schemathesis (PyPI), the OpenAPI fuzzer the tests run against the served
# documents, into a cache outside the clone (once per machine, reused by every run).
# Prints the path of its `st` command.
set -euo pipefail

version=4.32.5
dir="${BCDA_SCHEMATHESIS_DIR:-$HOME/.cache/bcda/schemathesis}"
stamp="$dir/installed-schemathesis-$version"
if [ ! -f "$stamp" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 -m venv "$dir/venv" >&2
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
  touch "$stamp"
fi
echo "$dir/venv/bin/st"
