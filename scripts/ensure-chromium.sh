#!/usr/bin/env bash
# Installs headless Chromium (Debian's package) for the test that renders Swagger UI the
# way a reader's browser does; prints the browser's path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >&2 \
    || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >&2; }
fi
command -v chromium
