#!/usr/bin/env bash
# Installs schemathesis (PyPI), the OpenAPI fuzzer the tests run against the served
# documents, into a cache outside the clone (once per machine, reused by every run).
# Prints the path of its `st` command.
set -euo pipefail

bin=$("$(dirname "$0")/pip-venv.sh" "${BCDA_SCHEMATHESIS_DIR:-$HOME/.cache/bcda/schemathesis}" \
  "schemathesis==4.32.5")
echo "$bin/st"
