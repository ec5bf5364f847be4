#!/usr/bin/env bash
# Installs the independent FHIR validators the tests run our resources through, into a
# cache outside the clone (installed once per machine, reused by every run):
#   - PyPI fhir.resources 6.4.0 with pydantic<2: STU3 and R4 models (required fields,
#     cardinality, unknown fields, value types);
#   - npm fhir 4.12.0: R4 validation (code values, extension urls).
# Prints the directory it installed into.
set -euo pipefail

dir="${BCDA_FHIR_VALIDATOR_DIR:-$HOME/.cache/bcda/fhir-validator}"
stamp="$dir/installed-fhir.resources-6.4.0-fhir-4.12.0"
if [ -f "$stamp" ]; then
  echo "$dir"
  exit 0
fi

mkdir -p "$dir"
python3 -m venv "$dir/venv" >&2
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check "fhir.resources==6.4.0" "pydantic<2" >&2
(cd "$dir" && npm install --silent --no-audit --no-fund --prefix "$dir/node" fhir@4.12.0 >&2)
touch "$stamp"
echo "$dir"
