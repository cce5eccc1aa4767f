#!/usr/bin/env bash
# Fails when C modules are imported outside the files that are allowed to hold C pointers.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed='^Sources/JWTK/Backend/'
bad=$(grep -rlE '^\s*(internal |public |@_implementationOnly )?import CJWTK' Sources | grep -vE "$allowed" || true)
if [ -n "$bad" ]; then
  echo "C modules imported outside Sources/JWTK/Backend/:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "c-boundary: ok"
