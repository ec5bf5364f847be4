#!/usr/bin/env bash
# Installs what building bcda needs beside Rust: the worker compresses export files with
# ISA-L (crate isal-rs), which builds from its C and assembly sources with nasm, autotools
# and make. Installs Debian's packages (as root) when a tool is missing; does nothing
# otherwise, so it is safe to run any number of times.
set -euo pipefail

missing=()
for tool in nasm:nasm autoreconf:autoconf aclocal:automake libtoolize:libtool make:make; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "ensure-build-tools: ${missing[*]} missing; install them (as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "ensure-build-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
  || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
